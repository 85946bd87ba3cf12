"""The association store on its own: one account per cart, atomic under concurrent callers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ep_cart_mock.store import AssociateOutcome, InMemoryAssociationStore

ACCOUNT = "0f9e7a52-3c7d-4b8e-9a51-6c2d1e4f8a01"
OTHER = "5b3c1d2e-8f4a-4c6b-b7d9-2e1f0a3c5d72"


def test_first_association_is_created_then_exists() -> None:
    store = InMemoryAssociationStore()
    assert store.associate("cart-1", ACCOUNT) is AssociateOutcome.CREATED
    assert store.associate("cart-1", ACCOUNT) is AssociateOutcome.ALREADY_ASSOCIATED
    assert store.account_of("cart-1") == ACCOUNT
    assert store.carts_of(ACCOUNT) == {"cart-1"}


def test_a_cart_holds_one_account() -> None:
    store = InMemoryAssociationStore()
    store.associate("cart-1", ACCOUNT)
    assert store.associate("cart-1", OTHER) is AssociateOutcome.ASSOCIATED_WITH_OTHER_ACCOUNT
    assert store.account_of("cart-1") == ACCOUNT
    assert store.carts_of(OTHER) == set()


def test_an_account_holds_many_carts() -> None:
    store = InMemoryAssociationStore()
    for cart in ("cart-1", "cart-2", "cart-3"):
        assert store.associate(cart, ACCOUNT) is AssociateOutcome.CREATED
    assert store.carts_of(ACCOUNT) == {"cart-1", "cart-2", "cart-3"}


def test_dissociate_removes_only_the_named_association() -> None:
    store = InMemoryAssociationStore()
    store.associate("cart-1", ACCOUNT)
    assert store.dissociate("cart-1", OTHER) is False
    assert store.account_of("cart-1") == ACCOUNT
    assert store.dissociate("cart-1", ACCOUNT) is True
    assert store.account_of("cart-1") is None
    assert store.dissociate("cart-1", ACCOUNT) is False
    assert store.associate("cart-1", OTHER) is AssociateOutcome.CREATED


def test_concurrent_identical_associations_create_exactly_once() -> None:
    store = InMemoryAssociationStore()
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(lambda _: store.associate("cart-1", ACCOUNT), range(500)))
    assert outcomes.count(AssociateOutcome.CREATED) == 1
    assert outcomes.count(AssociateOutcome.ALREADY_ASSOCIATED) == 499


def test_concurrent_competing_accounts_leave_one_winner() -> None:
    store = InMemoryAssociationStore()
    accounts = [ACCOUNT, OTHER] * 200
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(lambda account: (account, store.associate("cart-1", account)), accounts))
    winners = {account for account, outcome in outcomes if outcome is AssociateOutcome.CREATED}
    assert len(winners) == 1
    (winner,) = winners
    assert store.account_of("cart-1") == winner
    for account, outcome in outcomes:
        if account != winner:
            assert outcome is AssociateOutcome.ASSOCIATED_WITH_OTHER_ACCOUNT
