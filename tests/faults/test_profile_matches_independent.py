"""The mock with a store profile answers like a store that decided those points otherwise.

tests/faults/proxy.py's `independent` server keeps every fact the vendor documents and decides nine of our
assumptions its own way; it was written apart from the mock's rules. A profile naming its nine alternatives
makes the mock answer each probe below as that server does (status, and where the documented message sits);
without the profile the mock differs on every probe, so the comparison shows the profile at work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from ep_cart_spec import ACCOUNT_TOKEN_HEADER, DEFAULTS
from tests.conftest import MockProcess, get_token, mock_env
from tests.faults.runs import INDEPENDENT_PROFILE, start_proxy, wait_until_listening

pytestmark = pytest.mark.slow

ACCOUNT = DEFAULTS["EP_ACCOUNT_ID"]
KEYS = {name: DEFAULTS[name] for name in ("EP_CLIENT_ID", "EP_CLIENT_SECRET")}
"""The proxy reads the application keys from the environment; every server here uses the defaults."""
OTHER_ACCOUNT_TOKEN = DEFAULTS["EP_OTHER_ACCOUNT_TOKEN"]


@dataclass
class Target:
    http: httpx.Client
    admin: str
    shopper: str

    def associate(self, cart: str, account: str = ACCOUNT, **headers: str) -> httpx.Response:
        body = {"data": [{"id": account, "type": "account"}]}
        return self.http.post(
            f"/v2/carts/{cart}/relationships/accounts",
            json=body,
            headers={"Authorization": f"Bearer {self.admin}", **headers},
        )


def message_placement(answer: httpx.Response) -> tuple[int, str | None]:
    """The status, and where the vendor's message "Cannot associate more than one account" sits."""
    errors = answer.json().get("errors", []) if answer.content else []
    for error in errors:
        if error.get("title") == "Cannot associate more than one account":
            return answer.status_code, "title"
        if error.get("detail") == "Cannot associate more than one account":
            return answer.status_code, "detail"
    return answer.status_code, None


def list_limit(answer: httpx.Response) -> tuple[int, Any]:
    return answer.status_code, answer.json().get("meta", {}).get("page", {}).get("limit")


# Each probe: one request showing one point, and what of its answer is compared.
PROBES: dict[str, Callable[[Target], Any]] = {
    "token-request-refused-with-400": lambda t: (
        t.http.post("/oauth/access_token", data={"grant_type": "password", "client_id": "x"}).status_code
    ),
    "account-token-empty-refused": lambda t: t.associate("empty-token", **{ACCOUNT_TOKEN_HEADER: ""}).status_code,
    "account-token-scopes-administrator": lambda t: (
        t.associate("admin-scope", **{ACCOUNT_TOKEN_HEADER: OTHER_ACCOUNT_TOKEN}).status_code
    ),
    "account-id-is-a-uuid": lambda t: t.associate("any-string", "acct-not-a-uuid").status_code,
    "delete-of-a-missing-association-answers-204": lambda t: (
        t.http.request(
            "DELETE",
            "/v2/carts/never-associated/relationships/accounts",
            json={"data": [{"id": ACCOUNT, "type": "account"}]},
            headers={"Authorization": f"Bearer {t.admin}"},
        ).status_code
    ),
    "shopper-token-refused-with-403": lambda t: (
        t.http.get("/v2/carts", headers={"Authorization": f"Bearer {t.shopper}"}).status_code
    ),
    "page-limit-above-100-refused": lambda t: list_limit(
        t.http.get(
            "/v2/carts",
            params={"page[limit]": "101"},
            headers={"Authorization": f"Bearer {t.shopper}", ACCOUNT_TOKEN_HEADER: DEFAULTS["EP_ACCOUNT_TOKEN"]},
        )
    ),
    "error-status-type": lambda t: type(
        t.http.get("/v2/carts", headers={"Authorization": f"Bearer {t.shopper}"}).json()["errors"][0]["status"]
    ),
    "error-message-in-title": lambda t: (
        t.associate("held-by-one").status_code,
        message_placement(t.associate("held-by-one", DEFAULTS["EP_OTHER_ACCOUNT_ID"])),
    ),
}


@pytest.fixture(scope="module")
def independent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("independent")
    upstream = MockProcess(mock_env(EP_TEST_CONTROLS="1"), folder / "upstream.log")
    tokens_file = folder / "tokens.txt"
    tokens_file.touch()
    proxy, port, log = start_proxy(
        "independent", tokens_file, folder / "proxy.log", mock_env(**KEYS), upstream.base_url
    )
    try:
        wait_until_listening(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        log.close()
        upstream.stop()


@pytest.fixture(scope="module")
def profiled_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("profiled")
    profile = folder / "independent.yaml"
    profile.write_text(yaml.safe_dump({"store-profile": 1, "marks": INDEPENDENT_PROFILE}), encoding="utf-8")
    server = MockProcess(mock_env(), folder / "mock.log", ["--store-profile", str(profile)])
    try:
        assert "Store profile:" in server.log()
        yield server.base_url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def default_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = MockProcess(mock_env(), tmp_path_factory.mktemp("default") / "mock.log")
    try:
        yield server.base_url
    finally:
        server.stop()


def target(base_url: str) -> Iterator[Target]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield Target(http, get_token(http, "client_credentials"), get_token(http, "implicit"))


def test_every_profile_point_has_a_probe() -> None:
    assert set(PROBES) == set(INDEPENDENT_PROFILE)


@pytest.mark.parametrize("point", sorted(PROBES))
def test_the_profiled_mock_answers_like_the_independent_server(
    point: str, independent: str, profiled_mock: str, default_mock: str
) -> None:
    probe = PROBES[point]
    (theirs,) = [probe(found) for found in target(independent)]
    (ours,) = [probe(found) for found in target(profiled_mock)]
    (by_default,) = [probe(found) for found in target(default_mock)]
    assert ours == theirs, f"{point}: the profiled mock answered {ours}, the independent server {theirs}"
    assert by_default != theirs, f"{point}: the mock without the profile already answers {by_default}"


def test_the_profile_file_is_what_a_user_would_write(tmp_path: Path) -> None:
    """The same profile read back by ep_cart_spec: it differs from openapi.yaml on exactly these points."""
    from ep_cart_spec import load, read_profile

    path = tmp_path / "independent.yaml"
    path.write_text(yaml.safe_dump({"store-profile": 1, "marks": INDEPENDENT_PROFILE}), encoding="utf-8")
    differences = read_profile(path, load()).differences()
    messages = {"type-not-account", "more-than-one-account", "permission-denied", "invalid-json-payload"}
    assert set(differences) == (set(INDEPENDENT_PROFILE) - {"error-message-in-title"}) | messages | {"contact-email"}


# A run judged by a profile against the mock that follows it: tests/faults/test_self_agreement.py, for every
# alternative. The bundled mock with no profile shows every default: tests/test_contract_leaves_no_trace.py.
