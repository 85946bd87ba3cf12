"""One contract run: its settings and everything it keeps (verdicts, the response table, the ledger of
associations, the secrets to mask, the operations that stopped answering, the server it checks).

The pytest plugin makes one per session, when the suite first needs it, and ends it when pytest does; a bare
`st run` gets one when its hooks first need it, ended as the process exits. Nothing else keeps state: two runs
in one process share no verdicts, ledgers or tokens.

Every part is handed the run it works for: the plugin keeps its session's run in the session's config (pytest's
per-session state, `plugin.RUN_KEY`) and gives it to the scenarios as the `contract_run`, `api` and `expect`
fixtures; the scenario client, the expectations, the judge and the clean-up take it as an argument. Schemathesis
calls its hooks with no way to reach a pytest session, so they alone, and the schemathesis test module, which builds
its schema at import, ask for the run of the moment, in one place (`hooks.the_run`): the one `active_run()` returns.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import requests

from ep_cart_contract.availability import Availability
from ep_cart_contract.classify import Classifier
from ep_cart_contract.exchanges import Exchanges, text_headers
from ep_cart_contract.ledger import AssociationLedger
from ep_cart_contract.logins import MemberLogins
from ep_cart_contract.observations import ResponseTable
from ep_cart_contract.redaction import Redactor
from ep_cart_contract.settings import ContractSettings
from ep_cart_contract.store_profile import StoreProfileRun
from ep_cart_contract.target import MockProcess, check_reachable, mock_env
from ep_cart_contract.transport import (
    GAVE_UP,
    RETRIED_STATUSES,
    TRANSIENT_ERRORS,
    OperationUnresponsive,
    StoreUnavailable,
    UnresponsiveOperations,
    failure_of,
    is_read_timeout,
    requests_session,
    story_of_requests,
)
from ep_cart_contract.verdicts import Verdicts
from ep_cart_spec import TOKEN_PATH, ApiSpec, default_profile, load


@dataclass
class ContractRun:
    settings: ContractSettings
    verdicts: Verdicts
    table: ResponseTable
    classifier: Classifier
    ledger: AssociationLedger = field(default_factory=AssociationLedger)
    redactor: Redactor = field(default_factory=Redactor)
    unresponsive: UnresponsiveOperations = field(default_factory=UnresponsiveOperations)
    availability: Availability = field(default_factory=Availability)
    """What the store's availability cost the run: retries, requests failed after them, answers left unjudged."""
    token_session: requests.Session = field(default_factory=requests_session)
    """For the run's own requests (tokens, logins, the preflight's reads, the clean-up): send them with `send`."""
    soft_failures: list[str] = field(default_factory=list)
    """The current scenario's assumptions that did not hold but, with EP_ASSUMPTIONS=report, are only reported."""
    last_request: httpx.Request | None = None
    """The request behind the scenarios' latest answer (they send one at a time), for failure messages."""
    last_response: httpx.Response | None = None
    """The scenarios' latest answer."""
    seen_base_url: str | None = None
    """The server a bare `st run` talked to (schemathesis does not tell its hooks)."""
    mock: MockProcess | None = None
    """The bundled mock, when the run started one."""
    store_profile: StoreProfileRun | None = None
    """The alternatives the run holds the store to (EP_STORE_PROFILE, else the defaults), and those it saw."""
    bearer_tokens: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict)
    """(server, grant) -> the run's cached bearer token and when it was fetched (tokens.cached_bearer_token)."""
    token_lock: threading.Lock = field(default_factory=threading.Lock)
    administrator_tokens: set[str] = field(default_factory=set)
    """The `client_credentials` tokens the run got: the requests it sent as administrator."""
    logins: MemberLogins = field(default_factory=MemberLogins)
    """The account members' logins: the account tokens the run acts with, when credentials are given."""
    read_carts: set[str] = field(default_factory=set)
    """The cart IDs the scenarios read before they associated (the carts exist, S3)."""
    contact_email_cart: str | None = None
    """The cart the 422 scenarios run on, once there is one (expectations.contact_email_cart)."""
    fixture_skips: set[str] = field(default_factory=set)
    """The variables whose absence or breakage skipped a scenario: responses only those scenarios would have
    shown are not claimed as never observed."""
    kit_failures: list[dict[str, str]] = field(default_factory=list)
    """Tests that failed breaking no claim: the kit's own failures (test, error, what reproduces it)."""
    fixture_failures: list[str] = field(default_factory=list)
    """Fixtures that broke during the run (a login refused mid-run), one line each."""
    broken_before_test: int = 0
    """Broken claims recorded before the current test began (a failed test that added none broke no claim)."""
    seed: str | None = None
    """The run's Hypothesis seed (`--seed`, EP_SEED): the same seed sends the same requests again."""
    stopped_before_tests: int | None = None
    """The exit status when the preflight stopped the run before any test (nothing was judged)."""
    reached: bool = False
    """EP_BASE_URL took a connection once (target_url)."""
    exchanges: Exchanges = field(default_factory=Exchanges)
    """Every request the run sent and its answer, for reports/exchanges.har (exchanges.py)."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ContractRun:
        return cls.with_settings(ContractSettings.from_env(environ))

    @classmethod
    def with_settings(cls, settings: ContractSettings) -> ContractRun:
        api = load()
        run = cls(settings=settings, verdicts=Verdicts(api), table=ResponseTable(api), classifier=Classifier(api))
        run.redactor.add(*settings.secret_values)
        run.exchanges = Exchanges(settings.values, on_secret=run.redactor.add)
        run.watch(run.token_session)
        profile = run.store_profile = StoreProfileRun(api, settings.store_profile or default_profile(api))
        run.table.excused = lambda method, template, status: any(
            profile.accepts_otherwise(mark.id) for mark in run.classifier.marks_ruling_out(template, method, status)
        )
        return run

    @property
    def api(self) -> ApiSpec:
        return self.verdicts.spec

    def label_of(self, method: str, url: str) -> str:
        """ "POST /v2/carts/{cartID}/relationships/accounts": the operation a request of either layer is of."""
        path = urlsplit(url).path
        return f"{method.upper()} {self.table.template_of(path) or path}"

    def watch(self, session: requests.Session) -> requests.Session:
        """Every answer the session gets is counted with its retry story (the schemathesis layer's and the run's
        own requests)."""

        def answered(response: requests.Response, *args: Any, **kwargs: Any) -> None:
            request = response.request
            label = self.label_of(request.method or "GET", request.url or "")
            story = story_of_requests(response)
            self.availability.answered(label, story, request, response.status_code)
            self.exchanges.add(
                request.method or "GET",
                request.url or "",
                text_headers(request.headers.items()),
                request.body if isinstance(request.body, bytes | str) else None,
                response.status_code,
                response.headers.items(),
                response.content,
                seconds=response.elapsed.total_seconds(),
                retries=story.retried,
            )

        session.hooks["response"].append(answered)
        return session

    def send(self, method: str, url: str, *, even_if_down: bool = False, **kwargs: Any) -> requests.Response:
        """One of the run's own requests (token_session), under the run's one policy for what does not answer:
        an operation that stopped answering is sent nothing more (a read timeout fails it for good), and a
        request still failing after its retries, or sent once the store is taken as down (unless `even_if_down`:
        the clean-up), raises StoreUnavailable. Any other answer is handed back, for the caller to read."""
        label = self.label_of(method, url)
        self.may_send(label, even_if_down=even_if_down)
        try:
            response = self.token_session.request(method, url, timeout=self.settings.request_timeout, **kwargs)
        except requests.RequestException as error:
            raise self.availability.failed(label, self.failure_after_retries(label, error)) from None
        if response.status_code in RETRIED_STATUSES:
            raise self.availability.failed(label, f"{response.status_code} {GAVE_UP}")
        return response

    def may_send(self, label: str, *, even_if_down: bool = False) -> None:
        """The run's one policy before a request of operation `label` leaves, for both layers and the run's own
        requests: an operation that stopped answering is sent nothing more (raises OperationUnresponsive), and
        nothing is sent once the store is taken as down (raises StoreUnavailable), unless `even_if_down` (the
        clean-up)."""
        if label in self.unresponsive:
            raise self.unresponsive.fail(label)
        if not even_if_down:
            self.availability.check(label)

    def timed_out(self, label: str) -> OperationUnresponsive:
        """A request of `label` got no answer within EP_REQUEST_TIMEOUT: the operation fails, now and for the rest
        of the run. The error to raise."""
        self.unresponsive.mark(label, self.settings.request_timeout)
        return self.unresponsive.fail(label)

    def failure_after_retries(self, label: str, error: BaseException) -> str:
        """What a request's error, once the retries ran out, was: a read timeout fails the operation for good (it
        is sent nothing more; raised), an error that is no transient failure is raised as it is, and a transient
        one is described ("connection refused after 5 tries"), for the caller to judge or call unavailable."""
        if is_read_timeout(error):
            raise self.timed_out(label) from None
        if not isinstance(error, TRANSIENT_ERRORS):
            raise error
        return f"{failure_of(error)} {GAVE_UP}"

    def judge_or_unavailable(self, label: str, failure: str) -> StoreUnavailable | None:
        """A request of either layer still failed after its retries: the store unavailable, or this request's
        own answer? The store is asked a request it answers whenever it is up (an implicit token, S6): if it
        answers, None (the failure is the request's, for the caller to judge); else the StoreUnavailable to
        raise, recorded."""
        target = self.started_target_url()
        if target is not None and not self.availability.down:
            form = {"grant_type": "implicit", "client_id": self.settings.values.get("EP_CLIENT_ID", "")}
            try:
                answer = self.token_session.post(
                    f"{target}{TOKEN_PATH}", data=form, timeout=self.settings.request_timeout
                )
            except requests.RequestException:
                answer = None
            if answer is not None and answer.status_code not in RETRIED_STATUSES:
                return None
        return self.availability.failed(label, failure)

    def target_url(self) -> str:
        """EP_BASE_URL's server, or the bundled mock on a free port, started on first use (schemathesis needs it
        while collecting) and stopped as the run ends."""
        if self.settings.base_url:
            # Once, before the first request: a store that goes away later is the availability layer's to name.
            if not self.reached:
                check_reachable(self.settings.base_url, self.settings.request_timeout)
                self.reached = True
            return self.settings.base_url
        with self._lock:
            if self.mock is None:
                log_path = Path(tempfile.mkdtemp(prefix="contract-mock-")) / "mock.log"
                # The bundled mock follows the run's store profile: it stands in for that store.
                profile = self.settings.store_profile
                extra = {"EP_STORE_PROFILE": profile.source} if profile is not None else {}
                self.mock = MockProcess(mock_env(**self.settings.values, **extra), log_path)
            return self.mock.base_url

    def started_target_url(self) -> str | None:
        """The server this run has talked to, if any, without starting or probing one (for the clean-up)."""
        return self.settings.base_url or (self.mock.base_url if self.mock else None)

    def stop_target(self) -> None:
        if self.mock is not None:
            self.mock.stop()
            self.mock = None

    def write_stats(self) -> None:
        """For make bench: how many responses the run judged, the same count under pytest and `st run`."""
        stats_path = os.environ.get("EP_CONTRACT_STATS")
        if stats_path:
            total = sum(seen.count for seen in self.table.observed.values()) + len(self.table.undocumented)
            Path(stats_path).write_text(json.dumps({"responses": total}), encoding="utf-8")


# --- The run of the moment -----------------------------------------------------------------------------------


@dataclass(eq=False)
class SessionRun:
    """A session's place for its run: how to make it, and the run once made. The pytest plugin keeps it in the
    session's config (its stash); the schemathesis hooks reach the innermost one through `active_run()`."""

    make: Callable[[], ContractRun] | None
    run: ContractRun | None = None

    def get(self) -> ContractRun:
        """The run, made now if it was not yet."""
        with _LOCK:
            if self.run is None:
                assert self.make is not None
                self.run = self.make()
            return self.run


_FRAMES: list[SessionRun] = []
"""One per pytest session in progress, the innermost last (a session started inside another, as pytester's
in-process runs are, has its own run; the outer one's comes back when it ends)."""
_LOCK = threading.RLock()


def begin(make: Callable[[], ContractRun]) -> SessionRun:
    """A session begins: its run is made by `make` when first needed."""
    with _LOCK:
        _FRAMES.append(place := SessionRun(make))
    return place


def end(place: SessionRun) -> ContractRun | None:
    """A session ends: returns its run, if it was ever made; the session around it, if any, has its own run
    again."""
    with _LOCK:
        if place in _FRAMES:
            _FRAMES.remove(place)
        return place.run


def active_run() -> ContractRun:
    """The run of the moment, made now if it was not yet: the innermost pytest session's, or, outside pytest (a
    bare `st run` loading the hooks), one for this process, cleaned up and counted as it exits."""
    with _LOCK:
        if not _FRAMES:
            standalone = ContractRun.from_env()
            _FRAMES.append(SessionRun(None, standalone))
            atexit.register(finish_outside_pytest, standalone)
        return _FRAMES[-1].get()


@contextlib.contextmanager
def using(run: ContractRun) -> Iterator[ContractRun]:
    """`run` is the run of the moment inside the block (for tests of the engine's parts)."""
    with _LOCK:
        _FRAMES.append(SessionRun(None, run))
    try:
        yield run
    finally:
        with _LOCK:
            _FRAMES.remove(next(frame for frame in reversed(_FRAMES) if frame.run is run))


STANDALONE_FINISHERS: list[Callable[[ContractRun], None]] = []
"""What a bare `st run`'s run does as its process exits, before it is counted: the hooks module (which every such
run loads) registers the clean-up here, so this module needs none of the modules that send requests."""


def finish_outside_pytest(run: ContractRun) -> None:
    """After a bare `st run`: what it associated is removed (under pytest the plugin does it), and it is counted."""
    for finish in STANDALONE_FINISHERS:
        finish(run)
    run.write_stats()
