"""The mock's test controls (mock-controls.yaml) over real HTTP: off by default, and when on, each does what
its description says, answers match the file's schemas, and bad input gets its documented JSON error."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from ep_cart_spec import CONTROLS_SPEC_PATH, DEFAULTS, ApiSpec
from tests.conftest import MockProcess, get_token, mock_env

CONTROLS = ApiSpec.load(CONTROLS_SPEC_PATH)
ACCOUNT = DEFAULTS["EP_ACCOUNT_ID"]


def assert_documented(response: httpx.Response, path: str, method: str) -> Any:
    """The answer's status is documented for the control, and its body matches the documented schema."""
    documented = CONTROLS.operation(path, method)["responses"]
    assert str(response.status_code) in documented, response.text
    content = CONTROLS.resolve(documented[str(response.status_code)]).get("content")
    if content is None:
        assert response.content == b""
        return None
    document = response.json()
    CONTROLS.validator(content["application/json"]["schema"]).validate(document)
    return document


@pytest.fixture(scope="module")
def controlled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockProcess]:
    server = MockProcess(mock_env(EP_TEST_CONTROLS="1"), tmp_path_factory.mktemp("controls") / "mock.log")
    yield server
    server.stop()


@pytest.fixture
def http(controlled: MockProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=controlled.base_url, timeout=10) as client:
        assert client.post("/_mock/reset").status_code == 204
        yield client


def associate(http: httpx.Client, cart_id: str, token: str, account_id: str, account_token: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    if account_token is not None:
        headers["EP-Account-Management-Authentication-Token"] = account_token
    body = {"data": [{"id": account_id, "type": "account"}]}
    return http.post(f"/v2/carts/{cart_id}/relationships/accounts", json=body, headers=headers).status_code


def test_controls_file_is_valid_openapi_and_apart_from_the_vendors() -> None:
    validate(CONTROLS.document)
    assert all(path.startswith("/_mock/") for path in CONTROLS.document["paths"])
    vendor = ApiSpec.load(CONTROLS_SPEC_PATH.with_name("openapi.yaml"))
    assert not [path for path in vendor.document["paths"] if path.startswith("/_mock")]


def test_controls_are_off_by_default(mock_server: MockProcess) -> None:
    for method, path in [("POST", "/_mock/reset"), ("GET", "/_mock/state"), ("POST", "/_mock/accounts")]:
        response = httpx.request(method, f"{mock_server.base_url}{path}", timeout=10)
        assert response.status_code == 404
        assert response.json()["errors"][0]["title"] == "Not Found"


def test_cli_flag_turns_the_controls_on(tmp_path: Path) -> None:
    server = MockProcess(mock_env(), tmp_path / "mock.log", arguments=["--test-controls"])
    try:
        assert httpx.get(f"{server.base_url}/_mock/state", timeout=10).status_code == 200
        assert "Test controls: http://" in server.log()
    finally:
        server.stop()


def test_state_shows_associations_accounts_and_contact_email_carts(http: httpx.Client) -> None:
    admin = get_token(http, "client_credentials")
    assert associate(http, "state-cart", admin, ACCOUNT) == 200
    state = assert_documented(http.get("/_mock/state"), "/_mock/state", "get")
    assert state["associations"] == [{"cart_id": "state-cart", "account_id": ACCOUNT}]
    assert state["accounts"] == sorted([DEFAULTS["EP_ACCOUNT_ID"], DEFAULTS["EP_OTHER_ACCOUNT_ID"]])
    assert state["contact_email_carts"] == [DEFAULTS["EP_CONTACT_EMAIL_CART_ID"]]


def test_reset_removes_associations_and_what_tests_added(http: httpx.Client) -> None:
    admin = get_token(http, "client_credentials")
    assert associate(http, "reset-cart", admin, ACCOUNT) == 200
    new_account = str(uuid.uuid4())
    assert http.post("/_mock/accounts", json={"account_id": new_account, "account_token": "t-reset"}).status_code == 201
    assert http.post("/_mock/contact-email-carts", json={"cart_id": "reset-email-cart"}).status_code == 204
    assert_documented(http.post("/_mock/reset"), "/_mock/reset", "post")
    state = http.get("/_mock/state").json()
    assert state["associations"] == []
    assert new_account not in state["accounts"]
    assert state["contact_email_carts"] == [DEFAULTS["EP_CONTACT_EMAIL_CART_ID"]]
    assert associate(http, "reset-cart", admin, ACCOUNT) == 200, "the association is gone: 200 again"
    assert get_token(http, "client_credentials"), "tokens issued before a reset stay valid"


def test_an_added_account_acts_with_its_token(http: httpx.Client) -> None:
    shopper = get_token(http, "implicit")
    account_id = str(uuid.uuid4())
    response = http.post("/_mock/accounts", json={"account_id": account_id, "account_token": "my-token"})
    assert assert_documented(response, "/_mock/accounts", "post") == {
        "account_id": account_id,
        "account_token": "my-token",
    }
    assert associate(http, "added-account-cart", shopper, account_id, "my-token") == 200
    assert associate(http, "other-cart", shopper, ACCOUNT, "my-token") == 403, "the token acts for its account only"


def test_a_token_of_another_account_is_refused_with_409(http: httpx.Client) -> None:
    taken = DEFAULTS["EP_ACCOUNT_TOKEN"]
    response = http.post("/_mock/accounts", json={"account_id": str(uuid.uuid4()), "account_token": taken})
    error = assert_documented(response, "/_mock/accounts", "post")
    assert response.status_code == 409
    assert error["errors"][0]["title"] == "Account token already in use"


def test_a_marked_cart_answers_422(http: httpx.Client) -> None:
    admin = get_token(http, "client_credentials")
    response = http.post("/_mock/contact-email-carts", json={"cart_id": "guest-with-email"})
    assert_documented(response, "/_mock/contact-email-carts", "post")
    assert associate(http, "guest-with-email", admin, ACCOUNT) == 422


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("/_mock/accounts", b"not json"),
        ("/_mock/accounts", b'{"account_id": "not-a-uuid", "account_token": "t"}'),
        ("/_mock/accounts", b'{"account_id": "0f9e7a52-3c7d-4b8e-9a51-6c2d1e4f8a01"}'),
        ("/_mock/accounts", b'{"account_id": "0f9e7a52-3c7d-4b8e-9a51-6c2d1e4f8a01", "account_token": ""}'),
        ("/_mock/contact-email-carts", b'{"cart_id": "cart/with/slashes"}'),
        ("/_mock/contact-email-carts", b'{"cart_id": "ok", "extra": 1}'),
        ("/_mock/contact-email-carts", b"[]"),
        ("/_mock/accounts", b"[" * 5000 + b"]" * 5000),  # nested deeper than Python's recursion limit
        ("/_mock/clock", b'{"seconds": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    ],
)
def test_a_bad_control_request_gets_a_documented_400(http: httpx.Client, path: str, content: bytes) -> None:
    response = http.post(path, content=content, headers={"Content-Type": "application/json"})
    error = assert_documented(response, path, "post")
    assert response.status_code == 400
    assert error["errors"][0]["title"] == "Invalid control request"


DAY = 24 * 3600


def test_the_clock_expires_tokens_and_carts_as_the_vendor_documents(tmp_path: Path) -> None:
    """POST /_mock/clock moves the mock's time on: a bearer token expires after an hour (S6), an account token
    after 24 hours (S7), a cart seven days after its last change (S3), its association and contact email with
    it; reading its ID again makes a new, empty cart. Nights of a store's life in seconds (`make soak`)."""
    from tests.mock.test_account_members import login_body

    server = MockProcess(mock_env(EP_TEST_CONTROLS="1"), tmp_path / "mock.log")
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            admin, shopper = get_token(http, "client_credentials"), get_token(http, "implicit")
            login = http.post(
                "/v2/account-members/tokens", json=login_body(), headers={"Authorization": f"Bearer {shopper}"}
            )
            account_token = {entry["account_id"]: entry["token"] for entry in login.json()["data"]}[ACCOUNT]
            assert associate(http, "kept-cart", admin, ACCOUNT) == 200
            http.get("/v2/carts/guest-with-email", headers={"Authorization": f"Bearer {admin}"})
            http.post("/_mock/contact-email-carts", json={"cart_id": "guest-with-email"})

            def advance(seconds: int) -> dict[str, Any]:
                response = http.post("/_mock/clock", json={"advance_seconds": seconds})
                document: dict[str, Any] = assert_documented(response, "/_mock/clock", "post")
                return document

            def listed(bearer: str, token: str) -> httpx.Response:
                headers = {"Authorization": f"Bearer {bearer}", "EP-Account-Management-Authentication-Token": token}
                return http.get("/v2/carts", headers=headers)

            advance(3599)
            assert http.get("/v2/carts/kept-cart", headers={"Authorization": f"Bearer {admin}"}).status_code == 200
            assert advance(1)["advanced_seconds"] == 3600
            expired = http.get("/v2/carts/kept-cart", headers={"Authorization": f"Bearer {admin}"})
            assert expired.status_code == 401
            assert expired.json()["errors"][0]["title"] == "Unauthorized"
            shopper = get_token(http, "implicit")
            assert listed(shopper, account_token).status_code == 200
            advance(DAY - 3600)
            shopper = get_token(http, "implicit")
            assert listed(shopper, account_token).status_code == 401  # account-token-expired (S7: 24 hours)

            purged = advance(6 * DAY)
            assert purged["carts_purged"] == 2  # the associated cart and the contact-email cart
            shopper = get_token(http, "implicit")
            login = http.post(
                "/v2/account-members/tokens", json=login_body(), headers={"Authorization": f"Bearer {shopper}"}
            )
            account_token = {entry["account_id"]: entry["token"] for entry in login.json()["data"]}[ACCOUNT]
            assert "kept-cart" not in [cart["id"] for cart in listed(shopper, account_token).json()["data"]]
            admin = get_token(http, "client_credentials")
            again = http.get("/v2/carts/kept-cart", headers={"Authorization": f"Bearer {admin}"}).json()["data"]
            assert not (again.get("relationships") or {}).get("accounts", {}).get("data")
            assert "guest-with-email" not in http.get("/_mock/state").json()["contact_email_carts"]
            assert associate(http, "guest-with-email", admin, ACCOUNT) == 200  # no contact email any more
    finally:
        server.stop()


@pytest.mark.parametrize("body", [b'{"advance_seconds": -1}', b'{"advance_seconds": "a day"}', b"{}", b"[]"])
def test_the_clock_never_moves_back_and_refuses_what_is_no_number_of_seconds(http: httpx.Client, body: bytes) -> None:
    response = http.post("/_mock/clock", content=body, headers={"Content-Type": "application/json"})
    error = assert_documented(response, "/_mock/clock", "post")
    assert response.status_code == 400
    assert error["errors"][0]["title"] == "Invalid control request"
