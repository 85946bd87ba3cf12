"""How the mock is served: uvicorn (httptools, uvloop), with its one plain-text answer made JSON too.

A request that is not valid HTTP/1.1 (raw non-ASCII bytes in the path, a broken request line) never reaches
the app: uvicorn answers 400 itself. This protocol gives that answer the API's `{"errors": [...]}` body, so
every error a client can get is JSON.
"""

from __future__ import annotations

import json

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ep_cart_mock.rules import error_answer


class JsonErrorHttpToolsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        answer = error_answer("http-request-malformed", f"{msg.rstrip('.')}: send a valid HTTP/1.1 request.")
        body = json.dumps(answer.body, separators=(",", ":")).encode("utf-8")
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def serve(app: ASGIApp, host: str, port: int) -> None:
    """Run until SIGINT or SIGTERM; uvicorn finishes the requests in flight, then stops."""
    uvicorn.run(
        app,
        host=host,
        port=port,
        http=JsonErrorHttpToolsProtocol,
        loop="uvloop",
        access_log=False,
        log_level="info",
        timeout_graceful_shutdown=10,
    )
