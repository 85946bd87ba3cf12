"""The mock's ASGI app for the servers `make bench` compares (granian, hypercorn): the same app and the same
request log that `ep-cart-mock` serves with uvicorn."""

from __future__ import annotations

import sys

from ep_cart_mock.app import LineLog, MockApp, create_app


def mock_app() -> MockApp:
    return create_app(request_log=LineLog(sys.stderr))
