"""Where carts live: a small interface, and the in-memory store the mock uses by default.

A cart exists once something names it: an association request (assumption `new-cart-id-is-a-new-cart`) or a
read (S3: "If a cart ID does not exist, a new cart will be automatically created"). Each cart holds at most
one member of its relationship, an account (assumption `cart-holds-one-account`), and its timestamps;
`updated_at` moves whenever its association changes, and orders an account's list of carts, newest first (S3). A
cart is purged seven days after its last change (S3), by the clock the store is given (clock.py): a read then
makes a new, empty one, and `expire` purges every such cart at once (the test control that moves the clock on
calls it). The contact emails attached to carts are kept apart (`ContactEmails`), by the rules.
"""

from __future__ import annotations

import enum
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

CART_LIFETIME_SECONDS = 7 * 24 * 3600
"""Carts are "purged automatically after seven days" unless deleted (S3)."""
DEFAULT_CART_NAME = "Cart"
"""S3: "The default cart name is Cart"."""


class AssociateOutcome(enum.Enum):
    CREATED = "created"
    ALREADY_ASSOCIATED = "already_associated"
    ASSOCIATED_WITH_OTHER_ACCOUNT = "associated_with_other_account"


@dataclass(frozen=True)
class Cart:
    """A snapshot of one cart (the store hands out copies, never its own records)."""

    id: str
    created_at: float
    updated_at: float
    """Unix time, strictly increasing across the store's changes, so the newest-first order is total."""
    member_id: str | None = None
    """The account associated with the cart (the relationship's one member), if any."""
    name: str = DEFAULT_CART_NAME
    description: str = ""
    encoded: dict[tuple[str, str | None], bytes] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )
    """This snapshot as the answers' JSON, per (base URL, the contact email it shows), kept by the rules once made: a
    snapshot never changes (a change to the cart makes a new one, with an empty `encoded`)."""

    @property
    def expires_at(self) -> float:
        return self.updated_at + CART_LIFETIME_SECONDS


class CartStore(Protocol):
    """Carts and their one member (an account). Each method is atomic: concurrent callers see one consistent order."""

    def associate(self, cart_id: str, member_id: str) -> AssociateOutcome:
        """Associate the member (an account) with the cart, creating the cart when it is new."""
        ...

    def dissociate(self, cart_id: str, member_id: str) -> bool:
        """Remove the association; True when it existed."""
        ...

    def read(self, cart_id: str) -> tuple[Cart, bool]:
        """The cart, and whether this read created it."""
        ...

    def member_of(self, cart_id: str) -> str | None: ...

    def update(self, cart_id: str, *, shuts_out_accounts: bool) -> Cart | None:
        """A change to the cart other than its account (updateACart), creating the cart when it is new (assumption
        `update-of-a-new-cart-id-makes-the-cart`): the cart, its `updated_at` moved on. `shuts_out_accounts`: the
        change attaches a contact email, refused on a cart that has an account (S3): None then, nothing changed."""
        ...

    def exists(self, cart_id: str) -> bool:
        """Whether something has named the cart (a read, an association), without making it."""
        ...

    def carts_of(self, member_id: str) -> list[Cart]:
        """The account's carts, newest `updated_at` first."""
        ...

    def page_of(self, member_id: str, offset: int, limit: int | None) -> tuple[list[Cart], int]:
        """One page of `carts_of` (`limit` None: to the end), and how many carts the account has."""
        ...

    def list_version(self, member_id: str) -> int:
        """A number that changes whenever the account's list of carts does (which carts, their order, their
        content), and never returns to a value it had: what a cached page of the list is checked against."""
        ...

    def associations(self) -> dict[str, str]:
        """Every association, cart ID -> account ID (a copy)."""
        ...

    def clear(self) -> None:
        """Remove every cart."""
        ...

    def expire(self) -> set[str]:
        """Purge every cart past its lifetime (S3: seven days after its last change): the IDs purged. Reading one
        of them again makes a new, empty cart."""
        ...


class InMemoryCartStore:
    """A dict behind a lock: safe for threads, and for the event loop, which never awaits while holding it."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._carts: dict[str, Cart] = {}
        self._by_account: dict[str, dict[str, None]] = {}
        """Account -> its cart IDs, oldest change first (a dict keeps insertion order; a change re-inserts)."""
        self._lock = threading.Lock()
        self._clock = clock
        self._last_change = 0.0
        self._changes = itertools.count(1)
        self._list_versions: dict[str, int] = {}
        """Account -> the number of the last change to its list (unset: `_cleared_at`)."""
        self._cleared_at = 0

    def _now(self) -> float:
        """The clock, moved on by at least a microsecond from the last change (called under the lock)."""
        self._last_change = max(self._clock(), self._last_change + 1e-6)
        return self._last_change

    def _cart(self, cart_id: str) -> tuple[Cart, bool]:
        existing = self._carts.get(cart_id)
        if existing is not None and self._clock() < existing.expires_at:
            return existing, False
        if existing is not None:
            self._purge(existing)
        now = self._now()
        cart = self._carts[cart_id] = Cart(id=cart_id, created_at=now, updated_at=now)
        return cart, True

    def associate(self, cart_id: str, member_id: str) -> AssociateOutcome:
        with self._lock:
            cart, _ = self._cart(cart_id)
            if cart.member_id == member_id:
                return AssociateOutcome.ALREADY_ASSOCIATED
            if cart.member_id is not None:
                return AssociateOutcome.ASSOCIATED_WITH_OTHER_ACCOUNT
            self._carts[cart_id] = replace(cart, member_id=member_id, updated_at=self._now())
            self._by_account.setdefault(member_id, {})[cart_id] = None
            self._list_versions[member_id] = next(self._changes)
            return AssociateOutcome.CREATED

    def dissociate(self, cart_id: str, member_id: str) -> bool:
        with self._lock:
            cart, _ = self._cart(cart_id)
            if cart.member_id != member_id:
                return False
            self._carts[cart_id] = replace(cart, member_id=None, updated_at=self._now())
            self._by_account[member_id].pop(cart_id, None)
            self._list_versions[member_id] = next(self._changes)
            return True

    def read(self, cart_id: str) -> tuple[Cart, bool]:
        with self._lock:
            return self._cart(cart_id)

    def update(self, cart_id: str, *, shuts_out_accounts: bool) -> Cart | None:
        with self._lock:
            cart, _ = self._cart(cart_id)
            if shuts_out_accounts and cart.member_id is not None:
                return None
            updated = self._carts[cart_id] = replace(cart, updated_at=self._now())
            if cart.member_id is not None:  # the newest change leads its account's list (S3)
                carts = self._by_account[cart.member_id]
                carts.pop(cart_id, None)
                carts[cart_id] = None
                self._list_versions[cart.member_id] = next(self._changes)
            return updated

    def exists(self, cart_id: str) -> bool:
        with self._lock:
            return cart_id in self._carts

    def member_of(self, cart_id: str) -> str | None:
        with self._lock:
            cart = self._carts.get(cart_id)
            return cart.member_id if cart else None

    def carts_of(self, member_id: str) -> list[Cart]:
        return self.page_of(member_id, 0, None)[0]

    def page_of(self, member_id: str, offset: int, limit: int | None) -> tuple[list[Cart], int]:
        with self._lock:
            cart_ids = self._by_account.get(member_id, {})
            if offset >= len(cart_ids):
                return [], len(cart_ids)
            newest_first = itertools.islice(reversed(cart_ids), offset, None if limit is None else offset + limit)
            return [self._carts[cart_id] for cart_id in newest_first], len(cart_ids)

    def list_version(self, member_id: str) -> int:
        with self._lock:
            return self._list_versions.get(member_id, self._cleared_at)

    def associations(self) -> dict[str, str]:
        with self._lock:
            return {cart.id: cart.member_id for cart in self._carts.values() if cart.member_id is not None}

    def clear(self) -> None:
        with self._lock:
            self._carts.clear()
            self._by_account.clear()
            self._list_versions.clear()
            self._cleared_at = next(self._changes)

    def expire(self) -> set[str]:
        with self._lock:
            now = self._clock()
            expired = [cart for cart in self._carts.values() if now >= cart.expires_at]
            for cart in expired:
                self._purge(cart)
            return {cart.id for cart in expired}

    def _purge(self, cart: Cart) -> None:
        """The cart is gone, and with it its association (called under the lock)."""
        del self._carts[cart.id]
        if cart.member_id is not None:
            self._by_account[cart.member_id].pop(cart.id, None)
            self._list_versions[cart.member_id] = next(self._changes)


class ContactEmails:
    """Cart ID -> the contact email attached to it (the configured cart, any a test marks, and any an update
    attached one to), with a version that moves on every change: a cached page of a list is checked against it."""

    def __init__(self) -> None:
        self.carts: dict[str, str] = {}
        self.version = 0

    def reset(self, carts: dict[str, str]) -> None:
        self.carts = dict(carts)
        self.version += 1

    def attach(self, cart_id: str, email: str) -> None:
        self.carts[cart_id] = email
        self.version += 1

    def purge(self, cart_ids: set[str]) -> None:
        """The purged carts' emails go with them."""
        if cart_ids & self.carts.keys():
            for cart_id in cart_ids:
                self.carts.pop(cart_id, None)
            self.version += 1
