"""What a run associated, so it can leave the store as it found it.

Both layers note every association request as it leaves (`sending`) and report every answer through
`judging.observe`; a `200` to a POST is an association this run created, a `204` to a DELETE with the same
account removes it. A POST whose answer never came (the run was interrupted while it waited) may have
associated too, and so may one answered after a lost try, until a DELETE of the same association answers 204.
At the end of the run, failed or interrupted included, the plugin deletes them all as administrator and lists
what it could not remove.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ep_cart_spec import association as spec_association


@dataclass(frozen=True)
class Association:
    cart_id: str
    member_id: str
    """The ID of the relationship's member (the account) the request named."""


@dataclass
class CleanupResult:
    created: int = 0
    removed: int = 0
    left: list[tuple[Association, str]] = field(default_factory=list)
    """What could not be removed, with why."""


def members_in(body: bytes) -> list[str]:
    """Every member (account) ID a request body names, as sent (the suite cleans up with the same values): a
    store that wrongly takes a body of two accounts (S2 documents 403) may have associated both."""
    try:
        document = json.loads(body)
    except ValueError:
        return []
    return spec_association().member_ids(document)


class AssociationLedger:
    def __init__(self) -> None:
        self._open: dict[Association, None] = {}
        self._in_flight: dict[Association, int] = {}
        """POSTs sent and not yet answered, counted (both layers may send the same one at once)."""
        self._maybe: dict[Association, None] = {}
        """POSTs answered after a lost try, which may have associated: until a DELETE of it answers 204."""
        self._created = 0
        self._lock = threading.Lock()

    def sending(self, method: str, cart_id: str, body: bytes) -> None:
        """An association request leaves: until its answer comes, it may have associated."""
        if method.upper() != "POST":
            return
        with self._lock:
            for member in members_in(body):
                association = Association(cart_id, member)
                self._in_flight[association] = self._in_flight.get(association, 0) + 1

    def observe(
        self, method: str, cart_id: str, status: int, body: bytes, *, may_have_been_applied: bool = False
    ) -> None:
        """An answer came. `may_have_been_applied`: an earlier try of the same request may have associated (the
        transport retried it), whatever this answer says: it stays to be removed, until a DELETE of the same
        association answers 204 (it is absent then, whatever the lost try did)."""
        for member in members_in(body):
            self._observe(method, status, Association(cart_id, member), may_have_been_applied)

    def _observe(self, method: str, status: int, association: Association, may_have_been_applied: bool) -> None:
        with self._lock:
            if method.upper() == "POST":
                if association in self._in_flight:
                    self._in_flight[association] -= 1
                    if not self._in_flight[association]:
                        del self._in_flight[association]
                if may_have_been_applied:
                    self._maybe[association] = None
                if status == 200 and association not in self._open:
                    self._open[association] = None
                    self._created += 1
            elif method.upper() == "DELETE" and status == 204:
                # Absent now. A POST still in flight may yet land: it stays.
                self._open.pop(association, None)
                self._maybe.pop(association, None)

    def has_account(self, cart_id: object) -> bool:
        """Does the run know the cart has an account: an association it made that is still there (or may be)?"""
        return any(association.cart_id == cart_id for association in self.open())

    def open(self) -> list[Association]:
        """What the run created and has not removed, then what it asked for and may have associated: never heard
        back about, or heard back about after a lost try."""
        with self._lock:
            return list(dict.fromkeys([*self._open, *self._in_flight, *self._maybe]))

    def clean_up(self, delete: Callable[[Association], str | None]) -> CleanupResult:
        """Delete every association still open; `delete` answers None when it is gone, else why not."""
        result = CleanupResult()
        for association in self.open():
            problem = delete(association)
            with self._lock:
                if problem is None:
                    self._open.pop(association, None)
                    self._in_flight.pop(association, None)
                    self._maybe.pop(association, None)
                else:
                    result.left.append((association, problem))
        with self._lock:
            result.created = self._created
            result.removed = self._created - len(self._open)
        return result
