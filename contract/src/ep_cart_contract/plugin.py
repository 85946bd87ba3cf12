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
import traceback
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from ep_cart_contract import exits, interrupts, suite
from ep_cart_contract.availability import AnswerLost
from ep_cart_contract.ending import annotate_junit_report, print_summary, recording_info, run_results
from ep_cart_contract.expectations import Expectations, issued_token
from ep_cart_contract.judging import profile_decides, unavailable
from ep_cart_contract.preflight import Preflight, preflight
from ep_cart_contract.report import write_reports
from ep_cart_contract.results import RunResults
from ep_cart_contract.run import ContractRun, SessionRun, begin, end
from ep_cart_contract.scenario_client import ScenarioClient
from ep_cart_contract.tokens import FixtureProblem, delete_as_administrator
from ep_cart_contract.transport import OperationUnresponsive, StoreUnavailable
from ep_cart_contract.verdicts import Evidence
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
    results = run_results(
        run, int(session.exitstatus), session.config.stash.get(PREFLIGHT_KEY, None), cleanup, complete
    )
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


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    results = config.stash.get(FINISHED_KEY, None)
    run = made_run(config)
    if results is not None and run is not None:
        print_summary(terminalreporter, run, results)


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
    annotate_junit_report(run, getattr(config.option, "xmlpath", None), results.as_json() if results else None)
