"""The fault runs the tests in this folder read: the whole suite (`ep-cart-contract`, smoke profile) against
tests/faults/proxy.py in front of a mock of its own (served in the proxy's process), with recognisable canary
values for every secret. A test module's runs start side by side as the module begins (its `fault_runs` fixture);
each test waits for its own.
Two modules hold them, so that `make test`'s workers share them: test_suite_catches_faults.py (a fault, named) and
test_suite_judges_stores.py (stores that answer otherwise).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import httpx
import pytest
import yaml

from ep_cart_contract.target import serve_on_a_free_port
from ep_cart_spec import DEFAULTS
from tests.conftest import contract_suite, mock_env
from tests.paths import ROOT

CANARIES = {
    "EP_CLIENT_ID": "canary-client-id-5e1d",
    "EP_CLIENT_SECRET": "canary-client-secret-8c2f",
    "EP_ACCOUNT_TOKEN": "canary-account-token-3a9b",
    "EP_OTHER_ACCOUNT_TOKEN": "canary-other-account-token-7d4e",
}
FIXTURES = {
    # No EP_CONTACT_EMAIL_CART_ID: each run makes its own contact-email cart, as a nightly job's does.
    **{name: DEFAULTS[name] for name in ("EP_ACCOUNT_ID", "EP_OTHER_ACCOUNT_ID")},
    **CANARIES,
}


@dataclass(frozen=True)
class RunKey:
    """One run of the suite: against which fault, in which EP_ASSUMPTIONS mode, judged by which store profile
    (a name of STORE_PROFILES; "" for none: openapi.yaml's defaults)."""

    fault: str
    mode: str = "fail"
    store_profile: str = ""


# The independent server's decisions as a store profile (the ones tests/faults/proxy.py makes), and the same
# with one point set back to the default: the server then differs from its profile on that point only.
INDEPENDENT_PROFILE = {
    "error-message-in-title": "detail",
    "account-id-is-a-uuid": "any-string",
    "account-token-empty-refused": "absent",
    "account-token-scopes-administrator": "administrator",
    "token-request-refused-with-400": "401",
    "shopper-token-refused-with-403": "400",
    "page-limit-above-100-refused": "clamped",
    "delete-of-a-missing-association-answers-204": "404",
    "error-status-type": "string",
}
STORE_PROFILES = {
    "unknown-carts-404": {"new-cart-id-is-a-new-cart": "404"},
    "independent": INDEPENDENT_PROFILE,
    "independent-but-token": {**INDEPENDENT_PROFILE, "token-request-refused-with-400": "400"},
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
    folder: Path
    """The run's own folder: the proxy's records, the reports, the JUnit file."""
    seconds: float
    """How long the suite ran."""
    upstream_state: dict[str, Any]
    """The upstream mock's associations when the run had ended (GET /_mock/state)."""


SKIPPED_WHEN_WRITTEN = {".venv", ".tools", ".git", "node_modules"}


def files_written_since(started: float) -> dict[Path, str]:
    written = {}
    for folder, folders, files in os.walk(ROOT):
        folders[:] = [name for name in folders if name not in SKIPPED_WHEN_WRITTEN]
        for name in files:
            path = Path(folder) / name
            if path.stat().st_mtime >= started:
                written[path] = path.read_text(encoding="utf-8", errors="replace")
    return written


def run_suite_against(key: RunKey, folder: Path) -> SuiteRun:
    """The whole suite (smoke profile) against the fault's proxy, in front of a mock of the run's own (in the
    proxy's process: its log is the run's upstream.log)."""
    tokens_file = folder / "tokens.txt"
    tokens_file.touch()
    requests_file = folder / "tokens.txt.methods"
    env = mock_env(**FIXTURES)
    judged_by = {}
    if key.store_profile:
        profile = folder / f"{key.store_profile}.yaml"
        document = {"store-profile": 1, "marks": STORE_PROFILES[key.store_profile]}
        profile.write_text(yaml.safe_dump(document), encoding="utf-8")
        judged_by = {"EP_STORE_PROFILE": str(profile)}
    # Its log holds its own errors, read when a run fails by the proxy's doing.
    proxy, port, proxy_log = start_proxy(key.fault, tokens_file, folder / "proxy.log", env)
    started = time.time()
    try:
        junit = folder / "junit.xml"
        began = time.monotonic()
        broken_kit = ["-p", "tests.faults.hook_that_raises"] if key.fault == "none" and key.mode == "kit-error" else []
        result = subprocess.run(
            contract_suite("-q", f"--junitxml={junit}", *broken_kit),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            env={
                **env,
                "EP_BASE_URL": f"http://127.0.0.1:{port}",
                "EP_CONTRACT_PROFILE": "smoke",
                "EP_RATE_LIMIT": "off",
                "EP_REPORT_DIR": str(folder / "reports"),
                "EP_ASSUMPTIONS": "fail" if key.mode == "kit-error" else key.mode,
                **judged_by,
            },
        )
        seconds = time.monotonic() - began
        upstream_state = httpx.get(f"http://127.0.0.1:{port}/_mock/state", timeout=10).raise_for_status().json()
    finally:
        proxy.terminate()
        try:
            proxy.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proxy.kill()
            proxy.wait()
        proxy_log.close()
    methods = requests_file.read_text().splitlines() if requests_file.exists() else []
    stats = Counter(line.strip() for line in methods if line.strip())
    return SuiteRun(
        report=folder / "reports" / "contract.json",
        stats=dict(stats),
        returncode=result.returncode,
        output=result.stdout + result.stderr,
        junit=junit.read_text(encoding="utf-8") if junit.exists() else "",
        bearer_tokens=[line for line in tokens_file.read_text().splitlines() if line],
        written=files_written_since(started),
        folder=folder,
        seconds=seconds,
        upstream_state=upstream_state,
    )


SIDE_BY_SIDE = 3
"""Runs at once: each is a suite, a proxy and a mock; a run that waits on a timeout costs no processor time."""
FIRST = ("delete-never-answers", "independent", "team-store")
"""Started first: the longest runs, so none of them is left running alone at the end."""


class FaultRuns:
    """The runs the selected tests need, started side by side as the module begins; a test waits for its own."""

    def __init__(self, keys: list[RunKey], tmp_path_factory: pytest.TempPathFactory) -> None:
        self._factory = tmp_path_factory
        self._pool = ThreadPoolExecutor(max_workers=SIDE_BY_SIDE, thread_name_prefix="fault-run")
        self._runs: dict[RunKey, Future[SuiteRun]] = {}
        for key in sorted(keys, key=lambda key: key.fault not in FIRST):
            self._submit(key)

    def _submit(self, key: RunKey) -> Future[SuiteRun]:
        if key not in self._runs:
            folder = self._factory.mktemp(f"{key.fault}-{key.mode}")
            self._runs[key] = self._pool.submit(run_suite_against, key, folder)
        return self._runs[key]

    def __getitem__(self, key: RunKey) -> SuiteRun:
        return self._submit(key).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


RUNS_OF_TEST = {
    # The runs each test reads, beyond the parametrized ones (fault, mode).
    "test_independent_server_breaks_only_assumptions_and_fails_by_default": [RunKey("independent", "fail")],
    "test_report_page_shows_both_verdicts_offline": [RunKey("independent", "fail")],
    "test_a_shopper_reaching_another_account_fails_even_when_assumptions_are_reported": [
        RunKey("cross-account-token-accepted", "report")
    ],
    "test_an_operation_that_never_answers_fails_once_and_the_run_ends": [RunKey("delete-never-answers")],
    "test_a_live_run_touches_no_real_cart_and_sends_no_vendor_method_left_out": [RunKey("team-store")],
    "test_rate_limited_answers_are_retried_not_reported": [RunKey("rate-limited")],
    "test_a_failing_run_keeps_no_examples_for_the_next_to_replay": [RunKey("wrong-status")],
    "test_a_store_unavailable_now_and_then_passes_with_nothing_left_and_no_claim": [
        RunKey("unavailable-now-and-then", "fail")
    ],
    "test_a_store_down_for_good_is_unavailable_not_a_claim_nor_a_credentials_problem": [RunKey("down")],
    "test_a_500_on_a_valid_request_is_a_broken_claim_not_unavailability": [RunKey("500-on-valid")],
    "test_an_error_inside_the_kit_is_named_as_the_kits_not_the_stores": [RunKey("none", "kit-error")],
    "test_a_run_writes_the_alternatives_the_independent_server_showed": [RunKey("independent", "fail")],
    "test_the_independent_server_passes_when_judged_by_its_profile": [RunKey("independent", "fail", "independent")],
    "test_a_server_off_its_profile_on_one_point_fails_on_that_point_named": [
        RunKey("independent", "fail", "independent-but-token")
    ],
    "test_a_store_that_refuses_unknown_carts_passes_report_mode_naming_only_that_mark": [
        RunKey("unknown-cart-post-404", "report")
    ],
    "test_a_store_that_refuses_unknown_carts_passes_judged_by_a_profile_that_says_so": [
        RunKey("unknown-cart-post-404", "fail", "unknown-carts-404")
    ],
    "test_a_store_that_refuses_some_carts_fails_even_in_report_mode_naming_the_read_fact": [
        RunKey("some-carts-404", "report")
    ],
    "test_the_mock_replaying_the_independent_server_names_its_choices_and_follows_the_learned_ones": [
        RunKey("independent", "fail")
    ],
    "test_the_mock_given_the_learned_profile_refuses_unknown_carts_as_that_store_does": [
        RunKey("unknown-cart-post-404", "fail", "unknown-carts-404")
    ],
}


def runs_of(item: pytest.Item) -> list[RunKey]:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "fault" in callspec.params:
        return [RunKey(callspec.params["fault"], callspec.params["mode"])]
    return RUNS_OF_TEST.get(getattr(item, "originalname", item.name), [])


@pytest.fixture(scope="module")
def fault_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultRuns]:
    here = request.path
    keys = list(dict.fromkeys(key for item in request.session.items if item.path == here for key in runs_of(item)))
    runs = FaultRuns(keys, tmp_path_factory)
    yield runs
    runs.close()


def start_proxy(
    fault: str, tokens_file: Path, log_path: Path, env: dict[str, str], upstream: str | None = None
) -> tuple[subprocess.Popen[bytes], int, BinaryIO]:
    """tests/faults/proxy.py with `fault`, listening on a port of its own (ep_cart_contract.target's
    serve_on_a_free_port: a port another process took between the look and the bind is never this proxy's)."""
    command = [sys.executable, "-m", "tests.faults.proxy", "--fault", fault, "--tokens-file", str(tokens_file)]
    command += ["--upstream", upstream] if upstream else []
    return serve_on_a_free_port("the faulty proxy", lambda port: [*command, "--port", str(port)], env, log_path, ROOT)


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
    # What the run wrote in the checkout, and its reports (written to the run's folder): the recording of every
    # request it sent (the tokens and passwords they carried) among them.
    reports = {path: path.read_text(encoding="utf-8") for path in (run.folder / "reports").glob("*") if path.is_file()}
    assert any(path.name == "exchanges.har" for path in reports), "the run wrote no recording"
    for secret in [*CANARIES.values(), *run.bearer_tokens]:
        if secret == CANARIES["EP_CLIENT_ID"]:
            continue  # a client ID identifies the application; it is not a secret
        assert secret not in run.output, f"a secret leaked into the output: {secret[:8]}..."
        assert secret not in run.junit, f"a secret leaked into the JUnit report: {secret[:8]}..."
        for path, text in {**run.written, **reports}.items():
            assert secret not in text, f"a secret leaked into {path}: {secret[:8]}..."


def verdicts(run: SuiteRun) -> dict[str, Any]:
    """The run's reports/contract.json (written to the run's own folder)."""
    assert run.report.is_file(), f"no {run.report}:\n{run.output[-3000:]}"
    data: dict[str, Any] = json.loads(run.report.read_text(encoding="utf-8"))
    return data


def broken(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [claim for claim in data["verdicts"]["claims"] if claim["broken"] and claim["kind"] == kind]
