"""The servers a contract run talks to: the bundled mock started as a process (`python -m ep_cart_mock`; the
engine never imports it), and EP_BASE_URL's, checked to be reachable first."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import httpx
import pytest

from ep_cart_contract import exits


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


PORT_TAKEN = "address already in use"
TRIES = 5


def serve_on_a_free_port(
    name: str,
    command: Callable[[int], list[str]],
    env: dict[str, str],
    log_path: Path,
    cwd: Path | None = None,
    new_session: bool = False,
) -> tuple[subprocess.Popen[bytes], int, BinaryIO]:
    """A uvicorn server started as `command(port)`, on a port that was free, once it says it listens there (its
    log, stdout and stderr, in `log_path`). A free port can be taken between the look and the bind, by another
    process doing the same: that server exits saying so, and another port is tried; answering on the port is not
    enough, since the server answering may be the one that took it."""
    log = log_path.open("wb")
    for _ in range(TRIES):
        port = free_port()
        began = log.tell()
        process = subprocess.Popen(
            command(port), env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=new_session
        )
        listening = f"Uvicorn running on http://127.0.0.1:{port} "
        deadline = time.monotonic() + 30
        while True:
            log.flush()
            text = log_path.read_bytes()[began:].decode("utf-8", errors="replace")
            if listening in text:
                return process, port, log
            if process.poll() is not None:
                if PORT_TAKEN in text:
                    break  # another process took the port: try another
                log.close()
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{text[-3000:]}")
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                log.close()
                raise RuntimeError(f"{name} did not listen within 30 s:\n{text[-3000:]}")
            time.sleep(0.02)
    log.close()
    raise RuntimeError(f"{name} found no free port in {TRIES} tries")


class MockProcess:
    """`python -m ep_cart_mock` in a subprocess, as `make mock` runs it; its log is kept for assertions."""

    def __init__(self, env: dict[str, str], log_path: Path, arguments: list[str] | None = None) -> None:
        self.log_path = log_path
        self.process, self.port, self._log = serve_on_a_free_port(
            "the mock",
            lambda port: [sys.executable, "-m", "ep_cart_mock", "--port", str(port), *(arguments or [])],
            env,
            log_path,
        )
        self.base_url = f"http://127.0.0.1:{self.port}"
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

    def state(self) -> dict[str, Any]:
        """The mock's associations (GET /_mock/state; start it with EP_TEST_CONTROLS=1)."""
        response = httpx.get(f"{self.base_url}/_mock/state", timeout=10)
        response.raise_for_status()
        document: dict[str, Any] = json.loads(response.content)
        return document


def mock_env(**overrides: str) -> dict[str, str]:
    """The environment for a mock subprocess: this one without EP_* settings, plus `overrides`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("EP_")}
    env.update(overrides)
    return env


def check_reachable(base_url: str, timeout: float) -> None:
    """Stop the run with one clear line when EP_BASE_URL does not answer: that is no contract result."""
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname or "", port), timeout=timeout).close()
    except OSError as error:
        pytest.exit(
            f"EP_BASE_URL={base_url} cannot be reached ({error}); nothing was tested.",
            returncode=exits.TARGET_UNREACHABLE,
        )
