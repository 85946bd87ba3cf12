"""How the mock is served: uvicorn (httptools, uvloop), with two changes to its HTTP protocol.

1. A request that is not valid HTTP/1.1 (raw non-ASCII bytes in the path, a broken request line) never reaches
   the app: uvicorn answers 400 itself. This protocol gives that answer the API's `{"errors": [...]}` body, so
   every error a client can get is JSON.
2. uvicorn writes an answer's status line and headers, then its body, as two writes to the socket: two TCP
   segments, and a client that wakes up for the first only to wait for the second. `CoalescingTransport` sends
   what one step of the event loop wrote in one write. Under 32 connections this was worth more than any change
   to the app (BENCHMARKS.md).
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ep_cart_mock.answers import error_answer
from ep_cart_mock.render import compact_json


class CoalescingTransport:
    """A transport whose writes made in one step of the event loop reach the socket as one write, at the end of
    that step. Everything else is the wrapped transport's; closing sends what is pending first."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data)

    def flush(self) -> None:
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class MockHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the mock's JSON 400 and one write per loop step (module docstring)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        coalescing = CoalescingTransport(transport, asyncio.get_running_loop())
        super().connection_made(coalescing)  # type: ignore[arg-type]

    def send_400_response(self, msg: str) -> None:
        answer = error_answer("http-request-malformed", f"{msg.rstrip('.')}: send a valid HTTP/1.1 request.")
        body = compact_json(answer.body)
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
        http=MockHttpProtocol,
        loop="uvloop",
        access_log=False,
        log_level="info",
        timeout_graceful_shutdown=10,
    )
