"""The mock's one router (`MockApp.route`): every path it serves, the cart ID its paths name, what it answers for
a path or method it does not have, HEAD, and the ASGI messages that are not HTTP requests."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections.abc import Iterator, MutableMapping
from dataclasses import replace
from typing import Any

import httpx
import pytest

from ep_cart_mock.app import LineLog, MockApp, create_app
from ep_cart_mock.config import Settings
from ep_cart_mock.table import RULES
from ep_cart_mock.tokens import GrantType, TokenIssuer
from ep_cart_spec import DEFAULTS, association
from tests.mock.asgi_client import Client

ASSOCIATION = association()
BODY = ASSOCIATION.body([DEFAULTS["EP_ACCOUNT_ID"]])


Mock = tuple[MockApp, Client, dict[str, str]]
"""The app, a client of it, and an administrator's headers."""


@pytest.fixture
def mock() -> Iterator[Mock]:
    settings = replace(Settings.from_env({}), test_controls=True)
    tokens = TokenIssuer(settings.token_ttl_seconds)
    app = create_app(settings, tokens=tokens)
    client = Client(app)
    yield app, client, {"Authorization": f"Bearer {tokens.issue(GrantType.CLIENT_CREDENTIALS).access_token}"}
    client.close()


def rule_of(response: httpx.Response) -> tuple[int, str]:
    (error,) = response.json()["errors"]
    return response.status_code, error["title"]


def test_each_path_reaches_its_handler_with_the_cart_id_it_names(mock: Mock) -> None:
    app, _, _ = mock

    def routed(path: str, root_path: str = "") -> tuple[str, str] | None:
        methods, cart_id = app.route({"type": "http", "path": path, "root_path": root_path})
        return None if methods is None else (",".join(methods), cart_id)

    assert routed("/oauth/access_token") == ("POST", "")
    assert routed("/v2/account-members/tokens") == ("POST", "")
    assert routed("/v2/carts") == ("GET", "")
    assert routed("/v2/carts/c1") == ("GET,PUT", "c1")
    assert routed(ASSOCIATION.path_of("c1")) == ("POST,DELETE", "c1")
    # The cart ID is what lies between: empty, with slashes or newlines; the rules refuse those.
    assert routed("/v2/carts/") == ("GET,PUT", "")
    assert routed(f"/v2/carts/{ASSOCIATION.suffix}") == ("POST,DELETE", "")
    assert routed(f"/v2/carts/a/b{ASSOCIATION.suffix}") == ("POST,DELETE", "a/b")
    assert routed("/v2/carts/x\n") == ("GET,PUT", "x\n")
    assert routed(f"/v2/carts{ASSOCIATION.suffix}") == ("GET,PUT", ASSOCIATION.suffix[1:])
    # A path with a newline after it is not the path without it.
    assert routed(f"{ASSOCIATION.path_of('c1')}\n") == ("GET,PUT", f"c1{ASSOCIATION.suffix}\n")
    assert routed("/oauth/access_token\n") is None
    assert routed("/v2/cart") is None
    assert routed("/_mock/state") == ("GET", "")
    # Behind a root path, the path is read from there on (as Starlette's routing reads it).
    assert routed("/shop/v2/carts/c1", root_path="/shop") == ("GET,PUT", "c1")


def test_a_path_or_method_the_mock_lacks_gets_its_documented_error(mock: Mock) -> None:
    _, client, admin = mock
    not_found = (404, RULES["path-unknown"].title)
    assert rule_of(client.request("GET", "/v2/cart")) == not_found
    assert rule_of(client.request("GET", "/oauth/access_token%0A")) == not_found
    for method, path, allow in (
        ("GET", ASSOCIATION.path_of("c1"), "POST, DELETE"),
        ("DELETE", "/v2/carts/c1", "GET, HEAD, PUT"),
        ("POST", "/v2/carts", "GET, HEAD"),
        ("GET", "/oauth/access_token", "POST"),
        ("POST", f"{ASSOCIATION.path_of('c1')}%0A", "GET, HEAD, PUT"),
    ):
        response = client.request(method, path, headers=admin, json=BODY)
        assert rule_of(response) == (405, RULES["method-not-allowed"].title), (method, path)
        assert response.headers["allow"] == allow
        assert response.headers["content-type"] == "application/json"


def test_head_is_get_where_get_is_and_odd_cart_ids_reach_the_rules(mock: Mock) -> None:
    _, client, admin = mock
    assert client.request("HEAD", "/v2/carts/c1", headers=admin).status_code == 200
    assert client.request("HEAD", "/openapi.yaml").status_code == 200
    assert client.request("GET", "/openapi.yaml").headers["content-type"] == "application/yaml"
    assert client.request("GET", "/_mock/state").json()["associations"] == []
    unsafe = (400, RULES["cart-id-unsafe"].title)
    assert rule_of(client.request("GET", f"/v2/carts{ASSOCIATION.suffix}", headers=admin)) == unsafe
    assert rule_of(client.request("POST", f"/v2/carts/{ASSOCIATION.suffix}", headers=admin, json=BODY)) == unsafe
    for odd in ("a%2Fb", "caf%C3%A9", "%20", "c" * 300, "x%0A"):
        path = f"/v2/carts/{odd}{ASSOCIATION.suffix}"
        assert rule_of(client.request("POST", path, headers=admin, json=BODY)) == unsafe, odd
    assert client.request("POST", ASSOCIATION.path_of("routed-1"), headers=admin, json=BODY).status_code == 200


def test_the_server_s_start_and_stop_and_a_websocket_are_answered(mock: Mock) -> None:
    app, _, _ = mock
    incoming: list[MutableMapping[str, Any]] = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app({"type": "lifespan"}, receive, send))
    assert [message["type"] for message in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    sent.clear()
    asyncio.run(app({"type": "websocket", "path": "/v2/carts"}, receive, send))
    assert [message["type"] for message in sent] == ["websocket.close"]


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
