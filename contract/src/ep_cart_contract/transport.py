"""How the suite talks to a live store politely: a rate limit, 429s retried after the advertised wait,
and a timeout reported clearly. Used by both layers (requests for schemathesis, httpx for the client)."""

from __future__ import annotations

import threading
import time

import httpx
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

MAX_429_RETRIES = 5
MAX_RETRY_AFTER_SECONDS = 60.0


def requests_session() -> requests.Session:
    """For schemathesis: retry 429 on any method, honouring Retry-After, and hand back the last answer."""
    retry = Retry(
        total=MAX_429_RETRIES,
        connect=0,
        # False, not 0: a read timeout is raised as requests' ReadTimeout, not wrapped as a ConnectionError,
        # so an operation that stops answering is recognised (UnresponsiveOperations).
        read=False,
        status=MAX_429_RETRIES,
        status_forcelist=[429],
        allowed_methods=None,
        respect_retry_after_header=True,
        backoff_factor=0.5,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def parse_rate(rate: str | None) -> float:
    """ "10/s" -> minimum seconds between requests (0 for no limit)."""
    if not rate:
        return 0.0
    count, _, unit = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600}[unit]
    return seconds / int(count)


class PoliteTransport(httpx.BaseTransport):
    """For the generated client: spaces requests by the rate limit and retries 429 after Retry-After."""

    def __init__(self, rate_limit: str | None, inner: httpx.BaseTransport | None = None) -> None:
        self._interval = parse_rate(rate_limit)
        self._inner = inner or httpx.HTTPTransport()
        self._lock = threading.Lock()
        self._next_at = 0.0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for _ in range(MAX_429_RETRIES):
            self._wait_for_slot()
            response = self._inner.handle_request(request)
            if response.status_code != 429:
                return response
            response.read()
            response.close()
            time.sleep(retry_after(response.headers.get("retry-after")))
        self._wait_for_slot()
        return self._inner.handle_request(request)

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
