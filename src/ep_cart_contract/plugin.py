"""The contract suite's pytest hooks (tests/contract/conftest.py imports them): the target server, secrets
masked in every report, the run's clean-up, and the verdicts printed and written at the end.

At the end of every run, failed or interrupted included: every association the run created and did not
remove is deleted as administrator; then the documented-response table and the two verdicts (vendor contract,
assumptions) are printed, added to the JUnit report and written to reports/contract.json and .html. The exit
status follows the verdicts: any broken claim fails the run, except that EP_ASSUMPTIONS=report only reports
broken assumptions that do not guard account access.
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from ep_cart_contract import client
from ep_cart_contract.extensions import (
    LEDGER,
    SEEN_BASE_URL,
    SETTINGS,
    TABLE,
    VERDICTS,
    delete_as_administrator,
)
from ep_cart_contract.ledger import CleanupResult
from ep_cart_contract.redaction import REDACTOR
from ep_cart_contract.report import write_reports
from ep_cart_contract.target import contract_target_url, started_target_url, stop_target
from ep_cart_contract.transport import UNRESPONSIVE
from ep_cart_contract.verdicts import VENDOR, Evidence, describe_failure

CONTRACT_DIR_KEY = pytest.StashKey[Path]()
FINISHED_KEY = pytest.StashKey[dict[str, Any]]()


@pytest.fixture(scope="session")
def contract_base_url() -> str:
    return contract_target_url()


# --- Secrets, and assumptions only reported: both decided as each test's report is made ------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    if call.when == "setup":
        client.SOFT_FAILURES.clear()
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if call.when == "call" and report.passed and client.SOFT_FAILURES:
        # EP_ASSUMPTIONS=report: the test's vendor claims held, some assumptions did not (listed in the verdict).
        report.outcome = "skipped"
        report.wasxfail = "assumption did not hold: " + "; ".join(client.SOFT_FAILURES)
    if report.longrepr is not None:
        report.longrepr = REDACTOR.scrub(str(report.longrepr))
    if hasattr(report, "wasxfail"):
        report.wasxfail = REDACTOR.scrub(report.wasxfail)
    report.sections = [(title, REDACTOR.scrub(content)) for title, content in report.sections]


# --- The end of the run ---------------------------------------------------------------------------------


def contract_run_is_complete(session: pytest.Session) -> bool:
    """Every contract test module was collected and nothing was filtered out or stopped early: only such a
    run can be expected to observe every documented response."""
    contract_dir = session.config.stash.get(CONTRACT_DIR_KEY, None)
    if contract_dir is None:
        return False
    modules = {str(path) for path in contract_dir.glob("test_*.py")}
    collected = {str(item.path) for item in session.items}
    option = session.config.option
    filtered = bool(option.keyword or option.markexpr or option.deselect)
    stopped_early = bool(session.shouldstop or session.shouldfail)
    return modules <= collected and not filtered and not stopped_early


def record_unobserved() -> None:
    """A documented response never observed is an untested promise: a broken claim of its kind."""
    for documented in TABLE.unobserved():
        source = VERDICTS.status_source(documented.path, documented.method, documented.status)
        VERDICTS.record(
            f"{documented.label} {documented.status} is observed",
            source,
            holds=False,
            evidence=Evidence(
                check="documented-response table",
                rule=f"responses/{documented.status}",
                expected=f"{documented.label} documents {documented.status}; the run never saw it",
                status=None,
                body="",
                request="",
            ),
        )


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if CONTRACT_DIR_KEY not in session.config.stash:
        return
    target = started_target_url()
    cleanup = LEDGER.clean_up(delete_as_administrator(target) if target else lambda _: "no server was started")
    SEEN_BASE_URL.clear()  # cleaned up here: nothing for the exit hook a bare `st run` relies on
    complete = exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) and contract_run_is_complete(session)
    if complete:
        record_unobserved()
    for label in UNRESPONSIVE.labels():
        VERDICTS.record(
            f"{label} answers within EP_REQUEST_TIMEOUT",
            VERDICTS.vendor("S1, S3 document the operation"),
            holds=False,
            evidence=Evidence(
                "every layer", label, f"an answer within {SETTINGS.request_timeout:g} s", None, "", label
            ),
        )
    for association, why in cleanup.left:
        VERDICTS.record(
            "the run removes every association it created",
            VERDICTS.vendor("the kit's own promise to a live store"),
            holds=False,
            evidence=Evidence("clean-up", "DELETE as administrator", why, None, "", association.cart_id),
        )
    fails = VERDICTS.fails_run(SETTINGS.assumptions_mode)
    if fails and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    data = report_data(session, cleanup, complete)
    session.config.stash[FINISHED_KEY] = data
    paths = write_reports(Path(SETTINGS.report_dir), data)
    data["written"] = [str(path) for path in paths]


def report_data(session: pytest.Session, cleanup: CleanupResult, complete: bool) -> dict[str, Any]:
    rows = []
    for key, documented in TABLE.documented.items():
        seen = TABLE.observed[key]
        rows.append(
            {
                "operation": documented.label,
                "status": documented.status,
                "observed": seen.count,
                "conforming": seen.conforming,
                "problems": seen.problems,
            }
        )
    return {
        "run": {
            "target": SETTINGS.base_url or "the bundled mock",
            "profile": SETTINGS.profile,
            "assumptions_mode": SETTINGS.assumptions_mode,
            "prefix": SETTINGS.run_prefix,
            "finished_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "complete": complete,
            "exit_status": int(session.exitstatus),
        },
        "verdicts": VERDICTS.as_json(),
        "responses": rows,
        "undocumented": TABLE.undocumented[:50],
        "unresponsive": UNRESPONSIVE.labels(),
        "cleanup": {
            "created": cleanup.created,
            "removed": cleanup.removed,
            "left": [
                {"cart_id": left.cart_id, "account_id": left.account_id, "why": why} for left, why in cleanup.left
            ],
        },
    }


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    data = config.stash.get(FINISHED_KEY, None)
    if data is None:
        return
    reporter = terminalreporter
    run = data["run"]
    if run["complete"]:
        reporter.section(f"documented responses ({run['profile']} profile, cart IDs prefixed {run['prefix']})")
        reporter.write_line(TABLE.render())
    for line in TABLE.undocumented[:20]:
        reporter.write_line(f"FAILED: {line}, a status openapi.yaml does not document.", red=True)
    for label in data["unresponsive"]:
        reporter.write_line(f"FAILED: {label} stopped answering; it was sent nothing more.", red=True)

    cleanup = data["cleanup"]
    reporter.section("clean-up")
    reporter.write_line(
        f"associations created: {cleanup['created']}, removed: {cleanup['removed']}, left: {len(cleanup['left'])}"
    )
    for left in cleanup["left"]:
        reporter.write_line(f"LEFT: cart {left['cart_id']} account {left['account_id']}: {left['why']}", red=True)

    reporter.section(f"verdicts (EP_ASSUMPTIONS={run['assumptions_mode']})")
    for line in data["verdicts"]["summary"]:
        reporter.write_line(line, bold=True)
    for claim in VERDICTS.broken():
        evidence = claim.evidence or [Evidence("", "", "", None, "", "")]
        red = claim.kind == VENDOR or claim.guards_access or run["assumptions_mode"] != "report"
        for line in describe_failure(claim, evidence[0]):
            reporter.write_line(line, red=red, yellow=not red)
    reporter.write_line(f"report: {', '.join(data.get('written', []))}")


def pytest_unconfigure(config: pytest.Config) -> None:
    stop_target()
    annotate_junit_report(config, config.stash.get(FINISHED_KEY, None))


def annotate_junit_report(config: pytest.Config, data: dict[str, Any] | None) -> None:
    """The JUnit file is written at session end: add the verdicts as test-suite properties, and mask it once
    more, in case a secret slipped in."""
    xml_path = getattr(config.option, "xmlpath", None)
    if not xml_path or not Path(xml_path).is_file():
        return
    path = Path(xml_path)
    if data is not None:
        tree = ElementTree.parse(path)
        suite = tree.getroot() if tree.getroot().tag == "testsuite" else tree.getroot().find("testsuite")
        if suite is not None:
            properties = suite.find("properties")
            if properties is None:
                properties = ElementTree.Element("properties")
                suite.insert(0, properties)
            vendor, assumed = data["verdicts"]["summary"]
            for name, value in (("verdict.vendor-contract", vendor), ("verdict.assumptions", assumed)):
                ElementTree.SubElement(properties, "property", name=name, value=value)
            for claim in data["verdicts"]["claims"]:
                if claim["broken"]:
                    where = f" ({claim['where']})" if claim["where"] else ""
                    ElementTree.SubElement(
                        properties, "property", name=f"broken.{claim['kind']}", value=f"{claim['title']}{where}"
                    )
            ElementTree.SubElement(properties, "property", name="report", value=json.dumps(data.get("written", [])))
            tree.write(path, encoding="utf-8", xml_declaration=True)
    path.write_text(REDACTOR.scrub(path.read_text(encoding="utf-8")), encoding="utf-8")
