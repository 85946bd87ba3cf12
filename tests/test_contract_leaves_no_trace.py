"""The contract suite leaves a store as it found it, and `make test` ignores a live store's EP_* values.

The suite runs in a subprocess against a mock started with EP_TEST_CONTROLS=1, so the test can read the
mock's associations afterwards (GET /_mock/state): after a passing run, after an interrupted one (Ctrl-C),
nothing the run associated is left.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from ep_cart_contract import exits
from ep_cart_contract.store_profile import NOT_REACHABLE
from ep_cart_spec import DEFAULTS, FIXTURE_VARIABLES, load, read_profile
from tests.checkout import copy_of_checkout
from tests.conftest import MockProcess, contract_suite, free_port, mock_env
from tests.paths import ROOT

FIXTURES = {name: DEFAULTS[name] for name in FIXTURE_VARIABLES}

pytestmark = pytest.mark.slow  # whole runs of the contract suite (make test-fast leaves them out)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MockProcess]:
    server = MockProcess(mock_env(EP_TEST_CONTROLS="1"), tmp_path / "mock.log")
    yield server
    server.stop()


def suite_env(store: MockProcess, tmp_path: Path) -> dict[str, str]:
    return mock_env(
        **FIXTURES,
        EP_BASE_URL=store.base_url,
        EP_RATE_LIMIT="off",
        EP_CONTRACT_PROFILE="smoke",
        EP_REPORT_DIR=str(tmp_path / "reports"),
    )


def test_a_run_removes_every_association_it_created(store: MockProcess, tmp_path: Path) -> None:
    """The bundled mock passes in the default mode, which fails on any broken claim (so `report`, which fails on
    fewer, passes too), with every claim held, and keeps nothing the run associated. With no store profile, the
    run observes every point it can reach as openapi.yaml's default, and the profile it writes equals the defaults,
    but for the type of an error's status: the default takes either, and the mock sends integers."""
    env = {**suite_env(store, tmp_path), "EP_ASSUMPTIONS": "fail"}
    result = subprocess.run(contract_suite("-q"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:]
    report = json.loads((tmp_path / "reports" / "contract.json").read_text())
    assert [claim["title"] for claim in report["verdicts"]["claims"] if claim["broken"]] == []
    assert "xfailed" not in result.stdout
    # The preflight ran before any test and found every fixture sound (the member's login included).
    assert report["preflight"]["problems"] == []
    assert len(report["preflight"]["checked"]) == 4, report["preflight"]
    cleanup = report["cleanup"]
    assert cleanup["created"] > 20, "both layers associate; the proof needs associations to remove"
    assert cleanup["removed"] == cleanup["created"]
    assert cleanup["left"] == []
    assert store.state()["associations"] == []
    assert f"associations created: {cleanup['created']}, removed: {cleanup['created']}, left: 0" in result.stdout
    written = tmp_path / "reports" / "store-profile.yaml"
    assert read_profile(written, load()).differences() == {"error-status-type": "integer"}
    marks = yaml.safe_load(written.read_text(encoding="utf-8"))["marks"]
    entries = {
        key: value
        for mark, entry in marks.items()
        for key, value in (entry.items() if mark == "error-message-in-title" else [(mark, entry)])
    }
    not_reached = {key for key, value in entries.items() if "not-reached" in value}
    assert not_reached == set(NOT_REACHABLE), not_reached  # every other point was shown, as its default


INTERRUPTIBLE = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('ep_cart_contract', run_name='__main__')"
)
"""`python -m ep_cart_contract`, as a terminal starts it: SIGINT raises KeyboardInterrupt. A process started in the
background by a script (`make test &`) inherits SIGINT ignored, and Python then leaves it ignored, as a shell means
it to: this test would send its Ctrl-C to a run that cannot hear it."""


def test_an_interrupted_run_still_removes_what_it_created(store: MockProcess, tmp_path: Path) -> None:
    """Ctrl-C once the run has associated something. At 20 requests a second the smoke run (some 650 requests)
    lasts half a minute, so the interrupt reaches it mid-run however busy the machine: unpaced, the whole run once
    ended between the first association seen and the signal (run side by side with other tests)."""
    process = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTIBLE, "-q"],
        cwd=ROOT,
        # PYTHONFAULTHANDLER: a run that does not end after the interrupt is sent SIGABRT, and shows where it hung.
        env={**suite_env(store, tmp_path), "EP_RATE_LIMIT": "20/s", "PYTHONFAULTHANDLER": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not store.state()["associations"] and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it associated anything: nothing to interrupt"
    process.send_signal(signal.SIGINT)  # what Ctrl-C sends
    try:
        output, _ = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)  # every thread's stack, from the fault handler
        output, _ = process.communicate(timeout=30)
        pytest.fail(f"the interrupted run did not end within 120 s; where it was:\n{output[-6000:]}")
    # Its own status, not a pass: a Ctrl-C Python once dropped let the run go on and exit 0, "KeyboardInterrupt"
    # printed only as a warning (interrupts.py).
    assert process.returncode == exits.INTERRUPTED, output[-3000:]
    assert "KeyboardInterrupt" in output, output[-3000:]
    assert "associations created:" in output, output[-3000:]
    assert store.state()["associations"] == [], output[-3000:]


def test_a_ctrl_c_dropped_after_the_last_test_still_ends_the_run_as_interrupted(
    store: MockProcess, tmp_path: Path
) -> None:
    """Nothing is left to raise it again: the run finishes, removes what it made, and exits as interrupted, not
    "every claim held" (it exited 0 before interrupts.pending was read as the run ends)."""
    plugin = ["-p", "tests.faults.interrupt_dropped_at_the_end"]
    result = subprocess.run(
        contract_suite("-q", *plugin), cwd=ROOT, env=suite_env(store, tmp_path), capture_output=True, text=True
    )
    assert result.returncode == exits.INTERRUPTED, result.stdout[-3000:]
    assert "exit status 2: interrupted" in result.stdout, result.stdout[-3000:]
    assert store.state()["associations"] == []


LIVE_ENVIRONMENT = {
    # What the README's live section tells a user to export, pointing at a store that is not there.
    "EP_BASE_URL": f"http://127.0.0.1:{free_port()}",
    "EP_CLIENT_ID": "live-client-id",
    "EP_CLIENT_SECRET": "live-client-secret",
    "EP_ACCOUNT_ID": "11111111-2222-4333-8444-555555555555",
    "EP_ACCOUNT_TOKEN": "live-account-token",
    "EP_OTHER_ACCOUNT_ID": "66666666-7777-4888-9999-000000000000",
    "EP_OTHER_ACCOUNT_TOKEN": "live-other-account-token",
    "EP_CONTACT_EMAIL_CART_ID": "live-cart-with-email",
    "EP_PASSWORD_PROFILE_ID": "99999999-aaaa-4bbb-8ccc-dddddddddddd",
    "EP_ACCOUNT_MEMBER_USERNAME": "live-member@example.com",
    "EP_ACCOUNT_MEMBER_PASSWORD": "pw",
    "EP_OTHER_ACCOUNT_MEMBER_USERNAME": "live-other-member@example.com",
    "EP_OTHER_ACCOUNT_MEMBER_PASSWORD": "pw2",
    "EP_ACCOUNT_TOKEN_TTL_SECONDS": "1",
    "EP_CONTRACT_PROFILE": "thorough",
    "EP_ASSUMPTIONS": "report",
    "EP_RATE_LIMIT": "1/s",
    "EP_REQUEST_TIMEOUT": "1",
    "EP_REPORT_DIR": "/nonexistent/reports",
}


def test_make_test_ignores_a_live_stores_exported_values(tmp_path: Path) -> None:
    """The README's blocks against the mock (`st run` among them), the contract scenarios and the spec's tests,
    as `make test` runs them, in a shell that exports a live store's EP_* values: they pass against the bundled
    mock. Run in a copy of the checkout, where the scenarios' reports may be written."""
    repository = copy_of_checkout(tmp_path / "repository")
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={tmp_path / 'junit.xml'}"]
    selected = [
        "tests/test_readme.py::test_shell_block_runs_against_the_mock",
        # The installed suite's module (the copy shares this checkout's environment, where it is installed).
        "--pyargs",
        "ep_cart_contract.suite.test_scenarios",
        "tests/test_spec.py",
    ]
    result = subprocess.run(
        [*command, *selected],
        cwd=repository,
        env={**mock_env(), **LIVE_ENVIRONMENT},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "ignored (tests are hermetic; make contract-test reads them): EP_ACCOUNT_ID" in result.stdout
    assert " failed" not in result.stdout
    junit = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert 'name="test_shell_block_runs_against_the_mock[' in junit, "the README's blocks against the mock ran"
    report = json.loads((repository / "reports" / "contract.json").read_text())
    assert "the bundled mock" in report["run"]["target"]
