"""The mock's two HTTP layers give the same answers: `MockApp` dispatches the endpoint's routes itself (the
requests a load is made of), and hands everything else to a Starlette app that routes every path. Each
request below goes to two mocks in the same state, one through `MockApp`, one straight to its Starlette
app; status, headers and body must be the same, byte for byte.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import replace

import httpx
import pytest

from ep_cart_mock.app import LineLog, MockApp, create_app
from ep_cart_mock.config import Settings
from ep_cart_mock.store import InMemoryCartStore
from ep_cart_mock.tokens import GrantType, TokenIssuer
from ep_cart_spec import ACCOUNT_TOKEN_HEADER, CUSTOMER_TOKEN_HEADER, DEFAULTS
from tests.conftest import token_form

ACCOUNT = DEFAULTS["EP_ACCOUNT_ID"]
ACCOUNT_TOKEN = DEFAULTS["EP_ACCOUNT_TOKEN"]
OTHER_ACCOUNT_TOKEN = DEFAULTS["EP_OTHER_ACCOUNT_TOKEN"]
ASSOCIATION = "/v2/carts/{}/relationships/accounts"


def body(account_id: str = ACCOUNT, kind: str = "account") -> dict[str, object]:
    return {"data": [{"id": account_id, "type": kind}]}


class Client:
    """httpx's ASGI transport, called from a test: one event loop per client, as a server has."""

    def __init__(self, app: object) -> None:
        self.loop = asyncio.new_event_loop()
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock.test")  # type: ignore[arg-type]

    def request(self, method: str, url: str, **options: object) -> httpx.Response:
        return self.loop.run_until_complete(self.http.request(method, url, **options))  # type: ignore[arg-type]

    def post(self, url: str, **options: object) -> httpx.Response:
        return self.request("POST", url, **options)

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.loop.close()


class Twins:
    """Two mocks fed the same requests: `fast` through MockApp, `framework` through its Starlette app only.
    They share one token issuer (so one bearer token works on both) and each has a store on the same clock."""

    def __init__(self) -> None:
        settings = replace(Settings.from_env({}), test_controls=True)
        tokens = TokenIssuer(settings.token_ttl_seconds, clock=lambda: 1_800_000_000.0)
        self.apps = [
            create_app(settings, tokens=tokens, store=InMemoryCartStore(clock=self.clock(itertools.count())))
            for _ in range(2)
        ]
        self.fast = Client(self.apps[0])
        self.framework = Client(self.apps[1].framework)
        self.admin = tokens.issue(GrantType.CLIENT_CREDENTIALS).access_token
        self.shopper = tokens.issue(GrantType.IMPLICIT).access_token

    @staticmethod
    def clock(ticks: Iterator[int]) -> Callable[[], float]:
        start = 1_800_000_000.0
        return lambda: start + next(ticks)

    def same(self, method: str, url: str, **options: object) -> httpx.Response:
        """Send the request to both; fail unless the answers are the same. Returns the fast one."""
        fast = self.fast.request(method, url, **options)
        framework = self.framework.request(method, url, **options)
        assert (fast.status_code, fast.headers.multi_items(), fast.content) == (
            framework.status_code,
            framework.headers.multi_items(),
            framework.content,
        ), f"{method} {url}"
        return fast


@pytest.fixture
def twins() -> Iterator[Twins]:
    pair = Twins()
    yield pair
    pair.fast.close()
    pair.framework.close()


def admin(twins: Twins, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {twins.admin}", **headers}


def shopper(twins: Twins, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {twins.shopper}", **headers}


def test_associations_answer_the_same_through_both_layers(twins: Twins) -> None:
    cart = ASSOCIATION.format("same-1")
    assert twins.same("POST", cart, json=body(), headers=admin(twins)).status_code == 200
    assert twins.same("POST", cart, json=body(), headers=admin(twins)).status_code == 204
    assert twins.same("POST", cart, json=body(kind="cart"), headers=admin(twins)).status_code == 400
    assert twins.same("POST", cart, content=b'{"data": [', headers=admin(twins)).status_code == 400
    assert twins.same("POST", cart, content=b"{}", headers=admin(twins, **{"Content-Type": "text/xml"})).status_code
    assert twins.same("POST", cart, content=b" " * 70_000, headers=admin(twins)).status_code == 400
    assert twins.same("POST", cart, json=body(), headers={"Authorization": "Bearer nope"}).status_code == 401
    assert twins.same("POST", cart, json=body()).status_code == 401
    account = {ACCOUNT_TOKEN_HEADER: OTHER_ACCOUNT_TOKEN}
    assert twins.same("POST", cart, json=body(), headers=shopper(twins, **account)).status_code == 403
    assert twins.same("DELETE", cart, json=body(), headers=admin(twins)).status_code == 204
    assert twins.same("DELETE", cart, json=body(), headers=admin(twins)).status_code == 204
    for odd in ("a%2Fb", "caf%C3%A9", "%20", "c" * 300, "x%0A"):
        assert twins.same("POST", ASSOCIATION.format(odd), json=body(), headers=admin(twins)).status_code == 400
    assert twins.same("POST", "/v2/carts//relationships/accounts", json=body(), headers=admin(twins)).status_code
    # A header sent twice: the first counts (as Starlette's `Headers.get` reads it), in both layers.
    twice = [("Authorization", f"Bearer {twins.admin}"), ("Authorization", "Bearer nope")]
    assert twins.same("POST", ASSOCIATION.format("same-2"), json=body(), headers=twice).status_code == 200
    twice.reverse()
    assert twins.same("POST", ASSOCIATION.format("same-3"), json=body(), headers=twice).status_code == 401


def test_reads_answer_the_same_through_both_layers(twins: Twins) -> None:
    for index in range(30):
        twins.same("POST", ASSOCIATION.format(f"read-{index}"), json=body(), headers=admin(twins))
    account = {ACCOUNT_TOKEN_HEADER: ACCOUNT_TOKEN}
    assert twins.same("GET", "/v2/carts/read-3", headers=shopper(twins, **account)).status_code == 200
    assert twins.same("GET", "/v2/carts/never-seen", headers=admin(twins)).status_code == 200
    assert twins.same("GET", "/v2/carts/read-3", headers={"Host": "shop.example:8443"}).status_code == 401
    assert twins.same("GET", "/v2/carts/read-3", headers=admin(twins, Host="shop.example:8443")).status_code == 200
    assert twins.same("GET", "/v2/carts/a%2Fb", headers=admin(twins)).status_code == 400
    email = {"data": {"contact": {"email": "guest@example.com"}}}
    assert twins.same("PUT", "/v2/carts/update-1", headers=admin(twins), json=email).status_code == 200
    assert (
        twins.same("GET", "/v2/carts/update-1", headers=admin(twins)).json()["data"]["contact"]
        == email["data"]["contact"]
    )
    assert twins.same("PUT", "/v2/carts/update-1", headers=admin(twins), json={"data": []}).status_code == 400
    assert twins.same("PUT", "/v2/carts/a%2Fb", headers=admin(twins), json=email).status_code == 400
    assert twins.same("PUT", "/v2/carts/update-1", json=email).status_code == 401
    for query in (
        "",
        "page[limit]=5",
        "page[limit]=5&page[offset]=25",
        "page[limit]=5&page[limit]=6",
        "page[limit]=abc",
        "page[offset]=-1",
        "page%5Blimit%5D=2",
        "page[limit]=101",
        "other=1",
    ):
        url = f"/v2/carts?{query}" if query else "/v2/carts"
        twins.same("GET", url, headers=shopper(twins, **account))
    assert twins.same("GET", "/v2/carts", headers=admin(twins, **account)).status_code == 403
    both = {ACCOUNT_TOKEN_HEADER: ACCOUNT_TOKEN, CUSTOMER_TOKEN_HEADER: "customer"}
    assert twins.same("GET", "/v2/carts", headers=shopper(twins, **both)).status_code == 400
    assert twins.same("GET", "/v2/carts", headers=shopper(twins)).status_code == 403


def test_what_the_fast_layer_leaves_to_starlette_answers_the_same(twins: Twins) -> None:
    assert twins.same("GET", ASSOCIATION.format("c1"), headers=admin(twins)).status_code == 405
    assert twins.same("DELETE", "/v2/carts/c1", headers=admin(twins)).status_code == 405
    assert twins.same("POST", "/v2/carts", headers=admin(twins)).status_code == 405
    assert twins.same("HEAD", "/v2/carts/c1", headers=admin(twins)).status_code == 200
    assert twins.same("GET", "/oauth/access_token").status_code == 405
    assert twins.same("GET", "/v2/cart").status_code == 404
    assert twins.same("GET", "/v2/carts/relationships/accounts", headers=admin(twins)).status_code == 400
    assert twins.same("GET", "/openapi.yaml").status_code == 200
    assert twins.same("GET", "/_mock/state").status_code == 200


def test_token_answers_match_but_for_the_token_itself(twins: Twins) -> None:
    for form in (token_form("implicit"), token_form("client_credentials", "wrong"), {"grant_type": "password"}, {}):
        fast = twins.fast.post("/oauth/access_token", data=form)
        framework = twins.framework.post("/oauth/access_token", data=form)
        assert fast.status_code == framework.status_code
        assert fast.headers.get("content-type") == framework.headers.get("content-type")
        if fast.status_code == 200:
            assert fast.json().keys() == framework.json().keys()
            assert fast.json()["access_token"] != framework.json()["access_token"]
        else:
            assert fast.content == framework.content


def test_a_load_s_requests_take_the_fast_layer(twins: Twins) -> None:
    """Without this, every comparison above could pass with everything handed to Starlette."""
    app = twins.apps[0]
    assert isinstance(app, MockApp)

    def handled(method: str, path: str) -> bool:
        scope = {"type": "http", "method": method, "path": path, "root_path": ""}
        return app.route(scope)[0] is not None

    assert handled("POST", "/oauth/access_token")
    assert handled("POST", ASSOCIATION.format("c1"))
    assert handled("DELETE", ASSOCIATION.format("c1"))
    assert handled("GET", "/v2/carts/c1")
    assert handled("GET", "/v2/carts")
    for method, path in (("HEAD", "/v2/carts/c1"), ("GET", ASSOCIATION.format("c1")), ("GET", "/v2/carts/x\n")):
        assert not handled(method, path)


def test_the_command_s_request_log_writes_logging_s_format_and_survives_a_closed_stream() -> None:
    stream = io.StringIO()
    LineLog(stream)("GET /v2/carts 200 0.4ms")
    reference = logging.Formatter("%(asctime)s %(message)s").format(
        logging.makeLogRecord({"msg": "GET /v2/carts 200 0.4ms"})
    )
    pattern = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} GET /v2/carts 200 0\.4ms"
    assert re.fullmatch(pattern, reference)  # what logging.basicConfig wrote before
    assert re.fullmatch(pattern + "\n", stream.getvalue())
    stream.close()
    LineLog(stream)("GET /v2/carts 200 0.4ms")  # no exception: the answer was already sent
