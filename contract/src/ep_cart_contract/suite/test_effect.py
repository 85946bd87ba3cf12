"""Layer 2, the association's effect: after `200` the account finds the cart; after `DELETE` it does not.

S1 promises it ("After cart associations exist for an account, the account can access those carts across
any device"), S3 shows where: the cart's `relationships.accounts` (GET /v2/carts/{cartID}) and the account's
list (GET /v2/carts, an implicit token with the account's token). Every check of the effect is the vendor's
contract. Each scenario reads through the generated client, as a storefront would, on carts of this run only.
"""

from __future__ import annotations

import uuid

from ep_cart_associations_client.models import CartCollection

from ep_cart_contract.expectations import (
    Expectations,
    cart_accounts,
    made_cart,
)
from ep_cart_contract.scenario_client import ScenarioClient
from ep_cart_contract.suite.test_scenarios import (
    ASSOCIATION,
    OLDER_401,
    S1,
    S5,
    account_token,
    other_account_token,
    status_shown,
)
from ep_cart_contract.verdicts import assumed, vendor

EFFECT = vendor("S1, S3")
"""The promise and where it shows: a vendor claim on any server."""
S3 = vendor("S3")
MAX_PAGES = 10
"""How far the suite looks through an account's list (100 carts a page); newest first, its carts lead."""


def listed_cart_ids(expect: Expectations, api: ScenarioClient, shopper: str, token: str) -> list[str]:
    """Every cart ID of the account's list, page after page (at most MAX_PAGES of 100)."""
    found: list[str] = []
    for page in range(MAX_PAGES):
        collection: CartCollection = expect.carts(
            api.list_carts(token=shopper, account_token=token, offset=page * 100), S3
        )
        found += [cart.id for cart in collection.data]
        if len(collection.data) < 100:
            break
    return found


def associated_cart(expect: Expectations, api: ScenarioClient, admin: str, account: str, purpose: str) -> str:
    cart = made_cart(api, admin, purpose)
    expect.status(api.associate(cart, [account], token=admin), 200, S1)
    return cart


# --- The cart (GET /v2/carts/{cartID}) -------------------------------------------------------------------


def test_reading_a_new_cart_id_returns_an_empty_cart_named_cart(
    expect: Expectations, api: ScenarioClient, shopper: str
) -> None:
    """S3: "If a cart ID does not exist, a new cart will be automatically created"; "The default cart name is Cart"."""
    cart_id = api.new_cart_id("read-new")
    cart = expect.cart(api.read_cart(cart_id, token=shopper), S3)
    expect.check(
        cart.id == cart_id and cart.type_ == "cart", "the cart has its ID and type cart", S3, api.last_answer(), cart_id
    )
    expect.check(cart.name == "Cart", "a new cart is named Cart", S3, api.last_answer(), "name 'Cart'")
    expect.check(cart_accounts(cart) == [], "a new cart names no account", EFFECT, api.last_answer(), "no account")


def test_after_200_the_cart_names_the_account(
    expect: Expectations, api: ScenarioClient, admin: str, shopper: str, account: str
) -> None:
    cart_id = associated_cart(expect, api, admin, account, "effect-cart")
    cart = expect.cart(api.read_cart(cart_id, token=shopper), S3)
    expect.check(
        cart_accounts(cart) == [account],
        "after 200 the cart names the account in relationships.accounts",
        EFFECT,
        api.last_answer(),
        f"relationships.{ASSOCIATION.name}.data == [{ASSOCIATION.identifier(account)}]",
    )


def test_after_delete_the_cart_no_longer_names_the_account(
    expect: Expectations, api: ScenarioClient, admin: str, shopper: str, account: str
) -> None:
    cart_id = associated_cart(expect, api, admin, account, "effect-cart-gone")
    expect.status(api.associate(cart_id, [account], token=admin, delete=True), 204, S3)
    cart = expect.cart(api.read_cart(cart_id, token=shopper), S3)
    expect.check(
        account not in cart_accounts(cart),
        "after DELETE the cart no longer names the account",
        EFFECT,
        api.last_answer(),
        "no such account in relationships.accounts",
    )


def test_reading_a_cart_without_a_bearer_token_returns_401(expect: Expectations, api: ScenarioClient) -> None:
    expect.error(api.read_cart(api.new_cart_id("read-anonymous"), token=None), 401, OLDER_401)


def test_reading_an_unsafe_cart_id_returns_400(expect: Expectations, api: ScenarioClient, shopper: str) -> None:
    expect.error(api.read_cart(f"{expect.run.settings.run_prefix}.unsafe", token=shopper), 400, S5)


# --- The account's list (GET /v2/carts) ------------------------------------------------------------------


def test_after_200_the_accounts_list_holds_the_cart(
    expect: Expectations, api: ScenarioClient, admin: str, shopper: str, account: str
) -> None:
    cart_id = associated_cart(expect, api, admin, account, "effect-list")
    expect.check(
        cart_id in listed_cart_ids(expect, api, shopper, account_token(api.run)),
        "after 200 the account's list holds the cart",
        EFFECT,
        api.last_answer(),
        f"{cart_id} in the list",
    )


def test_after_delete_the_accounts_list_no_longer_holds_the_cart(
    expect: Expectations, api: ScenarioClient, admin: str, shopper: str, account: str
) -> None:
    cart_id = associated_cart(expect, api, admin, account, "effect-list-gone")
    expect.status(api.associate(cart_id, [account], token=admin, delete=True), 204, S3)
    expect.check(
        cart_id not in listed_cart_ids(expect, api, shopper, account_token(api.run)),
        "after DELETE the account's list no longer holds the cart",
        EFFECT,
        api.last_answer(),
        f"{cart_id} not listed",
    )


def test_the_other_accounts_list_never_holds_the_cart(
    expect: Expectations, api: ScenarioClient, admin: str, shopper: str, account: str, other_account: str
) -> None:
    cart_id = associated_cart(expect, api, admin, account, "effect-not-theirs")
    expect.check(
        cart_id not in listed_cart_ids(expect, api, shopper, other_account_token(api.run)),
        "another account's list never holds the cart",
        EFFECT,
        api.last_answer(),
        f"{cart_id} not in their list",
    )


def test_the_list_is_newest_first(
    expect: Expectations, api: ScenarioClient, admin: str, shopper: str, account: str
) -> None:
    """S3: "sorted in descending order by the updated_date"."""
    older = associated_cart(expect, api, admin, account, "older")
    newer = associated_cart(expect, api, admin, account, "newer")
    listed = listed_cart_ids(expect, api, shopper, account_token(api.run))
    holds = older in listed and newer in listed and listed.index(newer) < listed.index(older)
    expect.check(holds, "the cart associated last comes first", S3, api.last_answer(), f"{newer} before {older}")


def test_a_shopper_without_an_account_token_is_refused(expect: Expectations, api: ScenarioClient, shopper: str) -> None:
    """S3: "Requires an implicit token with only one of" the account's token or a customer token."""
    expect.needs("EP_ACCOUNT_TOKEN")
    mark = "shopper-token-refused-with-403"
    response = api.list_carts(token=shopper)
    shown = status_shown(response.status_code, "403", "400")
    expect.alternative(mark, response, shown, lambda: expect.refusal(response, (400, 403), S3, 403, assumed(mark)))


def test_both_shopper_tokens_are_refused(expect: Expectations, api: ScenarioClient, shopper: str) -> None:
    expect.needs("EP_ACCOUNT_TOKEN")
    mark = "both-shopper-tokens-refused-with-400"
    response = api.list_carts(
        token=shopper, account_token=account_token(api.run), customer_token=f"forged-{uuid.uuid4().hex}"
    )
    shown = status_shown(response.status_code, "400", "403")
    expect.alternative(mark, response, shown, lambda: expect.refusal(response, (400, 403), S3, 400, assumed(mark)))


def test_an_empty_customer_token_beside_the_accounts_token(
    expect: Expectations, api: ScenarioClient, shopper: str
) -> None:
    """An empty customer-token header: a token, refused beside the account's as both tokens are (S3: "only one
    of"), or read as none, and then the account's list answers."""
    expect.needs("EP_ACCOUNT_TOKEN")
    mark = "customer-token-empty-refused"
    response = api.list_carts(token=shopper, account_token=account_token(api.run), customer_token="")
    shown = "absent" if response.status_code == 200 else "refused" if response.status_code in (400, 403) else None
    both = "both-shopper-tokens-refused-with-400"
    profile = expect.run.store_profile
    status = int(profile.expected(both)) if profile is not None else 400  # which refusal is that mark's decision
    expect.alternative(
        mark, response, shown, lambda: expect.refusal(response, (400, 403), assumed(mark), status, assumed(both))
    )


def test_a_forged_customer_token_is_refused(expect: Expectations, api: ScenarioClient, shopper: str) -> None:
    """A token the store did not issue reads nobody's carts (an assumption that guards account access)."""
    response = api.list_carts(token=shopper, customer_token=f"forged-{uuid.uuid4().hex}")
    expect.error(response, 403, assumed("customer-token-unknown"))


def test_a_forged_account_token_is_refused(expect: Expectations, api: ScenarioClient, shopper: str) -> None:
    response = api.list_carts(token=shopper, account_token=f"forged-{uuid.uuid4().hex}")
    expect.error(response, 403, assumed("account-token-unknown"))


def test_a_page_over_100_is_refused(expect: Expectations, api: ScenarioClient, shopper: str, account: str) -> None:
    """A page[limit] over 100 (S3's largest): refused, or read as 100 (then the page says so)."""
    mark = "page-limit-above-100-refused"
    response = api.list_carts(token=shopper, account_token=account_token(api.run), limit=101)
    collection = response.parsed if isinstance(response.parsed, CartCollection) else None
    clamped = response.status_code == 200 and collection is not None and page_limit(collection) == 100
    shown = "refused" if response.status_code == 400 else "clamped" if clamped else None
    expect.alternative(
        mark, response, shown, lambda: expect.error(response, 400, assumed("page-out-of-range-refused-with-400"))
    )


def page_limit(collection: CartCollection) -> int | None:
    meta = collection.meta
    page = getattr(meta, "page", None) if meta else None
    limit = getattr(page, "limit", None) if page else None
    return limit if isinstance(limit, int) else None


def test_reading_a_cart_id_over_255_characters(expect: Expectations, api: ScenarioClient, shopper: str) -> None:
    """A safe cart ID of 256 characters (a read: it creates at most an empty cart of this run, as S3 says)."""
    mark = "cart-id-at-most-255-characters"
    cart = api.new_cart_id("long")
    cart += "x" * (256 - len(cart))
    response = api.read_cart(cart, token=shopper)
    shown = "enforced" if response.status_code == 400 else "not-enforced" if response.status_code == 200 else None
    expect.alternative(mark, response, shown, lambda: expect.error(response, 400, assumed(mark)))


def test_listing_carts_without_a_bearer_token_returns_401(
    expect: Expectations, api: ScenarioClient, account: str
) -> None:
    expect.error(api.list_carts(token=None, account_token=account_token(api.run)), 401, OLDER_401)
