"""The requests the rules answer, as the HTTP layer read them: only the parts the rules look at, as they arrived."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AssociationRequest:
    """A POST or DELETE of the association of a cart."""

    method: str
    cart_id: str
    authorization: str | None = None
    account_token: str | None = None
    content_type: str | None = None
    body: bytes = b""
    body_too_large: bool = False
    """Set by the HTTP layer when it stopped reading a body past MAX_BODY_BYTES."""


@dataclass(frozen=True)
class CartsRequest:
    """A read of the cart (`getACart`, with `cart_id`) or of the account's carts (`getCarts`)."""

    base_url: str
    """Where the server was reached, for the answer's links (`https://host`, no trailing slash)."""
    authorization: str | None = None
    cart_id: str = ""
    account_token: str | None = None
    customer_token: str | None = None
    page_limit: tuple[str, ...] = ()
    page_offset: tuple[str, ...] = ()
    """Every value of the query parameter, as sent (a repeated one is refused)."""


@dataclass(frozen=True)
class UpdateRequest:
    """An update of a cart (`updateACart`)."""

    base_url: str
    cart_id: str
    authorization: str | None = None
    content_type: str | None = None
    body: bytes = b""
    body_too_large: bool = False


@dataclass(frozen=True)
class TokenRequest:
    """A bearer token asked for (`createAccessToken`): a form."""

    content_type: str | None
    body: bytes
    body_too_large: bool = False


@dataclass(frozen=True)
class LoginRequest:
    """An account member's login (POST /v2/account-members/tokens)."""

    base_url: str
    authorization: str | None
    content_type: str | None
    body: bytes
    body_too_large: bool = False
