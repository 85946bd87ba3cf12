"""The HTTP layer: a thin Starlette app that turns requests into rules.py calls and answers into JSON."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping

from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ep_cart_mock.config import MAX_BODY_BYTES, Settings
from ep_cart_mock.controls import control_routes
from ep_cart_mock.rules import (
    PAGE_LIMIT,
    PAGE_OFFSET,
    Answer,
    AssociationRequest,
    AssociationRules,
    CartsRequest,
    TokenRequest,
    error_answer,
)
from ep_cart_mock.store import CartStore, InMemoryCartStore
from ep_cart_mock.tokens import TokenIssuer
from ep_cart_spec import ACCOUNT_TOKEN_HEADER, CUSTOMER_TOKEN_HEADER, ApiSpec

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
) -> Starlette:
    """The mock as an ASGI app. Everything costly (spec, validators) is built here, once."""
    settings = settings or Settings.from_env()
    spec = ApiSpec.load(settings.spec_path)
    rules = AssociationRules(
        spec=spec,
        settings=settings,
        store=store or InMemoryCartStore(),
        tokens=tokens or TokenIssuer(settings.token_ttl_seconds),
    )
    spec_bytes = spec.text.encode("utf-8")
    docs_bytes = settings.docs_path.read_bytes() if settings.docs_path.is_file() else None

    async def access_token(request: Request) -> Response:
        body, too_large = await read_body(request)
        answer = rules.handle_token(TokenRequest(request.headers.get("content-type"), body, body_too_large=too_large))
        return to_response(answer)

    async def account_association(request: Request) -> Response:
        body, too_large = await read_body(request)
        answer = rules.handle_association(
            AssociationRequest(
                method=request.method.lower(),
                cart_id=request.path_params["cart_id"],
                authorization=request.headers.get("authorization"),
                account_token=request.headers.get(ACCOUNT_TOKEN_HEADER),
                content_type=request.headers.get("content-type"),
                body=body,
                body_too_large=too_large,
            )
        )
        return to_response(answer)

    def carts_request(request: Request) -> CartsRequest:
        return CartsRequest(
            base_url=str(request.base_url).rstrip("/"),
            authorization=request.headers.get("authorization"),
            cart_id=request.path_params.get("cart_id", ""),
            account_token=request.headers.get(ACCOUNT_TOKEN_HEADER),
            customer_token=request.headers.get(CUSTOMER_TOKEN_HEADER),
            page_limit=tuple(request.query_params.getlist(PAGE_LIMIT)),
            page_offset=tuple(request.query_params.getlist(PAGE_OFFSET)),
        )

    async def cart(request: Request) -> Response:
        return to_response(rules.handle_cart(carts_request(request)))

    async def carts(request: Request) -> Response:
        return to_response(rules.handle_carts(carts_request(request)))

    async def openapi_document(request: Request) -> Response:
        return Response(spec_bytes, media_type="application/yaml")

    async def docs_page(request: Request) -> Response:
        if docs_bytes is None:
            return to_response(error_answer("docs-not-built"))
        return Response(docs_bytes, media_type="text/html; charset=utf-8")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            return to_response(error_answer("method-not-allowed"), headers=exc.headers)
        return to_response(error_answer("path-unknown"))

    app = Starlette(
        routes=[
            Route("/oauth/access_token", access_token, methods=["POST"]),
            # `anything` matches encoded slashes, newlines and empty segments too, so the rules refuse them (400).
            Route(
                "/v2/carts/{cart_id:anything}/relationships/accounts",
                account_association,
                methods=["POST", "DELETE"],
            ),
            Route("/v2/carts/{cart_id:cart_id}", cart, methods=["GET"]),
            Route("/v2/carts", carts, methods=["GET"]),
            Route("/openapi.yaml", openapi_document, methods=["GET"]),
            Route("/docs", docs_page, methods=["GET"]),
            # The test controls (mock-controls.yaml) exist only when asked for: otherwise /_mock/ is unknown.
            *(
                control_routes(ApiSpec.load(settings.controls_spec_path), rules, to_response)
                if settings.test_controls
                else []
            ),
        ],
        exception_handlers={404: http_error, 405: http_error},
    )
    app.router.redirect_slashes = False
    app.state.rules = rules
    app.add_middleware(RequestLog)
    return app


async def read_body(request: Request) -> tuple[bytes, bool]:
    """The body, or (what was read, True) as soon as it passes MAX_BODY_BYTES: never read whole."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return b"", True
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return b"", True
            chunks.append(chunk)
    except ClientDisconnect:
        # The client left mid-body: answer as for any incomplete JSON (nobody will read it), no traceback.
        return b"".join(chunks), False
    return b"".join(chunks), False


def to_response(answer: Answer, headers: Mapping[str, str] | None = None) -> Response:
    if answer.body is None:
        return Response(status_code=answer.status, headers=headers)
    if isinstance(answer.body, bytes):  # already JSON
        return Response(answer.body, status_code=answer.status, headers=headers, media_type="application/json")
    content = json.dumps(answer.body, separators=(",", ":")).encode("utf-8")
    return Response(content, status_code=answer.status, headers=headers, media_type="application/json")


class RequestLog:
    """One log line per request: method, path, status, milliseconds. Never headers or bodies (tokens)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.info("%s %s %d %.1fms", scope["method"], printable(scope["path"]), status, elapsed_ms)


def printable(path: str, limit: int = 200) -> str:
    """The path as one short, safe log field."""
    escaped = path.encode("unicode_escape").decode("ascii")
    return escaped if len(escaped) <= limit else escaped[:limit] + "..."
