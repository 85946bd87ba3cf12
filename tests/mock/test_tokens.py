"""Token expiry (S6: tokens expire after expires_in seconds), with the ASGI app in-process and a fake clock.

The app is the same code `make mock` serves; only the clock is ours, so no test waits on wall time.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx

from ep_cart_mock.app import create_app
from ep_cart_mock.config import Settings
from ep_cart_mock.table import RULES
from ep_cart_mock.tokens import GrantType, IssuedToken, TokenIssuer, TokenLookup
from ep_cart_spec import DEFAULTS
from tests.conftest import token_form


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_issuer_tells_expired_from_unknown() -> None:
    clock = FakeClock()
    issuer = TokenIssuer(ttl_seconds=60, clock=clock)
    token = issuer.issue(GrantType.IMPLICIT)
    assert token.expires_at == int(clock.now) + 60
    assert issuer.lookup(token.access_token) == token
    clock.now += 59.9
    assert isinstance(issuer.lookup(token.access_token), IssuedToken)
    clock.now += 0.1
    assert issuer.lookup(token.access_token) is TokenLookup.EXPIRED
    assert issuer.lookup("never-issued") is TokenLookup.UNKNOWN


def test_issuer_forgets_long_expired_tokens() -> None:
    clock = FakeClock()
    issuer = TokenIssuer(ttl_seconds=60, clock=clock)
    old = issuer.issue(GrantType.IMPLICIT)
    clock.now += 1000
    for _ in range(1024):
        issuer.issue(GrantType.IMPLICIT)
    assert issuer.lookup(old.access_token) is TokenLookup.UNKNOWN


def test_expired_bearer_token_returns_401() -> None:
    clock = FakeClock()
    settings = Settings.from_env({"EP_TOKEN_TTL_SECONDS": "120"})
    app = create_app(settings, tokens=TokenIssuer(settings.token_ttl_seconds, clock=clock))
    form = token_form("client_credentials")
    body = {"data": [{"id": DEFAULTS["EP_ACCOUNT_ID"], "type": "account"}]}
    path = f"/v2/carts/cart-{uuid.uuid4().hex}/relationships/accounts"

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            answer = (await client.post("/oauth/access_token", data=form)).json()
            assert answer["expires_in"] == 120
            assert answer["expires"] == int(clock.now) + 120
            headers = {"Authorization": f"Bearer {answer['access_token']}"}
            assert (await client.post(path, json=body, headers=headers)).status_code == 200

            clock.now += 120
            response = await client.post(path, json=body, headers=headers)
            assert response.status_code == 401
            assert response.json()["errors"][0]["detail"] == RULES["bearer-token-expired"].detail

    asyncio.run(run())
