"""State under concurrency: many clients associating, repeating and deleting the same and different pairs at
once, over real HTTP. Every store operation is recorded in the order it took effect; replaying that order on
a fresh store must give the same answers and the same final state, and no request may fail."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from ep_cart_mock.app import create_app
from ep_cart_mock.config import Settings
from ep_cart_mock.store import AssociateOutcome, InMemoryCartStore
from ep_cart_spec import DEFAULTS
from tests.conftest import token_form

ACCOUNTS = [DEFAULTS["EP_ACCOUNT_ID"], DEFAULTS["EP_OTHER_ACCOUNT_ID"]]
CARTS = [f"busy-cart-{index}" for index in range(4)]
REQUESTS = 600
CONNECTIONS = 64


class RecordingStore(InMemoryCartStore):
    """The in-memory store, recording each operation and its outcome in the order they took effect."""

    def __init__(self) -> None:
        super().__init__()
        self.history: list[tuple[str, str, str, object]] = []
        self._order = threading.Lock()

    def associate(self, cart_id: str, account_id: str) -> AssociateOutcome:
        with self._order:
            outcome = super().associate(cart_id, account_id)
            self.history.append(("associate", cart_id, account_id, outcome))
        return outcome

    def dissociate(self, cart_id: str, account_id: str) -> bool:
        with self._order:
            removed = super().dissociate(cart_id, account_id)
            self.history.append(("dissociate", cart_id, account_id, removed))
        return removed


@pytest.fixture(scope="module")
def served_store() -> Iterator[tuple[str, RecordingStore]]:
    """The real app on a real port, in a thread of this process, so the test can read its store after."""
    store = RecordingStore()
    # Port 0: the server binds a port of its own (one looked up free first could be taken before the bind).
    server = uvicorn.Server(uvicorn.Config(create_app(Settings.from_env({}), store=store), port=0, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", store
    server.should_exit = True
    thread.join(timeout=10)


def test_concurrent_operations_match_a_sequential_replay(served_store: tuple[str, RecordingStore]) -> None:
    base_url, store = served_store
    plan = [
        (random.choice(["POST", "DELETE", "POST"]), random.choice(CARTS), random.choice(ACCOUNTS))
        for _ in range(REQUESTS)
    ]

    async def run() -> list[int]:
        limits = httpx.Limits(max_connections=CONNECTIONS)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as http:
            form = token_form("client_credentials")
            token = (await http.post("/oauth/access_token", data=form)).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            calls = [
                http.request(
                    method,
                    f"/v2/carts/{cart}/relationships/accounts",
                    headers=headers,
                    json={"data": [{"id": account, "type": "account"}]},
                )
                for method, cart, account in plan
            ]
            return [response.status_code for response in await asyncio.gather(*calls)]

    statuses = asyncio.run(run())

    # No request failed: each got one of the answers the rules give these requests.
    assert set(statuses) <= {200, 204, 403}, sorted(set(statuses))
    assert len(store.history) == REQUESTS

    # A sequential replay of the recorded order gives the same outcome for every operation...
    replay = InMemoryCartStore()
    for operation, cart, account, outcome in store.history:
        replayed = replay.associate(cart, account) if operation == "associate" else replay.dissociate(cart, account)
        assert replayed == outcome, (operation, cart, account)
    # ...and the same final state.
    for cart in CARTS:
        assert store.member_of(cart) == replay.member_of(cart)

    # Exactly one 200 per association created, one 403 per attempt on a cart another account held.
    outcomes = [outcome for operation, _, _, outcome in store.history if operation == "associate"]
    assert statuses.count(200) == outcomes.count(AssociateOutcome.CREATED)
    assert statuses.count(403) == outcomes.count(AssociateOutcome.ASSOCIATED_WITH_OTHER_ACCOUNT)
    assert statuses.count(200) > len(CARTS), "the plan should create, delete and create again"
