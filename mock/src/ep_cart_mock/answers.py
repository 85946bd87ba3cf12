"""What the rules answer: an `Answer`, an error rule's `{"errors": [...]}` answer, the refusal that carries one
(`Rejected`), and the store profile's reshaping of error answers (`Shaper`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, NamedTuple

from ep_cart_mock.table import RULES, Rule
from ep_cart_spec import ApiSpec, StoreProfile


@dataclass(frozen=True)
class Answer:
    """What the server sends back: a status and, unless it is 204, a JSON body (a document, or its bytes)."""

    status: int
    body: Any = None
    rule: Rule | None = None


def error_answer(rule_id: str, detail: str | None = None, meta: Mapping[str, Any] | None = None) -> Answer:
    """The `{"errors": [...]}` answer of an error rule (ErrorResponse in openapi.yaml)."""
    rule = RULES[rule_id]
    item: dict[str, Any] = {"status": rule.status, "title": rule.title, "detail": detail or rule.detail}
    if meta:
        item["meta"] = dict(meta)
    return Answer(rule.status, {"errors": [item]}, rule)


class Rejected(Exception):
    """A check failed: `answer` is what the client gets."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.rule.id if answer.rule else answer.status)
        self.answer = answer


def reject(rule_id: str, detail: str | None = None, meta: Mapping[str, Any] | None = None) -> Rejected:
    return Rejected(error_answer(rule_id, detail, meta))


class Reshaped(NamedTuple):
    """How a store profile changes one error rule's answer."""

    status: int
    moved: str | None = None
    """The documented message moved from the title to the detail (under the status's reason phrase)."""
    wording: Mapping[str, str | None] | None = None
    """The store's own `title` (and `detail`), from the profile's `texts`."""


STATUS = re.compile(r"[1-5][0-9][0-9]")
"""An alternative that is a status: each error rule resting on such a mark answers the profile's status."""


class Shaper:
    """Error answers as a store profile gives them: another status, the message moved to the detail, the status
    sent as a string, the store's own words. Under the defaults it changes nothing (one failed look-up)."""

    def __init__(self, spec: ApiSpec, profile: StoreProfile) -> None:
        self._reshaped = self._reshaped_rules(spec, profile)
        """Rule id -> how the profile changes that error answer."""
        self._status_as_string = profile.alternative("error-status-type") == "string"
        """`error-status-type: string`: every error's `status` is sent as a string (`"400"`)."""

    @staticmethod
    def _reshaped_rules(spec: ApiSpec, profile: StoreProfile) -> dict[str, Reshaped]:
        """The error rules whose answer this profile changes: a status mark answered with another status, a
        documented message moved from the title to the detail, the store's own wording (`texts`)."""
        marks = spec.assumptions
        messages = {text: message for mark in marks.values() for message, text in mark.messages}
        reshaped: dict[str, Reshaped] = {}
        for rule in RULES.values():
            if rule.status < 400:
                continue
            status = rule.status
            mark = marks.get(rule.assumption or "")
            if mark is not None and mark.alternatives and all(STATUS.fullmatch(key) for key, _ in mark.alternatives):
                status = int(profile.alternative(mark.id))  # a mark whose alternatives are statuses
            message = messages.get(rule.title)
            moved = rule.title if message is not None and profile.message(message) == "detail" else None
            wording = profile.texts.get(rule.id)
            if status != rule.status or moved is not None or wording is not None:
                reshaped[rule.id] = Reshaped(status, moved, wording)
        return reshaped

    def __call__(self, answer: Answer) -> Answer:
        reshaped = self._reshaped.get(answer.rule.id) if answer.rule is not None else None
        if reshaped is None and not self._status_as_string:
            return answer
        status, moved, wording = reshaped or Reshaped(answer.status)
        item = {**answer.body["errors"][0], "status": str(status) if self._status_as_string else status}
        if moved is not None:
            item["title"] = HTTPStatus(status).phrase
            item["detail"] = moved
        if wording is not None:
            item.update(wording)  # the store's title, and its detail when the profile gives one
            if "detail" in wording and wording["detail"] is None:
                del item["detail"]  # the store sends none
        return Answer(status, {"errors": [item]}, answer.rule)
