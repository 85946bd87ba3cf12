"""An account member's login (POST /v2/account-members/tokens, S7) and the account tokens it issues: one per
account of the member, accepted on the association and the account's list like the configured ones, and refused
with 401 `account-token-expired` once their lifetime has passed. In-process with a fake clock, as test_tokens.py.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from ep_cart_mock.app import create_app
from ep_cart_mock.config import Settings
from ep_cart_mock.table import RULES
from ep_cart_mock.tokens import AccountTokenIssuer
from ep_cart_spec import ACCOUNT_TOKEN_HEADER, DEFAULTS, LOGIN_PATH, load
from tests.conftest import token_form
from tests.mock.test_tokens import FakeClock

ACCOUNT, OTHER = DEFAULTS["EP_ACCOUNT_ID"], DEFAULTS["EP_OTHER_ACCOUNT_ID"]
TOKENS_SCHEMA = load().validator(load().document["components"]["schemas"]["AccountMemberTokens"])


def login_body(
    password: str = DEFAULTS["EP_ACCOUNT_MEMBER_PASSWORD"],
    username: str = DEFAULTS["EP_ACCOUNT_MEMBER_USERNAME"],
    profile: str = DEFAULTS["EP_PASSWORD_PROFILE_ID"],
    mechanism: str = "password",
) -> dict[str, Any]:
    return {
        "data": {
            "type": "account_management_authentication_token",
            "authentication_mechanism": mechanism,
            "password_profile_id": profile,
            "username": username,
            "password": password,
        }
    }


Client = httpx.AsyncClient
Scenario = Callable[[Client, dict[str, str]], Awaitable[None]]


def against_the_mock(scenario: Scenario, clock: FakeClock | None = None, environ: dict[str, str] | None = None) -> None:
    """Run `scenario` with a client of the in-process mock and a shopper's (implicit) Authorization header."""
    settings = Settings.from_env(environ or {})
    issuer = AccountTokenIssuer(settings.account_token_ttl_seconds, clock=clock or FakeClock())
    app = create_app(settings, account_tokens=issuer)

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as client:
            shopper = (await client.post("/oauth/access_token", data=token_form("implicit"))).json()["access_token"]
            await scenario(client, {"Authorization": f"Bearer {shopper}"})

    asyncio.run(run())


def test_a_member_of_both_accounts_gets_a_token_for_each_and_each_acts_for_its_account() -> None:
    async def scenario(client: Client, shopper: dict[str, str]) -> None:
        answer = await client.post(LOGIN_PATH, json=login_body(), headers=shopper)
        assert answer.status_code == 201, answer.text
        document = answer.json()
        assert next(iter(TOKENS_SCHEMA.iter_errors(document)), None) is None
        tokens = {entry["account_id"]: entry["token"] for entry in document["data"]}
        assert list(tokens) == [ACCOUNT, OTHER]
        assert tokens[ACCOUNT] != tokens[OTHER]
        cart = f"/v2/carts/login-{uuid.uuid4().hex}/relationships/accounts"
        as_account = {**shopper, ACCOUNT_TOKEN_HEADER: tokens[ACCOUNT]}
        body = {"data": [{"id": ACCOUNT, "type": "account"}]}
        assert (await client.post(cart, json=body, headers=as_account)).status_code == 200
        listed = await client.get("/v2/carts", headers=as_account)
        assert [item["id"] for item in listed.json()["data"]] == [cart.split("/")[3]]
        as_other = {**shopper, ACCOUNT_TOKEN_HEADER: tokens[OTHER]}
        refused = await client.post(cart, json=body, headers=as_other)
        assert refused.json()["errors"][0]["detail"] == RULES["account-token-other-account"].detail
        # The configured static tokens keep working beside the issued ones.
        static = {**shopper, ACCOUNT_TOKEN_HEADER: DEFAULTS["EP_ACCOUNT_TOKEN"]}
        assert (await client.get("/v2/carts", headers=static)).status_code == 200

    against_the_mock(scenario)


def test_an_account_token_expires_after_its_lifetime_with_401_on_the_association_and_the_list() -> None:
    clock = FakeClock()

    async def scenario(client: Client, shopper: dict[str, str]) -> None:
        answer = (await client.post(LOGIN_PATH, json=login_body(), headers=shopper)).json()
        first = answer["data"][0]
        assert first["expires"] == "2027-01-15T08:00:15.000000Z"  # the fake clock's now + 15 s, as a date-time
        headers = {**shopper, ACCOUNT_TOKEN_HEADER: first["token"]}
        cart = f"/v2/carts/expiry-{uuid.uuid4().hex}/relationships/accounts"
        body = {"data": [{"id": ACCOUNT, "type": "account"}]}
        clock.now += 14.9
        assert (await client.get("/v2/carts", headers=headers)).status_code == 200
        clock.now += 0.1
        for response in (
            await client.get("/v2/carts", headers=headers),
            await client.post(cart, json=body, headers=headers),
            await client.request("DELETE", cart, json=body, headers=headers),
        ):
            assert response.status_code == 401, response.text
            assert response.json()["errors"][0]["detail"] == RULES["account-token-expired"].detail
        renewed = (await client.post(LOGIN_PATH, json=login_body(), headers=shopper)).json()["data"][0]["token"]
        assert (
            await client.post(cart, json=body, headers={**shopper, ACCOUNT_TOKEN_HEADER: renewed})
        ).status_code == 200

    clock.now = 1_800_000_000.0  # 2027-01-15T08:00:00Z
    against_the_mock(scenario, clock, {"EP_ACCOUNT_TOKEN_TTL_SECONDS": "15"})


@pytest.mark.parametrize(
    ("body", "status", "rule"),
    [
        (login_body(password="not-the-password"), 401, "account-member-credentials-invalid"),
        (login_body(username="nobody@example.com"), 401, "account-member-credentials-invalid"),
        (login_body(profile=str(uuid.uuid4())), 401, "account-member-credentials-invalid"),
        (login_body(mechanism="oidc"), 400, "account-member-login-invalid"),
        ({"data": {"type": "account_management_authentication_token"}}, 400, "account-member-login-invalid"),
        ([], 400, "account-member-login-invalid"),
    ],
    ids=["wrong-password", "unknown-username", "other-profile", "other-mechanism", "fields-missing", "not-an-object"],
)
def test_a_login_that_is_not_a_members_is_refused(body: Any, status: int, rule: str) -> None:
    async def scenario(client: Client, shopper: dict[str, str]) -> None:
        response = await client.post(LOGIN_PATH, json=body, headers=shopper)
        assert response.status_code == status, response.text
        (error,) = response.json()["errors"]
        assert error["title"] == RULES[rule].title
        assert "token" not in response.text.replace("authentication_token", "")

    against_the_mock(scenario)


def test_a_login_without_a_bearer_token_is_refused_and_an_administrators_is_taken() -> None:
    async def scenario(client: Client, shopper: dict[str, str]) -> None:
        missing = await client.post(LOGIN_PATH, json=login_body())
        assert missing.json()["errors"][0]["detail"] == RULES["bearer-token-missing"].detail
        form = token_form("client_credentials")
        admin = (await client.post("/oauth/access_token", data=form)).json()["access_token"]
        taken = await client.post(LOGIN_PATH, json=login_body(), headers={"Authorization": f"Bearer {admin}"})
        assert taken.status_code == 201  # account-member-login-takes-any-bearer

    against_the_mock(scenario)


def test_another_member_stands_for_the_second_account_alone() -> None:
    environ = {"EP_OTHER_ACCOUNT_MEMBER_USERNAME": "other@example.com", "EP_OTHER_ACCOUNT_MEMBER_PASSWORD": "pw2"}

    async def scenario(client: Client, shopper: dict[str, str]) -> None:
        first = (await client.post(LOGIN_PATH, json=login_body(), headers=shopper)).json()
        other = (await client.post(LOGIN_PATH, json=login_body("pw2", "other@example.com"), headers=shopper)).json()
        assert [entry["account_id"] for entry in first["data"]] == [ACCOUNT]
        assert [entry["account_id"] for entry in other["data"]] == [OTHER]
        assert first["meta"]["account_member_id"] != other["meta"]["account_member_id"]

    against_the_mock(scenario, environ=environ)
