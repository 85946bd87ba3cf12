"""The contract suite catches a server that breaks the contract in any one way, and names what broke.

Each test runs the real suite (`pytest tests/contract`, smoke profile) against tests/faults/proxy.py in front
of the mock, with recognisable canary values for every secret, and checks: the run fails, its output names
the broken rule, and no secret (configured or bearer token) appears in the output or the JUnit report.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from ep_cart_mock.config import DEFAULTS
from ep_cart_mock.spec import ASSOCIATION_PATH
from tests.conftest import MockProcess, contract_suite, free_port, mock_env
from tests.faults.proxy import REAL_CART
from tests.paths import ROOT
from tests.test_docs_browser import chromium, run_chromium, visible_text

__all__ = ["chromium"]  # a fixture, shared with the docs page's browser test

CANARIES = {
    "EP_CLIENT_ID": "canary-client-id-5e1d",
    "EP_CLIENT_SECRET": "canary-client-secret-8c2f",
    "EP_ACCOUNT_TOKEN": "canary-account-token-3a9b",
    "EP_OTHER_ACCOUNT_TOKEN": "canary-other-account-token-7d4e",
}
FIXTURES = {
    **{name: DEFAULTS[name] for name in ("EP_ACCOUNT_ID", "EP_OTHER_ACCOUNT_ID", "EP_CONTACT_EMAIL_CART_ID")},
    **CANARIES,
}

# Each fault, and what the failing run must name: the schemathesis check or the scenario that caught it.
EXPECTED_NAMES = {
    "wrong-status": ["Undocumented status code", "test_first_association_returns_200_with_the_account"],
    "schema-violation": ["Response violates schema", "test_first_association_returns_200_with_the_account"],
    "wrong-content-type": ["Undocumented Content-Type"],
    "unauthenticated-accepted": [
        "API accepts requests without authentication",
        "test_missing_bearer_token_returns_401",
    ],
    "invalid-data-accepted": ["Schema-violating request accepted", "test_malformed_json_returns_400"],
    "repeat-answered-200": ["test_second_association_returns_204"],
    "delete-does-not-delete": ["test_delete_then_associate_again_returns_200"],
    "cross-account-token-accepted": ["test_shopper_with_another_accounts_token_returns_403"],
    # The association's effect (S1, S3): each names the effect's claim as the vendor's.
    "associates-nothing": [
        "[vendor contract] test_after_200_the_cart_names_the_account",
        "[vendor contract] test_after_200_the_accounts_list_holds_the_cart",
    ],
    "lists-another-accounts-cart": ["[vendor contract] test_the_other_accounts_list_never_holds_the_cart"],
    "keeps-account-after-delete": [
        "[vendor contract] test_after_delete_the_cart_no_longer_names_the_account",
        "[vendor contract] test_after_delete_the_accounts_list_no_longer_holds_the_cart",
    ],
}


@dataclass
class SuiteRun:
    returncode: int
    output: str
    junit: str
    bearer_tokens: list[str]
    written: dict[Path, str]
    """Every file under the repository that the run created or changed, with its text."""
    report: Path
    """The run's reports/contract.json."""
    stats: dict[str, int]
    """How many requests of each method reached the proxy."""


def files_written_since(started: float) -> dict[Path, str]:
    skipped = {".venv", ".tools", ".git", "node_modules"}
    written = {}
    for path in ROOT.rglob("*"):
        if skipped & set(path.relative_to(ROOT).parts) or not path.is_file():
            continue
        if path.stat().st_mtime >= started:
            written[path] = path.read_text(encoding="utf-8", errors="replace")
    return written


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockProcess]:
    server = MockProcess(mock_env(**FIXTURES), tmp_path_factory.mktemp("faults") / "mock.log")
    yield server
    server.stop()


def run_suite_against(
    fault: str, upstream: MockProcess, tmp_path: Path, extra_env: dict[str, str] | None = None
) -> SuiteRun:
    port = free_port()
    tokens_file = tmp_path / "tokens.txt"
    tokens_file.touch()
    requests_file = tmp_path / "tokens.txt.methods"
    env = mock_env(**FIXTURES)
    proxy = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.faults.proxy",
            "--upstream",
            upstream.base_url,
            "--port",
            str(port),
            "--fault",
            fault,
            "--tokens-file",
            str(tokens_file),
        ],
        cwd=ROOT,
        env=env,
    )
    started = time.time()
    try:
        wait_until_listening(port)
        junit = tmp_path / "junit.xml"
        result = subprocess.run(
            contract_suite("-q", f"--junitxml={junit}"),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            env={
                **env,
                "EP_BASE_URL": f"http://127.0.0.1:{port}",
                "EP_CONTRACT_PROFILE": "smoke",
                "EP_RATE_LIMIT": "off",
                "EP_REPORT_DIR": str(tmp_path / "reports"),
                **(extra_env or {}),
            },
        )
    finally:
        proxy.terminate()
        try:
            proxy.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proxy.kill()
            proxy.wait()
    methods = requests_file.read_text().splitlines() if requests_file.exists() else []
    stats = Counter(line.strip() for line in methods if line.strip())
    return SuiteRun(
        report=tmp_path / "reports" / "contract.json",
        stats=dict(stats),
        returncode=result.returncode,
        output=result.stdout + result.stderr,
        junit=junit.read_text(encoding="utf-8") if junit.exists() else "",
        bearer_tokens=[line for line in tokens_file.read_text().splitlines() if line],
        written=files_written_since(started),
    )


def wait_until_listening(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.yaml", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"the faulty proxy did not listen on {port}")


def assert_no_secret_leaked(run: SuiteRun) -> None:
    assert run.bearer_tokens, "the proxy saw no token: the check below would prove nothing"
    for secret in [*CANARIES.values(), *run.bearer_tokens]:
        if secret == CANARIES["EP_CLIENT_ID"]:
            continue  # a client ID identifies the application; it is not a secret
        assert secret not in run.output, f"a secret leaked into the output: {secret[:8]}..."
        assert secret not in run.junit, f"a secret leaked into the JUnit report: {secret[:8]}..."
        for path, text in run.written.items():
            assert secret not in text, f"a secret leaked into {path.relative_to(ROOT)}: {secret[:8]}..."


def verdicts(run: SuiteRun) -> dict[str, Any]:
    """The run's reports/contract.json (written to the run's own folder)."""
    assert run.report.is_file(), f"no {run.report}:\n{run.output[-3000:]}"
    data: dict[str, Any] = json.loads(run.report.read_text(encoding="utf-8"))
    return data


def broken(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [claim for claim in data["verdicts"]["claims"] if claim["broken"] and claim["kind"] == kind]


@pytest.mark.parametrize("mode", ["fail", "report"])
@pytest.mark.parametrize("fault", sorted(EXPECTED_NAMES))
def test_suite_fails_and_names_the_broken_rule(fault: str, mode: str, upstream: MockProcess, tmp_path: Path) -> None:
    """Each fault breaks something the vendor documents, so it fails the run in both modes, as the vendor's."""
    run = run_suite_against(fault, upstream, tmp_path, {"EP_ASSUMPTIONS": mode})
    assert run.returncode == 1, run.output[-3000:]
    for name in EXPECTED_NAMES[fault]:
        assert name in run.output, f"the output does not name {name!r}:\n{run.output[-3000:]}"
    assert "curl -X" in run.output, "a failure must show the request as a curl command"
    assert broken(verdicts(run), "vendor contract"), "the fault must break a vendor-contract claim"
    assert re.search(r"vendor contract: \d+ claims, \d+ held, [1-9]\d* broken", run.output), run.output[-3000:]
    assert_no_secret_leaked(run)


# The independent server's decisions, each the other way from ours: the marks it must be reported under.
INDEPENDENT_DIFFERENCES = {
    "error-message-in-title",  # the documented message as the detail, under a generic title
    "account-id-is-a-uuid",  # any string is an account ID
    "account-token-length",  # an empty account-token header is no header
    "account-token-scopes-administrator",  # an administrator stays one with an account token
    "token-request-refused-with-400",  # every refused token request is a 401
}


@pytest.fixture(scope="module")
def independent_runs(upstream: MockProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, SuiteRun]:
    return {
        mode: run_suite_against("independent", upstream, tmp_path_factory.mktemp(mode), {"EP_ASSUMPTIONS": mode})
        for mode in ("fail", "report")
    }


def test_independent_server_breaks_only_assumptions_and_fails_by_default(independent_runs: dict[str, SuiteRun]) -> None:
    run = independent_runs["fail"]
    data = verdicts(run)
    assert run.returncode == 1, run.output[-3000:]
    assert not broken(data, "vendor contract"), [claim["title"] for claim in broken(data, "vendor contract")]
    assert {claim["title"] for claim in broken(data, "assumption")} == INDEPENDENT_DIFFERENCES
    assert "vendor contract:" in run.output
    assert ", 0 broken" in run.output
    for claim in broken(data, "assumption"):
        assert claim["where"].startswith("openapi.yaml:"), claim
        assert f"to change: {claim['where']}" in run.output
        assert claim["evidence"], f"{claim['title']} broke with no evidence"
    assert_no_secret_leaked(run)


def test_independent_server_passes_when_assumptions_are_only_reported(independent_runs: dict[str, SuiteRun]) -> None:
    run = independent_runs["report"]
    data = verdicts(run)
    assert run.returncode == 0, run.output[-3000:]
    assert not broken(data, "vendor contract")
    assert {claim["title"] for claim in broken(data, "assumption")} == INDEPENDENT_DIFFERENCES
    assert "xfailed" in run.output, "scenarios whose assumption did not hold end as expected failures"
    junit = run.junit
    assert 'name="verdict.vendor-contract"' in junit
    assert 'name="verdict.assumptions"' in junit
    assert "5 did not hold" in junit
    assert_no_secret_leaked(run)


def test_a_shopper_reaching_another_account_fails_even_when_assumptions_are_reported(
    upstream: MockProcess, tmp_path: Path
) -> None:
    """An assumption about who may act for which account is never only reported."""
    run = run_suite_against("cross-account-token-accepted", upstream, tmp_path, {"EP_ASSUMPTIONS": "report"})
    assert run.returncode == 1, run.output[-3000:]
    guards = [claim for claim in broken(verdicts(run), "assumption") if claim["guards_access"]]
    assert "account-token-other-account" in [claim["title"] for claim in guards]
    assert "guards account access: fails the run in every mode" in run.output


def test_an_operation_that_never_answers_fails_once_and_the_run_ends(upstream: MockProcess, tmp_path: Path) -> None:
    """The proxy never answers DELETE: the first timeout fails the operation, which is sent nothing more, and
    the run ends with both verdicts in under two minutes (EP_REQUEST_TIMEOUT stays at its 30 s default)."""
    started = time.monotonic()
    run = run_suite_against("delete-never-answers", upstream, tmp_path)
    elapsed = time.monotonic() - started
    assert run.returncode == 1, run.output[-3000:]
    assert elapsed < 120, f"the run took {elapsed:.0f} s"
    assert f"DELETE {ASSOCIATION_PATH} did not answer within 30 s" in run.output
    assert f"FAILED: DELETE {ASSOCIATION_PATH} stopped answering" in run.output
    assert "vendor contract:" in run.output
    assert "assumptions:" in run.output
    data = verdicts(run)
    assert data["unresponsive"] == [f"DELETE {ASSOCIATION_PATH}"]
    assert data["cleanup"]["left"], "what the run could not delete is listed"
    assert run.stats["DELETE"] <= 3, f"DELETE was sent {run.stats['DELETE']} times after it stopped answering"


def test_a_live_run_touches_no_real_cart_and_sends_no_vendor_method_left_out(
    upstream: MockProcess, tmp_path: Path
) -> None:
    """A store that already holds a team's real cart, associated with the configured account and listed by
    GET /v2/carts, and that has the vendor's POST /v2/carts, PUT and DELETE /v2/carts/{cartID} (S3): after a
    whole run, nothing was sent to the real cart, none of those methods was called, and its association holds."""
    run = run_suite_against("team-store", upstream, tmp_path)
    assert run.returncode == 0, run.output[-3000:]
    sent = (tmp_path / "tokens.txt.requests").read_text(encoding="utf-8").splitlines()
    assert f"LISTED {REAL_CART}" in sent, "the run never saw the real cart: the proof would prove nothing"
    requests = [line for line in sent if not line.startswith("LISTED ")]
    assert len(requests) > 500, f"only {len(requests)} requests: not a whole run"
    # The real cart is the one its ID addresses: a path segment that decodes to it. The run's own carts may
    # carry the ID after their prefix (schemathesis reuses IDs it saw listed; the guard prefixes them).
    touched = [
        line
        for line in requests
        if REAL_CART in [urllib.parse.unquote(part) for part in line.split(" ", 1)[1].split("?")[0].split("/")]
    ]
    assert not touched, f"requests that reached the real cart: {touched[:5]}"
    left_out = [
        line
        for line in requests
        if line.split("?")[0] == "POST /v2/carts"
        or (re.fullmatch(r"(PUT|DELETE) /v2/carts/[^/?]*(\?.*)?", line) is not None)
    ]
    assert not left_out, f"vendor methods the spec leaves out were sent: {left_out[:5]}"
    admin = httpx.post(
        f"{upstream.base_url}/oauth/access_token",
        data={
            "grant_type": "client_credentials",
            "client_id": FIXTURES["EP_CLIENT_ID"],
            "client_secret": FIXTURES["EP_CLIENT_SECRET"],
        },
    ).json()["access_token"]
    cart = httpx.get(f"{upstream.base_url}/v2/carts/{REAL_CART}", headers={"Authorization": f"Bearer {admin}"}).json()
    assert cart["data"]["relationships"]["accounts"]["data"] == [{"id": FIXTURES["EP_ACCOUNT_ID"], "type": "account"}]


def test_rate_limited_answers_are_retried_not_reported(upstream: MockProcess, tmp_path: Path) -> None:
    """Every first request is answered 429 with Retry-After: 0; the suite retries and passes."""
    run = run_suite_against("rate-limited", upstream, tmp_path)
    assert run.returncode == 0, run.output[-3000:]
    assert_no_secret_leaked(run)


def test_report_page_shows_both_verdicts_offline(
    independent_runs: dict[str, SuiteRun], chromium: str, tmp_path: Path
) -> None:
    """reports/contract.html of the independent server's run, opened in headless Chromium with every other
    host blocked: both verdicts, each failed assumption with its evidence and line, the response matrix, the
    run's target, profile and prefix, and no secret. A screenshot is saved as reports/contract.png."""
    run = independent_runs["report"]
    data = verdicts(run)
    page = run.report.with_suffix(".html")
    html_text = page.read_text(encoding="utf-8")
    assert not re.search(r"<(script|img|iframe|link)\b", html_text, re.IGNORECASE), "the page must load nothing"

    result = run_chromium(chromium, tmp_path / "profile", "--dump-dom", page.as_uri())
    text = visible_text(result.stdout)
    for line in data["verdicts"]["summary"]:
        assert line in text, f"the verdict {line!r} is not on the page"
    for claim in broken(data, "assumption"):
        assert claim["title"] in text
        assert claim["where"] in text
    assert "curl -X POST" in text, "the evidence shows each request as curl"
    for row in data["responses"]:
        assert f"{row['operation']} {row['status']} {row['observed']}" in text
    assert data["run"]["prefix"] in text
    assert "profile smoke" in text
    assert "Associations created:" in text
    for secret in [value for name, value in CANARIES.items() if name != "EP_CLIENT_ID"] + run.bearer_tokens:
        assert secret not in html_text
        assert secret not in run.report.read_text(encoding="utf-8")

    reports = ROOT / "reports"
    reports.mkdir(exist_ok=True)
    shot = reports / "contract.png"
    run_chromium(chromium, tmp_path / "profile-shot", "--window-size=1300,2200", f"--screenshot={shot}", page.as_uri())
    assert shot.is_file(), "no screenshot was saved"
    assert shot.stat().st_size > 30_000, "the screenshot is blank"
