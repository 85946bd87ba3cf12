"""A thin proxy in front of the mock that breaks the contract in exactly one way (a test fixture).

`python -m tests.faults.proxy [--upstream URL] --port PORT --fault NAME`. Each fault is one way a real server
could drift from openapi.yaml; tests/faults/test_suite_catches_faults.py proves the contract suite fails on each
and names what broke, and test_suite_judges_stores.py how it judges stores that answer otherwise. It also records
every bearer token it relays, so the test can check none leaks.

Without --upstream, the store behind it is the bundled mock's application, served in this process with its test
controls: one process per run, not two, and no second HTTP hop (a fault run's proxy and mock cost about 5 s of
processor time, 2 s in one process). The controls (/_mock/, which the suite never sends) reach it directly, past
every fault, so a test reads the store's state at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import itertools
import json
import os
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ep_cart_mock.app import LineLog, create_app
from ep_cart_mock.config import Settings
from ep_cart_spec import ACCOUNT_TOKEN_HEADER, CUSTOMER_TOKEN_HEADER

ASSOCIATION_SUFFIX = "/relationships/accounts"
CARTS = "/v2/carts"
ACCOUNT_TOKEN = ACCOUNT_TOKEN_HEADER.lower()
CUSTOMER_TOKEN = CUSTOMER_TOKEN_HEADER.lower()
"""As the proxy's header dictionaries hold them (Starlette lowers every name)."""
REAL_CART = "team-real-cart-1"
"""team-store: a cart of the team's, associated with the configured account before the run."""
GENERIC_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 422: "Unprocessable Entity"}
HOP_HEADERS = {"content-length", "transfer-encoding", "connection", "date", "server"}
Upstream = Callable[..., Awaitable[httpx.Response]]


def raw_path(request: Request) -> str:
    """The request's path exactly as the client encoded it: one line, whatever the generated cart ID holds."""
    return str(request.scope["raw_path"].decode("ascii", errors="replace"))


def in_process_mock(log: Path) -> ASGIApp:
    """The bundled mock's application as `python -m ep_cart_mock --test-controls` serves it (the same EP_* values,
    the same request log lines, to `log`)."""
    settings = dataclasses.replace(Settings.from_env(), test_controls=True)
    return create_app(settings, request_log=LineLog(log.open("a", encoding="utf-8", buffering=1)))


def build_app(upstream_url: str | None, fault: str, client_id: str, client_secret: str, tokens_file: Path) -> ASGIApp:
    mock: ASGIApp | None = None
    if upstream_url is None:
        mock = in_process_mock(tokens_file.with_name("upstream.log"))
        client = httpx.AsyncClient(base_url="http://upstream", timeout=30, transport=httpx.ASGITransport(app=mock))
    else:
        # A connection upstream for each request, none kept: the mock (uvicorn) closes one idle for 5 s, and a
        # request sent on it as it closes ended in httpx.ReadError, which this proxy answered with a plain 500: a
        # vendor claim broken by the fixture, not the store (once in about a dozen runs of make test; reproduced, 1
        # of 16 requests sent 4.95 to 5.02 s apart; none of 24 without keep-alive).
        client = httpx.AsyncClient(base_url=upstream_url, timeout=30, limits=httpx.Limits(max_keepalive_connections=0))
    rate_limited: set[tuple[str, str]] = set()
    administrator_tokens: set[str] = set()
    known_carts: set[str] = set()
    """The cart IDs a client has named (read, or associated): unknown-cart-post-404's store knows these."""
    stand_ins: dict[str, str] = {}
    """The independent server's UUID for an account ID that is none -> that ID as the client sent it."""

    async def forward(
        request: Request,
        body: bytes,
        headers: dict[str, str] | None = None,
        *,
        method: str | None = None,
        changed: dict[str, str] | None = None,
        query: str | None = None,
    ) -> httpx.Response:
        """The request upstream: its own headers (or `headers`) with `changed` on top, under `method` if given,
        with its own query (or `query`)."""
        sent = dict(headers if headers is not None else relayed_headers(request))
        sent.update(changed or {})
        # The path and query exactly as the client encoded them.
        if query is None:
            query = request.scope["query_string"].decode("ascii", errors="replace")
        target = raw_path(request) + (f"?{query}" if query else "")
        return await client.request(method or request.method, target, content=body, headers=sent)

    async def admin_token() -> str:
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
        answer = await client.post("/oauth/access_token", data=form)
        token: str = answer.json()["access_token"]
        note_token(token)
        return token

    def note_token(token: str) -> None:
        with tokens_file.open("a", encoding="utf-8") as file:
            file.write(token + "\n")

    methods_file = tokens_file.with_name(tokens_file.name + ".methods")
    refused_file = tokens_file.with_name(tokens_file.name + ".429")
    """Each request the rate-limited fault answered 429: the proof that it did."""
    requests_file = tokens_file.with_name(tokens_file.name + ".requests")
    # Each account's token, from the same environment as the suite's.
    tokens = {
        os.environ.get("EP_ACCOUNT_TOKEN", ""): "EP_OTHER_ACCOUNT_TOKEN",
        os.environ.get("EP_OTHER_ACCOUNT_TOKEN", ""): "EP_ACCOUNT_TOKEN",
    }
    account_of_token = {
        os.environ.get("EP_ACCOUNT_TOKEN", ""): os.environ.get("EP_ACCOUNT_ID", ""),
        os.environ.get("EP_OTHER_ACCOUNT_TOKEN", ""): os.environ.get("EP_OTHER_ACCOUNT_ID", ""),
    }
    kept: dict[str, str] = {}
    """keeps-account-after-delete: cart ID -> the account a DELETE removed, still shown."""
    real_cart_ready: list[bool] = []
    reader_token: list[str] = []
    """independent: an administrator's token to read carts with, fetched once."""

    def note(line: str) -> None:
        with requests_file.open("a", encoding="utf-8") as file:
            file.write(line + "\n")

    async def team_store(request: Request, path: str) -> Response | None:
        """A store that already holds a team's real cart, and has the vendor's cart methods (S3) the spec
        leaves out: each call is recorded and answered as the vendor would, never forwarded. Every request is
        recorded; the rest (PUT /v2/carts/{cartID}, which the spec describes, among them) go upstream."""
        if not real_cart_ready:
            real_cart_ready.append(True)
            headers = {"Authorization": f"Bearer {await admin_token()}"}
            entry = {"id": os.environ["EP_ACCOUNT_ID"], "type": "account"}
            await client.post(f"{CARTS}/{REAL_CART}{ASSOCIATION_SUFFIX}", json={"data": [entry]}, headers=headers)
        note(f"{request.method} {raw_path(request)}")
        cart = {"id": "made-by-post", "type": "cart", "name": "Cart", "links": {}, "meta": {}}
        if request.method == "POST" and path == CARTS:
            return Response(json.dumps({"data": cart}).encode(), 201, {"content-type": "application/json"})
        if request.method == "DELETE" and path.startswith(f"{CARTS}/") and "/" not in path[len(CARTS) + 1 :]:
            return Response(status_code=204)
        return None

    async def proxy(request: Request) -> Response:
        body = await request.body()
        path = request.url.path
        is_association = path.endswith(ASSOCIATION_SUFFIX)
        if is_association:
            with methods_file.open("a", encoding="utf-8") as file:
                file.write(request.method + "\n")
        if fault == "independent":
            return await independent(request, body, path, is_association)
        if fault == "team-store":
            answered = await team_store(request, path)
            if answered is not None:
                return answered
        if fault == "delete-never-answers" and is_association and request.method == "DELETE":
            await asyncio.Event().wait()  # never set: the client's timeout ends the request

        cart_id = path.split("/")[3] if path.startswith(f"{CARTS}/") and len(path.split("/")) > 3 else None
        if fault in ("unknown-cart-post-404", "some-carts-404") and cart_id is not None:
            return await refusing_carts(request, body, cart_id, is_association)
        if fault == "rate-limited" and (request.method, path) not in rate_limited:
            rate_limited.add((request.method, path))
            with refused_file.open("a", encoding="utf-8") as file:
                # The path as sent (percent-encoded): a decoded one may hold a line break, which split the log's
                # line in two and failed the test reading it by chance (1 run in 7).
                file.write(f"{request.method} {raw_path(request)}\n")
            return Response(
                b'{"errors":[{"status":429,"title":"Too Many Requests"}]}',
                429,
                {"Retry-After": "0", "Content-Type": "application/json"},
            )
        if fault == "delete-does-not-delete" and is_association and request.method == "DELETE":
            return Response(status_code=204)
        if fault == "500-on-valid" and request.method == "GET" and path.startswith(f"{CARTS}/") and "ct-" in path:
            # A valid read of one of the run's carts, failed by the store itself: a claim broken, not availability.
            return Response(b'{"errors":[{"status":500,"title":"Internal Server Error"}]}', 500)
        if fault == "unauthenticated-accepted" and is_association and "authorization" not in request.headers:
            answer = await forward(request, body, changed={"Authorization": f"Bearer {await admin_token()}"})
        else:
            answer = await forward(request, body)

        if path == "/oauth/access_token" and answer.status_code == 200:
            note_token(answer.json()["access_token"])
        status, content = answer.status_code, answer.content
        headers = {name: value for name, value in answer.headers.items() if name.lower() not in HOP_HEADERS}

        if fault == "team-store" and path == CARTS and status == 200 and REAL_CART.encode() in content:
            note(f"LISTED {REAL_CART}")
        if fault == "associates-nothing" and is_association and request.method == "POST" and status == 200:
            await forward(request, body, method="DELETE")  # answered 200, yet nothing stays associated
        if fault == "lists-another-accounts-cart" and path == CARTS and status == 200:
            other = os.environ.get(tokens.get(request.headers.get(ACCOUNT_TOKEN, ""), ""), "")
            if other:
                theirs = await forward(request, b"", method="GET", changed={ACCOUNT_TOKEN: other})
                document = json.loads(content)
                document["data"] = [*theirs.json()["data"][:1], *document["data"]]
                content = json.dumps(document).encode()
        if fault == "keeps-account-after-delete":
            content = await keep_account(request, path, body, status, content, is_association)

        if is_association:
            if fault == "wrong-status" and status == 200:
                status = 201
            elif fault == "schema-violation" and status == 200:
                document = json.loads(content)
                document["data"][0]["type"] = "customer"
                content = json.dumps(document).encode()
            elif fault == "wrong-content-type" and status >= 400:
                headers["content-type"] = "text/plain"
            elif fault == "invalid-data-accepted" and status == 400:
                status, content = 204, b""
                headers.pop("content-type", None)
            elif fault == "repeat-answered-200" and request.method == "POST" and status == 204:
                status, content = 200, json.dumps({"data": json.loads(body)["data"]}).encode()
                headers["content-type"] = "application/json"
            elif fault == "cross-account-token-accepted" and status == 403 and b"permissions" in content:
                # The account token is ignored: the request goes through as an administrator's.
                admin_headers = {"Authorization": f"Bearer {await admin_token()}", "Content-Type": "application/json"}
                retried = await forward(request, body, admin_headers)
                status, content = retried.status_code, retried.content
                headers = {name: value for name, value in retried.headers.items() if name.lower() not in HOP_HEADERS}
        return Response(content, status, headers)

    async def keep_account(
        request: Request, path: str, body: bytes, status: int, content: bytes, is_association: bool
    ) -> bytes:
        """The association goes, but the cart and the account's list go on showing it."""
        cart_id = path.split("/")[3] if path.startswith(f"{CARTS}/") else ""
        if is_association and status in (200, 204):
            if request.method == "DELETE":
                kept[cart_id] = json.loads(body)["data"][0]["id"]
            else:
                kept.pop(cart_id, None)
        elif request.method == "GET" and status == 200 and path == f"{CARTS}/{cart_id}" and cart_id in kept:
            document = json.loads(content)
            document["data"]["relationships"]["accounts"]["data"] = [{"id": kept[cart_id], "type": "account"}]
            content = json.dumps(document).encode()
        elif request.method == "GET" and status == 200 and path == CARTS:
            account = account_of_token.get(request.headers.get(ACCOUNT_TOKEN, ""))
            document = json.loads(content)
            for kept_cart, kept_account in kept.items():
                if kept_account == account:
                    cart = {"id": kept_cart, "type": "cart", "name": "Cart", "links": {}, "meta": {}}
                    cart["relationships"] = {"accounts": {"data": [{"id": account, "type": "account"}]}}
                    document["data"].insert(0, cart)
            content = json.dumps(document).encode()
        return content

    async def refusing_carts(request: Request, body: bytes, cart_id: str, is_association: bool) -> Response:
        """unknown-cart-post-404: a store that answers 404 to a POST on a cart it has never seen (a read makes the
        cart, S3), and keeps every other fact. some-carts-404: one that answers 404 to association requests on
        some cart IDs, whether or not they exist. Each checks everything else first (the request goes upstream),
        and only an answer that would have changed something becomes the 404, the change undone."""
        unknown = request.method == "POST" and is_association and cart_id not in known_carts
        unlucky = is_association and hashlib.sha256(cart_id.encode()).digest()[0] % 3 == 0
        refuse = unknown if fault == "unknown-cart-post-404" else unlucky
        was_associated = refuse and request.method == "DELETE" and await is_associated(request, body)
        answer = await forward(request, body)
        if answer.status_code < 300:
            known_carts.add(cart_id)
        if not refuse or answer.status_code >= 300:
            headers = {name: value for name, value in answer.headers.items() if name.lower() not in HOP_HEADERS}
            return Response(answer.content, answer.status_code, headers)
        admin = {"Authorization": f"Bearer {await admin_token()}", "Content-Type": "application/json"}
        if request.method == "POST" and answer.status_code == 200:
            await client.request("DELETE", request.url.path, content=body, headers=admin)  # undo the association
        elif request.method == "DELETE" and was_associated:
            await client.request("POST", request.url.path, content=body, headers=admin)  # undo the removal
        if fault == "unknown-cart-post-404":
            known_carts.discard(cart_id)
        return not_found("There is no cart with this ID." if unknown else "Not found.")

    async def is_associated(request: Request, body: bytes) -> bool:
        """independent: does the cart already name the account the body names? (read as administrator; True
        whenever it cannot tell, so that the upstream's answer stands)"""
        try:
            account = json.loads(body)["data"][0]["id"]
            if not reader_token:
                reader_token.append(await admin_token())
            cart = await client.get(
                raw_path(request).removesuffix(ASSOCIATION_SUFFIX),
                headers={"Authorization": f"Bearer {reader_token[0]}"},
            )
            relationships = cart.json()["data"].get("relationships") or {}
            accounts = (relationships.get("accounts") or {}).get("data") or []
            return cart.status_code != 200 or any(entry.get("id") == account for entry in accounts)
        except Exception:  # any body or cart it cannot read: it cannot tell, and must not answer 500 itself
            return True

    async def independent(request: Request, body: bytes, path: str, is_association: bool) -> Response:
        """A server that keeps every fact the vendor documents and decides every assumption its own way."""
        headers = relayed_headers(request)
        original_id = None
        account_token = headers.get(ACCOUNT_TOKEN)
        if (is_association or path == CARTS) and account_token is not None and not account_token.strip():
            # An empty account token is no account token, wherever one is read (a twin check of this server
            # found it refused as present on the list only: one choice the store profile holds for both).
            headers.pop(ACCOUNT_TOKEN)
        if is_association:
            bearer = headers.get("authorization", "").partition(" ")[2].strip()
            # An administrator stays one with an account token.
            if ACCOUNT_TOKEN in headers and bearer in administrator_tokens:
                headers.pop(ACCOUNT_TOKEN)
            # Any string is an account ID (the upstream mock wants a UUID: give it a stable one, and show the
            # original wherever the store names the account again: a cart's relationships, the lists).
            original_id, body = account_id_as_uuid(body)
            if original_id is not None:
                stand_ins[json.loads(body)["data"][0]["id"]] = original_id
        # Deleting an association that does not exist answers 404 here.
        absent = request.method == "DELETE" and is_association and not await is_associated(request, body)
        # A page[limit] over 100 is cut to 100 (S3 gives 100 as the largest page).
        answer = await forward(request, body, headers, query=limit_cut_to_100(request) if path == CARTS else None)
        status, content = answer.status_code, answer.content
        answer_headers = {name: value for name, value in answer.headers.items() if name.lower() not in HOP_HEADERS}
        if path == "/oauth/access_token" and status == 200:
            document = answer.json()
            note_token(document["access_token"])
            if document.get("identifier") == "client_credentials":
                administrator_tokens.add(document["access_token"])
        if path == "/oauth/access_token" and status == 400:
            status = 401  # every refused token request is a 401 here
        if request.method == "GET" and path == CARTS and status == 403 and not shopper_tokens(headers):
            status = 400  # no shopper token is a malformed request here (S3 documents both 400 and 403)
        if absent and status == 204:
            status, content = 404, json.dumps({"errors": [{"status": 404, "title": "Not Found"}]}).encode()
            answer_headers["content-type"] = "application/json"
        if status == 405 and vendor_methods(path):
            answer_headers["allow"] = vendor_methods(path)  # the store has the vendor's cart methods (S3)
        if request.method == "GET" and status == 200 and path.startswith(CARTS):
            for stand_in, original in list(stand_ins.items()):
                content = content.replace(stand_in.encode(), json.dumps(original)[1:-1].encode())
        if status == 200 and original_id is not None:
            document = json.loads(content)
            document["data"][0]["id"] = original_id
            content = json.dumps(document).encode()
        if status >= 400 and answer_headers.get("content-type", "").startswith("application/json"):
            # The documented message as the detail, under a generic title.
            document = json.loads(content)
            for error in document.get("errors", []):
                error["detail"] = error.get("title", "")
                error["title"] = GENERIC_TITLES.get(status, "Error")
                error["status"] = str(status)
            content = json.dumps(document).encode()
        return Response(content, status, answer_headers)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        # Plain ASGI, no routing: every path and method is forwarded, newlines in the path included.
        response = await proxy(Request(scope, receive))
        await response(scope, receive, send)

    faulty = unreliable(app, fault, tokens_file.with_name(tokens_file.name + ".unavailable"))
    if mock is None:
        return faulty

    async def with_controls(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CONTROLS):
            return await mock(scope, receive, send)
        return await faulty(scope, receive, send)

    return with_controls


CONTROLS = "/_mock/"
"""The in-process mock's test controls (mock-controls.yaml), served past the faults."""


UNAVAILABLE_EVERY = 25
"""unavailable-now-and-then: one request in this many fails."""


def unreliable(app: ASGIApp, fault: str, record: Path) -> ASGIApp:
    """A store that is unavailable now and then, or for good, in front of the rest: each request that fails is
    logged to `record` ("503 GET /v2/carts", "dropped POST ...", "dropped after POST ...": the proof it did).

    - unavailable-now-and-then: every UNAVAILABLE_EVERY-th request fails, in turn: answered 503 (Retry-After: 0);
      its connection closed without an answer; the same after the request went upstream (the store applied it,
      and its answer was lost);
    - down: every request answered 503, for good."""
    count = itertools.count(1)

    async def unreliable_app(scope: Scope, receive: Receive, send: Send) -> Any:
        if scope["type"] != "http" or fault not in ("unavailable-now-and-then", "down"):
            return await app(scope, receive, send)
        number = next(count)
        line = f"{scope['method']} {scope['raw_path'].decode('ascii', errors='replace')}"
        turn = (number // UNAVAILABLE_EVERY) % 3 if number % UNAVAILABLE_EVERY == 0 else None
        if fault == "down" or turn == 0:
            with record.open("a", encoding="utf-8") as file:
                file.write(f"503 {line}\n")
            answer = Response(
                b'{"errors":[{"status":503,"title":"Service Unavailable"}]}',
                503,
                {"Retry-After": "0", "Content-Type": "application/json"},
            )
            return await answer(scope, receive, send)
        if turn is not None:
            if turn == 2:

                async def lost(message: Any) -> None:
                    pass  # the store's answer, never sent

                await app(scope, receive, lost)
            with record.open("a", encoding="utf-8") as file:
                file.write(f"dropped {'after ' if turn == 2 else ''}{line}\n")
            # uvicorn closes the connection of an ASGI application that returns a value, without an answer.
            return True
        return await app(scope, receive, send)

    return unreliable_app


def vendor_methods(path: str) -> str:
    """independent: what a store with all of the vendor's cart methods (S3) advertises in Allow ("" for none)."""
    if path == CARTS:
        return "GET, POST"
    if path.startswith(f"{CARTS}/") and "/" not in path[len(CARTS) + 1 :]:
        return "GET, PUT, DELETE"
    return ""


def limit_cut_to_100(request: Request) -> str | None:
    """independent: the query with a whole-number page[limit] above 100 cut to 100 (None: nothing to cut, the
    query goes on exactly as sent)."""
    pairs = urllib.parse.parse_qsl(request.scope["query_string"].decode("latin-1"), keep_blank_values=True)
    if not any(name == "page[limit]" and value.isdigit() and int(value) > 100 for name, value in pairs):
        return None
    cut = [
        (name, "100" if name == "page[limit]" and value.isdigit() and int(value) > 100 else value)
        for name, value in pairs
    ]
    return urllib.parse.urlencode(cut)


def shopper_tokens(headers: dict[str, str]) -> list[str]:
    return [name for name in (ACCOUNT_TOKEN, CUSTOMER_TOKEN) if name in headers]


def relayed_headers(request: Request) -> dict[str, str]:
    """The client's headers, as a proxy passes them on (its own Host and Content-Length are set anew)."""
    return {name: value for name, value in request.headers.items() if name.lower() not in {"host", "content-length"}}


def not_found(detail: str) -> Response:
    return Response(
        json.dumps({"errors": [{"status": 404, "title": "Not Found", "detail": detail}]}).encode(),
        404,
        {"content-type": "application/json"},
    )


def account_id_as_uuid(body: bytes) -> tuple[str | None, bytes]:
    """(the account ID as sent, the body with a UUID in its place) when the ID is a string but not a UUID."""
    try:
        document = json.loads(body)
        entry = document["data"][0]
        account = entry["id"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None, body
    if not isinstance(account, str):
        return None, body
    try:
        uuid.UUID(account)
        return None, body
    except ValueError:
        entry["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, account))
        return account, json.dumps(document).encode()


FAULTS = (
    "wrong-status",
    "schema-violation",
    "wrong-content-type",
    "unauthenticated-accepted",
    "invalid-data-accepted",
    "repeat-answered-200",
    "delete-does-not-delete",
    "cross-account-token-accepted",
    "rate-limited",
    "independent",
    "delete-never-answers",
    "associates-nothing",
    "lists-another-accounts-cart",
    "keeps-account-after-delete",
    "team-store",
    "unknown-cart-post-404",
    "some-carts-404",
    "unavailable-now-and-then",
    "down",
    "500-on-valid",
    "none",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--upstream", help="the server behind the proxy (default: the bundled mock, in this process)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fault", choices=FAULTS, required=True)
    parser.add_argument("--tokens-file", type=Path, required=True)
    args = parser.parse_args()
    # The application keys come from the environment, like the suite's, never from the command line.
    app = build_app(
        args.upstream, args.fault, os.environ["EP_CLIENT_ID"], os.environ["EP_CLIENT_SECRET"], args.tokens_file
    )
    # A request that never gets an answer (delete-never-answers) must not hold up the shutdown.
    # At INFO, uvicorn says where it listens: tests.faults.runs.start_proxy waits for that line (the port is its own).
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="info",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )


if __name__ == "__main__":
    main()
