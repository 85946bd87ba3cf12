"""The mock as a user runs it: start-up output, request log, concurrency, configuration errors, Ctrl-C."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ep_cart_spec import DEFAULTS
from tests.conftest import MockProcess, get_token, mock_env, token_form


def test_startup_prints_the_fixture_values(mock_server: MockProcess) -> None:
    log = mock_server.log()
    for name, value in DEFAULTS.items():
        assert f"{name}={value}" in log


def test_request_log_has_one_line_per_request_and_no_token(mock_server: MockProcess, tmp_path: Path) -> None:
    with httpx.Client(base_url=mock_server.base_url) as http:
        token = get_token(http, "implicit")
        cart = f"log-{tmp_path.name[-8:]}"
        response = http.post(
            f"/v2/carts/{cart}/relationships/accounts",
            json={"data": [{"id": DEFAULTS["EP_ACCOUNT_ID"], "type": "account"}]},
            headers={
                "Authorization": f"Bearer {token}",
                "EP-Account-Management-Authentication-Token": DEFAULTS["EP_ACCOUNT_TOKEN"],
            },
        )
        assert response.status_code == 200
    lines = [line for line in mock_server.log().splitlines() if f"/v2/carts/{cart}/" in line]
    assert len(lines) == 1
    assert f"POST /v2/carts/{cart}/relationships/accounts 200 " in lines[0]
    assert lines[0].endswith("ms")
    log = mock_server.log()
    assert token not in log
    assert "Bearer" not in log


def test_two_hundred_simultaneous_identical_posts_give_one_200(mock_server: MockProcess) -> None:
    async def run() -> list[int]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(base_url=mock_server.base_url, limits=limits, timeout=30) as http:
            form = token_form("client_credentials")
            token = (await http.post("/oauth/access_token", data=form)).json()["access_token"]
            body = {"data": [{"id": DEFAULTS["EP_ACCOUNT_ID"], "type": "account"}]}
            headers = {"Authorization": f"Bearer {token}"}
            requests = [
                http.post("/v2/carts/concurrent-cart/relationships/accounts", json=body, headers=headers)
                for _ in range(200)
            ]
            return [response.status_code for response in await asyncio.gather(*requests)]

    statuses = asyncio.run(run())
    assert statuses.count(200) == 1
    assert statuses.count(204) == 199


def test_secrets_set_in_the_environment_are_not_printed(tmp_path: Path) -> None:
    canaries = {"EP_CLIENT_SECRET": "canary-client-secret-7f3a", "EP_ACCOUNT_TOKEN": "canary-account-token-9b1c"}
    server = MockProcess(mock_env(**canaries), tmp_path / "mock.log")
    try:
        with httpx.Client(base_url=server.base_url) as http:
            form = token_form("client_credentials", canaries["EP_CLIENT_SECRET"])
            assert http.post("/oauth/access_token", data=form).status_code == 200
    finally:
        server.stop()
    log = server.log()
    assert "EP_CLIENT_SECRET=********" in log
    for canary in canaries.values():
        assert canary not in log


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("EP_ACCOUNT_ID", "not-a-uuid"),
        ("EP_TOKEN_TTL_SECONDS", "soon"),
        ("EP_OTHER_ACCOUNT_TOKEN", "ep-mock-account-token-1"),
        ("EP_PASSWORD_PROFILE_ID", "not-a-uuid"),
        ("EP_ACCOUNT_TOKEN_TTL_SECONDS", "0"),
        ("EP_OTHER_ACCOUNT_MEMBER_USERNAME", "someone-without-a-password"),
    ],
)
def test_bad_configuration_is_a_clear_error(variable: str, value: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ep_cart_mock", "--port", "0"],
        env=mock_env(**{variable: value}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert variable in result.stderr
    assert "Traceback" not in result.stderr


def test_ctrl_c_stops_the_server_cleanly(tmp_path: Path) -> None:
    server = MockProcess(mock_env(), tmp_path / "mock.log")
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=15) == 0
    server.stop()
    assert "Traceback" not in server.log()
    assert "Shutting down" in server.log()
