"""Layer 2: one test per documented scenario, through the generated client, asserting the status, the typed
body and the state after. Every expectation names what it rests on: the vendor (S1..S7, listed with
their addresses in the repository's docs/sources.md) or one of our assumptions, by the id of its mark in openapi.yaml.

Against a live store, a scenario whose configuration is missing is skipped with the variable's name. What a
scenario associates is removed at the end of the run (ep_cart_contract.ledger).
"""

from __future__ import annotations

import json
import uuid

import pytest
from ep_cart_associations_client.models import AccessToken, AccountCartAssociationResponse, AccountMemberTokens

from ep_cart_contract import tokens
from ep_cart_contract.expectations import (
    NEW_CART,
    READ_FACT,
    Expectations,
    cart_accounts,
    cart_contact_email,
    contact_email_cart,
    contact_email_of,
    made_cart,
)
from ep_cart_contract.run import ContractRun
from ep_cart_contract.scenario_client import ScenarioClient
from ep_cart_contract.verdicts import assumed, vendor
from ep_cart_spec import association

# S2's messages, exactly as the vendor writes them (code spans, no trailing period).
ASSOCIATION = association()
TYPE_MESSAGE = "The type does not exist or is not listed as account"
MORE_THAN_ONE_MESSAGE = "Cannot associate more than one account"
PERMISSION_MESSAGE = "Account does not have the required permissions to fulfill this request"
INVALID_PAYLOAD_MESSAGE = "Invalid json payload"
CONTACT_EMAIL_MESSAGE = "Cannot associate accounts to carts with contact emails"  # S2, S3

S1, S2, S3, S5, S7 = (vendor(source) for source in ("S1", "S2", "S3", "S5", "S7"))
S1_S3 = vendor("S1, S3")
OLDER_401 = vendor("S3 (older) lists 401; S1 documents bearer security")


def account_token(run: ContractRun) -> str:
    """The account's token: from the member's login (renewed before it expires), or EP_ACCOUNT_TOKEN."""
    token = tokens.account_token(run, "EP_ACCOUNT_TOKEN")
    assert token is not None, "the scenario's `account` fixture skips without it"
    return token


def other_account_token(run: ContractRun) -> str:
    token = tokens.account_token(run, "EP_OTHER_ACCOUNT_TOKEN")
    assert token is not None, "the scenario's `other_account` fixture skips without it"
    return token


# --- Tokens (S6, S4) ------------------------------------------------------------------------------------


@pytest.mark.parametrize("grant_type", ["client_credentials", "implicit"])
def test_token_endpoint_issues_bearer_tokens(expect: Expectations, api: ScenarioClient, grant_type: str) -> None:
    secret = expect.run.settings.values["EP_CLIENT_SECRET"] if grant_type == "client_credentials" else None
    response = api.token_response(grant_type, client_secret=secret)
    token = expect.status(response, 200, vendor("S6, S4"))
    assert isinstance(token, AccessToken)  # the status held, so the generated client parsed the body
    # token_type, expires_in and the identifier's values are the schema's (judged with every answer); this one is not.
    expect.check(
        token.identifier == grant_type, "the token names the grant it was asked for", vendor("S6"), response, grant_type
    )


def test_token_with_a_wrong_client_secret_returns_401(expect: Expectations, api: ScenarioClient) -> None:
    response = api.token_response("client_credentials", client_secret="not-the-secret")
    expect.error(response, 401, assumed("token-credentials-refused-with-401"))


def status_shown(status: int, *alternatives: str) -> str | None:
    """For a mark whose alternatives are statuses: the one the answer's status is, if any."""
    return str(status) if str(status) in alternatives else None


def test_token_with_an_unsupported_grant_returns_400(expect: Expectations, api: ScenarioClient) -> None:
    mark = "token-request-refused-with-400"
    response = api.token_response("password")
    shown = status_shown(response.status_code, "400", "401")
    expect.alternative(mark, response, shown, lambda: expect.error(response, 400, assumed(mark)))


# --- An account member's login (S7): how an account token is born ----------------------------------------


def member_credentials(expect: Expectations) -> tuple[str, str, str]:
    """The first member's username, password and password profile (skipped, naming them, when unset)."""
    expect.needs("EP_ACCOUNT_MEMBER_USERNAME", "EP_ACCOUNT_MEMBER_PASSWORD", "EP_PASSWORD_PROFILE_ID")
    values = expect.run.settings.values
    return values["EP_ACCOUNT_MEMBER_USERNAME"], values["EP_ACCOUNT_MEMBER_PASSWORD"], values["EP_PASSWORD_PROFILE_ID"]


def test_member_login_returns_the_accounts_token_which_lists_its_carts(
    expect: Expectations, api: ScenarioClient, shopper: str, admin: str, account: str
) -> None:
    """The vendor's storefront flow (S7): log in with a password, the administrator associates the shopper's cart
    with the account the login names, and the login's token lists the cart."""
    username, password, profile = member_credentials(expect)
    response = api.login(token=shopper, username=username, password=password, password_profile_id=profile)
    parsed = expect.status(response, 201, S7)
    assert isinstance(parsed, AccountMemberTokens)
    tokens = {str(entry.account_id): entry.token for entry in parsed.data}
    expect.check(
        account in tokens, "the login answers a token for each of the member's accounts", S7, response, account
    )
    cart = made_cart(api, admin, "login")
    expect.status(api.associate(cart, [account], token=admin), 200, S2)
    listed = expect.carts(api.list_carts(token=shopper, account_token=tokens[account]), S3)
    expect.check(
        cart in [listed_cart.id for listed_cart in listed.data],
        "the login's token lists the account's carts",
        vendor("S1, S3, S7"),
        api.last_answer(),
        f"{cart} in the list",
    )


def test_member_login_with_unknown_credentials_returns_401(
    expect: Expectations, api: ScenarioClient, shopper: str
) -> None:
    """A username no member has (never the real member's with a wrong password: a store may lock it out)."""
    _, _, profile = member_credentials(expect)
    nobody = f"{expect.run.settings.run_prefix}-nobody@example.invalid"
    response = api.login(
        token=shopper, username=nobody, password=f"wrong-{uuid.uuid4().hex}", password_profile_id=profile
    )
    expect.error(response, 401, S7)


# --- 200, then 204 (S1) ---------------------------------------------------------------------------------


def test_first_association_returns_200_with_the_account(
    expect: Expectations, api: ScenarioClient, admin: str, account: str
) -> None:
    cart = made_cart(api, admin, "first")
    response = api.associate(cart, [account], token=admin)
    parsed = expect.status(response, 200, S1)
    assert isinstance(parsed, AccountCartAssociationResponse)  # the status held, so the body parsed
    echoed = [(str(item.id), item.type_) for item in parsed.data]
    expected = [(account, ASSOCIATION.member_type)]
    expect.check(echoed == expected, "the answer echoes the associated account", S1, response, account)


def test_second_association_returns_204(expect: Expectations, api: ScenarioClient, admin: str, account: str) -> None:
    cart = made_cart(api, admin, "repeat")
    expect.status(api.associate(cart, [account], token=admin), 200, S1)
    response = api.associate(cart, [account], token=admin)
    expect.status(response, 204, S1)
    expect.check(response.content == b"", "the 204 has no body", S1, response, "no body")


def test_shopper_with_the_accounts_token_associates(
    expect: Expectations, api: ScenarioClient, admin: str, shopper: str, account: str
) -> None:
    """S2: an implicit token plus the account's Account Management Authentication token."""
    cart = made_cart(api, admin, "shopper")
    expect.status(api.associate(cart, [account], token=shopper, account_token=account_token(api.run)), 200, S2)
    expect.status(api.associate(cart, [account], token=shopper, account_token=account_token(api.run)), 204, S1)


def test_administrator_associates_any_account(
    expect: Expectations, api: ScenarioClient, admin: str, account: str
) -> None:
    """S2: a client_credentials token "can call any account cart association operations for any account"."""
    cart = made_cart(api, admin, "admin")
    expect.status(api.associate(cart, [account], token=admin), 200, S2)


def test_a_post_to_a_cart_id_nobody_has_read(
    expect: Expectations, api: ScenarioClient, admin: str, account: str
) -> None:
    """The one scenario that asks the open question (every other reads its cart first): does a POST to a cart ID
    the store has never seen make the cart, or answer 404? A 404 is settled by asking again: read the cart (S3:
    that makes it), send the same request once more. A second 404, on a cart that now exists, breaks S3's read
    fact; a 200 shows only the store's choice for unknown carts."""
    cart = api.new_cart_id("unread")
    response = api.associate(cart, [account], token=admin)
    shown = "created" if response.status_code == 200 else "404" if response.status_code == 404 else None
    if response.status_code == 404:
        expect.cart(api.read_cart(cart, token=admin), S3)
        again = api.associate(cart, [account], token=admin)
        expect.check(
            again.status_code == 200, "once read, the cart takes the association", vendor(READ_FACT), again, "200"
        )
    expect.alternative(NEW_CART, response, shown, lambda: expect.status(response, 200, assumed(NEW_CART)))


# --- DELETE (S3; 204 on a missing association is an assumption) -------------------------------------------


def test_delete_then_associate_again_returns_200(
    expect: Expectations, api: ScenarioClient, admin: str, account: str
) -> None:
    cart = made_cart(api, admin, "delete")
    expect.status(api.associate(cart, [account], token=admin), 200, S1)
    expect.status(api.associate(cart, [account], token=admin, delete=True), 204, S3)
    expect.status(api.associate(cart, [account], token=admin), 200, S1_S3)


def test_delete_of_a_missing_association_returns_204(
    expect: Expectations, api: ScenarioClient, admin: str, account: str
) -> None:
    cart = made_cart(api, admin, "absent")
    # The cart exists (reading a cart ID creates it, S3); only the association is missing, so any other answer
    # to the DELETE is about the association, not the cart.
    expect.cart(api.read_cart(cart, token=admin), S3)
    mark = "delete-of-a-missing-association-answers-204"
    response = api.associate(cart, [account], token=admin, delete=True)
    shown = status_shown(response.status_code, "204", "404")
    expect.alternative(mark, response, shown, lambda: expect.status(response, 204, assumed(mark)))
    expect.status(api.associate(cart, [account], token=admin), 200, S1)


def test_shopper_deletes_own_association(
    expect: Expectations, api: ScenarioClient, admin: str, shopper: str, account: str
) -> None:
    cart = made_cart(api, admin, "shopper-delete")
    expect.status(api.associate(cart, [account], token=admin), 200, S1)
    response = api.associate(cart, [account], token=shopper, account_token=account_token(api.run), delete=True)
    expect.status(response, 204, vendor("S2, S3"))
    expect.status(api.associate(cart, [account], token=admin), 200, S1_S3)


# --- 401 ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("delete", [False, True], ids=["POST", "DELETE"])
def test_missing_bearer_token_returns_401(
    expect: Expectations, api: ScenarioClient, admin: str, account: str, delete: bool
) -> None:
    cart = made_cart(api, admin, "anonymous")
    expect.error(api.associate(cart, [account], token=None, delete=delete), 401, OLDER_401)
    expect.status(api.associate(cart, [account], token=admin), 200, S1)  # nothing was associated


@pytest.mark.parametrize("delete", [False, True], ids=["POST", "DELETE"])
def test_unknown_bearer_token_returns_401(
    expect: Expectations, api: ScenarioClient, admin: str, account: str, delete: bool
) -> None:
    response = api.associate(made_cart(api, admin, "bad-token"), [account], token="0" * 40, delete=delete)
    expect.error(response, 401, OLDER_401)


# --- 400 ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("delete", [False, True], ids=["POST", "DELETE"])
def test_unsafe_cart_id_returns_400(
    expect: Expectations, api: ScenarioClient, admin: str, account: str, delete: bool
) -> None:
    """S5: only letters, digits, "_" and "-" are safe in a cart ID."""
    response = api.associate(f"{expect.run.settings.run_prefix}/unsafe cart", [account], token=admin, delete=delete)
    expect.error(response, 400, S5)


@pytest.mark.parametrize("entry", [b'{"id": "%s", "type": "customer"}', b'{"id": "%s"}'], ids=["wrong", "missing"])
def test_type_missing_or_not_account_returns_400(
    expect: Expectations, api: ScenarioClient, admin: str, account: str, entry: bytes
) -> None:
    """S2: "The type does not exist or is not listed as account"."""
    content = b'{"data": [' + entry % account.encode() + b"]}"
    response = api.raw("POST", made_cart(api, admin, "type"), token=admin, content=content)
    expect.error(response, 400, S2, TYPE_MESSAGE)


def test_malformed_json_returns_400(expect: Expectations, api: ScenarioClient, admin: str) -> None:
    response = api.raw("POST", made_cart(api, admin, "malformed"), token=admin, content=b'{"data": [}')
    expect.error(response, 400, assumed("json-malformed"))


def test_missing_body_returns_400(expect: Expectations, api: ScenarioClient, admin: str) -> None:
    expect.error(
        api.raw("POST", made_cart(api, admin, "no-body"), token=admin, content=b""), 400, assumed("body-missing")
    )


@pytest.mark.parametrize("delete", [False, True], ids=["POST", "DELETE"])
def test_account_id_that_is_not_a_uuid_returns_400(
    expect: Expectations, api: ScenarioClient, admin: str, delete: bool
) -> None:
    mark = "account-id-is-a-uuid"
    content = json.dumps(ASSOCIATION.body(["not-an-account-id"])).encode()
    cart = made_cart(api, admin, "bad-id")
    response = api.raw("DELETE" if delete else "POST", cart, token=admin, content=content)
    # Refused: a UUID is required. Taken (an association made, or a missing one removed): any string will do.
    shown = "uuid" if response.status_code == 400 else "any-string" if response.status_code in (200, 204, 404) else None
    expect.alternative(mark, response, shown, lambda: expect.error(response, 400, assumed(mark)))
    if not delete and response.status_code == 200:
        # A store that took it names it where the cart names its accounts (S1, S3): the one mark decides that
        # place too, so the read is judged by the same alternative (every time, not when the stateful phase
        # happens to read such a cart).
        read = api.raw_read(cart, token=admin)
        try:
            named = [entry.get("id") for entry in read.json()["data"]["relationships"][ASSOCIATION.name]["data"]]
        except (ValueError, KeyError, TypeError, AttributeError):
            named = []
        expect.check(
            named == ["not-an-account-id"], "the cart names the account as it was sent", S1_S3, read, "that ID"
        )


# --- 403 (S2) -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_data_as_an_object_returns_403_invalid_json_payload(
    expect: Expectations, api: ScenarioClient, admin: str, account: str, method: str
) -> None:
    content = json.dumps({"data": ASSOCIATION.identifier(account)}).encode()
    response = api.raw(method, made_cart(api, admin, "object"), token=admin, content=content)
    expect.error(response, 403, S2, INVALID_PAYLOAD_MESSAGE)


def test_more_than_one_account_returns_403(
    expect: Expectations, api: ScenarioClient, admin: str, account: str, other_account: str
) -> None:
    cart = made_cart(api, admin, "two-in-one")
    expect.error(api.associate(cart, [account, other_account], token=admin), 403, S2, MORE_THAN_ONE_MESSAGE)
    expect.status(api.associate(cart, [account], token=admin), 200, S1)  # nothing was associated


def test_two_accounts_on_one_cart_returns_403(
    expect: Expectations, api: ScenarioClient, admin: str, account: str, other_account: str
) -> None:
    """Assumption: a cart holds one account; a second answers "Cannot associate more than one account"."""
    cart = made_cart(api, admin, "second-account")
    expect.status(api.associate(cart, [account], token=admin), 200, S1)
    second = api.associate(cart, [other_account], token=admin)
    expect.error(second, 403, assumed("cart-holds-one-account"), MORE_THAN_ONE_MESSAGE)
    expect.status(api.associate(cart, [account], token=admin), 204, S1)  # the first account keeps the cart


@pytest.mark.parametrize("delete", [False, True], ids=["POST", "DELETE"])
def test_shopper_without_an_account_token_returns_403(
    expect: Expectations, api: ScenarioClient, admin: str, shopper: str, account: str, delete: bool
) -> None:
    cart = made_cart(api, admin, "no-account-token")
    expect.error(api.associate(cart, [account], token=shopper, delete=delete), 403, S2, PERMISSION_MESSAGE)
    expect.status(api.associate(cart, [account], token=admin), 200, S1)


def test_shopper_with_another_accounts_token_returns_403(
    expect: Expectations, api: ScenarioClient, admin: str, shopper: str, account: str, other_account: str
) -> None:
    """A token for one account is not accepted for another (an assumption that guards account access)."""
    cart = made_cart(api, admin, "other-token")
    response = api.associate(cart, [account], token=shopper, account_token=other_account_token(api.run))
    expect.error(response, 403, assumed("account-token-other-account"), PERMISSION_MESSAGE)
    expect.status(api.associate(cart, [account], token=admin), 200, S1)


def test_shopper_cannot_delete_another_accounts_association(
    expect: Expectations, api: ScenarioClient, admin: str, shopper: str, account: str, other_account: str
) -> None:
    cart = made_cart(api, admin, "other-delete")
    expect.status(api.associate(cart, [account], token=admin), 200, S1)
    response = api.associate(cart, [account], token=shopper, account_token=other_account_token(api.run), delete=True)
    expect.error(response, 403, assumed("account-token-other-account"), PERMISSION_MESSAGE)
    expect.status(api.associate(cart, [account], token=admin), 204, S1)  # still there


def test_unknown_account_token_returns_403(
    expect: Expectations, api: ScenarioClient, admin: str, shopper: str, account: str
) -> None:
    """An account token the store did not issue grants nothing (an assumption that guards account access)."""
    forged = f"forged-{uuid.uuid4().hex}"
    response = api.associate(made_cart(api, admin, "forged"), [account], token=shopper, account_token=forged)
    expect.error(response, 403, assumed("account-token-unknown"))


# --- 422 (S2, S3) ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("delete", [False, True], ids=["POST", "DELETE"])
def test_cart_with_a_contact_email_returns_422(
    expect: Expectations, api: ScenarioClient, admin: str, account: str, delete: bool
) -> None:
    """On a cart of the run's own, given a contact email (or EP_CONTACT_EMAIL_CART_ID while it carries one)."""
    cart = contact_email_cart(api, admin)
    source = assumed("delete-on-a-contact-email-cart-answers-422") if delete else vendor("S2, S3")
    expect.error(api.associate(cart, [account], token=admin, delete=delete), 422, source, CONTACT_EMAIL_MESSAGE)


def test_contact_email_on_a_cart_with_an_account_is_refused(
    expect: Expectations, api: ScenarioClient, admin: str, account: str
) -> None:
    """S3, the rule's other way round: "requests to add contact email information to registered shopper carts
    (that is, carts with accounts or customers associated) (and vice versa) result in error messages". That it is
    refused, and changes nothing, is the vendor's; which status says so is the mark's."""
    cart = made_cart(api, admin, "vice-versa")
    expect.status(api.associate(cart, [account], token=admin), 200, S1)
    response = api.update_cart(cart, email=contact_email_of(expect.run.settings.run_prefix), token=admin)
    refused = 400 <= response.status_code < 500
    expect.check(refused, "a contact email for a cart that has an account is refused", S3, response, "an error (4xx)")
    mark = "contact-email-on-an-account-cart-answers-422"
    shown = status_shown(response.status_code, "422", "400")
    expect.alternative(mark, response, shown, lambda: expect.error(response, 422, assumed(mark)))
    read = api.read_cart(cart, token=admin)
    kept = expect.cart(read, S3)
    unchanged = cart_contact_email(kept) is None and cart_accounts(kept) == [account]
    expect.check(unchanged, "the refused update leaves the cart as it was", S3, read, "its account, no contact email")


# --- Administrator token with an account token (assumption: the account token scopes the request) ---------


def test_administrator_with_the_accounts_token_associates(
    expect: Expectations, api: ScenarioClient, admin: str, account: str
) -> None:
    cart = made_cart(api, admin, "admin-own-token")
    response = api.associate(cart, [account], token=admin, account_token=account_token(api.run))
    expect.status(response, 200, S2)


def test_administrator_with_another_accounts_token_returns_403(
    expect: Expectations, api: ScenarioClient, admin: str, account: str, other_account: str
) -> None:
    cart = made_cart(api, admin, "admin-other-token")
    mark = "account-token-scopes-administrator"
    response = api.associate(cart, [account], token=admin, account_token=other_account_token(api.run))
    shown = "account" if response.status_code == 403 else "administrator" if response.status_code == 200 else None
    expect.alternative(mark, response, shown, lambda: expect.error(response, 403, assumed(mark), PERMISSION_MESSAGE))
    if shown != "administrator":
        expect.status(api.associate(cart, [account], token=admin), 200, S1)  # nothing was associated


def test_administrator_with_an_unknown_account_token_returns_403(
    expect: Expectations, api: ScenarioClient, admin: str, account: str
) -> None:
    forged = f"forged-{uuid.uuid4().hex}"
    mark = "account-token-scopes-administrator"
    response = api.associate(made_cart(api, admin, "admin-forged"), [account], token=admin, account_token=forged)
    shown = "account" if response.status_code == 403 else "administrator" if response.status_code == 200 else None
    expect.alternative(mark, response, shown, lambda: expect.error(response, 403, assumed(mark)))


def test_administrator_with_an_empty_account_token(
    expect: Expectations, api: ScenarioClient, admin: str, account: str
) -> None:
    """An empty account-token header: refused as a token (403), or read as no token (the administrator acts)."""
    mark = "account-token-empty-refused"
    response = api.associate(made_cart(api, admin, "admin-empty-token"), [account], token=admin, account_token="")
    profile = expect.run.store_profile
    if profile is not None and profile.expected("account-token-scopes-administrator") == "administrator":
        # A store whose administrator never reads the account token cannot show how it reads an empty one here:
        # the answer shows only that the administrator acted.
        shown_administrator = "administrator" if response.status_code == 200 else None
        expect.alternative("account-token-scopes-administrator", response, shown_administrator, lambda: None)
        return
    shown = "refused" if response.status_code == 403 else "absent" if response.status_code == 200 else None
    expect.alternative(mark, response, shown, lambda: expect.error(response, 403, assumed(mark)))
