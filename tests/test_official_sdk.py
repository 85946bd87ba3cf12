"""The official JavaScript SDK (S4) and the vendor storefront's login (S7), unchanged and pinned, against `make
mock`: a storefront's flows work.

tests/sdk/flow.cjs signs in as a shopper (an implicit token), calls `Cart(id).AddAccountAssociation`, reads the
cart with `Cart(id).Get()` (the account is in `relationships.accounts`), calls `RemoveAccountAssociation`, and
reads the cart again (the account is gone). tests/sdk/login-flow.mjs is the vendor's storefront login, through
its shopper SDK (`@epcc-sdk/sdks-shopper`): log a member in, associate as administrator, list with the login's
token. The SDKs come from the npm registry at the version of
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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ep_cart_spec import DEFAULTS
from tests.checkout import copy_of_checkout
from tests.conftest import free_port, mock_env, stop_process_group
from tests.paths import ROOT

SDK_DIR = ROOT / "tests" / "sdk"
SDKS: dict[str, str] = json.loads((SDK_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]
"""The official SDK (S4) and the vendor storefront's shopper SDK (S7), each at its pinned version."""

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
    """`npm ci` from the lock file, unless those exact versions are installed already."""
    if all(
        (installed := SDK_DIR / "node_modules" / name / "package.json").is_file()
        and json.loads(installed.read_text(encoding="utf-8"))["version"] == version
        for name, version in SDKS.items()
    ):
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


@pytest.fixture(scope="module")
def make_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """node, the mock's base URL, and its log: `make mock` once for both flows, in a copy of the checkout."""
    node, npm = node_and_npm()
    install_sdk(npm)
    port = free_port()
    folder = tmp_path_factory.mktemp("make-mock")
    log = folder / "make-mock.log"
    server = start_make_mock(copy_of_checkout(folder / "repository"), port, log)
    try:
        yield node, f"http://127.0.0.1:{port}", log
    finally:
        stop(server)


def run_flow(node: str, script: str, base_url: str, **values: str) -> dict[str, Any]:
    result = subprocess.run(
        [node, script],
        cwd=SDK_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"], "EP_BASE_URL": base_url, **values},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    steps: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return steps


def test_the_official_sdk_associates_reads_and_removes(make_mock: tuple[str, str, Path]) -> None:
    node, base_url, log = make_mock
    cart_id = f"sdk-{uuid.uuid4().hex[:12]}"
    steps = run_flow(
        node,
        "flow.cjs",
        base_url,
        EP_CLIENT_ID=DEFAULTS["EP_CLIENT_ID"],
        EP_ACCOUNT_ID=DEFAULTS["EP_ACCOUNT_ID"],
        EP_ACCOUNT_TOKEN=DEFAULTS["EP_ACCOUNT_TOKEN"],
        EP_CART_ID=cart_id,
    )
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


def test_the_vendors_storefront_login_flow_runs_unchanged(make_mock: tuple[str, str, Path]) -> None:
    """composable-frontend's storefront login (S7), through its shopper SDK: a member's password login, the
    administrator associates the cart with the account the login names, and the login's token lists the cart."""
    node, base_url, log = make_mock
    cart_id = f"sdk-login-{uuid.uuid4().hex[:12]}"
    values = {name: DEFAULTS[name] for name in ("EP_CLIENT_ID", "EP_CLIENT_SECRET", "EP_PASSWORD_PROFILE_ID")}
    member = {name: DEFAULTS[name] for name in ("EP_ACCOUNT_MEMBER_USERNAME", "EP_ACCOUNT_MEMBER_PASSWORD")}
    steps = run_flow(node, "login-flow.mjs", base_url, **values, **member, EP_CART_ID=cart_id)
    account, other = DEFAULTS["EP_ACCOUNT_ID"], DEFAULTS["EP_OTHER_ACCOUNT_ID"]
    assert steps["login_status"] == 201, steps
    assert steps["login_accounts"] == [account, other], "the default member belongs to both accounts"
    assert steps["wrong_password_status"] == 401
    assert (steps["associate_status"], steps["associated"]) == (200, [{"id": account, "type": "account"}])
    assert (steps["list_status"], steps["listed"]) == (200, [cart_id]), "the login's token lists the account's cart"
    served = log.read_text(encoding="utf-8")
    assert "POST /v2/account-members/tokens 201" in served
    assert "POST /v2/account-members/tokens 401" in served


def test_without_node_the_sdk_test_skips_saying_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI_REQUIRE_NODE", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"Node\.js \(node and npm\) is not installed"):
        node_and_npm()
    monkeypatch.setenv("CI_REQUIRE_NODE", "1")
    with pytest.raises(pytest.fail.Exception, match=r"Node\.js"):
        node_and_npm()
