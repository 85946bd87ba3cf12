"""The reads' caches never show an old answer: a page of the account's list is made once per version of the
list (and of the contact-email carts), a cart's JSON once per version of the cart. Each test reads first (so
the cache is filled), changes what the answer depends on, and reads again."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from ep_cart_mock.app import create_app
from ep_cart_mock.config import Settings
from ep_cart_mock.store import AssociateOutcome, InMemoryCartStore
from ep_cart_mock.tokens import GrantType, TokenIssuer
from ep_cart_spec import ACCOUNT_TOKEN_HEADER, DEFAULTS
from tests.mock.asgi_client import Client

ACCOUNT = DEFAULTS["EP_ACCOUNT_ID"]
OTHER_ACCOUNT = DEFAULTS["EP_OTHER_ACCOUNT_ID"]


class Storefront:
    def __init__(self) -> None:
        tokens = TokenIssuer(3600)
        self.client = Client(create_app(replace(Settings.from_env({}), test_controls=True), tokens=tokens))
        self.admin = {"Authorization": f"Bearer {tokens.issue(GrantType.CLIENT_CREDENTIALS).access_token}"}
        self.shopper = {
            "Authorization": f"Bearer {tokens.issue(GrantType.IMPLICIT).access_token}",
            ACCOUNT_TOKEN_HEADER: DEFAULTS["EP_ACCOUNT_TOKEN"],
        }

    def associate(self, cart_id: str, method: str = "POST") -> int:
        body = {"data": [{"id": ACCOUNT, "type": "account"}]}
        url = f"/v2/carts/{cart_id}/relationships/accounts"
        return self.client.request(method, url, json=body, headers=self.admin).status_code

    def listed(self, host: str = "mock.test", **params: Any) -> dict[str, Any]:
        answer = self.client.request("GET", "/v2/carts", headers={**self.shopper, "Host": host}, params=params)
        assert answer.status_code == 200, answer.text
        document: dict[str, Any] = answer.json()
        return document

    def ids(self, **params: Any) -> list[str]:
        return [cart["id"] for cart in self.listed(**params)["data"]]


@pytest.fixture
def shop() -> Iterator[Storefront]:
    storefront = Storefront()
    yield storefront
    storefront.client.close()


def test_an_association_and_its_removal_show_in_a_list_read_before(shop: Storefront) -> None:
    assert shop.associate("cache-1") == 200
    assert shop.ids() == ["cache-1"]
    assert shop.associate("cache-2") == 200
    assert shop.ids() == ["cache-2", "cache-1"]
    assert shop.associate("cache-2", "DELETE") == 204
    assert shop.ids() == ["cache-1"]
    assert shop.associate("cache-2") == 200  # back, and newest again
    assert shop.ids() == ["cache-2", "cache-1"]


def test_each_page_and_each_host_is_its_own_answer(shop: Storefront) -> None:
    for index in range(3):
        shop.associate(f"page-{index}")
    assert shop.ids(**{"page[limit]": 2}) == ["page-2", "page-1"]
    assert shop.ids(**{"page[limit]": 2, "page[offset]": 2}) == ["page-0"]
    first = shop.listed("one.example")["links"]["current"]
    second = shop.listed("two.example")["links"]["current"]
    assert first.startswith("http://one.example/")
    assert second.startswith("http://two.example/")


def test_a_cart_marked_after_a_read_shows_its_contact_email_in_the_list(shop: Storefront) -> None:
    shop.associate("marked-later")
    assert "contact" not in shop.listed()["data"][0]
    assert shop.client.post("/_mock/contact-email-carts", json={"cart_id": "marked-later"}).status_code == 204
    assert shop.listed()["data"][0]["contact"] == {"email": "guest@example.com"}
    assert shop.client.post("/_mock/reset").status_code == 204
    assert shop.ids() == []


def test_a_cart_read_shows_its_association_as_it_is_now(shop: Storefront) -> None:
    def accounts() -> list[str]:
        answer = shop.client.request("GET", "/v2/carts/read-twice", headers=shop.admin).json()
        return [entry["id"] for entry in answer["data"]["relationships"]["accounts"]["data"]]

    assert accounts() == []
    shop.associate("read-twice")
    assert accounts() == [ACCOUNT]
    shop.associate("read-twice", "DELETE")
    assert accounts() == []


def test_the_list_version_changes_with_every_change_to_the_list_and_never_comes_back() -> None:
    store = InMemoryCartStore()
    seen = [store.list_version(ACCOUNT)]
    assert store.associate("v-1", ACCOUNT) is AssociateOutcome.CREATED
    seen.append(store.list_version(ACCOUNT))
    assert store.associate("v-1", ACCOUNT) is AssociateOutcome.ALREADY_ASSOCIATED
    assert store.list_version(ACCOUNT) == seen[-1]  # nothing changed
    assert store.associate("v-1", OTHER_ACCOUNT) is AssociateOutcome.ASSOCIATED_WITH_OTHER_ACCOUNT
    assert store.list_version(ACCOUNT) == seen[-1]
    assert store.list_version(OTHER_ACCOUNT) == seen[0]
    assert store.dissociate("v-1", ACCOUNT)
    seen.append(store.list_version(ACCOUNT))
    store.clear()
    seen.append(store.list_version(ACCOUNT))
    seen.append(store.list_version(OTHER_ACCOUNT))
    assert len(set(seen[:-1])) == len(seen) - 1, seen  # every change a new number, the clear one too
    assert seen[-1] == seen[-2]  # after a clear, every account is at the clear's number
