"""A pytest plugin, registered by installing ep-cart-mock (entry point `pytest11`): the mock for your tests.

Fixtures:

- `ep_mock`: the mock, started once per test session in this process (a thread, on a free port; each
  pytest-xdist worker gets its own), its state reset before each test. It hands the test its `base_url`, an
  administrator and a shopper bearer token, the configured accounts and their tokens, and the test controls
  (`add_account`, `mark_contact_email_cart`, `advance_clock`, `state`, `reset`). Mark a test
  `@pytest.mark.ep_mock_keep_state` to see what the tests before it left.
- `ep_client`: an `AuthenticatedClient` of the generated client with the administrator token.
- `ep_shopper_client`: the same with a shopper (`implicit`) token, which needs the account's token to act.

`pytest --ep-mock-store-profile FILE` makes the mock follow a store profile (the README's "When your store
differs"): your tests then run against the behaviour your store was seen to have.

The mock uses its documented defaults (`ep-cart-mock --help`), whatever EP_* variables the shell exports, so a
consumer's tests give the same result everywhere.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ep_cart_mock.config import Settings

if TYPE_CHECKING:
    from ep_cart_associations_client import AuthenticatedClient

# The application, the server and the client are imported where a fixture first needs them: the plugin is loaded
# by every pytest session of an environment that has the mock installed (a contract run's too, which never uses it),
# and they cost some 0.2 s of start-up.

KEEP_STATE_MARKER = "ep_mock_keep_state"


@dataclass
class MockServer:
    """The running mock, as a test sees it."""

    base_url: str
    settings: Settings
    _tokens: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def account_id(self) -> str:
        return self.settings.account_id

    @property
    def account_token(self) -> str:
        return self.settings.account_token

    @property
    def other_account_id(self) -> str:
        return self.settings.other_account_id

    @property
    def other_account_token(self) -> str:
        return self.settings.other_account_token

    @property
    def contact_email_cart_id(self) -> str:
        return self.settings.contact_email_cart_id

    @property
    def admin_token(self) -> str:
        """A client_credentials bearer token: acts as administrator for any account."""
        return self._token("client_credentials")

    @property
    def shopper_token(self) -> str:
        """An implicit bearer token: a shopper, who needs an account's token to act for it."""
        return self._token("implicit")

    def _token(self, grant_type: str) -> str:
        if grant_type not in self._tokens:
            form = {"grant_type": grant_type, "client_id": self.settings.client_id}
            if grant_type == "client_credentials":
                form["client_secret"] = self.settings.client_secret
            answer = httpx.post(f"{self.base_url}/oauth/access_token", data=form, timeout=10)
            answer.raise_for_status()
            self._tokens[grant_type] = answer.json()["access_token"]
        return self._tokens[grant_type]

    # --- The test controls (mock-controls.yaml) --------------------------------------------------------

    def reset(self) -> None:
        """Remove every association and every account or contact-email cart a test added."""
        httpx.post(f"{self.base_url}/_mock/reset", timeout=10).raise_for_status()

    def add_account(self, account_id: str, account_token: str) -> None:
        """From now on `account_token` acts for `account_id` (until the next reset)."""
        body = {"account_id": account_id, "account_token": account_token}
        httpx.post(f"{self.base_url}/_mock/accounts", json=body, timeout=10).raise_for_status()

    def mark_contact_email_cart(self, cart_id: str) -> None:
        """From now on associating an account with `cart_id` answers 422 (until the next reset)."""
        body = {"cart_id": cart_id}
        httpx.post(f"{self.base_url}/_mock/contact-email-carts", json=body, timeout=10).raise_for_status()

    def advance_clock(self, seconds: int) -> dict[str, Any]:
        """Move the mock's time on (never back): tokens and carts past their lifetime expire (an hour, 24 hours,
        seven days). The fixture's own bearer tokens are fetched anew, from the mock's new time."""
        answer = httpx.post(f"{self.base_url}/_mock/clock", json={"advance_seconds": seconds}, timeout=10)
        answer.raise_for_status()
        self._tokens.clear()
        document: dict[str, Any] = answer.json()
        return document

    def state(self) -> dict[str, Any]:
        """Every association (`{"cart_id", "account_id"}`), account and contact-email cart."""
        answer = httpx.get(f"{self.base_url}/_mock/state", timeout=10)
        answer.raise_for_status()
        document: dict[str, Any] = answer.json()
        return document

    def account_of(self, cart_id: str) -> str | None:
        """The account associated with `cart_id`, if any."""
        for association in self.state()["associations"]:
            if association["cart_id"] == cart_id:
                return str(association["account_id"])
        return None


class InProcessServer:
    """uvicorn in a thread of this process, on a socket bound to a free port before it starts."""

    def __init__(self, settings: Settings) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port: int = self.socket.getsockname()[1]
        import uvicorn

        from ep_cart_mock.app import create_app
        from ep_cart_mock.server import MockHttpProtocol

        config = uvicorn.Config(create_app(settings), http=MockHttpProtocol, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def start(self) -> None:
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the account cart associations mock did not start")
            self.thread.join(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("ep-cart-mock").addoption(
        "--ep-mock-store-profile",
        metavar="FILE",
        default=None,
        help="the ep_mock fixture's mock follows this store profile (as ep-cart-mock --store-profile FILE)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{KEEP_STATE_MARKER}: keep the ep_mock state the tests before this one left (no reset)"
    )


@pytest.fixture(scope="session")
def ep_mock_server(pytestconfig: pytest.Config) -> Iterator[MockServer]:
    """The mock for the whole session (use `ep_mock` in tests: it also resets the state)."""
    profile = pytestconfig.getoption("--ep-mock-store-profile")
    settings = replace(Settings.from_env({}), test_controls=True, store_profile=Path(profile) if profile else None)
    server = InProcessServer(settings)
    server.start()
    try:
        yield MockServer(base_url=f"http://127.0.0.1:{server.port}", settings=settings)
    finally:
        server.stop()


@pytest.fixture
def ep_mock(ep_mock_server: MockServer, request: pytest.FixtureRequest) -> MockServer:
    if request.node.get_closest_marker(KEEP_STATE_MARKER) is None:
        ep_mock_server.reset()
    return ep_mock_server


@pytest.fixture
def ep_client(ep_mock: MockServer) -> Iterator[AuthenticatedClient]:
    from ep_cart_associations_client import AuthenticatedClient

    with AuthenticatedClient(base_url=ep_mock.base_url, token=ep_mock.admin_token) as client:
        yield client


@pytest.fixture
def ep_shopper_client(ep_mock: MockServer) -> Iterator[AuthenticatedClient]:
    from ep_cart_associations_client import AuthenticatedClient

    with AuthenticatedClient(base_url=ep_mock.base_url, token=ep_mock.shopper_token) as client:
        yield client
