"""Bearer tokens issued by POST /oauth/access_token, and their expiry (S6, S4: docs/sources.md)."""

from __future__ import annotations

import enum
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


class GrantType(enum.StrEnum):
    CLIENT_CREDENTIALS = "client_credentials"
    IMPLICIT = "implicit"


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    grant_type: GrantType
    expires_at: int

    def as_response(self, ttl_seconds: int) -> dict[str, object]:
        """The token endpoint's JSON answer, fields at the top level where the official SDK reads them."""
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": ttl_seconds,
            "expires": self.expires_at,
            "identifier": self.grant_type.value,
        }


class TokenLookup(enum.Enum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"


class TokenIssuer:
    """Issues opaque random tokens and remembers them; `clock` is injectable so tests can expire tokens."""

    def __init__(self, ttl_seconds: int, clock: Callable[[], float] = time.time) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._tokens: dict[str, IssuedToken] = {}
        self._issued = 0
        self._lock = threading.Lock()

    def issue(self, grant_type: GrantType) -> IssuedToken:
        token = IssuedToken(
            access_token=secrets.token_hex(20),
            grant_type=grant_type,
            expires_at=int(self._clock()) + self.ttl_seconds,
        )
        with self._lock:
            self._issued += 1
            if self._issued % 1024 == 0:
                self._drop_expired()
            self._tokens[token.access_token] = token
        return token

    def lookup(self, access_token: str) -> IssuedToken | TokenLookup:
        token = self._tokens.get(access_token)
        if token is None:
            return TokenLookup.UNKNOWN
        if self._clock() >= token.expires_at:
            return TokenLookup.EXPIRED
        return token

    def _drop_expired(self) -> None:
        # Keep expired tokens for one more lifetime, so a client presenting one is told "expired", not "unknown".
        horizon = self._clock() - self.ttl_seconds
        stale = [value for value, token in self._tokens.items() if token.expires_at < horizon]
        for value in stale:
            del self._tokens[value]


@dataclass(frozen=True)
class IssuedAccountToken:
    """An Account Management Authentication token a member's login issued for one account (S7)."""

    token: str
    account_id: str
    expires_at: float


class AccountTokenIssuer:
    """Account tokens from POST /v2/account-members/tokens: one per account of the member, each lasting
    `ttl_seconds` (S7: 24 hours). `clock` is injectable so tests can expire them."""

    def __init__(self, ttl_seconds: int, clock: Callable[[], float] = time.time) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._tokens: dict[str, IssuedAccountToken] = {}
        self._issued = 0
        self._lock = threading.Lock()

    def issue(self, account_id: str) -> IssuedAccountToken:
        issued = IssuedAccountToken(
            # Recognisable in a log, random like the vendor's JWTs, well inside AccountToken's length.
            token=f"ep-mock-amat-{secrets.token_urlsafe(32)}",
            account_id=account_id,
            expires_at=self._clock() + self.ttl_seconds,
        )
        with self._lock:
            self._issued += 1
            if self._issued % 1024 == 0:
                self._drop_expired()
            self._tokens[issued.token] = issued
        return issued

    def lookup(self, token: str) -> str | TokenLookup:
        """The account a token acts for, or why it does not."""
        issued = self._tokens.get(token)
        if issued is None:
            return TokenLookup.UNKNOWN
        if self._clock() >= issued.expires_at:
            return TokenLookup.EXPIRED
        return issued.account_id

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()

    def _drop_expired(self) -> None:
        # As for bearer tokens: an expired one is still recognised as expired for one more lifetime.
        horizon = self._clock() - self.ttl_seconds
        for value in [value for value, issued in self._tokens.items() if issued.expires_at < horizon]:
            del self._tokens[value]
