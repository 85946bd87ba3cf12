"""Fixtures shared by every test: the spec, and the bundled mock running for real on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from ep_cart_mock.config import DEFAULTS
from tests.paths import ROOT, SPEC_PATH

__all__ = ["ROOT", "SPEC_PATH"]


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return document


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class MockProcess:
    """`python -m ep_cart_mock` in a subprocess, as `make mock` runs it; its log is kept for assertions."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ep_cart_mock", "--port", str(self.port)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the mock exited with {self.process.returncode}:\n{self.log()}")
            try:
                httpx.get(f"{self.base_url}/openapi.yaml", timeout=1).raise_for_status()
                return
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the mock did not answer within 30 s:\n{self.log()}") from None
                time.sleep(0.05)

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        self.process.terminate()
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._log.close()
        return code


def mock_env(**overrides: str) -> dict[str, str]:
    """The environment for a mock subprocess: this one without EP_* settings, plus `overrides`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("EP_")}
    env.update(overrides)
    return env


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
