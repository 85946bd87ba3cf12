"""One test per rule of the two reads (GET /v2/carts/{cartID}, GET /v2/carts), through real HTTP: the
association's effect as a storefront sees it (S1, S3). "assumption" marks our decisions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.mock.test_rules_http import (
    ACCOUNT,
    ACCOUNT_TOKEN,
    CONTACT_EMAIL_CART,
    OTHER_ACCOUNT,
    OTHER_ACCOUNT_TOKEN,
    assert_rule,
    body,
    call,
)


def read_cart(http: httpx.Client, cart_id: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return http.get(f"/v2/carts/{cart_id}", headers=headers)


def list_carts(
    http: httpx.Client,
    token: str | None,
    account_token: str | None = None,
    *,
    customer_token: str | None = None,
    params: Any = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    if account_token is not None:
        headers["EP-Account-Management-Authentication-Token"] = account_token
    if customer_token is not None:
        headers["x-moltin-customer-token"] = customer_token
    return http.get("/v2/carts", headers=headers, params=params)


def accounts_of(document: dict[str, Any]) -> list[str]:
    return [entry["id"] for entry in document["data"]["relationships"]["accounts"]["data"]]


def listed(response: httpx.Response) -> list[str]:
    return [cart["id"] for cart in assert_rule(response, "carts-listed")["data"]]


# --- 401 on both reads ----------------------------------------------------------------------------------


def test_reading_a_cart_without_a_bearer_token_returns_401(http: httpx.Client, new_cart_id: Callable[[], str]) -> None:
    assert_rule(read_cart(http, new_cart_id(), None), "bearer-token-missing")
    assert_rule(read_cart(http, new_cart_id(), "not-a-token-we-issued"), "bearer-token-invalid")


def test_listing_carts_without_a_bearer_token_returns_401(http: httpx.Client) -> None:
    assert_rule(list_carts(http, None, ACCOUNT_TOKEN), "bearer-token-missing")
    assert_rule(list_carts(http, "not-a-token-we-issued", ACCOUNT_TOKEN), "bearer-token-invalid")


# --- GET /v2/carts/{cartID} ----------------------------------------------------------------------------


@pytest.mark.parametrize("raw_cart_id", ["cart%2F1", "cart%0A", "cart%20x", "a.b", "x" * 256, ""])
def test_reading_an_unsafe_cart_id_returns_400(http: httpx.Client, admin_token: str, raw_cart_id: str) -> None:
    assert_rule(read_cart(http, raw_cart_id, admin_token), "cart-id-unsafe")


def test_reading_a_new_cart_id_creates_an_empty_cart_named_cart(
    http: httpx.Client, new_cart_id: Callable[[], str], shopper_token: str
) -> None:
    """S3: "If a cart ID does not exist, a new cart will be automatically created"; "The default cart name is Cart"."""
    cart_id = new_cart_id()
    first = assert_rule(read_cart(http, cart_id, shopper_token), "cart-created-by-read")["data"]
    assert (first["id"], first["type"], first["name"], accounts_of({"data": first})) == (cart_id, "cart", "Cart", [])
    assert first["links"]["self"] == f"{str(http.base_url).rstrip('/')}/v2/carts/{cart_id}"
    second = assert_rule(read_cart(http, cart_id, shopper_token), "cart-read")["data"]
    assert second == first  # the same cart, not a new one


def test_the_cart_names_its_account_after_200_and_not_after_delete(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str, shopper_token: str
) -> None:
    """S1: after the association exists, the account can access the cart; S3: relationships.accounts."""
    cart_id = new_cart_id()
    before = assert_rule(read_cart(http, cart_id, shopper_token), "cart-created-by-read")["data"]
    assert_rule(call(http, cart_id, admin_token, json=body()), "association-created")
    associated = assert_rule(read_cart(http, cart_id, shopper_token), "cart-read")["data"]
    assert accounts_of({"data": associated}) == [ACCOUNT]
    assert associated["relationships"]["accounts"]["data"][0]["type"] == "account"
    assert associated["meta"]["timestamps"]["updated_at"] > before["meta"]["timestamps"]["updated_at"]
    assert associated["meta"]["timestamps"]["created_at"] == before["meta"]["timestamps"]["created_at"]
    assert_rule(call(http, cart_id, admin_token, method="DELETE", json=body()), "association-deleted")
    deleted = assert_rule(read_cart(http, cart_id, shopper_token), "cart-read")["data"]
    assert accounts_of({"data": deleted}) == []
    assert deleted["meta"]["timestamps"]["updated_at"] > associated["meta"]["timestamps"]["updated_at"]


def test_the_contact_email_cart_shows_its_email(http: httpx.Client, admin_token: str) -> None:
    cart = assert_rule(read_cart(http, CONTACT_EMAIL_CART, admin_token), "cart-read")["data"]
    assert cart["contact"]["email"] == "guest@example.com"
    assert accounts_of({"data": cart}) == []


# --- GET /v2/carts ---------------------------------------------------------------------------------------


def test_the_accounts_list_holds_its_carts_newest_first(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str, shopper_token: str
) -> None:
    mine = [new_cart_id() for _ in range(3)]
    theirs = new_cart_id()
    for cart_id in mine:
        assert_rule(call(http, cart_id, admin_token, json=body()), "association-created")
    assert_rule(call(http, theirs, admin_token, json=body(OTHER_ACCOUNT)), "association-created")
    carts = listed(list_carts(http, shopper_token, ACCOUNT_TOKEN, params={"page[limit]": 100}))
    assert [cart for cart in carts if cart in mine] == mine[::-1]  # S3: newest updated_at first
    assert theirs not in carts
    assert theirs in listed(list_carts(http, shopper_token, OTHER_ACCOUNT_TOKEN, params={"page[limit]": 100}))
    assert not set(mine) & set(
        listed(list_carts(http, shopper_token, OTHER_ACCOUNT_TOKEN, params={"page[limit]": 100}))
    )


def test_a_deleted_association_leaves_the_list(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str, shopper_token: str
) -> None:
    cart_id = new_cart_id()
    assert_rule(call(http, cart_id, admin_token, json=body()), "association-created")
    assert cart_id in listed(list_carts(http, shopper_token, ACCOUNT_TOKEN))
    assert_rule(call(http, cart_id, admin_token, method="DELETE", json=body()), "association-deleted")
    assert cart_id not in listed(list_carts(http, shopper_token, ACCOUNT_TOKEN, params={"page[limit]": 100}))


def test_the_list_is_paginated_with_links_and_totals(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str, shopper_token: str
) -> None:
    existing = assert_rule(list_carts(http, shopper_token, ACCOUNT_TOKEN), "carts-listed")["meta"]["results"]["total"]
    for _ in range(5):
        assert_rule(call(http, new_cart_id(), admin_token, json=body()), "association-created")
    total = existing + 5
    page = assert_rule(
        list_carts(http, shopper_token, ACCOUNT_TOKEN, params={"page[limit]": 2, "page[offset]": 2}), "carts-listed"
    )
    assert len(page["data"]) == 2
    assert page["meta"] == {
        "page": {"current": 2, "limit": 2, "offset": 2, "total": -(-total // 2)},
        "results": {"total": total},
    }
    links = page["links"]
    assert links["current"].endswith("/v2/carts?page[limit]=2&page[offset]=2")
    assert links["first"].endswith("page[offset]=0")
    assert links["prev"].endswith("page[offset]=0")
    assert links["next"].endswith("page[offset]=4")
    assert links["last"].endswith(f"page[offset]={(-(-total // 2) - 1) * 2}")
    whole = listed(list_carts(http, shopper_token, ACCOUNT_TOKEN, params={"page[limit]": 100}))
    assert [cart["id"] for cart in page["data"]] == whole[2:4]
    last = assert_rule(
        list_carts(http, shopper_token, ACCOUNT_TOKEN, params={"page[limit]": 100, "page[offset]": total}),
        "carts-listed",
    )
    assert (last["data"], last["links"]["next"]) == ([], None)


def test_the_default_page_holds_25(http: httpx.Client, shopper_token: str) -> None:
    """Assumption page-limit-defaults-to-25."""
    page = assert_rule(list_carts(http, shopper_token, ACCOUNT_TOKEN), "carts-listed")
    assert page["meta"]["page"]["limit"] == 25


def test_both_shopper_tokens_return_400(http: httpx.Client, shopper_token: str) -> None:
    response = list_carts(http, shopper_token, ACCOUNT_TOKEN, customer_token="a-customer-token")
    assert_rule(response, "shopper-tokens-both")


@pytest.mark.parametrize(
    "params",
    [
        {"page[limit]": 101},
        {"page[limit]": 0},
        {"page[limit]": "ten"},
        {"page[limit]": "1.5"},
        {"page[offset]": -1},
        {"page[offset]": "9" * 5000},
        [("page[limit]", "1"), ("page[limit]", "2")],
    ],
)
def test_a_page_out_of_range_returns_400(http: httpx.Client, shopper_token: str, params: Any) -> None:
    assert_rule(list_carts(http, shopper_token, ACCOUNT_TOKEN, params=params), "page-invalid")


def test_a_shopper_without_a_shopper_token_returns_403(http: httpx.Client, shopper_token: str) -> None:
    """S3: "Requires an implicit token with only one of" the two tokens."""
    assert_rule(list_carts(http, shopper_token), "shopper-token-required")


def test_an_administrator_token_cannot_list_carts(http: httpx.Client, admin_token: str) -> None:
    """S3 requires an implicit token; with the account's token too, client_credentials is still refused."""
    assert_rule(list_carts(http, admin_token), "shopper-token-required")
    assert_rule(list_carts(http, admin_token, ACCOUNT_TOKEN), "shopper-token-required")


def test_an_unknown_account_token_returns_403(http: httpx.Client, shopper_token: str) -> None:
    assert_rule(list_carts(http, shopper_token, "forged-account-token"), "account-token-unknown")


def test_every_customer_token_returns_403_on_the_mock(http: httpx.Client, shopper_token: str) -> None:
    """The mock issues no customer tokens (assumption customer-token-unknown)."""
    assert_rule(list_carts(http, shopper_token, customer_token="a-customer-token"), "customer-token-unknown")
