"""A client that calls the mock's ASGI app in-process (httpx's ASGI transport), from a synchronous test."""

from __future__ import annotations

import asyncio

import httpx


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
