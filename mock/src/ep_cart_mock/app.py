"""The HTTP layer: one router, straight from the ASGI scope, for every path the mock serves.

The endpoint's requests (a token, a member's login, an association, a cart, the account's carts) are dispatched
with no framework in between: path and headers read from the scope, the body from `receive`, the rules' answer
sent as two ASGI messages. The spec, /docs and the test controls are routed the same way and answer with
Starlette's `Response`. An unknown path answers `path-unknown` (404), a method the path lacks
`method-not-allowed` (405, with `Allow`); HEAD is served wherever GET is. BENCHMARKS.md has what this saves.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import lru_cache
from typing import TextIO
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ep_cart_mock.answers import Answer, error_answer
from ep_cart_mock.clock import Clock
from ep_cart_mock.config import MAX_BODY_BYTES, Settings
from ep_cart_mock.controls import control_routes
from ep_cart_mock.render import compact_json
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
    SPEC_PATH,
    TOKEN_PATH,
    ApiSpec,
    association,
    load,
    read_profile,
)

log = logging.getLogger("ep_cart_mock")


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
    # The kit's spec is parsed once per process (the rule table read its words from it on import).
    spec = load() if settings.spec_path == SPEC_PATH else ApiSpec.load(settings.spec_path)
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


CART_PREFIX = f"{CARTS_PATH}/"
ASSOCIATION = association()
AUTHORIZATION = b"authorization"
CONTENT_TYPE = b"content-type"
CONTENT_LENGTH = b"content-length"
HOST = b"host"
ACCOUNT_TOKEN = ACCOUNT_TOKEN_HEADER.lower().encode("latin-1")
MEMBER_TOKEN = ASSOCIATION.token_header.lower().encode("latin-1")
CUSTOMER_TOKEN = CUSTOMER_TOKEN_HEADER.lower().encode("latin-1")
READ_HEADERS = frozenset(
    {AUTHORIZATION, CONTENT_TYPE, CONTENT_LENGTH, HOST, ACCOUNT_TOKEN, MEMBER_TOKEN, CUSTOMER_TOKEN}
)
Headers = dict[bytes, str]
Handler = Callable[[Scope, Headers, Receive, str], Awaitable[Answer | Response]]
Methods = dict[str, Handler]
"""A path's handlers by method (HEAD is GET's wherever GET is)."""


class MockApp:
    """The mock's ASGI app: the router, and the endpoint's handlers."""

    def __init__(
        self, rules: AssociationRules, settings: Settings, spec: ApiSpec, request_log: Callable[[str], None]
    ) -> None:
        self.rules = rules
        self.request_log = request_log
        self._base_urls: dict[tuple[object, ...], str] = {}
        self.paths: dict[str, Methods] = {
            TOKEN_PATH: {"POST": self.token},
            LOGIN_PATH: {"POST": self.login},
            CARTS_PATH: {"GET": self.carts},
            **self.other_paths(settings, spec),
        }
        """The paths that are one path each; a cart's and its association's paths name a cart ID (`route`)."""
        self.association_methods: Methods = {"POST": self.association, "DELETE": self.association}
        self.cart_methods: Methods = {"GET": self.cart, "PUT": self.update}

    def other_paths(self, settings: Settings, spec: ApiSpec) -> dict[str, Methods]:
        """The spec, the docs page and, when asked for, the test controls (mock-controls.yaml)."""
        spec_bytes = spec.text.encode("utf-8")
        docs_bytes = settings.docs_path.read_bytes() if settings.docs_path.is_file() else None

        async def openapi_document(scope: Scope, headers: Headers, receive: Receive, cart_id: str) -> Response:
            return Response(spec_bytes, media_type="application/yaml")

        async def docs_page(scope: Scope, headers: Headers, receive: Receive, cart_id: str) -> Answer | Response:
            if docs_bytes is None:
                return self.rules.shaped(error_answer("docs-not-built"))
            return Response(docs_bytes, media_type="text/html; charset=utf-8")

        paths: dict[str, Methods] = {"/openapi.yaml": {"GET": openapi_document}, "/docs": {"GET": docs_page}}
        if settings.test_controls:  # otherwise /_mock/ is unknown
            controls = control_routes(ApiSpec.load(settings.controls_spec_path), self.rules, to_response)
            for path, (method, control) in controls.items():
                paths[path] = {method: as_handler(control)}
        return paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await not_http(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        try:
            methods, cart_id = self.route(scope)
            method = scope["method"]
            handler = None if methods is None else methods.get("GET" if method == "HEAD" else method)
            if handler is not None:
                result = await handler(scope, read_headers(scope["headers"]), receive, cart_id)
            elif methods is None:
                result = to_response(self.rules.shaped(error_answer("path-unknown")))
            else:
                allow = ", ".join(allowed(methods))
                result = to_response(self.rules.shaped(error_answer("method-not-allowed")), headers={"Allow": allow})
            if isinstance(result, Answer):
                status = result.status
                await send_answer(send, result)
            else:
                status = result.status_code
                await result(scope, receive, send)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            self.request_log(f"{scope['method']} {printable(scope['path'])} {status} {elapsed_ms:.1f}ms")

    def route(self, scope: Scope) -> tuple[Methods | None, str]:
        """The handlers of the request's path and the cart ID it names; None for a path the mock does not have."""
        path = route_path(scope)
        methods = self.paths.get(path)
        if methods is not None:
            return methods, ""
        if not path.startswith(CART_PREFIX):
            return None, ""
        rest = path[len(CART_PREFIX) :]  # any text, empty, with slashes or newlines: the rules judge the cart ID
        if rest.endswith(ASSOCIATION.suffix):
            return self.association_methods, rest[: -len(ASSOCIATION.suffix)]
        return self.cart_methods, rest

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
                account_token=headers.get(MEMBER_TOKEN),
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


def route_path(scope: Scope) -> str:
    """The path to route, the root path taken off (as Starlette's routing reads it)."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if not root_path or not path.startswith(root_path):
        return path
    if path == root_path:
        return ""
    return path[len(root_path) :] if path[len(root_path)] == "/" else path


def allowed(methods: Methods) -> list[str]:
    """The `Allow` header's methods: the path's, HEAD next to GET."""
    return [name for method in methods for name in ((method, "HEAD") if method == "GET" else (method,))]


def as_handler(control: Callable[[Request], Awaitable[Response]]) -> Handler:
    """A test control (a Starlette endpoint taking a `Request`) as a handler of the router."""

    async def handler(scope: Scope, headers: Headers, receive: Receive, cart_id: str) -> Response:
        return await control(Request(scope, receive))

    return handler


async def not_http(scope: Scope, receive: Receive, send: Send) -> None:
    """The server's start and stop (`lifespan`: nothing to do), and a WebSocket (closed: the mock has none)."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1000, "reason": ""})
        return
    if scope["type"] != "lifespan":
        return
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


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
        content = answer.body if isinstance(answer.body, bytes) else compact_json(answer.body)
        headers = [(b"content-length", str(len(content)).encode("latin-1")), JSON_TYPE]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


def to_response(answer: Answer, headers: Mapping[str, str] | None = None) -> Response:
    if answer.body is None:
        return Response(status_code=answer.status, headers=headers)
    content = answer.body if isinstance(answer.body, bytes) else compact_json(answer.body)  # bytes: already JSON
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
