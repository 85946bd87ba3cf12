"""The official JavaScript SDK (S4), unchanged and pinned, against `make mock`: a storefront's flow works.

tests/sdk/flow.cjs signs in as a shopper (an implicit token), calls `Cart(id).AddAccountAssociation`, reads the
cart with `Cart(id).Get()` (the account is in `relationships.accounts`), calls `RemoveAccountAssociation`, and
reads the cart again (the account is gone). The SDK comes from the npm registry at the version of
tests/sdk/package-lock.json (`npm ci`). Without Node.js the test skips, saying so; CI sets CI_REQUIRE_NODE=1
(.ci/run), so there it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest

from ep_cart_spec import DEFAULTS
from tests.checkout import copy_of_checkout
from tests.conftest import free_port, mock_env, stop_process_group
from tests.paths import ROOT

SDK_DIR = ROOT / "tests" / "sdk"
SDK_VERSION = json.loads((SDK_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]["@elasticpath/js-sdk"]

pytestmark = pytest.mark.slow  # npm ci and make mock (make test-fast leaves it out)


def node_and_npm() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        reason = "Node.js (node and npm) is not installed: the official JavaScript SDK cannot run"
        if os.environ.get("CI_REQUIRE_NODE") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return node, npm


def install_sdk(npm: str) -> None:
    """`npm ci` from the lock file, unless that exact version is installed already."""
    installed = SDK_DIR / "node_modules" / "@elasticpath" / "js-sdk" / "package.json"
    if installed.is_file() and json.loads(installed.read_text(encoding="utf-8"))["version"] == SDK_VERSION:
        return
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=SDK_DIR, check=True, timeout=300)


def start_make_mock(repository: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`make mock` in `repository` (a copy of the checkout: the target builds the docs page first)."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "mock", f"PORT={port}"],
            cwd=repository,
            env=mock_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # make, uv and the server: stopped together
        )
    deadline = time.monotonic() + 300  # make mock may build the docs page first
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"make mock exited with {process.returncode}:\n{log.read_text()}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.yaml", timeout=1).raise_for_status()
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"make mock did not answer on {port}:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C to make, uv and the server together, as a developer stops `make mock`; none may be left."""
    assert stop_process_group(process, signal.SIGINT) == [], "make mock left processes running"


def test_the_official_sdk_associates_reads_and_removes(tmp_path: Path) -> None:
    node, npm = node_and_npm()
    install_sdk(npm)
    port = free_port()
    log = tmp_path / "make-mock.log"
    server = start_make_mock(copy_of_checkout(tmp_path / "repository"), port, log)
    cart_id = f"sdk-{uuid.uuid4().hex[:12]}"
    try:
        result = subprocess.run(
            [node, "flow.cjs"],
            cwd=SDK_DIR,
            capture_output=True,
            text=True,
            timeout=60,
            env={
                "PATH": os.environ["PATH"],
                "EP_BASE_URL": f"http://127.0.0.1:{port}",
                "EP_CLIENT_ID": DEFAULTS["EP_CLIENT_ID"],
                "EP_ACCOUNT_ID": DEFAULTS["EP_ACCOUNT_ID"],
                "EP_ACCOUNT_TOKEN": DEFAULTS["EP_ACCOUNT_TOKEN"],
                "EP_CART_ID": cart_id,
            },
        )
    finally:
        stop(server)
    assert result.returncode == 0, result.stdout + result.stderr
    steps = json.loads(result.stdout.strip().splitlines()[-1])
    account = DEFAULTS["EP_ACCOUNT_ID"]
    assert steps["added"] == [{"id": account, "type": "account"}]
    assert steps["after_add"] == [account], "Cart(id).Get() must show the account in relationships.accounts"
    assert steps["after_remove"] == [], "after RemoveAccountAssociation the cart must name no account"
    served = log.read_text(encoding="utf-8")
    for line in (
        "POST /oauth/access_token 200",
        f"POST /v2/carts/{cart_id}/relationships/accounts 200",
        f"GET /v2/carts/{cart_id} 200",
        f"DELETE /v2/carts/{cart_id}/relationships/accounts 204",
    ):
        assert line in served, f"the mock did not log {line!r}:\n{served[-2000:]}"
    assert served.count(f"GET /v2/carts/{cart_id} 200") == 2


def test_without_node_the_sdk_test_skips_saying_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI_REQUIRE_NODE", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"Node\.js \(node and npm\) is not installed"):
        node_and_npm()
    monkeypatch.setenv("CI_REQUIRE_NODE", "1")
    with pytest.raises(pytest.fail.Exception, match=r"Node\.js"):
        node_and_npm()
