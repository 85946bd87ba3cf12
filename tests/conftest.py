"""Fixtures shared by every test: the spec, and the bundled mock running for real on a free port."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import yaml

from ep_cart_contract.target import MockProcess, free_port, mock_env
from ep_cart_mock.config import DEFAULTS
from tests.paths import ROOT, SPEC_PATH

__all__ = ["ROOT", "SPEC_PATH", "MockProcess", "free_port", "mock_env"]


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="session")
def mock_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockProcess]:
    server = MockProcess(mock_env(), tmp_path_factory.mktemp("mock") / "mock.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(mock_server: MockProcess) -> str:
    return mock_server.base_url


@pytest.fixture
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client


@pytest.fixture
def new_cart_id() -> Callable[[], str]:
    """A fresh cart ID per call: the mock treats an unknown cart as a new, empty cart."""
    return lambda: f"test-{uuid.uuid4().hex[:16]}"


def token_form(grant_type: str, client_secret: str | None = None) -> dict[str, str]:
    """The token request for the mock's default application keys (a client secret only where the grant takes one)."""
    form = {"grant_type": grant_type, "client_id": DEFAULTS["EP_CLIENT_ID"]}
    if grant_type == "client_credentials":
        form["client_secret"] = client_secret or DEFAULTS["EP_CLIENT_SECRET"]
    return form


def get_token(http: httpx.Client, grant_type: str) -> str:
    response = http.post("/oauth/access_token", data=token_form(grant_type))
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


@pytest.fixture
def admin_token(http: httpx.Client) -> str:
    return get_token(http, "client_credentials")


@pytest.fixture
def shopper_token(http: httpx.Client) -> str:
    return get_token(http, "implicit")
