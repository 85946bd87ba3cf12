"""How the suite talks to a store politely and patiently, in both layers (requests for schemathesis and the run's
own requests, httpx for the generated client): a rate limit, and one retry policy.

A store that is briefly unavailable is not a store that breaks its contract. A `429` (rate limited), a `502`,
`503` or `504`, a connection refused, reset or closed without an answer, and a connect timeout are retried, a
bounded number of times, with backoff, honouring `Retry-After` (on a 429 and a 503). A read timeout is not: the
request may have been applied, and each try costs EP_REQUEST_TIMEOUT (an operation that stops answering is
failed once and sent nothing more, UnresponsiveOperations). Each answer carries its retry story (RetryStory):
what went wrong before it, and whether an earlier try may have been applied (a `502`, a `504`, a connection lost
after the request left), so a caller judging an answer that resending could change knows it may be the answer to
a repeat.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ProtocolError, ReadTimeoutError
from urllib3.util.retry import Retry

from ep_cart_contract import interrupts

MAX_RETRIES = 4
"""Tries after the first, for each request: 429s and transient failures alike."""
MAX_RETRY_AFTER_SECONDS = 60
BACKOFF_SECONDS = 0.5
"""Waits without a Retry-After: 1, 2, 4 s after the second, third and fourth failure; the first try is retried at
once by urllib3 and after 0.5 s by the httpx side (at most 7.5 s in all)."""
MAX_BACKOFF_SECONDS = 8.0
RATE_LIMITED = 429
TRANSIENT_STATUSES = frozenset({502, 503, 504})
RETRIED_STATUSES = frozenset({RATE_LIMITED, *TRANSIENT_STATUSES})
RETRY_AFTER_STATUSES = frozenset({429, 503})
"""Whose Retry-After the retries honour (urllib3's, and so the httpx side's too)."""
MAY_HAVE_BEEN_APPLIED = frozenset({502, 504})
"""A gateway's answers: the server behind it may have acted before the gateway gave up. A 503 and a 429 say the
request was not taken (RFC 9110 15.6.4, RFC 6585 4)."""


@dataclass(frozen=True)
class Try:
    """One try that was retried: its status, or the error that ended it."""

    failure: str
    """"503", or the error ("connection closed without an answer")."""
    may_have_been_applied: bool


@dataclass(frozen=True)
class RetryStory:
    """What went wrong before an answer (empty: it came at the first try)."""

    tries: tuple[Try, ...] = ()

    @property
    def retried(self) -> int:
        return len(self.tries)

    @property
    def may_answer_a_repeat(self) -> bool:
        """An earlier try may have been applied: the answer may be the store's answer to the same request again."""
        return any(attempt.may_have_been_applied for attempt in self.tries)


NO_RETRIES = RetryStory()


class StoreUnavailable(RuntimeError):
    """A request still failed after its retries: the store was unavailable, which says nothing of its contract."""

    def __init__(self, label: str, failure: str) -> None:
        super().__init__(f"{label}: {failure}")
        self.label = label
        self.failure = failure


GAVE_UP = f"after {MAX_RETRIES + 1} tries"


def describe_error(error: BaseException) -> str:
    """A transport error as a reader would put it."""
    text = f"{type(error).__name__} {error}".lower()
    if "refused" in text:
        return "connection refused"
    if "reset" in text:
        return "connection reset"
    if "timeout" in text or "timed out" in text:
        return "connect timeout"
    if "disconnect" in text or "aborted" in text or "without" in text or "closed" in text or "protocol" in text:
        return "connection closed without an answer"
    return f"connection failed ({type(error).__name__})"


# --- requests (schemathesis, the run's own requests) ---------------------------------------------------------


class PatientRetry(Retry):
    """urllib3's Retry, except that a read timeout is never retried (see the module's docstring)."""

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: TracebackType | None = None,
    ) -> PatientRetry:
        if isinstance(error, ReadTimeoutError):
            raise error.with_traceback(_stacktrace)
        return super().increment(method, url, response, error, _pool, _stacktrace)


def requests_session() -> requests.Session:
    """Retries (any method) as the module's docstring says, and hands back the last answer when they run out."""
    retry = PatientRetry(
        total=MAX_RETRIES,
        connect=MAX_RETRIES,
        read=MAX_RETRIES,
        status=MAX_RETRIES,
        other=0,
        redirect=0,
        status_forcelist=sorted(RETRIED_STATUSES),
        allowed_methods=None,
        respect_retry_after_header=True,
        retry_after_max=MAX_RETRY_AFTER_SECONDS,
        backoff_factor=BACKOFF_SECONDS,
        backoff_max=MAX_BACKOFF_SECONDS,
        raise_on_status=False,
        raise_on_redirect=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def story_of_requests(response: requests.Response) -> RetryStory:
    """The retry story of a requests answer, from urllib3's record of the tries."""
    retries = getattr(response.raw, "retries", None)
    history = getattr(retries, "history", ()) or ()
    tries = []
    for attempt in history:
        if attempt.error is not None:
            sent = isinstance(attempt.error, ProtocolError)  # the request left; the answer never came
            tries.append(Try(describe_error(attempt.error), sent))
        elif attempt.status is not None:
            tries.append(Try(str(attempt.status), attempt.status in MAY_HAVE_BEEN_APPLIED))
    return RetryStory(tuple(tries))


TRANSIENT_ERRORS = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)
"""What requests raises when the retries ran out on a connection that failed (not a read timeout: is_read_timeout)."""


def is_read_timeout(error: BaseException) -> bool:
    """A read timeout, however requests wraps it (a timeout while reading the body comes as a ConnectionError)."""
    if isinstance(error, requests.exceptions.ReadTimeout | TimeoutError | ReadTimeoutError):
        return True
    reason = error.args[0] if error.args else None
    return isinstance(reason, ReadTimeoutError) or isinstance(getattr(reason, "reason", None), ReadTimeoutError)


def failure_of(error: requests.RequestException) -> str:
    """Why a requests call failed after its retries (urllib3 keeps the last error as the reason)."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return describe_error(reason if isinstance(reason, BaseException) else error)


def parse_rate(rate: str | None) -> float:
    """ "10/s" -> minimum seconds between requests (0 for no limit)."""
    if not rate:
        return 0.0
    count, _, unit = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600}[unit]
    return seconds / int(count)


class PoliteTransport(httpx.BaseTransport):
    """For the generated client: spaces requests by the rate limit, and retries as the module's docstring says;
    each answer carries its RetryStory (`story_of_httpx`)."""

    def __init__(
        self,
        rate_limit: str | None,
        inner: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = parse_rate(rate_limit)
        self._inner = inner or httpx.HTTPTransport()
        self._lock = threading.Lock()
        self._next_at = 0.0
        self._sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        interrupts.raise_if_dropped()
        tries: list[Try] = []
        while True:
            self._wait_for_slot()
            try:
                response = self._inner.handle_request(request)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
                failure, sent, wait = describe_error(error), False, None
                if isinstance(error, httpx.ConnectTimeout | httpx.PoolTimeout):
                    failure = "connect timeout"
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
                failure, sent, wait = describe_error(error), True, None
            else:
                if response.status_code not in RETRIED_STATUSES or len(tries) >= MAX_RETRIES:
                    response.extensions["ep_retry_story"] = RetryStory(tuple(tries))
                    return response
                response.read()
                response.close()
                status = response.status_code
                wait = response.headers.get("retry-after") if status in RETRY_AFTER_STATUSES else None
                failure, sent = str(status), status in MAY_HAVE_BEEN_APPLIED
                tries.append(Try(failure, sent))
                self._sleep(backoff(len(tries), wait))
                continue
            if len(tries) >= MAX_RETRIES:
                raise TransportGaveUp(failure, RetryStory(tuple(tries)))
            tries.append(Try(failure, sent))
            self._sleep(backoff(len(tries), wait))

    def _wait_for_slot(self) -> None:
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            wait = self._next_at - now
            self._next_at = max(now, self._next_at) + self._interval
        if wait > 0:
            time.sleep(wait)

    def close(self) -> None:
        self._inner.close()


class TransportGaveUp(httpx.TransportError):
    """The generated client's request still failed after its retries."""

    def __init__(self, failure: str, story: RetryStory) -> None:
        super().__init__(f"{failure} after {story.retried + 1} tries")
        self.failure = failure
        self.story = story


def story_of_httpx(response: httpx.Response) -> RetryStory:
    story = response.extensions.get("ep_retry_story")
    return story if isinstance(story, RetryStory) else RetryStory()


def backoff(tries: int, retry_after_header: str | None) -> float:
    """The wait before the next try: the store's Retry-After when it gives one, else 0.5 s doubling, jittered."""
    if retry_after_header is not None:
        return retry_after(retry_after_header)
    base: float = min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2 ** (tries - 1))
    return base * random.uniform(0.8, 1.0)


def retry_after(header: str | None) -> float:
    try:
        return min(MAX_RETRY_AFTER_SECONDS, max(0.0, float(header or "1")))
    except ValueError:
        return 1.0


class OperationUnresponsive(AssertionError):
    """An operation did not answer within EP_REQUEST_TIMEOUT: it fails, and is sent nothing more."""


class UnresponsiveOperations:
    """Operations ("DELETE /v2/carts/{cartID}/relationships/accounts") that timed out once in this run.

    A live store that stops answering one operation would otherwise cost a full timeout for every generated
    case; after the first, both layers fail that operation at once, without a request. So a run's waiting is
    bounded by EP_REQUEST_TIMEOUT times the number of documented operations."""

    def __init__(self) -> None:
        self._labels: dict[str, float] = {}
        self._lock = threading.Lock()

    def mark(self, label: str, timeout: float) -> None:
        with self._lock:
            self._labels.setdefault(label, timeout)

    def __contains__(self, label: object) -> bool:
        with self._lock:
            return label in self._labels

    def labels(self) -> list[str]:
        with self._lock:
            return sorted(self._labels)

    def fail(self, label: str) -> OperationUnresponsive:
        """The one error both layers raise for an unresponsive operation, on the first timeout and after."""
        with self._lock:
            timeout = self._labels.get(label, 0.0)
        return OperationUnresponsive(
            f"{label} did not answer within {timeout:g} s (EP_REQUEST_TIMEOUT): the operation fails, and the "
            "suite sends it nothing more in this run"
        )
