"""A thin proxy in front of the mock that breaks the contract in exactly one way (a test fixture).

`python -m tests.faults.proxy --upstream URL --port PORT --fault NAME`. Each fault is one way a real server
could drift from openapi.yaml; tests/faults/test_suite_catches_faults.py proves the contract suite fails on
each and names what broke. It also records every bearer token it relays, so the test can check none leaks.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

ASSOCIATION_SUFFIX = "/relationships/accounts"
HOP_HEADERS = {"content-length", "transfer-encoding", "connection", "date", "server"}
Upstream = Callable[..., Awaitable[httpx.Response]]


def build_app(upstream_url: str, fault: str, client_id: str, client_secret: str, tokens_file: Path) -> ASGIApp:
    client = httpx.AsyncClient(base_url=upstream_url, timeout=30)
    rate_limited: set[tuple[str, str]] = set()

    async def forward(request: Request, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        sent = (
            headers
            if headers is not None
            else {
                name: value for name, value in request.headers.items() if name.lower() not in {"host", "content-length"}
            }
        )
        # The path exactly as the client encoded it.
        raw_path = request.scope["raw_path"].decode("ascii", errors="replace")
        return await client.request(request.method, raw_path, content=body, headers=sent)

    async def admin_token() -> str:
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
        answer = await client.post("/oauth/access_token", data=form)
        token: str = answer.json()["access_token"]
        note_token(token)
        return token

    def note_token(token: str) -> None:
        with tokens_file.open("a", encoding="utf-8") as file:
            file.write(token + "\n")

    async def proxy(request: Request) -> Response:
        body = await request.body()
        path = request.url.path
        is_association = path.endswith(ASSOCIATION_SUFFIX)

        if fault == "rate-limited" and (request.method, path) not in rate_limited:
            rate_limited.add((request.method, path))
            return Response(
                b'{"errors":[{"status":429,"title":"Too Many Requests"}]}',
                429,
                {"Retry-After": "0", "Content-Type": "application/json"},
            )
        if fault == "delete-does-not-delete" and is_association and request.method == "DELETE":
            return Response(status_code=204)
        if fault == "unauthenticated-accepted" and is_association and "authorization" not in request.headers:
            headers = {
                name: value for name, value in request.headers.items() if name.lower() not in {"host", "content-length"}
            }
            headers["Authorization"] = f"Bearer {await admin_token()}"
            answer = await forward(request, body, headers)
        else:
            answer = await forward(request, body)

        if path == "/oauth/access_token" and answer.status_code == 200:
            note_token(answer.json()["access_token"])
        status, content = answer.status_code, answer.content
        headers = {name: value for name, value in answer.headers.items() if name.lower() not in HOP_HEADERS}

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

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        # Plain ASGI, no routing: every path and method is forwarded, newlines in the path included.
        response = await proxy(Request(scope, receive))
        await response(scope, receive, send)

    return app


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
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fault", choices=FAULTS, required=True)
    parser.add_argument("--tokens-file", type=Path, required=True)
    args = parser.parse_args()
    # The application keys come from the environment, like the suite's, never from the command line.
    app = build_app(
        args.upstream, args.fault, os.environ["EP_CLIENT_ID"], os.environ["EP_CLIENT_SECRET"], args.tokens_file
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", lifespan="off")


if __name__ == "__main__":
    main()
