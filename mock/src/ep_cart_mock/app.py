"""The HTTP layer: the endpoint's own routes answered straight from the ASGI scope, the rest by Starlette.

The requests a client's load is made of (a token, a member's login, an association, a cart, the account's
carts) are dispatched by `MockApp` with no framework in between: path and headers read from the scope, the body
from `receive`, the rules' answer sent as two ASGI messages. Everything else (the spec, /docs, the test
controls, an unknown path, a method a path does not have, HEAD, any path Starlette's routing could read
differently) goes to a thin Starlette app that answers it as it always has. `tests/mock/test_fast_path.py`
sends the same requests to both layers and compares the answers byte for byte. BENCHMARKS.md has what this saves.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import lru_cache
from typing import TextIO
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from ep_cart_mock.answers import Answer, error_answer
from ep_cart_mock.clock import Clock
from ep_cart_mock.config import MAX_BODY_BYTES, Settings
from ep_cart_mock.controls import control_routes
from ep_cart_mock.requests import AssociationRequest, CartsRequest, LoginRequest, TokenRequest, UpdateRequest
from ep_cart_mock.rules import AssociationRules
from ep_cart_mock.store import CartStore, InMemoryCartStore
from ep_cart_mock.tokens import AccountTokenIssuer, TokenIssuer
from ep_cart_mock.validation import PAGE_LIMIT, PAGE_OFFSET
from ep_cart_spec import (
    ACCOUNT_TOKEN_HEADER,
    CARTS_PATH,
    CUSTOMER_TOKEN_HEADER,
    LOGIN_PATH,
    TOKEN_PATH,
    ApiSpec,
    read_profile,
)

log = logging.getLogger("ep_cart_mock")


class AnythingConvertor(Convertor[str]):
    """Like Starlette's `path`, but also across newlines (`%0A` in a cart ID must reach the rules)."""

    regex = r"[\s\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anything", AnythingConvertor())


class CartIDConvertor(AnythingConvertor):
    """`anything`, except a path that ends in the association's suffix: that one is the association's path,
    and a method it does not have must answer 405 there, not be read as a cart ID."""

    regex = r"(?:(?!/relationships/accounts$)[\s\S])*"


register_url_convertor("cart_id", CartIDConvertor())


def create_app(
    settings: Settings | None = None,
    *,
    store: CartStore | None = None,
    tokens: TokenIssuer | None = None,
    account_tokens: AccountTokenIssuer | None = None,
    request_log: Callable[[str], None] | None = None,
) -> MockApp:
    """The mock as an ASGI app. Everything costly (spec, validators) is built here, once.

    `request_log` takes one line per request (method, path, status, milliseconds); by default the
    `ep_cart_mock` logger at INFO. The command passes a `LineLog`, which writes the same lines for less.
    """
    settings = settings or Settings.from_env()
    spec = ApiSpec.load(settings.spec_path)
    clock = Clock()  # one time for everything that expires: the test controls move it on
    rules = AssociationRules(
        spec=spec,
        settings=settings,
        store=store or InMemoryCartStore(clock.now),
        tokens=tokens or TokenIssuer(settings.token_ttl_seconds, clock.now),
        account_tokens=account_tokens or AccountTokenIssuer(settings.account_token_ttl_seconds, clock.now),
        clock=clock,
        # ProfileError (a ValueError naming the file and the valid choices) when it cannot be used.
        profile=read_profile(settings.store_profile, spec) if settings.store_profile else None,
    )
    return MockApp(rules, settings, spec, request_log or log_to_logger)


CART_PREFIX = "/v2/carts/"
ASSOCIATION_SUFFIX = "/relationships/accounts"
AUTHORIZATION = b"authorization"
CONTENT_TYPE = b"content-type"
CONTENT_LENGTH = b"content-length"
HOST = b"host"
ACCOUNT_TOKEN = ACCOUNT_TOKEN_HEADER.lower().encode("latin-1")
CUSTOMER_TOKEN = CUSTOMER_TOKEN_HEADER.lower().encode("latin-1")
READ_HEADERS = frozenset({AUTHORIZATION, CONTENT_TYPE, CONTENT_LENGTH, HOST, ACCOUNT_TOKEN, CUSTOMER_TOKEN})
Headers = dict[bytes, str]
Handler = Callable[[Scope, Headers, Receive, str], Awaitable[Answer]]


class MockApp:
    """The mock's ASGI app: the endpoint's routes dispatched here, the rest handed to `framework`.

    A request reaches a handler here only where Starlette's routing would reach the same endpoint with the same
    path parameter; any other (a newline in the path, a root path, HEAD, a method the path lacks) goes to
    `framework`, so both layers always give the same answer.
    """

    def __init__(
        self, rules: AssociationRules, settings: Settings, spec: ApiSpec, request_log: Callable[[str], None]
    ) -> None:
        self.rules = rules
        self.request_log = request_log
        self._base_urls: dict[tuple[object, ...], str] = {}
        self.framework = self.framework_app(settings, spec)

    def framework_app(self, settings: Settings, spec: ApiSpec) -> Starlette:
        """Every route as Starlette routes it, the endpoint's answered by the same handlers as in `route`."""
        spec_bytes = spec.text.encode("utf-8")
        docs_bytes = settings.docs_path.read_bytes() if settings.docs_path.is_file() else None

        async def openapi_document(request: Request) -> Response:
            return Response(spec_bytes, media_type="application/yaml")

        async def docs_page(request: Request) -> Response:
            if docs_bytes is None:
                return to_response(self.rules.shaped(error_answer("docs-not-built")))
            return Response(docs_bytes, media_type="text/html; charset=utf-8")

        async def http_error(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, HTTPException)
            if exc.status_code == 405:
                return to_response(self.rules.shaped(error_answer("method-not-allowed")), headers=exc.headers)
            return to_response(self.rules.shaped(error_answer("path-unknown")))

        app = Starlette(
            routes=[
                Route(TOKEN_PATH, Endpoint(self.token), methods=["POST"]),
                Route(LOGIN_PATH, Endpoint(self.login), methods=["POST"]),
                # `anything` matches encoded slashes, newlines and empty segments too, so the rules refuse them.
                Route(
                    "/v2/carts/{cart_id:anything}/relationships/accounts",
                    Endpoint(self.association),
                    methods=["POST", "DELETE"],
                ),
                Route("/v2/carts/{cart_id:cart_id}", Endpoint(self.cart_or_update), methods=["GET", "PUT"]),
                Route(CARTS_PATH, Endpoint(self.carts), methods=["GET"]),
                Route("/openapi.yaml", openapi_document, methods=["GET"]),
                Route("/docs", docs_page, methods=["GET"]),
                # The test controls (mock-controls.yaml) exist only when asked for: otherwise /_mock/ is unknown.
                *(
                    control_routes(ApiSpec.load(settings.controls_spec_path), self.rules, to_response)
                    if settings.test_controls
                    else []
                ),
            ],
            exception_handlers={404: http_error, 405: http_error},
        )
        app.router.redirect_slashes = False
        return app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.framework(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        try:
            handler, cart_id = self.route(scope)
            if handler is None:

                async def send_and_note_status(message: Message) -> None:
                    nonlocal status
                    if message["type"] == "http.response.start":
                        status = message["status"]
                    await send(message)

                await self.framework(scope, receive, send_and_note_status)
            else:
                answer = await handler(scope, read_headers(scope["headers"]), receive, cart_id)
                status = answer.status
                await send_answer(send, answer)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            self.request_log(f"{scope['method']} {printable(scope['path'])} {status} {elapsed_ms:.1f}ms")

    def route(self, scope: Scope) -> tuple[Handler | None, str]:
        """The handler and cart ID Starlette's routing would reach, or None where it may differ or refuse."""
        path: str = scope["path"]
        method: str = scope["method"]
        if scope.get("root_path") or "\n" in path:
            return None, ""  # Starlette's `$` also matches before a final newline: let it decide those
        if path == TOKEN_PATH:
            return (self.token if method == "POST" else None), ""
        if path == CARTS_PATH:
            return (self.carts if method == "GET" else None), ""
        if path == LOGIN_PATH:
            return (self.login if method == "POST" else None), ""
        if not path.startswith(CART_PREFIX):
            return None, ""
        if path.endswith(ASSOCIATION_SUFFIX):
            if method in ("POST", "DELETE") and len(path) > len(CART_PREFIX) + len(ASSOCIATION_SUFFIX):
                return self.association, path[len(CART_PREFIX) : -len(ASSOCIATION_SUFFIX)]
            return None, ""
        handler = self.cart if method == "GET" else self.update if method == "PUT" else None
        return handler, path[len(CART_PREFIX) :]

    async def token(self, scope: Scope, headers: Headers, receive: Receive, cart_id: str) -> Answer:
        body, too_large = await receive_body(headers, receive)
        return self.rules.handle_token(TokenRequest(headers.get(CONTENT_TYPE), body, body_too_large=too_large))

    async def login(self, scope: Scope, headers: Headers, receive: Receive, cart_id: str) -> Answer:
        body, too_large = await receive_body(headers, receive)
        return self.rules.handle_login(
            LoginRequest(
                base_url=self.base_url(scope, headers),
                authorization=headers.get(AUTHORIZATION),
                content_type=headers.get(CONTENT_TYPE),
                body=body,
                body_too_large=too_large,
            )
        )

    async def association(self, scope: Scope, headers: Headers, receive: Receive, cart_id: str) -> Answer:
        body, too_large = await receive_body(headers, receive)
        return self.rules.handle_association(
            AssociationRequest(
                method=scope["method"].lower(),
                cart_id=cart_id,
                authorization=headers.get(AUTHORIZATION),
                account_token=headers.get(ACCOUNT_TOKEN),
                content_type=headers.get(CONTENT_TYPE),
                body=body,
                body_too_large=too_large,
            )
        )

    async def cart(self, scope: Scope, headers: Headers, receive: Receive, cart_id: str) -> Answer:
        return self.rules.handle_cart(
            CartsRequest(
                base_url=self.base_url(scope, headers),
                authorization=headers.get(AUTHORIZATION),
                cart_id=cart_id,
                account_token=headers.get(ACCOUNT_TOKEN),
                customer_token=headers.get(CUSTOMER_TOKEN),
            )
        )

    async def update(self, scope: Scope, headers: Headers, receive: Receive, cart_id: str) -> Answer:
        body, too_large = await receive_body(headers, receive)
        return self.rules.handle_update(
            UpdateRequest(
                base_url=self.base_url(scope, headers),
                cart_id=cart_id,
                authorization=headers.get(AUTHORIZATION),
                content_type=headers.get(CONTENT_TYPE),
                body=body,
                body_too_large=too_large,
            )
        )

    async def cart_or_update(self, scope: Scope, headers: Headers, receive: Receive, cart_id: str) -> Answer:
        """The cart's path as Starlette routes it: PUT updates the cart, GET (and HEAD) reads it."""
        handler = self.update if scope["method"] == "PUT" else self.cart
        return await handler(scope, headers, receive, cart_id)

    async def carts(self, scope: Scope, headers: Headers, receive: Receive, cart_id: str) -> Answer:
        page_limit, page_offset = page_parameters(scope["query_string"])
        return self.rules.handle_carts(
            CartsRequest(
                base_url=self.base_url(scope, headers),
                authorization=headers.get(AUTHORIZATION),
                account_token=headers.get(ACCOUNT_TOKEN),
                customer_token=headers.get(CUSTOMER_TOKEN),
                page_limit=page_limit,
                page_offset=page_offset,
            )
        )

    def base_url(self, scope: Scope, headers: Headers) -> str:
        """Starlette's `request.base_url`, worked out once per host a client names (a handful in practice)."""
        key = (scope.get("scheme"), headers.get(HOST), *(scope.get("server") or ()))
        found = self._base_urls.get(key)
        if found is None:
            if len(self._base_urls) >= 256:  # the Host header is the client's to choose: keep the table small
                self._base_urls.clear()
            found = self._base_urls[key] = str(Request(scope).base_url).rstrip("/")
        return found


class Endpoint:
    """One of `MockApp`'s handlers as a Starlette route's ASGI app (the cart ID from the route's parameters)."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cart_id = scope.get("path_params", {}).get("cart_id", "")
        await send_answer(send, await self.handler(scope, read_headers(scope["headers"]), receive, cart_id))


def read_headers(raw: list[tuple[bytes, bytes]]) -> Headers:
    """The first value of each header the handlers read, as Starlette's `Headers.get` gives it."""
    found: Headers = {}
    for name, value in raw:
        if name in READ_HEADERS and name not in found:
            found[name] = value.decode("latin-1")
    return found


@lru_cache(maxsize=1024)
def page_parameters(query_string: bytes) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every value of page[limit] and of page[offset], parsed as Starlette's `QueryParams` does."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return (
        tuple(value for name, value in pairs if name == PAGE_LIMIT),
        tuple(value for name, value in pairs if name == PAGE_OFFSET),
    )


async def receive_body(headers: Headers, receive: Receive) -> tuple[bytes, bool]:
    """The body, or (b"", True) as soon as it passes MAX_BODY_BYTES: never read whole."""
    declared = headers.get(CONTENT_LENGTH, "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return b"", True
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            # The client left mid-body: answer as for any incomplete JSON (nobody will read it), no traceback.
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False


JSON_TYPE = (b"content-type", b"application/json")


async def send_answer(send: Send, answer: Answer) -> None:
    """`to_response` for `MockApp`: the same status, headers and body, as two ASGI messages."""
    if answer.body is None:
        content = b""
        # As Starlette's Response: no length on a 204 (or 1xx, 304), a zero length on any other empty answer.
        headers = [] if answer.status < 200 or answer.status in (204, 304) else [(b"content-length", b"0")]
    else:
        content = answer.body if isinstance(answer.body, bytes) else json_bytes(answer.body)
        headers = [(b"content-length", str(len(content)).encode("latin-1")), JSON_TYPE]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


def json_bytes(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def to_response(answer: Answer, headers: Mapping[str, str] | None = None) -> Response:
    if answer.body is None:
        return Response(status_code=answer.status, headers=headers)
    content = answer.body if isinstance(answer.body, bytes) else json_bytes(answer.body)  # bytes: already JSON
    return Response(content, status_code=answer.status, headers=headers, media_type="application/json")


def log_to_logger(line: str) -> None:
    """The default request log: the `ep_cart_mock` logger at INFO (a test's own logging sees it)."""
    log.info("%s", line)


class LineLog:
    """The request log of the command: each line straight to a stream, in the format the command's logging
    uses (`asctime message`), with no LogRecord, caller lookup or handler lock per request."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self._second = -1
        self._prefix = ""

    def __call__(self, line: str) -> None:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        # stderr closed, or a broken pipe: the answer matters, the line does not.
        with contextlib.suppress(OSError, ValueError):
            self.stream.write(f"{self._prefix},{int((now - second) * 1000):03d} {line}\n")


def printable(path: str, limit: int = 200) -> str:
    """The path as one short, safe log field."""
    escaped = path.encode("unicode_escape").decode("ascii")
    return escaped if len(escaped) <= limit else escaped[:limit] + "..."
