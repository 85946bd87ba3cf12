"""The answers' JSON: a cart as openapi.yaml's `Cart` describes it (its members under the relationship's name),
one page's links and meta, timestamps, and compact encoding."""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime
from typing import Any

from ep_cart_mock.store import Cart
from ep_cart_spec import CARTS_PATH, association

ASSOCIATION = association()
"""The cart's relationship the mock keeps (its name and members' type, read from the spec)."""


def compact_json(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def cart_document(cart: Cart, base_url: str, contact_email: str | None) -> dict[str, Any]:
    """A cart as openapi.yaml's `Cart` describes it."""
    document: dict[str, Any] = {
        "id": cart.id,
        "type": "cart",
        "name": cart.name,
        "description": cart.description,
        "links": {"self": f"{base_url}{CARTS_PATH}/{cart.id}"},
        "meta": {
            "timestamps": {
                "created_at": timestamp(cart.created_at),
                "updated_at": timestamp(cart.updated_at),
                "expires_at": timestamp(cart.expires_at),
            }
        },
        "relationships": {ASSOCIATION.name: ASSOCIATION.body([cart.member_id] if cart.member_id else [])},
    }
    if contact_email is not None:
        document["contact"] = {"email": contact_email}
    return document


@functools.lru_cache(maxsize=65536)
def timestamp(unix_time: float) -> str:
    """RFC 3339 in UTC, to the microsecond, as `date-time` asks (cached: a cart's times change rarely, and
    formatting them was most of the cost of a list)."""
    return datetime.fromtimestamp(unix_time, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def page_links_and_meta(url: str, total: int, limit: int, offset: int) -> dict[str, Any]:
    """`links` and `meta` of one page of a list (openapi.yaml `PageLinks`, `PageMeta`)."""

    def link(at: int | None) -> str | None:
        return None if at is None else f"{url}?page[limit]={limit}&page[offset]={at}"

    pages = -(-total // limit)
    last = max(pages - 1, 0) * limit
    return {
        "links": {
            "current": link(offset),
            "first": link(0),
            "last": link(last),
            "next": link(offset + limit) if offset + limit < total else None,
            "prev": link(max(offset - limit, 0)) if offset > 0 else None,
        },
        "meta": {
            "page": {"current": offset // limit + 1, "limit": limit, "offset": offset, "total": pages},
            "results": {"total": total},
        },
    }
