"""The mock's pytest plugin (ep_cart_mock.pytest_plugin, registered by the package's `pytest11` entry point):
its fixtures as a consumer's tests use them, the reset between tests, and one mock per pytest-xdist worker.

The tests of the reset run in file order: the second sees what the first left only when it asks to keep it.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from uuid import UUID

import pytest
from ep_cart_associations_client import AuthenticatedClient
from ep_cart_associations_client.api.account_cart_associations import create_account_cart_association
from ep_cart_associations_client.models import AccountCartAssociationRequest, AccountIdentifier

from ep_cart_mock.pytest_plugin import MockServer
from ep_cart_spec import DEFAULTS


def associate(client: AuthenticatedClient, cart_id: str, account_id: str, account_token: str | None = None) -> int:
    body = AccountCartAssociationRequest(data=[AccountIdentifier(id=UUID(account_id), type_="account")])
    extra = {"ep_account_management_authentication_token": account_token} if account_token else {}
    response = create_account_cart_association.sync_detailed(cart_id, client=client, body=body, **extra)
    return int(response.status_code)


def test_ep_mock_hands_out_what_a_test_needs(ep_mock: MockServer) -> None:
    assert ep_mock.base_url.startswith("http://127.0.0.1:")
    assert ep_mock.account_id == DEFAULTS["EP_ACCOUNT_ID"]
    assert ep_mock.account_token == DEFAULTS["EP_ACCOUNT_TOKEN"]
    assert ep_mock.other_account_id == DEFAULTS["EP_OTHER_ACCOUNT_ID"]
    assert ep_mock.contact_email_cart_id == DEFAULTS["EP_CONTACT_EMAIL_CART_ID"]
    assert ep_mock.admin_token != ep_mock.shopper_token
    assert any(thread.is_alive() and thread.daemon for thread in threading.enumerate()), "served in-process"


def test_clients_are_ready_as_administrator_and_as_shopper(
    ep_mock: MockServer, ep_client: AuthenticatedClient, ep_shopper_client: AuthenticatedClient
) -> None:
    assert associate(ep_client, "plugin-admin-cart", ep_mock.other_account_id) == 200
    assert associate(ep_shopper_client, "plugin-shopper-cart", ep_mock.account_id) == 403
    assert associate(ep_shopper_client, "plugin-shopper-cart", ep_mock.account_id, ep_mock.account_token) == 200
    assert ep_mock.account_of("plugin-shopper-cart") == ep_mock.account_id


def test_the_controls_seed_accounts_and_contact_email_carts(
    ep_mock: MockServer, ep_shopper_client: AuthenticatedClient
) -> None:
    ep_mock.add_account("3d4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7", "plugin-token")
    assert associate(ep_shopper_client, "seeded", "3d4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7", "plugin-token") == 200
    ep_mock.mark_contact_email_cart("plugin-email-cart")
    assert associate(ep_shopper_client, "plugin-email-cart", ep_mock.account_id, ep_mock.account_token) == 422


def test_state_left_by_one_test(ep_mock: MockServer, ep_client: AuthenticatedClient) -> None:
    assert associate(ep_client, "plugin-shared-cart", ep_mock.account_id) == 200


def test_is_gone_for_the_next(ep_mock: MockServer, ep_client: AuthenticatedClient) -> None:
    assert ep_mock.state()["associations"] == []
    assert associate(ep_client, "plugin-shared-cart", ep_mock.account_id) == 200


@pytest.mark.ep_mock_keep_state
def test_unless_it_asks_to_keep_it(ep_mock: MockServer, ep_client: AuthenticatedClient) -> None:
    assert ep_mock.account_of("plugin-shared-cart") == ep_mock.account_id
    assert associate(ep_client, "plugin-shared-cart", ep_mock.account_id) == 204


WORKER_TEST = """
import os


def record(ep_mock, tmp):
    name = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(os.path.join(tmp, name), "a") as file:
        file.write(ep_mock.base_url + "\\n")
    assert ep_mock.state()["associations"] == []


def test_one(ep_mock): record(ep_mock, TMP)
def test_two(ep_mock): record(ep_mock, TMP)
def test_three(ep_mock): record(ep_mock, TMP)
def test_four(ep_mock): record(ep_mock, TMP)
"""


@pytest.mark.slow
def test_each_xdist_worker_gets_its_own_mock(tmp_path: Path) -> None:
    seen = tmp_path / "seen"
    seen.mkdir()
    (tmp_path / "test_workers.py").write_text(WORKER_TEST.replace("TMP", repr(str(seen))), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-p", "no:cacheprovider", "-q", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    urls = {path.name: set(path.read_text().split()) for path in seen.iterdir()}
    assert sorted(urls) == ["gw0", "gw1"], urls
    assert all(len(worker_urls) == 1 for worker_urls in urls.values()), "one mock per worker for the session"
    assert urls["gw0"] != urls["gw1"], "the workers share no mock"


PROFILE_TEST = """
def test_the_store_profile_is_followed(ep_mock, ep_client):
    import httpx
    body = {"data": [{"id": ep_mock.account_id, "type": "account"}]}
    answer = httpx.request(
        "DELETE", ep_mock.base_url + "/v2/carts/never-associated/relationships/accounts",
        json=body, headers={"Authorization": "Bearer " + ep_mock.admin_token},
    )
    assert answer.status_code == EXPECTED, answer.text
"""


@pytest.mark.slow
@pytest.mark.parametrize(("profile", "expected"), [(None, 204), ("'404'", 404)])
def test_the_plugin_s_mock_follows_a_store_profile_given_as_an_option(
    tmp_path: Path, profile: str | None, expected: int
) -> None:
    (tmp_path / "test_profile.py").write_text(PROFILE_TEST.replace("EXPECTED", str(expected)), encoding="utf-8")
    option: list[str] = []
    if profile is not None:
        path = tmp_path / "store.yaml"
        path.write_text(f"store-profile: 1\nmarks:\n  delete-of-a-missing-association-answers-204: {profile}\n")
        option = ["--ep-mock-store-profile", str(path)]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *option, str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "1 passed" in result.stdout
