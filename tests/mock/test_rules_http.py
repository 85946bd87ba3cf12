"""One test per rule of the mock's table (mock/src/ep_cart_mock/table.py), through real HTTP.

Sources are those of docs/sources.md (S1..S6); "assumption" marks our decisions.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ep_cart_mock.config import MAX_BODY_BYTES
from ep_cart_mock.table import RULES
from ep_cart_spec import DEFAULTS
from tests.conftest import SPEC_PATH, get_token

ACCOUNT = DEFAULTS["EP_ACCOUNT_ID"]
OTHER_ACCOUNT = DEFAULTS["EP_OTHER_ACCOUNT_ID"]
ACCOUNT_TOKEN = DEFAULTS["EP_ACCOUNT_TOKEN"]
OTHER_ACCOUNT_TOKEN = DEFAULTS["EP_OTHER_ACCOUNT_TOKEN"]
CONTACT_EMAIL_CART = DEFAULTS["EP_CONTACT_EMAIL_CART_ID"]
JSON = {"Content-Type": "application/json"}


def body(account: str = ACCOUNT, type_: str = "account") -> dict[str, Any]:
    return {"data": [{"id": account, "type": type_}]}


def call(
    http: httpx.Client,
    cart_id: str,
    token: str | None,
    *,
    method: str = "POST",
    json: Any = None,
    content: bytes | None = None,
    account_token: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent: dict[str, str] = dict(headers or {})
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    if account_token is not None:
        sent["EP-Account-Management-Authentication-Token"] = account_token
    if json is not None:
        return http.request(method, f"/v2/carts/{cart_id}/relationships/accounts", json=json, headers=sent)
    return http.request(method, f"/v2/carts/{cart_id}/relationships/accounts", content=content, headers=sent)


def assert_rule(response: httpx.Response, rule_id: str) -> dict[str, Any]:
    """The answer is the rule's: its status and, for an error, a JSON body with its title."""
    rule = RULES[rule_id]
    assert response.status_code == rule.status, response.text
    if rule.status == 204:
        assert response.content == b""
        return {}
    assert response.headers["content-type"] == "application/json"
    document: dict[str, Any] = response.json()
    if rule.status >= 400:
        (error,) = document["errors"]
        assert error["title"] == rule.title
        assert error["status"] == rule.status
        assert error["detail"]
    return document


# --- 401: the bearer token (S3 older lists 401) ----------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_missing_bearer_token_returns_401(http: httpx.Client, new_cart_id: Callable[[], str], method: str) -> None:
    assert_rule(call(http, new_cart_id(), None, method=method, json=body()), "bearer-token-missing")


@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwYXNz", "Bearer", "token abc", "Bearerabc"])
def test_authorization_without_a_bearer_token_returns_401(
    http: httpx.Client, new_cart_id: Callable[[], str], authorization: str
) -> None:
    response = call(http, new_cart_id(), None, json=body(), headers={"Authorization": authorization})
    assert_rule(response, "bearer-token-missing")


def test_unknown_bearer_token_returns_401(http: httpx.Client, new_cart_id: Callable[[], str]) -> None:
    assert_rule(call(http, new_cart_id(), "not-a-token-we-issued", json=body()), "bearer-token-invalid")


def test_bearer_scheme_is_case_insensitive(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str
) -> None:
    response = call(http, new_cart_id(), None, json=body(), headers={"Authorization": f"bearer {admin_token}"})
    assert_rule(response, "association-created")


# --- 400: the cart ID (S5) and the body -------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw_cart_id",
    [
        "cart%2F1",
        "cart%0Ax",
        "cart%0A",
        "cart%20x",
        "cart%3F",
        "cart%23",
        "caf%C3%A9",
        "a%7Eb",
        "%2E%2E",
        "a.b",
        "x" * 256,
        "",
    ],
)
def test_unsafe_cart_id_returns_400(http: httpx.Client, admin_token: str, raw_cart_id: str) -> None:
    response = call(http, raw_cart_id, admin_token, json=body())
    assert_rule(response, "cart-id-unsafe")


def test_longest_safe_cart_id_is_accepted(http: httpx.Client, admin_token: str) -> None:
    cart_id = uuid.uuid4().hex + "x" * (255 - 32)
    assert_rule(call(http, cart_id, admin_token, json=body()), "association-created")


def test_missing_body_returns_400(http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str) -> None:
    assert_rule(call(http, new_cart_id(), admin_token, content=b"", headers=JSON), "body-missing")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_body_not_sent_as_json_returns_400(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = call(http, new_cart_id(), admin_token, content=b'{"data": []}', headers=headers)
    assert_rule(response, "content-type-unsupported")


@pytest.mark.parametrize("content", [b"{", b'{"data": [}', b"\xff\xfe", b"[" * 5000, b"not json"])
def test_malformed_json_returns_400(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str, content: bytes
) -> None:
    assert_rule(call(http, new_cart_id(), admin_token, content=content, headers=JSON), "json-malformed")


def test_body_over_the_limit_returns_400(http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str) -> None:
    content = b'{"data": [], "pad": "' + b"x" * MAX_BODY_BYTES + b'"}'
    assert_rule(call(http, new_cart_id(), admin_token, content=content, headers=JSON), "body-too-large")


def test_body_over_the_limit_without_content_length_returns_400(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str
) -> None:
    def chunks() -> Any:
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b" " * 1024

    response = http.post(
        f"/v2/carts/{new_cart_id()}/relationships/accounts",
        content=chunks(),
        headers={**JSON, "Authorization": f"Bearer {admin_token}"},
    )
    assert "content-length" not in response.request.headers
    assert_rule(response, "body-too-large")


@pytest.mark.parametrize("entry", [{"id": ACCOUNT}, {"id": ACCOUNT, "type": "customer"}, {"id": ACCOUNT, "type": 1}])
def test_type_missing_or_not_account_returns_400(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str, entry: dict[str, Any]
) -> None:
    """S2: "The type does not exist or is not listed as account"."""
    response = call(http, new_cart_id(), admin_token, json={"data": [entry]})
    assert_rule(response, "account-type-invalid")


@pytest.mark.parametrize(
    "document",
    [
        {},
        [],
        "data",
        {"data": []},
        {"data": [{"type": "account"}]},
        {"data": [{"id": "nope", "type": "account"}]},
        {"data": ["account"]},
        {"data": None},
    ],
)
def test_other_schema_mismatch_returns_400_naming_the_field(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str, document: Any
) -> None:
    response = call(http, new_cart_id(), admin_token, json=document)
    error = assert_rule(response, "body-invalid")["errors"][0]
    assert ":" in error["detail"]


# --- 403 ------------------------------------------------------------------------------------------------


def test_data_as_object_returns_403_invalid_json_payload(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str
) -> None:
    """S2: "The request body must be an array []. If the request body is an object, the error is generated.\""""
    response = call(http, new_cart_id(), admin_token, json={"data": {"id": ACCOUNT, "type": "account"}})
    assert_rule(response, "data-not-array")


def test_more_than_one_entry_returns_403(http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str) -> None:
    """S2: "Cannot associate more than one account"."""
    cart_id = new_cart_id()
    two = {"data": body()["data"] + body(OTHER_ACCOUNT)["data"]}
    assert_rule(call(http, cart_id, admin_token, json=two), "more-than-one-account-in-request")
    assert_rule(call(http, cart_id, admin_token, json=body()), "association-created")


def test_cart_already_associated_with_other_account_returns_403(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str
) -> None:
    """Assumption: "more than one account" also means a second account on one cart."""
    cart_id = new_cart_id()
    assert_rule(call(http, cart_id, admin_token, json=body()), "association-created")
    error = assert_rule(
        call(http, cart_id, admin_token, json=body(OTHER_ACCOUNT)), "cart-associated-with-other-account"
    )
    assert error["errors"][0]["meta"] == {"cart_id": cart_id}


def test_implicit_token_without_account_token_returns_403(
    http: httpx.Client, new_cart_id: Callable[[], str], shopper_token: str
) -> None:
    """S2: a shopper needs the account's Account Management Authentication token."""
    assert_rule(call(http, new_cart_id(), shopper_token, json=body()), "account-permission-denied")


def test_implicit_token_with_other_accounts_token_returns_403(
    http: httpx.Client, new_cart_id: Callable[[], str], shopper_token: str
) -> None:
    response = call(http, new_cart_id(), shopper_token, json=body(ACCOUNT), account_token=OTHER_ACCOUNT_TOKEN)
    assert_rule(response, "account-token-other-account")


@pytest.mark.parametrize("grant", ["implicit", "client_credentials"])
def test_unknown_account_token_returns_403(http: httpx.Client, new_cart_id: Callable[[], str], grant: str) -> None:
    response = call(http, new_cart_id(), get_token(http, grant), json=body(), account_token="forged-token")
    assert_rule(response, "account-token-unknown")


def test_client_credentials_with_an_account_token_acts_as_that_account(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str
) -> None:
    """Assumption: with an account token, even an administrator token is scoped to that account."""
    response = call(http, new_cart_id(), admin_token, json=body(ACCOUNT), account_token=OTHER_ACCOUNT_TOKEN)
    assert_rule(response, "account-token-other-account")


# --- 422 (S2, S3) ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_cart_with_contact_email_returns_422(http: httpx.Client, admin_token: str, method: str) -> None:
    response = call(http, CONTACT_EMAIL_CART, admin_token, method=method, json=body())
    error = assert_rule(response, "cart-has-contact-email")["errors"][0]
    assert error["meta"] == {"cart_id": CONTACT_EMAIL_CART}


# --- Success (S1, S3) -----------------------------------------------------------------------------------


def test_first_association_returns_200_then_204(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str
) -> None:
    cart_id = new_cart_id()
    document = assert_rule(call(http, cart_id, admin_token, json=body()), "association-created")
    assert document == {"data": [{"id": ACCOUNT, "type": "account"}]}
    assert_rule(call(http, cart_id, admin_token, json=body()), "association-exists")


def test_shopper_with_own_account_token_associates(
    http: httpx.Client, new_cart_id: Callable[[], str], shopper_token: str
) -> None:
    """S2: an implicit token plus the account's own token."""
    cart_id = new_cart_id()
    response = call(http, cart_id, shopper_token, json=body(), account_token=ACCOUNT_TOKEN)
    assert_rule(response, "association-created")
    response = call(http, cart_id, shopper_token, json=body(), account_token=ACCOUNT_TOKEN)
    assert_rule(response, "association-exists")


def test_client_credentials_associates_any_account_with_any_cart(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str
) -> None:
    """S2: a client_credentials caller "acts as a system administrator"."""
    someone = str(uuid.uuid4())
    document = assert_rule(call(http, new_cart_id(), admin_token, json=body(someone)), "association-created")
    assert document["data"][0]["id"] == someone


def test_account_id_is_echoed_in_canonical_form(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str
) -> None:
    cart_id = new_cart_id()
    document = assert_rule(call(http, cart_id, admin_token, json=body(ACCOUNT.upper())), "association-created")
    assert document["data"][0]["id"] == ACCOUNT
    assert_rule(call(http, cart_id, admin_token, json=body(ACCOUNT)), "association-exists")


def test_delete_removes_the_association_and_post_creates_it_again(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str
) -> None:
    cart_id = new_cart_id()
    assert_rule(call(http, cart_id, admin_token, json=body()), "association-created")
    assert_rule(call(http, cart_id, admin_token, method="DELETE", json=body()), "association-deleted")
    assert_rule(call(http, cart_id, admin_token, json=body()), "association-created")


def test_delete_frees_the_cart_for_another_account(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str
) -> None:
    cart_id = new_cart_id()
    assert_rule(call(http, cart_id, admin_token, json=body()), "association-created")
    assert_rule(call(http, cart_id, admin_token, method="DELETE", json=body()), "association-deleted")
    assert_rule(call(http, cart_id, admin_token, json=body(OTHER_ACCOUNT)), "association-created")


def test_delete_of_a_missing_association_returns_204(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str
) -> None:
    """Assumption (JSON:API): removing what is already missing succeeds."""
    cart_id = new_cart_id()
    assert_rule(call(http, cart_id, admin_token, method="DELETE", json=body()), "association-absent")
    assert_rule(call(http, cart_id, admin_token, json=body()), "association-created")
    assert_rule(call(http, cart_id, admin_token, method="DELETE", json=body(OTHER_ACCOUNT)), "association-absent")
    assert_rule(call(http, cart_id, admin_token, json=body()), "association-exists")


def test_shopper_cannot_delete_another_accounts_association(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str, shopper_token: str
) -> None:
    cart_id = new_cart_id()
    assert_rule(call(http, cart_id, admin_token, json=body(ACCOUNT)), "association-created")
    response = call(
        http, cart_id, shopper_token, method="DELETE", json=body(ACCOUNT), account_token=OTHER_ACCOUNT_TOKEN
    )
    assert_rule(response, "account-token-other-account")
    assert_rule(call(http, cart_id, admin_token, json=body(ACCOUNT)), "association-exists")


# --- POST /oauth/access_token (S6, S4) ------------------------------------------------------------------


@pytest.mark.parametrize("grant", ["client_credentials", "implicit"])
def test_token_fields_are_at_the_top_level(http: httpx.Client, grant: str) -> None:
    form = {"grant_type": grant, "client_id": DEFAULTS["EP_CLIENT_ID"]}
    if grant == "client_credentials":
        form["client_secret"] = DEFAULTS["EP_CLIENT_SECRET"]
    document = http.post("/oauth/access_token", data=form).json()
    assert set(document) == {"access_token", "token_type", "expires_in", "expires", "identifier"}
    assert document["token_type"] == "Bearer"
    assert document["expires_in"] == 3600
    assert document["identifier"] == grant


@pytest.mark.parametrize(
    ("form", "rule_id"),
    [
        ({"grant_type": "password", "client_id": DEFAULTS["EP_CLIENT_ID"]}, "grant-type-unsupported"),
        ({"client_id": DEFAULTS["EP_CLIENT_ID"]}, "token-request-invalid"),
        ({"grant_type": "implicit"}, "token-request-invalid"),
        ({"grant_type": "client_credentials", "client_id": DEFAULTS["EP_CLIENT_ID"]}, "client-secret-missing"),
        ({"grant_type": "implicit", "client_id": "someone-else"}, "client-credentials-invalid"),
        (
            {"grant_type": "client_credentials", "client_id": DEFAULTS["EP_CLIENT_ID"], "client_secret": "wrong"},
            "client-credentials-invalid",
        ),
    ],
)
def test_token_request_errors(http: httpx.Client, form: dict[str, str], rule_id: str) -> None:
    assert_rule(http.post("/oauth/access_token", data=form), rule_id)


def test_token_request_as_json_returns_400(http: httpx.Client) -> None:
    response = http.post("/oauth/access_token", json={"grant_type": "implicit", "client_id": DEFAULTS["EP_CLIENT_ID"]})
    assert_rule(response, "token-request-invalid")


# --- Outside the operations ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "HEAD", "OPTIONS"])
def test_undocumented_method_returns_405_json(http: httpx.Client, method: str) -> None:
    response = http.request(method, "/v2/carts/cart-1/relationships/accounts")
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"POST", "DELETE"}
    if method != "HEAD":
        assert response.json()["errors"][0]["title"] == RULES["method-not-allowed"].title


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("POST", "/v2/carts", {"GET", "HEAD"}), ("DELETE", "/v2/carts/cart-1", {"GET", "HEAD", "PUT"})],
)
def test_vendor_methods_left_out_return_405_json(
    http: httpx.Client, admin_token: str, method: str, path: str, allowed: set[str]
) -> None:
    """The vendor creates and deletes carts there (S3); this description leaves them out."""
    response = http.request(
        method, path, json={"data": {"name": "x"}}, headers={"Authorization": f"Bearer {admin_token}"}
    )
    assert_rule(response, "method-not-allowed")
    assert set(response.headers["allow"].replace(" ", "").split(",")) == allowed


@pytest.mark.parametrize("path", ["/", "/v2/cart", "/v2/carts-1", "/v2/accounts"])
def test_unknown_path_returns_404_json(http: httpx.Client, path: str) -> None:
    assert_rule(http.post(path, json=body()), "path-unknown")


def test_spec_is_served(http: httpx.Client) -> None:
    response = http.get("/openapi.yaml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/yaml"
    assert response.content == SPEC_PATH.read_bytes()


# --- PUT /v2/carts/{cartID}: a contact email attached (S3), and refused on a cart with an account ----------

CONTACT = {"data": {"contact": {"email": "shopper@example.com"}}}


def put_contact(http: httpx.Client, cart: str, token: str | None, document: Any = CONTACT) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return http.put(f"/v2/carts/{cart}", json=document, headers=headers)


def test_update_attaches_a_contact_email_which_keeps_accounts_off(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str
) -> None:
    cart = new_cart_id()  # nobody has read it: the update makes it (update-of-a-new-cart-id-makes-the-cart)
    document = assert_rule(put_contact(http, cart, admin_token), "contact-email-attached")
    assert document["data"]["id"] == cart
    assert document["data"]["contact"] == CONTACT["data"]["contact"]
    read = http.get(f"/v2/carts/{cart}", headers={"Authorization": f"Bearer {admin_token}"})
    assert read.json()["data"]["contact"] == CONTACT["data"]["contact"]
    for method in ("post", "delete"):
        assert_rule(call(http, cart, admin_token, method=method, json=body()), "cart-has-contact-email")


def test_any_bearer_token_may_update_a_cart(http: httpx.Client, new_cart_id: Callable[[], str]) -> None:
    implicit = get_token(http, "implicit")
    assert_rule(put_contact(http, new_cart_id(), implicit), "contact-email-attached")


def test_update_moves_the_cart_s_updated_at_on(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str
) -> None:
    cart = new_cart_id()
    read = http.get(f"/v2/carts/{cart}", headers={"Authorization": f"Bearer {admin_token}"}).json()["data"]
    updated = assert_rule(put_contact(http, cart, admin_token), "contact-email-attached")["data"]
    assert updated["meta"]["timestamps"]["updated_at"] > read["meta"]["timestamps"]["updated_at"]
    assert updated["meta"]["timestamps"]["created_at"] == read["meta"]["timestamps"]["created_at"]


def test_contact_email_on_a_cart_with_an_account_returns_422(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str
) -> None:
    """S3: "requests to add contact email information to registered shopper carts ... (and vice versa) result in
    error messages"; the status is the assumption contact-email-on-an-account-cart-answers-422."""
    cart = new_cart_id()
    assert_rule(call(http, cart, admin_token, json=body()), "association-created")
    assert_rule(put_contact(http, cart, admin_token), "contact-email-on-an-account-cart")
    read = http.get(f"/v2/carts/{cart}", headers={"Authorization": f"Bearer {admin_token}"}).json()["data"]
    assert "contact" not in read
    assert read["relationships"]["accounts"]["data"] == [{"id": ACCOUNT, "type": "account"}]


def test_an_update_without_a_contact_email_is_taken_on_a_cart_with_an_account(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str
) -> None:
    cart = new_cart_id()
    assert_rule(call(http, cart, admin_token, json=body()), "association-created")
    document = assert_rule(put_contact(http, cart, admin_token, {"data": {"name": "x"}}), "contact-email-attached")
    assert "contact" not in document["data"]
    assert document["data"]["relationships"]["accounts"]["data"] == [{"id": ACCOUNT, "type": "account"}]
    # The update is the cart's newest change: it leads the account's list, with the time the cart shows (S3).
    other = new_cart_id()
    assert_rule(call(http, other, admin_token, json=body()), "association-created")
    assert_rule(put_contact(http, cart, admin_token, {"data": {"name": "y"}}), "contact-email-attached")
    shopper = {
        "Authorization": f"Bearer {get_token(http, 'implicit')}",
        "EP-Account-Management-Authentication-Token": ACCOUNT_TOKEN,
    }
    listed = http.get("/v2/carts", headers=shopper).json()["data"]
    read = http.get(f"/v2/carts/{cart}", headers={"Authorization": f"Bearer {admin_token}"}).json()["data"]
    assert listed[0]["id"] == cart
    assert listed[0]["meta"]["timestamps"]["updated_at"] == read["meta"]["timestamps"]["updated_at"]


@pytest.mark.parametrize(
    "document",
    [{"data": {"contact": {"email": "not an email address"}}}, {"data": []}, {"contact": {"email": "a@b.example"}}],
    ids=["not-an-email", "data-not-an-object", "no-data"],
)
def test_update_that_does_not_match_the_schema_returns_400(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str, document: Any
) -> None:
    cart = new_cart_id()
    assert_rule(put_contact(http, cart, admin_token, document), "cart-update-invalid")
    assert (
        "contact"
        not in http.get(f"/v2/carts/{cart}", headers={"Authorization": f"Bearer {admin_token}"}).json()["data"]
    )


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(b"", "application/json"), (b'{"data": {', "application/json"), (b"email=a@b.example", "text/plain")],
    ids=["empty", "malformed", "not-json"],
)
def test_update_body_missing_malformed_or_not_json_returns_400(
    http: httpx.Client, new_cart_id: Callable[[], str], admin_token: str, content: bytes, content_type: str
) -> None:
    headers = {"Authorization": f"Bearer {admin_token}", "Content-Type": content_type}
    assert_rule(http.put(f"/v2/carts/{new_cart_id()}", content=content, headers=headers), "cart-update-invalid")


def test_update_checks_the_token_then_the_cart_id(http: httpx.Client, admin_token: str) -> None:
    assert_rule(put_contact(http, "a~b", None, {}), "bearer-token-missing")
    assert_rule(put_contact(http, "a~b", admin_token, {}), "cart-id-unsafe")
