"""The contract suite catches a server that breaks the contract in any one way, and names what broke.

Each test runs the real suite (`pytest tests/contract`, smoke profile) against tests/faults/proxy.py in front
of the mock, with recognisable canary values for every secret, and checks: the run fails, its output names
the broken rule, and no secret (configured or bearer token) appears in the output or the JUnit report.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ep_cart_mock.config import DEFAULTS
from tests.conftest import MockProcess, free_port, mock_env
from tests.paths import ROOT

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
}


@dataclass
class SuiteRun:
    returncode: int
    output: str
    junit: str
    bearer_tokens: list[str]
    written: dict[Path, str]
    """Every file under the repository that the run created or changed, with its text."""


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


def run_suite_against(fault: str, upstream: MockProcess, tmp_path: Path) -> SuiteRun:
    port = free_port()
    tokens_file = tmp_path / "tokens.txt"
    tokens_file.touch()
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
            [sys.executable, "-m", "pytest", "tests/contract", "-p", "no:cacheprovider", "-q", f"--junitxml={junit}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            env={
                **env,
                "EP_BASE_URL": f"http://127.0.0.1:{port}",
                "EP_CONTRACT_PROFILE": "smoke",
                "EP_RATE_LIMIT": "off",
            },
        )
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
    return SuiteRun(
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


@pytest.mark.parametrize("fault", sorted(EXPECTED_NAMES))
def test_suite_fails_and_names_the_broken_rule(fault: str, upstream: MockProcess, tmp_path: Path) -> None:
    run = run_suite_against(fault, upstream, tmp_path)
    assert run.returncode == 1, run.output[-3000:]
    for name in EXPECTED_NAMES[fault]:
        assert name in run.output, f"the output does not name {name!r}:\n{run.output[-3000:]}"
    assert "curl -X" in run.output, "a failure must show the request as a curl command"
    assert_no_secret_leaked(run)


def test_rate_limited_answers_are_retried_not_reported(upstream: MockProcess, tmp_path: Path) -> None:
    """Every first request is answered 429 with Retry-After: 0; the suite retries and passes."""
    run = run_suite_against("rate-limited", upstream, tmp_path)
    assert run.returncode == 0, run.output[-3000:]
    assert_no_secret_leaked(run)
