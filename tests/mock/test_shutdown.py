"""Faults: the mock stops cleanly on SIGTERM while a request is in flight; the contract suite reports a
server that disappears mid-run, or never answers, as a clear error and never as a pass."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from ep_cart_contract import exits
from ep_cart_spec import DEFAULTS, FIXTURE_VARIABLES
from tests.conftest import MockProcess, contract_suite, free_port, get_token, mock_env
from tests.paths import ROOT


def test_sigterm_lets_the_request_in_flight_finish(tmp_path: Path) -> None:
    server = MockProcess(mock_env(), tmp_path / "mock.log")
    with httpx.Client(base_url=server.base_url) as http:
        token = get_token(http, "client_credentials")
    body = json.dumps({"data": [{"id": DEFAULTS["EP_ACCOUNT_ID"], "type": "account"}]}).encode()
    head = (
        f"POST /v2/carts/in-flight/relationships/accounts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as sock:
        sock.sendall(head + body[:10])  # the request is in flight: half its body is still to come
        time.sleep(0.2)
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        sock.sendall(body[10:])
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    # uvicorn finishes the request, shuts down, then exits by the signal it caught, as a service should.
    assert server.process.wait(timeout=15) in (0, -signal.SIGTERM)
    server.stop()
    log = server.log()
    assert "Finished server process" in log
    assert "Traceback" not in log


SERVED_BEFORE_THE_KILL = 40
"""Requests the mock must have answered before it is killed: the run is well under way, not starting."""


def served(server: MockProcess) -> int:
    """How many requests the mock has logged (one line each: method, path, status, milliseconds)."""
    return len(re.findall(r"^\S+ \S+ (?:GET|POST|DELETE|PUT|PATCH|OPTIONS|HEAD|TRACE) \S+ \d{3} ", server.log(), re.M))


@pytest.mark.slow
def test_suite_reports_a_server_that_disappears_mid_run(tmp_path: Path) -> None:
    server = MockProcess(mock_env(), tmp_path / "mock.log")
    env = mock_env(
        EP_REPORT_DIR=str(tmp_path / "reports"),
        EP_BASE_URL=server.base_url,
        EP_RATE_LIMIT="off",
        EP_REQUEST_TIMEOUT="5",
        **{name: DEFAULTS[name] for name in FIXTURE_VARIABLES},
    )
    process = subprocess.Popen(
        contract_suite("-q", "-x"), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        while served(server) < SERVED_BEFORE_THE_KILL and process.poll() is None:
            time.sleep(0.02)
        assert process.poll() is None, "the run ended before the server could disappear"
        before_the_kill = served(server)
        server.process.kill()
        output, _ = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
        server.stop()
    assert before_the_kill >= SERVED_BEFORE_THE_KILL, "the server disappeared mid-run, not before it"
    # The store went away: it is unavailable (its own exit status and section), never a broken claim.
    assert process.returncode == exits.STORE_UNAVAILABLE, output[-3000:]
    assert "UNAVAILABLE:" in output, output[-3000:]
    assert "connection refused after 5 tries" in output, output[-3000:]
    assert "[vendor contract]" not in output, output[-3000:]


@pytest.mark.slow
def test_suite_reports_a_server_that_never_answers(tmp_path: Path) -> None:
    """A server that accepts connections and never answers a byte: the run fails naming the timeout."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(128)  # connections complete in the kernel's backlog; nothing ever reads or answers them
    port = silent.getsockname()[1]
    env = mock_env(
        EP_BASE_URL=f"http://127.0.0.1:{port}",
        EP_CLIENT_ID="id",
        EP_CLIENT_SECRET="secret",
        EP_REQUEST_TIMEOUT="2",
        EP_REPORT_DIR=str(tmp_path),
    )
    try:
        result = subprocess.run(contract_suite("-q"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    finally:
        silent.close()
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "did not answer within 2 s" in output, output[-3000:]


@pytest.mark.slow
def test_suite_reports_a_server_that_cannot_be_reached(tmp_path: Path) -> None:
    closed_port = free_port()
    env = mock_env(
        EP_BASE_URL=f"http://127.0.0.1:{closed_port}",
        EP_CLIENT_ID="id",
        EP_CLIENT_SECRET="secret",
        EP_REPORT_DIR=str(tmp_path),
    )
    result = subprocess.run(contract_suite("-q"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    # Its own status: not pytest's 3 (an internal error), which it once was.
    assert result.returncode == exits.TARGET_UNREACHABLE, result.stdout + result.stderr
    assert f"EP_BASE_URL=http://127.0.0.1:{closed_port} cannot be reached" in result.stdout + result.stderr
