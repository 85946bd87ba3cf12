"""The cart store on its own: carts made by naming them, one account per cart, newest first, atomic."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ep_cart_mock.store import AssociateOutcome, Cart, InMemoryCartStore

ACCOUNT = "0f9e7a52-3c7d-4b8e-9a51-6c2d1e4f8a01"
OTHER = "5b3c1d2e-8f4a-4c6b-b7d9-2e1f0a3c5d72"


def test_first_association_is_created_then_exists() -> None:
    store = InMemoryCartStore()
    assert store.associate("cart-1", ACCOUNT) is AssociateOutcome.CREATED
    assert store.associate("cart-1", ACCOUNT) is AssociateOutcome.ALREADY_ASSOCIATED
    assert store.member_of("cart-1") == ACCOUNT
    assert ids(store.carts_of(ACCOUNT)) == ["cart-1"]


def test_a_cart_holds_one_account() -> None:
    store = InMemoryCartStore()
    store.associate("cart-1", ACCOUNT)
    assert store.associate("cart-1", OTHER) is AssociateOutcome.ASSOCIATED_WITH_OTHER_ACCOUNT
    assert store.member_of("cart-1") == ACCOUNT
    assert store.carts_of(OTHER) == []


def test_an_account_holds_many_carts() -> None:
    store = InMemoryCartStore()
    for cart in ("cart-1", "cart-2", "cart-3"):
        assert store.associate(cart, ACCOUNT) is AssociateOutcome.CREATED
    assert ids(store.carts_of(ACCOUNT)) == ["cart-3", "cart-2", "cart-1"]  # newest first (S3)


def ids(carts: list[Cart]) -> list[str]:
    return [cart.id for cart in carts]


class FrozenClock:
    """A clock that does not move unless told: the store must still order its changes."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_reading_a_new_cart_id_creates_an_empty_cart_named_cart() -> None:
    store = InMemoryCartStore(clock=FrozenClock())
    cart, created = store.read("cart-1")
    assert created
    assert (cart.id, cart.name, cart.description, cart.member_id) == ("cart-1", "Cart", "", None)
    assert cart.created_at == cart.updated_at
    assert cart.expires_at == cart.updated_at + 7 * 24 * 3600  # S3: purged after seven days
    again, created_again = store.read("cart-1")
    assert (again, created_again) == (cart, False)


def test_association_changes_move_updated_at_even_on_a_frozen_clock() -> None:
    store = InMemoryCartStore(clock=FrozenClock())
    created, _ = store.read("cart-1")
    store.associate("cart-1", ACCOUNT)
    associated, _ = store.read("cart-1")
    assert associated.member_id == ACCOUNT
    assert associated.updated_at > created.updated_at
    assert associated.created_at == created.created_at
    store.associate("cart-1", ACCOUNT)  # 204: nothing changes
    assert store.read("cart-1")[0].updated_at == associated.updated_at
    store.dissociate("cart-1", ACCOUNT)
    dissociated, _ = store.read("cart-1")
    assert dissociated.member_id is None
    assert dissociated.updated_at > associated.updated_at


def test_the_list_follows_the_latest_change() -> None:
    store = InMemoryCartStore(clock=FrozenClock())
    for cart in ("cart-1", "cart-2"):
        store.associate(cart, ACCOUNT)
    store.dissociate("cart-1", ACCOUNT)
    store.associate("cart-1", ACCOUNT)
    assert ids(store.carts_of(ACCOUNT)) == ["cart-1", "cart-2"]
    assert store.associations() == {"cart-1": ACCOUNT, "cart-2": ACCOUNT}
    store.clear()
    assert (store.carts_of(ACCOUNT), store.associations()) == ([], {})


def test_dissociate_removes_only_the_named_association() -> None:
    store = InMemoryCartStore()
    store.associate("cart-1", ACCOUNT)
    assert store.dissociate("cart-1", OTHER) is False
    assert store.member_of("cart-1") == ACCOUNT
    assert store.dissociate("cart-1", ACCOUNT) is True
    assert store.member_of("cart-1") is None
    assert store.dissociate("cart-1", ACCOUNT) is False
    assert store.associate("cart-1", OTHER) is AssociateOutcome.CREATED


def test_concurrent_identical_associations_create_exactly_once() -> None:
    store = InMemoryCartStore()
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(lambda _: store.associate("cart-1", ACCOUNT), range(500)))
    assert outcomes.count(AssociateOutcome.CREATED) == 1
    assert outcomes.count(AssociateOutcome.ALREADY_ASSOCIATED) == 499


def test_concurrent_competing_accounts_leave_one_winner() -> None:
    store = InMemoryCartStore()
    accounts = [ACCOUNT, OTHER] * 200
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(lambda account: (account, store.associate("cart-1", account)), accounts))
    winners = {account for account, outcome in outcomes if outcome is AssociateOutcome.CREATED}
    assert len(winners) == 1
    (winner,) = winners
    assert store.member_of("cart-1") == winner
    for account, outcome in outcomes:
        if account != winner:
            assert outcome is AssociateOutcome.ASSOCIATED_WITH_OTHER_ACCOUNT


def test_a_page_past_the_end_is_empty_whatever_its_offset() -> None:
    store = InMemoryCartStore()
    store.associate("cart-1", ACCOUNT)
    assert store.page_of(ACCOUNT, 10**30, 25) == ([], 1)
    page, total = store.page_of(ACCOUNT, 0, 25)
    assert ([cart.id for cart in page], total) == (["cart-1"], 1)


def test_a_cart_is_purged_seven_days_after_its_last_change_with_its_association() -> None:
    """S3: carts are "purged automatically after seven days"; the mock counts them from the last change (an
    association renews a cart). Reading a purged cart's ID makes a new, empty cart."""
    from ep_cart_mock.clock import Clock
    from ep_cart_mock.store import CART_LIFETIME_SECONDS

    clock = Clock(lambda: 1_000_000.0)
    store = InMemoryCartStore(clock.now)
    store.associate("old", ACCOUNT)
    clock.advance(CART_LIFETIME_SECONDS / 2)
    store.associate("renewed", ACCOUNT)
    version = store.list_version(ACCOUNT)
    clock.advance(CART_LIFETIME_SECONDS / 2 + 1)
    assert store.expire() == {"old"}
    assert ids(store.carts_of(ACCOUNT)) == ["renewed"]
    assert store.list_version(ACCOUNT) != version  # a cached page of the list is stale
    cart, created = store.read("old")
    assert created
    assert cart.member_id is None
    clock.advance(CART_LIFETIME_SECONDS)
    cart, created = store.read("renewed")  # a read finds it past its life even before expire() runs
    assert created
    assert cart.member_id is None
