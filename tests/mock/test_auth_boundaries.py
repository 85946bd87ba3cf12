"""Every combination of bearer token and account token, against the rule table (S2 and our assumptions).

Written out as a table on purpose: it is the documented behaviour, not a second implementation of it.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from ep_cart_mock.app import create_app
from ep_cart_mock.config import Settings
from ep_cart_mock.table import RULES
from ep_cart_mock.tokens import TokenIssuer
from ep_cart_spec import DEFAULTS

ACCOUNT = DEFAULTS["EP_ACCOUNT_ID"]
ACCOUNT_TOKENS = {
    "none": None,
    "invalid": "never-issued-account-token",
    "own": DEFAULTS["EP_ACCOUNT_TOKEN"],
    "other": DEFAULTS["EP_OTHER_ACCOUNT_TOKEN"],
}
# bearer -> account token -> the rule that answers (the body always names the account of "own").
EXPECTED = {
    "none": dict.fromkeys(ACCOUNT_TOKENS, "bearer-token-missing"),
    "invalid": dict.fromkeys(ACCOUNT_TOKENS, "bearer-token-invalid"),
    "expired": dict.fromkeys(ACCOUNT_TOKENS, "bearer-token-expired"),
    "implicit": {
        "none": "account-permission-denied",  # S2: a shopper needs the account's token
        "invalid": "account-token-unknown",  # assumption
        "own": "association-created",  # S2
        "other": "account-token-other-account",  # assumption
    },
    "client_credentials": {
        "none": "association-created",  # S2: acts as administrator
        "invalid": "account-token-unknown",  # assumption: an account token scopes even an admin token
        "own": "association-created",
        "other": "account-token-other-account",  # assumption, as above
    },
}
COMBINATIONS = [(bearer, account) for bearer, row in EXPECTED.items() for account in row]


class Clock:
    now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(("bearer", "account_token"), COMBINATIONS)
@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_auth_combination_follows_the_rule_table(bearer: str, account_token: str, method: str) -> None:
    clock = Clock()
    settings = Settings.from_env({})
    app = create_app(settings, tokens=TokenIssuer(settings.token_ttl_seconds, clock=clock))

    async def run() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as http:
            headers: dict[str, str] = {}
            if bearer in ("implicit", "client_credentials", "expired"):
                form = {
                    "grant_type": "implicit" if bearer != "client_credentials" else bearer,
                    "client_id": settings.client_id,
                    "client_secret": settings.client_secret,
                }
                issued = (await http.post("/oauth/access_token", data=form)).json()["access_token"]
                headers["Authorization"] = f"Bearer {issued}"
                if bearer == "expired":
                    clock.now += settings.token_ttl_seconds
            elif bearer == "invalid":
                headers["Authorization"] = "Bearer 0123456789abcdef0123456789abcdef01234567"
            token = ACCOUNT_TOKENS[account_token]
            if token is not None:
                headers["EP-Account-Management-Authentication-Token"] = token
            body = {"data": [{"id": ACCOUNT, "type": "account"}]}
            path = f"/v2/carts/auth-{uuid.uuid4().hex}/relationships/accounts"
            return await http.request(method, path, json=body, headers=headers)

    response = asyncio.run(run())
    expected = RULES[EXPECTED[bearer][account_token]]
    if method == "DELETE" and expected.id == "association-created":
        expected = RULES["association-absent"]  # the same permission; a fresh cart has nothing to remove
    assert response.status_code == expected.status, response.text
    if expected.status >= 400:
        assert response.json()["errors"][0]["detail"] == expected.detail
