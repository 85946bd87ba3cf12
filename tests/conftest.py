"""Fixtures shared by every test: the spec, and the bundled mock running for real on a free port.

`make test` is hermetic: the EP_* variables a shell exports for a live store are removed before any test
runs, so every test (the contract suite against the mock included) sees the mock's defaults. Only a run
of `ep-cart-contract` (what `make contract-test` calls) reads them to pick its target.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from ep_cart_contract.target import MockProcess, free_port, mock_env
from ep_cart_spec import DEFAULTS
from tests.checkout import changes, copy_of_checkout, is_git_checkout, snapshot
from tests.paths import ROOT, SPEC_PATH

__all__ = ["ROOT", "SPEC_PATH", "MockProcess", "free_port", "mock_env"]


def set_aside_exported_ep_values() -> list[str]:
    """Remove every EP_* variable from this process, as this file is imported, the first of all conftests:
    pytest loads the conftests of every path on its command line before any hook runs, so the contract suite
    collected with the tests (make test) reads only the mock's defaults. `ep-cart-contract` (make
    contract-test) never loads this file: it reads the exported values to pick its target."""
    ignored = sorted(name for name in os.environ if name.startswith("EP_"))
    for name in ignored:
        del os.environ[name]
    return ignored


IGNORED = set_aside_exported_ep_values()


def pytest_report_header(config: pytest.Config) -> str | None:
    if IGNORED:
        return f"ignored (tests are hermetic; make contract-test reads them): {', '.join(IGNORED)}"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The files with slow tests first, each file's tests kept together and in order: `make test`'s workers take
    the files in this order, so none of the long end-to-end files starts last and runs on alone at the end."""
    slow = {item.path for item in items if item.get_closest_marker("slow") is not None}
    items.sort(key=lambda item: item.path not in slow)


# --- The checkout is left as it was found ------------------------------------------------------------------

CHECKOUT_BEFORE = pytest.StashKey[dict[str, str]]()
CHECKOUT_CHANGES = pytest.StashKey[list[str]]()


def pytest_sessionstart(session: pytest.Session) -> None:
    if is_git_checkout(ROOT):
        session.config.stash[CHECKOUT_BEFORE] = snapshot(ROOT)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A session that changed a tracked or untracked, non-ignored file of the checkout names it: a test that
    writes runs its verb in a copy (tests/checkout.py). In CI (CI set, as .ci/run runs) the session fails;
    on a developer's machine it warns, since the developer may have edited a file while the tests ran."""
    before = session.config.stash.get(CHECKOUT_BEFORE, None)
    if before is None:
        return
    changed = changes(before, snapshot(ROOT))
    session.config.stash[CHECKOUT_CHANGES] = changed
    if changed and os.environ.get("CI") and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    changed = config.stash.get(CHECKOUT_CHANGES, [])
    if changed:
        failing = bool(os.environ.get("CI"))
        terminalreporter.section("the checkout changed during the run", red=failing, yellow=not failing)
        for line in changed:
            terminalreporter.write_line(
                f"{'FAILED' if failing else 'WARNING'}: {line}", red=failing, yellow=not failing
            )


def contract_suite(*arguments: str) -> list[str]:
    """The command that runs the contract suite in a subprocess, reading its target from the EP_* it is given."""
    return [sys.executable, "-m", "ep_cart_contract", *arguments]


def stop_process_group(process: subprocess.Popen[bytes], signal_number: int = signal.SIGTERM) -> list[str]:
    """Stop a process started with `start_new_session=True` and every process of its group (make's, uv's and
    npx's children outlive their parent otherwise): `signal_number` first, SIGKILL after 15 s. Returns the pids of
    the group still running 10 s later (none, normally)."""
    os.killpg(process.pid, signal_number)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + 10
    while True:
        members = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout.split()
        if not members or time.monotonic() > deadline:
            return members
        time.sleep(0.1)


def shared_folder(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder every process of this session sees: under `make test`'s xdist workers, the one above each
    worker's own temporary folder (pytest-xdist's documented way to share a session fixture). Only a worker has
    `workerinput`: a pytest a test starts inherits PYTEST_XDIST_WORKER, but is a session of its own."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if hasattr(config, "workerinput") else base) / name
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def built_dist(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make dist` run once a session, in a copy of the checkout: the folder of the kit's wheels and sdists. The
    first worker to need it builds it, holding a lock; the others wait for it and take the same folder."""
    folder = shared_folder(request.config, tmp_path_factory, "dist")
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        repository, built = folder / "repository", folder / "built"
        if not built.exists():
            shutil.rmtree(repository, ignore_errors=True)  # what a worker that failed to build left
            copy_of_checkout(repository)
            result = subprocess.run(["make", "-s", "dist"], cwd=repository, capture_output=True, text=True, timeout=600)
            assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
            built.touch()
    return repository / "dist"


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="session")
def mock_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockProcess]:
    server = MockProcess(mock_env(), tmp_path_factory.mktemp("mock") / "mock.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(mock_server: MockProcess) -> str:
    return mock_server.base_url


@pytest.fixture
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client


@pytest.fixture
def new_cart_id() -> Callable[[], str]:
    """A fresh cart ID per call: the mock treats an unknown cart as a new, empty cart."""
    return lambda: f"test-{uuid.uuid4().hex[:16]}"


def token_form(grant_type: str, client_secret: str | None = None) -> dict[str, str]:
    """The token request for the mock's default application keys (a client secret only where the grant takes one)."""
    form = {"grant_type": grant_type, "client_id": DEFAULTS["EP_CLIENT_ID"]}
    if grant_type == "client_credentials":
        form["client_secret"] = client_secret or DEFAULTS["EP_CLIENT_SECRET"]
    return form


def get_token(http: httpx.Client, grant_type: str) -> str:
    response = http.post("/oauth/access_token", data=token_form(grant_type))
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


@pytest.fixture
def admin_token(http: httpx.Client) -> str:
    return get_token(http, "client_credentials")


@pytest.fixture
def shopper_token(http: httpx.Client) -> str:
    return get_token(http, "implicit")
