"""The contract suite's plumbing: the target server (bundled mock or live store), masking of secrets in
every report, and the table of documented responses printed at the end (a never-observed one fails the run).
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Generator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from ep_cart_contract.extensions import SETTINGS, TABLE
from ep_cart_contract.redaction import REDACTOR
from tests.conftest import MockProcess, mock_env

CONTRACT_DIR = Path(__file__).parent

# schemathesis.toml reads the EP_* variables; against the mock, unset ones take the mock's defaults.
for _name, _value in SETTINGS.values.items():
    os.environ.setdefault(_name, _value)


_MOCK: list[MockProcess] = []


def contract_target_url() -> str:
    """EP_BASE_URL's server, or the bundled mock on a free port, started on first use and stopped when
    pytest exits. Schemathesis needs it while collecting (it fetches tokens for explicit examples)."""
    if SETTINGS.base_url:
        check_reachable(SETTINGS.base_url)
        return SETTINGS.base_url
    if not _MOCK:
        log_path = Path(tempfile.mkdtemp(prefix="contract-mock-")) / "mock.log"
        _MOCK.append(MockProcess(mock_env(**SETTINGS.values), log_path))
    return _MOCK[0].base_url


def check_reachable(base_url: str) -> None:
    """Stop the run with one clear line when EP_BASE_URL does not answer: that is no contract result."""
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname or "", port), timeout=SETTINGS.request_timeout).close()
    except OSError as error:
        pytest.exit(f"EP_BASE_URL={base_url} cannot be reached ({error}); nothing was tested.", returncode=3)


@pytest.fixture(scope="session")
def contract_base_url() -> str:
    return contract_target_url()


def pytest_unconfigure(config: pytest.Config) -> None:
    for server in _MOCK:
        server.stop()
    _MOCK.clear()
    mask_junit_report(config)


# --- Secrets: mask them in everything pytest reports or writes ------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.longrepr is not None:
        report.longrepr = REDACTOR.scrub(str(report.longrepr))
    report.sections = [(title, REDACTOR.scrub(content)) for title, content in report.sections]


def mask_junit_report(config: pytest.Config) -> None:
    """The JUnit file is written at session end; mask it once more, in case a secret slipped in."""
    xml_path = getattr(config.option, "xmlpath", None)
    if xml_path and Path(xml_path).is_file():
        path = Path(xml_path)
        path.write_text(REDACTOR.scrub(path.read_text(encoding="utf-8")), encoding="utf-8")


# --- The documented-response table ----------------------------------------------------------------------


def contract_run_is_complete(session: pytest.Session) -> bool:
    """Every contract test module was collected and nothing was filtered out or stopped early: only such a
    run can be expected to observe every documented response."""
    modules = {str(path) for path in CONTRACT_DIR.glob("test_*.py")}
    collected = {str(item.path) for item in session.items}
    option = session.config.option
    filtered = bool(option.keyword or option.markexpr or option.deselect)
    stopped_early = bool(session.shouldstop or session.shouldfail)
    return modules <= collected and not filtered and not stopped_early


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if exitstatus not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or not contract_run_is_complete(session):
        return
    session.config.stash[TABLE_KEY] = True
    if TABLE.unobserved() or TABLE.undocumented or TABLE.nonconforming():
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


TABLE_KEY = pytest.StashKey[bool]()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not config.stash.get(TABLE_KEY, False):
        return
    reporter = terminalreporter
    reporter.section(f"documented responses ({SETTINGS.profile} profile, cart IDs prefixed {SETTINGS.run_prefix})")
    reporter.write_line(TABLE.render())
    for documented in TABLE.unobserved():
        reporter.write_line(
            f"FAILED: {documented.label} {documented.status} is documented but was never observed: "
            "an untested promise in openapi.yaml.",
            red=True,
        )
    for line in TABLE.undocumented[:20]:
        reporter.write_line(f"FAILED: {line}, a status openapi.yaml does not document.", red=True)
    for documented, seen in TABLE.nonconforming():
        reporter.write_line(
            f"FAILED: {documented.label} {documented.status} did not conform {seen.count - seen.conforming} "
            f"time(s): {'; '.join(seen.problems)}",
            red=True,
        )
