"""A run's store profile: the alternatives it holds the store to, and the ones it saw.

openapi.yaml lists, on the marks a store may decide otherwise, the alternatives (ep_cart_spec.profiles). A run
judges by EP_STORE_PROFILE's file when it is set (every point it leaves out, and every point without it, by
the defaults), and notes, for each of those marks and messages, the alternative the store's answer showed and
the evidence. At the end it writes reports/store-profile.yaml: usable as a profile as it is (`make mock
STORE_PROFILE=reports/store-profile.yaml`, `make contract-test STORE_PROFILE=...`), a point it did not reach
written as such (the default stands).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

from ep_cart_contract.redaction import Redactor
from ep_cart_spec import ApiSpec, StoreProfile
from ep_cart_spec.profiles import FORMAT, choosable

NOT_REACHABLE = {
    "account-token-length": "no store issues an account token over 4096 characters, so no run can offer one it "
    "would have to accept",
}
"""Points a run can never show, and why (they are written as not reached, whatever the store does)."""
FILE_NAME = "store-profile.yaml"


@dataclass(frozen=True)
class Sighting:
    """One answer that showed a point: the alternative it matches (None: none of the listed ones)."""

    alternative: str | None
    request: str
    status: int
    body: str
    at: str

    def evidence(self) -> dict[str, Any]:
        return {"request": self.request, "status": self.status, "body": self.body, "at": self.at}


def sighting(alternative: str | None, line: str, status: int, content: bytes, redactor: Redactor) -> Sighting:
    return Sighting(
        alternative=alternative,
        request=redactor.scrub(line),
        status=status,
        body=redactor.scrub(content.decode("utf-8", errors="replace"))[:300],
        at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )


@dataclass
class StoreProfileRun:
    spec: ApiSpec
    judged_by: StoreProfile
    seen: dict[str, Sighting] = field(default_factory=dict)
    """Mark id (or message id, for a mark decided per message) -> the first answer that showed it."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    """The suite's two layers note what they see from threads of their own."""

    def expected(self, key: str) -> str:
        """The alternative the run holds the store to, for a mark or a message."""
        return self.judged_by.messages[key] if key in self.judged_by.messages else self.judged_by.choices[key]

    def differs(self, key: str) -> bool:
        """The profile names another alternative than openapi.yaml's for this mark or message."""
        return self.expected(key) != self.judged_by.defaults[key]

    def accepts_otherwise(self, mark_id: str) -> bool:
        """A failure blamed on this mark is the profile's alternative at work, not a broken claim: the profile
        decides the mark otherwise (for a mark decided per message, any of its messages)."""
        mark = choosable(self.spec).get(mark_id)
        if mark is None:
            return False
        if mark.messages:
            return any(self.differs(message) for message, _ in mark.messages)
        return self.differs(mark_id)

    def see(self, key: str, alternative: str | None, response: httpx.Response, redactor: Redactor) -> None:
        """Note what an answer showed of a point (the first answer that showed it is the evidence)."""
        request = response.request
        line = f"{request.method} {request.url.raw_path.decode('ascii', errors='replace')}"
        with self._lock:
            if key in self.seen and self.seen[key].alternative is not None:
                return
            self.seen[key] = sighting(alternative, line, response.status_code, response.content, redactor)

    def see_in_every_answer(
        self, key: str, shown: str, mixed: str, line: str, status: int, content: bytes, redactor: Redactor
    ) -> None:
        """A point every answer of a kind shows (an error's status type): the alternative all of them showed so
        far, or `mixed` once two differ. The evidence is the first answer that showed what is written."""
        with self._lock:
            before = self.seen.get(key)
            if before is not None and before.alternative in (shown, mixed):
                return
            self.seen[key] = sighting(shown if before is None else mixed, line, status, content, redactor)

    def entry(self, key: str) -> dict[str, Any]:
        """What the written profile says of one point."""
        if key in NOT_REACHABLE:
            return {"not-reached": NOT_REACHABLE[key]}
        sighting = self.seen.get(key)
        if sighting is None:
            return {"not-reached": "no answer of this run showed it"}
        if sighting.alternative is None:
            return {
                "not-reached": f"the answer showed none of its alternatives ({sighting.request} answered "
                f"{sighting.status})"
            }
        return {"alternative": sighting.alternative, "evidence": sighting.evidence()}

    def document(self, target: str) -> dict[str, Any]:
        """The profile as observed, with its evidence: a store profile ep_cart_spec reads as it is."""
        marks: dict[str, Any] = {}
        for mark_id, mark in choosable(self.spec).items():
            if mark.messages:
                marks[mark_id] = {message: self.entry(message) for message, _ in mark.messages}
            else:
                marks[mark_id] = self.entry(mark_id)
        host = urlsplit(target).netloc or target
        store = {"target": host, "observed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        document = {"store-profile": FORMAT, "store": store, "marks": marks}
        if self.judged_by.texts:
            # The store's wording, which no run learns (ep-cart-twin-check does): kept from the profile it was given.
            document["texts"] = {rule: dict(text) for rule, text in self.judged_by.texts.items()}
        return document

    def rows(self) -> list[dict[str, Any]]:
        """One row per point for contract.json and the report page: default, profile's, observed, evidence."""
        rows = []
        for mark_id, mark in choosable(self.spec).items():
            for key in [message for message, _ in mark.messages] or [mark_id]:
                entry = self.entry(key)
                rows.append(
                    {
                        "mark": mark_id,
                        "point": key,
                        "default": self.judged_by.defaults[key],
                        "judged_by": self.expected(key),
                        "observed": entry.get("alternative"),
                        "evidence": entry.get("evidence"),
                        "not_reached": entry.get("not-reached"),
                    }
                )
        return rows

    def write(self, directory: Path, target: str, redactor: Redactor) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / FILE_NAME
        header = (
            "# What this store was seen to do where the vendor is silent, written by ep-cart-contract.\n"
            "# Use it as a store profile: make mock STORE_PROFILE=<this file>, make contract-test STORE_PROFILE=...\n"
        )
        text = yaml.safe_dump(self.document(target), sort_keys=False, allow_unicode=True, width=100)
        path.write_text(redactor.scrub(header + text), encoding="utf-8")
        return path
