"""The contract suite's pytest plugin, registered through the `pytest11` entry point of ep-cart-contract: a
session is a run (run.py), with the scenarios' fixtures, secrets masked in every report, the run's clean-up,
and the verdicts printed and written at the end. It acts only in a session that runs the suite.

At the end of every run, failed or interrupted included: every association the run created and did not
remove is deleted as administrator; then the documented-response table and the two verdicts (vendor contract,
assumptions) are printed, added to the JUnit report and written to reports/contract.json and .html. The exit
status follows the verdicts: any broken claim fails the run, except that EP_ASSUMPTIONS=report only reports
broken assumptions that do not guard account access.
"""

from __future__ import annotations

import inspect
import json
import time
import traceback
import xml.etree.ElementTree as ElementTree
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from ep_cart_contract import exits, interrupts, suite
from ep_cart_contract.availability import AnswerLost
from ep_cart_contract.expectations import Expectations, issued_token
from ep_cart_contract.judging import profile_decides, unavailable
from ep_cart_contract.ledger import Association, CleanupResult
from ep_cart_contract.logins import TOKEN_VARIABLES, member_for
from ep_cart_contract.preflight import Preflight, preflight
from ep_cart_contract.redaction import curl
from ep_cart_contract.report import write_reports
from ep_cart_contract.results import Cleanup, RunInfo, RunResults
from ep_cart_contract.run import ContractRun, SessionRun, begin, end
from ep_cart_contract.scenario_client import ScenarioClient
from ep_cart_contract.tokens import FixtureProblem, delete_as_administrator
from ep_cart_contract.transport import OperationUnresponsive, StoreUnavailable
from ep_cart_contract.verdicts import Evidence, decides_the_exit, describe_failure
from ep_cart_spec import association

ASSOCIATION = association()
FINISHED_KEY = pytest.StashKey[RunResults]()
SUITE_DIR = Path(suite.__file__).resolve().parent
"""The suite's test modules (ep_cart_contract/suite/), shipped with the engine."""


def pytest_configure(config: pytest.Config) -> None:
    """A session is a run: made when the suite first needs it (a session that never runs the suite makes none).
    Ctrl-C is remembered, so one Python drops on its way is raised again (interrupts.py)."""
    config.stash[RUN_KEY] = begin(ContractRun.from_env)


RUN_KEY = pytest.StashKey[SessionRun]()
"""Where the session keeps its run (pytest's per-session state): made when first needed."""


def session_run(config: pytest.Config) -> ContractRun:
    """The session's run, made now if it was not yet."""
    return config.stash[RUN_KEY].get()


def made_run(config: pytest.Config) -> ContractRun | None:
    """The session's run if the session made one (a session that never ran the suite made none)."""
    place = config.stash.get(RUN_KEY, None)
    return place.run if place is not None else None


PREFLIGHT_KEY = pytest.StashKey[Preflight]()
"""What the session's preflight found (shown in the report)."""
INTERRUPTS_KEY = pytest.StashKey[bool]()
"""The session installed interrupts.py's handler (it runs the suite)."""


def pytest_keyboard_interrupt(excinfo: pytest.ExceptionInfo[BaseException]) -> None:
    interrupts.seen()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Before any test: the fixtures the run leans on are checked (preflight.py). A broken one every run needs, or a
    store that does not answer, stops the run here: every test is deselected, nothing is judged, each problem is
    shown once (the preflight section) and the exit status says which (exits.FIXTURE_BROKEN, STORE_UNAVAILABLE)."""
    if not runs_the_suite(session):
        return
    interrupts.install()
    session.config.stash[INTERRUPTS_KEY] = True
    run = session_run(session.config)
    seed = run.settings.seed if run.settings.seed is not None else session.config.getoption("hypothesis_seed", None)
    run.seed = None if seed is None else str(seed)
    run.exchanges.now_sending("preflight")
    session.config.stash[PREFLIGHT_KEY] = found = preflight(run, run.target_url())
    run.contact_email_cart = found.contact_email_cart
    if found.problems:
        run.stopped_before_tests = exits.STORE_UNAVAILABLE if found.unavailable else exits.FIXTURE_BROKEN
        session.config.hook.pytest_deselected(items=list(session.items))
        session.items[:] = []


# --- The scenarios' fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def contract_run(pytestconfig: pytest.Config) -> ContractRun:
    """The session's run: its settings, verdicts, ledger and the rest."""
    return session_run(pytestconfig)


@pytest.fixture(scope="session")
def contract_base_url(contract_run: ContractRun) -> str:
    return contract_run.target_url()


@pytest.fixture(scope="module")
def api(contract_base_url: str, contract_run: ContractRun) -> ScenarioClient:
    return ScenarioClient(contract_base_url, contract_run)


@pytest.fixture(scope="module")
def admin(api: ScenarioClient) -> str:
    """A client_credentials token: acts as administrator (S2)."""
    return issued_token(api, "client_credentials")


@pytest.fixture(scope="module")
def shopper(api: ScenarioClient) -> str:
    """An implicit token: a shopper, who needs an account token to act for an account (S2)."""
    return issued_token(api, "implicit")


@pytest.fixture(scope="session")
def expect(contract_run: ContractRun) -> Expectations:
    """What the scenarios expect of the answers, each a claim recorded in the session's run."""
    return Expectations(contract_run)


@pytest.fixture
def account(contract_run: ContractRun, expect: Expectations) -> str:
    expect.needs("EP_ACCOUNT_ID", "EP_ACCOUNT_TOKEN")
    return contract_run.settings.values["EP_ACCOUNT_ID"]


@pytest.fixture
def other_account(contract_run: ContractRun, expect: Expectations) -> str:
    expect.needs("EP_OTHER_ACCOUNT_ID", "EP_OTHER_ACCOUNT_TOKEN")
    return contract_run.settings.values["EP_OTHER_ACCOUNT_ID"]


# --- A scenario whose answer may be to a repeat runs again ----------------------------------------------

SCENARIO_TRIES = 3
"""Runs of a scenario whose association write kept being answered after a try that may have been applied."""
PROPERTY_MODULES = frozenset({"test_conformance.py"})
"""Schemathesis's property tests: Hypothesis runs their cases, and an answer it cannot judge is left unjudged."""


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """A scenario (a test function of the suite) that raises AnswerLost runs again from the start: each run makes
    new carts, so the first association is first again. After SCENARIO_TRIES, it is skipped as the store
    unavailable. Everything else runs as pytest runs it."""
    run = made_run(pyfuncitem.config)
    if run is None or Path(pyfuncitem.path).parent != SUITE_DIR or Path(pyfuncitem.path).name in PROPERTY_MODULES:
        return None
    function = pyfuncitem.obj
    arguments = {name: pyfuncitem.funcargs[name] for name in inspect.signature(function).parameters}
    for attempt in range(1, SCENARIO_TRIES + 1):
        try:
            function(**arguments)
            return True
        except StoreUnavailable as error:
            unavailable(error)  # a token or a login the scenario asked for itself
        except AnswerLost as lost:
            run.availability.rerun(pyfuncitem.name, str(lost))
            if attempt == SCENARIO_TRIES:
                unavailable(run.availability.failed(f"scenario {pyfuncitem.name}", f"{lost} ({attempt} runs)"))
    return True


# --- Secrets, assumptions only reported, and what a failure is: decided as each test's report is made ----


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.config.stash.get(INTERRUPTS_KEY, False):
        interrupts.raise_if_dropped()
    run = made_run(item.config)
    if run is not None:
        run.soft_failures.clear()
        run.broken_before_test = run.verdicts.broken_checks()
        run.exchanges.now_sending(f"{Path(item.path).name}::{item.name}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    run = made_run(item.config)
    outcome = yield
    if run is None:
        return
    report: pytest.TestReport = outcome.get_result()
    if report.failed and call.excinfo is not None and SUITE_DIR in Path(item.path).parents:
        classify_failure(run, item, call.excinfo.value)
    if call.when == "call" and report.passed and run.soft_failures:
        # EP_ASSUMPTIONS=report: the test's vendor claims held, some assumptions did not (listed in the verdict).
        report.outcome = "skipped"
        report.wasxfail = "assumption did not hold: " + "; ".join(run.soft_failures)
    report.longrepr = scrubbed_longrepr(run, report.longrepr)
    if hasattr(report, "wasxfail"):
        report.wasxfail = run.redactor.scrub(report.wasxfail)
    report.sections = [(title, run.redactor.scrub(content)) for title, content in report.sections]


def classify_failure(run: ContractRun, item: pytest.Item, error: BaseException) -> None:
    """A failed test is a verdict only when it broke a claim (or an operation stopped answering, a claim recorded
    as the run ends). A broken fixture met mid-run is the fixture's; anything else is the kit's own failure,
    named as one, with what reproduces it."""
    if isinstance(error, FixtureProblem):
        run.fixture_failures.append(str(error))
        return
    if isinstance(error, OperationUnresponsive | StoreUnavailable):
        return  # a claim recorded as the run ends; the store's availability, recorded as it failed
    if run.verdicts.broken_checks() > run.broken_before_test:
        return
    summary = " ".join(f"{type(error).__name__}: {error}".split())[:300]
    # The whole error: its traceback, the errors it wraps, and the notes a library adds (Hypothesis: a stateful
    # scenario's steps, what differed between two runs). A rare failure is read from the report: it may not come
    # again with its seed. The end is kept when it is long: the outermost error and its notes come last.
    details = run.redactor.scrub("".join(traceback.format_exception(error)).strip())[-KIT_FAILURE_DETAILS:]
    seed = run.seed
    reproduce = f"ep-cart-contract{f' --seed {seed}' if seed is not None else ''} -k {item.name.split('[')[0]}"
    run.kit_failures.append(
        {"test": item.nodeid.split("::", 1)[-1], "error": summary, "details": details, "reproduce": reproduce}
    )


KIT_FAILURE_DETAILS = 20_000
"""Characters of a kit failure's whole error kept in the report."""


def scrubbed_longrepr(run: ContractRun, longrepr: Any) -> Any:
    """A report's long representation with the run's secrets masked, in the shape pytest expects of it: a skip's
    stays a (path, line, message) tuple (the JUnit writer asserts it is one), anything else becomes text."""
    if longrepr is None:
        return None
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        path, line, message = longrepr
        return (path, line, run.redactor.scrub(str(message)))
    return run.redactor.scrub(str(longrepr))


# --- The end of the run ---------------------------------------------------------------------------------


def runs_the_suite(session: pytest.Session) -> bool:
    """The session runs the suite, or would have had the preflight not stopped it (`--collect-only` runs nothing:
    it judges nothing and writes no report)."""
    if session.config.option.collectonly:
        return False
    run = made_run(session.config)
    stopped = run is not None and run.stopped_before_tests is not None
    return stopped or any(SUITE_DIR in Path(item.path).parents for item in session.items)


def contract_run_is_complete(session: pytest.Session) -> bool:
    """Every contract test module was collected and nothing was filtered out or stopped early: only such a
    run can be expected to observe every documented response."""
    modules = {str(path) for path in SUITE_DIR.glob("test_*.py")}
    collected = {str(item.path) for item in session.items}
    option = session.config.option
    filtered = bool(option.keyword or option.markexpr or option.deselect)
    stopped_early = bool(session.shouldstop or session.shouldfail)
    return modules <= collected and not filtered and not stopped_early


def record_unobserved(run: ContractRun) -> None:
    """A documented response never observed is an untested promise: a broken claim of its kind. Not when a
    scenario was skipped for a fixture (missing or broken), or a test for the store's unavailability: the
    response may be the one it would have shown."""
    if run.fixture_skips or run.availability.unavailable:
        return
    for documented in run.table.unobserved():
        source = run.verdicts.status_source(documented.path, documented.method, documented.status)
        if profile_decides(run, source):
            continue  # the store profile answers it otherwise (a 401 where openapi.yaml has this 400)
        run.verdicts.record(
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
    run = made_run(session.config)
    if run is None or not runs_the_suite(session):
        return  # the session never ran the suite
    # An interrupt dropped after the last request and test that would have raised it again: still an interrupted run.
    pytest_status = exits.INTERRUPTED if interrupts.pending() else int(exitstatus)
    interrupts.seen()
    target = run.started_target_url()
    run.exchanges.now_sending("clean-up")
    cleanup = run.ledger.clean_up(delete_as_administrator(run, target) if target else lambda _: "no server was started")
    complete = pytest_status in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) and contract_run_is_complete(session)
    if complete:
        record_unobserved(run)
    for label in run.unresponsive.labels() if run.stopped_before_tests is None else []:
        run.verdicts.record(
            f"{label} answers within EP_REQUEST_TIMEOUT",
            run.verdicts.vendor("S1, S3 document the operation"),
            holds=False,
            evidence=Evidence(
                "every layer", label, f"an answer within {run.settings.request_timeout:g} s", None, "", label
            ),
        )
    # What the clean-up could not remove is its own kind of problem (listed with the curl that removes each), not
    # a claim: the kit's promise to a live store, which the store's unavailability can keep it from keeping.
    session.exitstatus = run.stopped_before_tests or exits.overall(
        claim_broken=run.verdicts.fails_run(run.settings.assumptions_mode),
        kit_failed=bool(run.kit_failures),
        fixture_broken=bool(run.fixture_failures),
        unavailable=run.availability.unavailable or bool(cleanup.left),
        pytest_status=pytest_status,
    )
    results = run_results(run, session, cleanup, complete)
    session.config.stash[FINISHED_KEY] = results
    paths = write_reports(Path(run.settings.report_dir), results, run.redactor)
    results.written = [str(path) for path in paths]
    try:
        recording = run.exchanges.write(Path(run.settings.report_dir), run.redactor, recording_info(run, results))
        results.written.append(str(recording))
    except Exception as error:  # the recording is never why a run fails
        results.written.append(run.redactor.scrub(f"(no recording: {type(error).__name__}: {error})"))
    if run.store_profile is not None:
        target = run.settings.base_url or (target or "the bundled mock")
        results.written.append(str(run.store_profile.write(Path(run.settings.report_dir), target, run.redactor)))


def recording_info(run: ContractRun, results: RunResults) -> dict[str, Any]:
    """What reports/exchanges.har says of the run it recorded (twin.py reads it)."""
    return {
        "target": results.run.target,
        "prefix": run.settings.run_prefix,
        "profile": run.settings.profile,
        "assumptions_mode": run.settings.assumptions_mode,
        "store_profile": results.store_profile["judged_by"],
        "finished_at": results.run.finished_at,
        "exit_status": results.run.exit_status,
    }


def run_results(run: ContractRun, session: pytest.Session, cleanup: CleanupResult, complete: bool) -> RunResults:
    """The run's results, built once: contract.json, the page and the terminal all read them."""
    return RunResults(
        run=RunInfo(
            target=run.settings.base_url or "the bundled mock",
            profile=run.settings.profile,
            assumptions_mode=run.settings.assumptions_mode,
            prefix=run.settings.run_prefix,
            finished_at=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            complete=complete,
            exit_status=int(session.exitstatus),
            exit_meaning=exits.MEANINGS.get(int(session.exitstatus), "pytest's own status"),
            seed=run.seed,
        ),
        verdicts=run.verdicts.as_json(),
        responses=run.table.rows(),
        undocumented=run.table.undocumented[:50],
        store_profile={
            "judged_by": run.store_profile.judged_by.source if run.store_profile else "defaults",
            "points": run.store_profile.rows() if run.store_profile else [],
        },
        unresponsive=run.unresponsive.labels(),
        preflight=found.as_json() if (found := session.config.stash.get(PREFLIGHT_KEY, None)) is not None else None,
        account_tokens={
            "logins": run.logins.count,
            "from_login": [name for name in TOKEN_VARIABLES if member_for(name, run.settings.values)],
        },
        fixture_skips=sorted(run.fixture_skips),
        cleanup=Cleanup(
            created=cleanup.created,
            removed=cleanup.removed,
            left=[
                {
                    "cart_id": left.cart_id,
                    "account_id": left.member_id,
                    "why": why,
                    "curl": removal_curl(run, left),
                }
                for left, why in cleanup.left
            ],
        ),
        availability=run.availability.as_json(),
        kit_failures=list(run.kit_failures),
        fixture_failures=list(run.fixture_failures),
    )


def removal_curl(run: ContractRun, association: Association) -> str:
    """The command that removes an association the clean-up left (an administrator's token to fill in)."""
    base = run.started_target_url() or "$EP_BASE_URL"
    body = json.dumps(ASSOCIATION.body([association.member_id]))
    return curl(
        "DELETE",
        base + ASSOCIATION.path_of(association.cart_id),
        [("Authorization", "Bearer $ADMINISTRATOR_TOKEN"), ("Content-Type", "application/json")],
        body,
    ).replace("'Authorization: [masked]'", "'Authorization: Bearer $ADMINISTRATOR_TOKEN'")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    results = config.stash.get(FINISHED_KEY, None)
    run = made_run(config)
    if results is None or run is None:
        return
    data = results.as_json()
    reporter = terminalreporter
    meta = data["run"]
    checked = data["preflight"]
    if checked is not None:
        reporter.section(f"preflight ({checked['requests']} requests, {checked['seconds']:.2f} s)")
        for line in checked["checked"]:
            reporter.write_line(f"ok: {line}")
        for problem in checked["problems"]:
            reporter.write_line(f"STOPS THE RUN: {problem['line']}", red=True)
    if run.stopped_before_tests is not None:
        what = "the store is unavailable" if checked and checked.get("unavailable") else "a fixture is broken"
        reporter.write_line(f"{what}: the run stopped before any test, nothing was judged", red=True, bold=True)
        reporter.write_line(f"report: {', '.join(data.get('written', []))}")
        reporter.write_line(f"exit status {meta['exit_status']}: {meta['exit_meaning']}", bold=True)
        return
    if data["fixture_skips"]:
        reporter.write_line(
            "documented responses are not claimed unobserved: scenarios were skipped for "
            + ", ".join(data["fixture_skips"]),
            yellow=True,
        )
    if meta["complete"]:
        reporter.section(f"documented responses ({meta['profile']} profile, cart IDs prefixed {meta['prefix']})")
        reporter.write_line(run.table.render())
    for line in run.table.undocumented[:20]:
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
        reporter.write_line(f"  remove it with: {left['curl']}")

    availability = data["availability"]
    reporter.section("the store's availability (not its contract)")
    reporter.write_line(
        f"requests answered: {availability['requests']}, tries retried: {availability['retries']}, requests the "
        f"store left unanswered after their retries: {sum(item['requests'] for item in availability['failed'])}"
    )
    for item in availability["failed"]:
        reporter.write_line(f"UNAVAILABLE: {item['operation']}: {item['failure']} ({item['requests']}x)", yellow=True)
    for item in availability["unjudged"]:
        reporter.write_line(f"not judged: {item['operation']} {item['why']}")
    for item in availability["reruns"]:
        reporter.write_line(f"run again: {item['test']}: {item['why']}")
    for problem in data["fixture_failures"]:
        reporter.write_line(f"FIXTURE BROKEN: {problem}", red=True)
    if data["kit_failures"]:
        reporter.section("the kit failed, not the store")
        for failure in data["kit_failures"]:
            reporter.write_line(f"KIT FAILED: {failure['test']}: {failure['error']}", red=True)
            reporter.write_line(f"  reproduce against the same target: {failure['reproduce']}")

    reporter.section(f"verdicts (EP_ASSUMPTIONS={meta['assumptions_mode']})")
    for line in data["verdicts"]["summary"]:
        reporter.write_line(line, bold=True)
    # Those that decide the exit status first (the same order as the page's).
    deciding = {claim["key"] for claim in results.failed_claims if results.decides(claim)}
    for claim in sorted(run.verdicts.broken(), key=lambda claim: claim.key not in deciding):
        evidence = claim.evidence or [Evidence("", "", "", None, "", "")]
        red = decides_the_exit(claim.kind, claim.guards_access, meta["assumptions_mode"])
        for line in describe_failure(claim, evidence[0]):
            reporter.write_line(line, red=red, yellow=not red)
    reporter.write_line(f"report: {', '.join(data.get('written', []))}")
    seed = meta["seed"]
    seed = f"seed {seed} (--seed {seed} sends the same requests again), " if seed is not None else ""
    reporter.write_line(f"{seed}exit status {meta['exit_status']}: {meta['exit_meaning']}", bold=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(INTERRUPTS_KEY, False):
        interrupts.uninstall()
    place = config.stash.get(RUN_KEY, None)
    run = end(place) if place is not None else None
    if run is None:
        return
    run.stop_target()
    run.write_stats()
    results = config.stash.get(FINISHED_KEY, None)
    annotate_junit_report(run, config, results.as_json() if results is not None else None)


def annotate_junit_report(run: ContractRun, config: pytest.Config, data: dict[str, Any] | None) -> None:
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
    path.write_text(run.redactor.scrub(path.read_text(encoding="utf-8")), encoding="utf-8")
