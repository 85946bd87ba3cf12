"""Where associations live: a small interface, and the in-memory store the mock uses by default."""

from __future__ import annotations

import enum
import threading
from typing import Protocol


class AssociateOutcome(enum.Enum):
    CREATED = "created"
    ALREADY_ASSOCIATED = "already_associated"
    ASSOCIATED_WITH_OTHER_ACCOUNT = "associated_with_other_account"


class AssociationStore(Protocol):
    """One account per cart. Each method is atomic: concurrent callers see one consistent order."""

    def associate(self, cart_id: str, account_id: str) -> AssociateOutcome: ...

    def dissociate(self, cart_id: str, account_id: str) -> bool:
        """Remove the association; True when it existed."""
        ...

    def account_of(self, cart_id: str) -> str | None: ...

    def carts_of(self, account_id: str) -> set[str]: ...

    def associations(self) -> dict[str, str]:
        """Every association, cart ID -> account ID (a copy)."""
        ...

    def clear(self) -> None:
        """Remove every association."""
        ...


class InMemoryAssociationStore:
    """A dict behind a lock: safe for threads, and for the event loop, which never awaits while holding it."""

    def __init__(self) -> None:
        self._account_by_cart: dict[str, str] = {}
        self._lock = threading.Lock()

    def associate(self, cart_id: str, account_id: str) -> AssociateOutcome:
        with self._lock:
            current = self._account_by_cart.get(cart_id)
            if current is None:
                self._account_by_cart[cart_id] = account_id
                return AssociateOutcome.CREATED
        if current == account_id:
            return AssociateOutcome.ALREADY_ASSOCIATED
        return AssociateOutcome.ASSOCIATED_WITH_OTHER_ACCOUNT

    def dissociate(self, cart_id: str, account_id: str) -> bool:
        with self._lock:
            if self._account_by_cart.get(cart_id) != account_id:
                return False
            del self._account_by_cart[cart_id]
            return True

    def account_of(self, cart_id: str) -> str | None:
        with self._lock:
            return self._account_by_cart.get(cart_id)

    def carts_of(self, account_id: str) -> set[str]:
        with self._lock:
            return {cart for cart, account in self._account_by_cart.items() if account == account_id}

    def associations(self) -> dict[str, str]:
        with self._lock:
            return dict(self._account_by_cart)

    def clear(self) -> None:
        with self._lock:
            self._account_by_cart.clear()
