"""What the store's availability cost a run, kept apart from its contract.

The transport retries what is transient (transport.py); this is the run's record of it: how many tries each
operation needed, the requests that still failed after their retries (the store unavailable), the answers left
unjudged because an earlier try may have been applied (the answer may be the store's answer to a repeat), and
the scenarios run again for that reason. None of it is a claim: the report shows it in its own section, and a
run that met the store unavailable ends with its own exit status (exits.py), never "a claim broke".

A request that still fails after its retries is the store unavailable only if the store does not answer a request
it answers when it is up (ContractRun.judge_or_unavailable): one that fails alone is that request's answer, judged.
After DOWN_AFTER requests in a row failed for good, the store is taken as down: nothing more is sent, each later
request fails at once as unavailable (so a store that went away mid-run costs seconds, not a retry budget per
request); any answer ends the row. The clean-up is sent whatever the row says.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ep_cart_contract.transport import RETRIED_STATUSES, RetryStory, StoreUnavailable
from ep_cart_spec import ASSOCIATION_PATH

DOWN_AFTER = 3
"""Requests in a row failed after their retries before the store is taken as down (until it answers again)."""
NOT_SENT = "not sent"
ANSWER_CHANGES_ON_REPEAT = frozenset({f"POST {ASSOCIATION_PATH}", f"DELETE {ASSOCIATION_PATH}"})
"""Operations whose answer to the same request again differs (S1: the first association answers 200, the same again
204; a second delete may answer 404): an answer after a try that may have been applied cannot be judged."""


class AnswerLost(Exception):
    """A scenario's association write was answered after a try that may have been applied: its answer may be to a
    repeat. The scenario runs again from the start, on new carts (the plugin)."""


def describe_story(story: RetryStory) -> str:
    """ "a try that may have been applied (connection closed without an answer, 503)"."""
    return f"a try that may have been applied ({', '.join(attempt.failure for attempt in story.tries)})"


@dataclass(frozen=True)
class Unjudged:
    label: str
    why: str


class Availability:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        """Requests that got an answer, by operation ("POST /oauth/access_token")."""
        self.retries: Counter[str] = Counter()
        """Tries retried, by operation."""
        self.failures: Counter[tuple[str, str]] = Counter()
        """(operation, what failed) -> requests that still failed after their retries."""
        self.unjudged: list[Unjudged] = []
        """Answers not judged: an earlier try may have been applied, so the answer may be to a repeat."""
        self.reruns: list[Unjudged] = []
        """Scenarios run again from the start (new carts) for the same reason."""
        self._stories: weakref.WeakKeyDictionary[Any, RetryStory] = weakref.WeakKeyDictionary()
        self._in_a_row = 0
        """Requests failed for good since the last answer."""

    # --- what the transport saw ---------------------------------------------------------------------------

    def answered(self, label: str, story: RetryStory, request: Any = None, status: int = 200) -> None:
        """An answer came, after `story`; `request` (requests' PreparedRequest) keeps the story for the judge. One
        the retries did not leave transient ends a row of failures."""
        with self._lock:
            self.requests[label] += 1
            if status not in RETRIED_STATUSES:
                self._in_a_row = 0
            if story.retried:
                self.retries[label] += story.retried
            if request is not None:
                self._stories[request] = story

    def retried(self, label: str) -> None:
        """One more try of something the transport does not see (a check run again for its probe)."""
        with self._lock:
            self.retries[label] += 1

    def story_of(self, request: Any) -> RetryStory:
        if request is None:
            return RetryStory()
        with self._lock:
            return self._stories.get(request, RetryStory())

    def failed(self, label: str, failure: str) -> StoreUnavailable:
        """A request that still failed after its retries: the error to raise (never a claim)."""
        with self._lock:
            self.failures[(label, failure)] += 1
            if not failure.startswith(NOT_SENT):
                self._in_a_row += 1
        return StoreUnavailable(label, failure)

    def check(self, label: str) -> None:
        """Raise at once, sending nothing, once the store is taken as down."""
        if self.down:
            raise self.failed(label, f"{NOT_SENT}: the store failed {DOWN_AFTER} requests in a row after their retries")

    @property
    def down(self) -> bool:
        with self._lock:
            return self._in_a_row >= DOWN_AFTER

    @property
    def unavailable(self) -> bool:
        with self._lock:
            return bool(self.failures)

    def leave_unjudged(self, label: str, why: str) -> None:
        with self._lock:
            self.unjudged.append(Unjudged(label, why))

    def rerun(self, test: str, why: str) -> None:
        with self._lock:
            self.reruns.append(Unjudged(test, why))

    def as_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "unavailable": bool(self.failures),
                "requests": sum(self.requests.values()),
                "retries": sum(self.retries.values()),
                "retries_by_operation": dict(sorted(self.retries.items())),
                "failed": [
                    {"operation": label, "failure": failure, "requests": count}
                    for (label, failure), count in sorted(self.failures.items())
                ],
                "unjudged": [{"operation": item.label, "why": item.why} for item in self.unjudged],
                "reruns": [{"test": item.label, "why": item.why} for item in self.reruns],
            }
