"""The account tokens a run acts with, and when each must be renewed.

An account token lasts 24 hours (S7), so a nightly run cannot lean on one stored the day before. Given an account
member's credentials, the run logs in (`POST /v2/account-members/tokens`, tokens.py sends it) and takes each
account's token by its `account_id`; before a token comes near its end it logs in again. Without credentials, the
static EP_ACCOUNT_TOKEN and EP_OTHER_ACCOUNT_TOKEN are used as they are. This module keeps the state and the
arithmetic only: no request leaves from here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

TOKEN_VARIABLES = ("EP_ACCOUNT_TOKEN", "EP_OTHER_ACCOUNT_TOKEN")


@dataclass(frozen=True)
class Member:
    """Whose login gives a token variable's account its token: the variables it comes from."""

    username_variable: str
    password_variable: str
    account_variable: str
    """The account whose token the login must hold (EP_ACCOUNT_ID or EP_OTHER_ACCOUNT_ID)."""


def member_for(variable: str, values: Mapping[str, str]) -> Member | None:
    """The member whose login stands for `variable` (EP_ACCOUNT_TOKEN or EP_OTHER_ACCOUNT_TOKEN), or None where
    its credentials are not all set (then the static token is used). The second account's token comes from
    EP_OTHER_ACCOUNT_MEMBER_* when they are set, else from the same member (memberships are many to many, S7)."""
    account = "EP_ACCOUNT_ID" if variable == "EP_ACCOUNT_TOKEN" else "EP_OTHER_ACCOUNT_ID"
    other = variable == "EP_OTHER_ACCOUNT_TOKEN" and values.get("EP_OTHER_ACCOUNT_MEMBER_USERNAME")
    prefix = "EP_OTHER_ACCOUNT_MEMBER" if other else "EP_ACCOUNT_MEMBER"
    member = Member(f"{prefix}_USERNAME", f"{prefix}_PASSWORD", account)
    needed = (member.username_variable, member.password_variable, "EP_PASSWORD_PROFILE_ID")
    return member if all(values.get(name) for name in needed) else None


def credentials_hint(variable: str) -> str:
    """How to give `variable`'s account a token the run renews by itself: one member of both accounts serves
    both (member_for), another member only where the second account is not the first member's."""
    hint = "EP_ACCOUNT_MEMBER_USERNAME, EP_ACCOUNT_MEMBER_PASSWORD and EP_PASSWORD_PROFILE_ID"
    if variable == "EP_OTHER_ACCOUNT_TOKEN":
        hint += " (EP_OTHER_ACCOUNT_MEMBER_* when the second account is another member's)"
    return hint


def expiry(value: Any, now: float) -> float:
    """When a token expires, as Unix time, from the login's `expires`: S7 types it as a date-time, its storefront
    reads epoch seconds (`account-token-expires-either-form`), so both are read; anything else counts as the 24
    hours S7 documents."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    return now + 24 * 3600


def renew_at(logged_in_at: float, expires_at: float) -> float:
    """When to log in again: a third of the token's life before its end, at most five minutes before it (24-hour
    tokens are renewed 5 minutes early, 15-second ones 5 seconds early), and never sooner than a second after the
    login (a store whose clock is behind must not make every request a login)."""
    life = expires_at - logged_in_at
    return max(logged_in_at + 1.0, expires_at - min(300.0, life / 3))


@dataclass
class Login:
    tokens: dict[str, str]
    """Account ID (lower case) -> its token."""
    renew_at: dict[str, float]
    """Account ID -> when to log in again for it."""


@dataclass
class MemberLogins:
    """The run's logins, one per member, renewed as their tokens near their end."""

    clock: Callable[[], float] = time.time
    logins: dict[str, Login] = field(default_factory=dict)
    """Username variable -> its latest login."""
    count: int = 0
    """How many logins the run made (the report shows it)."""
    login_lock: threading.Lock = field(default_factory=threading.Lock)
    """Held while a login is under way, so threads that need a token at once log in once."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fresh(self, member: Member, account_id: str) -> str | None:
        """The account's token from the member's latest login, unless it is due for renewal."""
        with self._lock:
            login = self.logins.get(member.username_variable)
            key = account_id.lower()
            if login is None or key not in login.tokens or self.clock() >= login.renew_at[key]:
                return None
            return login.tokens[key]

    def keep(self, member: Member, entries: list[Mapping[str, Any]], logged_in_at: float) -> None:
        """A login's `data`: each account's token and when to renew it."""
        login = Login({}, {})
        for entry in entries:
            account, token = entry.get("account_id"), entry.get("token")
            if isinstance(account, str) and isinstance(token, str) and token:
                login.tokens[account.lower()] = token
                login.renew_at[account.lower()] = renew_at(logged_in_at, expiry(entry.get("expires"), logged_in_at))
        with self._lock:
            self.logins[member.username_variable] = login
            self.count += 1
