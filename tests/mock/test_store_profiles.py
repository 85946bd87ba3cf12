"""The mock follows a store profile: each alternative openapi.yaml lists is implemented in the rules, and a
profile that cannot be used stops the mock before it starts (exit code 2, the valid choices named).

Each probe below sends the request that shows one mark's decision, to a mock with the default profile and to
one with the alternative, and checks both answers. `test_every_alternative_has_a_probe` keeps the probes and
the spec's alternatives in step, so an alternative added to openapi.yaml without its rule fails here.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from ep_cart_mock.app import create_app
from ep_cart_mock.config import Settings
from ep_cart_mock.tokens import GrantType, TokenIssuer
from ep_cart_spec import ACCOUNT_TOKEN_HEADER, CUSTOMER_TOKEN_HEADER, DEFAULTS, load
from ep_cart_spec.profiles import choosable
from tests.conftest import free_port, mock_env
from tests.mock.asgi_client import Client

ACCOUNT = DEFAULTS["EP_ACCOUNT_ID"]
OTHER_ACCOUNT = DEFAULTS["EP_OTHER_ACCOUNT_ID"]
ACCOUNT_TOKEN = DEFAULTS["EP_ACCOUNT_TOKEN"]


@dataclass
class Store:
    """A mock in-process (the test controls on) with a store profile, and its tokens."""

    client: Client
    admin: str
    shopper: str

    def associate(
        self, cart: str, account: str = ACCOUNT, *, method: str = "POST", headers: dict[str, str] | None = None
    ) -> httpx.Response:
        body = {"data": [{"id": account, "type": "account"}]}
        return self.client.request(
            method,
            f"/v2/carts/{cart}/relationships/accounts",
            json=body,
            headers={"Authorization": f"Bearer {self.admin}", **(headers or {})},
        )

    def carts(self, headers: dict[str, str], params: dict[str, str] | None = None) -> httpx.Response:
        return self.client.request(
            "GET", "/v2/carts", headers={"Authorization": f"Bearer {self.shopper}", **headers}, params=params
        )


def store(tmp_path: Path, marks: dict[str, Any] | None, texts: dict[str, Any] | None = None) -> Store:
    settings = replace(Settings.from_env({}), test_controls=True)
    if marks is not None:
        profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}.yaml"
        document = {"store-profile": 1, "marks": marks, **({"texts": texts} if texts else {})}
        profile.write_text(__import__("yaml").safe_dump(document), encoding="utf-8")
        settings = replace(settings, store_profile=profile)
    tokens = TokenIssuer(3600)
    return Store(
        Client(create_app(settings, tokens=tokens)),
        tokens.issue(GrantType.CLIENT_CREDENTIALS).access_token,
        tokens.issue(GrantType.IMPLICIT).access_token,
    )


def error(answer: httpx.Response) -> dict[str, Any]:
    (item,) = answer.json()["errors"]
    return {"status": answer.status_code, "title": item["title"], "detail": item.get("detail")}


# --- One probe per (mark, alternative): what a store with the default answers, and one with the alternative.


def token_form_refused(shop: Store) -> object:
    answer = shop.client.post("/oauth/access_token", data={"grant_type": "password", "client_id": "x"})
    return answer.status_code, error(answer)["title"]


def administrator_with_an_unknown_account_token(shop: Store) -> object:
    return shop.associate("admin-scope", headers={ACCOUNT_TOKEN_HEADER: "not-issued-here"}).status_code


def page_limit_101(shop: Store) -> object:
    shop.associate("paged")
    answer = shop.carts({ACCOUNT_TOKEN_HEADER: ACCOUNT_TOKEN}, {"page[limit]": "101"})
    return answer.status_code, answer.json().get("meta", {}).get("page", {}).get("limit")


def delete_what_is_not_there(shop: Store) -> object:
    answer = shop.associate("never-associated", method="DELETE")
    return answer.status_code, error(answer)["title"] if answer.content else None


def both_shopper_tokens(shop: Store) -> object:
    answer = shop.carts({ACCOUNT_TOKEN_HEADER: ACCOUNT_TOKEN, CUSTOMER_TOKEN_HEADER: "customer"})
    return answer.status_code, error(answer)["title"]


def no_shopper_token(shop: Store) -> object:
    answer = shop.carts({})
    return answer.status_code, error(answer)["title"]


def unread_cart(shop: Store) -> object:
    """A POST to a cart ID nobody named (created, or 404), then the same once the cart is read (always 200)."""
    first = shop.associate("never-read").status_code
    read = shop.client.request("GET", "/v2/carts/read-first", headers={"Authorization": f"Bearer {shop.admin}"})
    assert read.status_code == 200
    return first, shop.associate("read-first").status_code


def long_cart_id(shop: Store) -> object:
    return shop.associate("c" * 300).status_code


def long_account_token(shop: Store) -> object:
    token = "t" * 5000
    added = shop.client.post("/_mock/accounts", json={"account_id": OTHER_ACCOUNT, "account_token": token})
    assert added.status_code == 201, added.text
    return shop.carts({ACCOUNT_TOKEN_HEADER: token}).status_code


def empty_account_token(shop: Store) -> object:
    return shop.associate("empty-token", headers={ACCOUNT_TOKEN_HEADER: ""}).status_code


def empty_customer_token(shop: Store) -> object:
    """Beside the account's token: refused as both shopper tokens (400), or read as none (the list, 200)."""
    return shop.carts({ACCOUNT_TOKEN_HEADER: ACCOUNT_TOKEN, CUSTOMER_TOKEN_HEADER: ""}).status_code


def account_id_not_a_uuid(shop: Store) -> object:
    answer = shop.associate("any-string", account="acct-1")
    return answer.status_code, answer.json()["data"][0]["id"] if answer.status_code == 200 else None


def second_account_on_a_cart(shop: Store) -> object:
    assert shop.associate("held").status_code == 200
    answer = shop.associate("held", OTHER_ACCOUNT)
    found = error(answer)
    return found["status"], found["title"], found["detail"]


def contact_email_on_an_account_cart(shop: Store) -> object:
    """S3's "vice versa": a contact email for a cart that has an account is refused (422 or 400)."""
    assert shop.associate("registered").status_code == 200
    answer = shop.client.request(
        "PUT",
        "/v2/carts/registered",
        json={"data": {"contact": {"email": "guest@example.com"}}},
        headers={"Authorization": f"Bearer {shop.admin}"},
    )
    return answer.status_code, error(answer)["title"]


def error_status_types(shop: Store) -> object:
    """The type of `status` in a rule's error (no bearer token), a path the API does not have, a method it does
    not allow, and the list's 403 without a shopper token."""
    answers = [
        shop.client.request("POST", "/v2/carts/typed/relationships/accounts", json={"data": []}),
        shop.client.request("GET", "/v2/nothing-here", headers={"Authorization": f"Bearer {shop.admin}"}),
        shop.client.request("PATCH", "/v2/carts", headers={"Authorization": f"Bearer {shop.admin}"}),
        shop.carts({}),
    ]
    return tuple((answer.status_code, type(answer.json()["errors"][0]["status"]).__name__) for answer in answers)


MORE_THAN_ONE = "Cannot associate more than one account"
CONTACT_EMAIL_REFUSED = "Cannot add a contact email to carts with accounts"
PROBES: dict[tuple[str, str], tuple[Callable[[Store], object], object, object]] = {
    # (mark, alternative): (probe, answer with the default, answer with the alternative)
    ("token-request-refused-with-400", "401"): (
        token_form_refused,
        (400, "Unsupported grant type"),
        (401, "Unsupported grant type"),
    ),
    ("account-token-scopes-administrator", "administrator"): (administrator_with_an_unknown_account_token, 403, 200),
    ("page-limit-above-100-refused", "clamped"): (page_limit_101, (400, None), (200, 100)),
    ("contact-email-on-an-account-cart-answers-422", "400"): (
        contact_email_on_an_account_cart,
        (422, CONTACT_EMAIL_REFUSED),
        (400, CONTACT_EMAIL_REFUSED),
    ),
    ("delete-of-a-missing-association-answers-204", "404"): (
        delete_what_is_not_there,
        (204, None),
        (404, "Association not found"),
    ),
    ("both-shopper-tokens-refused-with-400", "403"): (
        both_shopper_tokens,
        (400, "Only one shopper token"),
        (403, "Only one shopper token"),
    ),
    ("shopper-token-refused-with-403", "400"): (
        no_shopper_token,
        (403, "Shopper token required"),
        (400, "Shopper token required"),
    ),
    ("cart-id-at-most-255-characters", "not-enforced"): (long_cart_id, 400, 200),
    ("new-cart-id-is-a-new-cart", "404"): (unread_cart, (200, 200), (404, 200)),
    ("account-token-length", "not-enforced"): (long_account_token, 403, 200),
    ("account-token-empty-refused", "absent"): (empty_account_token, 403, 200),
    ("customer-token-empty-refused", "absent"): (empty_customer_token, 400, 200),
    ("account-id-is-a-uuid", "any-string"): (account_id_not_a_uuid, (400, None), (200, "acct-1")),
    ("error-status-type", "integer"): (
        error_status_types,
        ((401, "int"), (404, "int"), (405, "int"), (403, "int")),
        ((401, "int"), (404, "int"), (405, "int"), (403, "int")),
    ),
    ("error-status-type", "string"): (
        error_status_types,
        ((401, "int"), (404, "int"), (405, "int"), (403, "int")),
        ((401, "str"), (404, "str"), (405, "str"), (403, "str")),
    ),
    ("error-message-in-title", "detail"): (
        second_account_on_a_cart,
        (403, MORE_THAN_ONE, "The cart is already associated with another account."),
        (403, "Forbidden", MORE_THAN_ONE),
    ),
}


def test_every_alternative_has_a_probe() -> None:
    listed = {
        (mark_id, alternative)
        for mark_id, mark in choosable(load()).items()
        for alternative, _ in mark.alternatives[1:]  # the first is the default
    }
    assert listed == set(PROBES)


@pytest.mark.parametrize(("mark", "alternative"), sorted(PROBES), ids=lambda value: str(value))
def test_the_mock_answers_as_the_profile_s_alternative(mark: str, alternative: str, tmp_path: Path) -> None:
    probe, by_default, by_alternative = PROBES[(mark, alternative)]
    value: Any = alternative
    if mark == "error-message-in-title":
        value = {"more-than-one-account": alternative}
    assert probe(store(tmp_path, None)) == by_default
    assert probe(store(tmp_path, {mark: value})) == by_alternative


def test_messages_are_decided_one_by_one(tmp_path: Path) -> None:
    """One message in the detail, the others where they were: the permission message keeps its title."""
    shop = store(tmp_path, {"error-message-in-title": {"more-than-one-account": "detail"}})
    assert second_account_on_a_cart(shop) == (403, "Forbidden", MORE_THAN_ONE)
    denied = shop.associate("other", OTHER_ACCOUNT, headers={ACCOUNT_TOKEN_HEADER: ACCOUNT_TOKEN})
    assert error(denied)["title"] == "Account does not have the required permissions to fulfill this request"


def test_a_profile_that_names_only_defaults_changes_nothing(tmp_path: Path) -> None:
    defaults = {mark_id: mark.default for mark_id, mark in choosable(load()).items()}
    for (_, _), (probe, by_default, _) in PROBES.items():
        assert probe(store(tmp_path, defaults)) == by_default


# --- A profile that cannot be used: exit code 2, a clear message, nothing listening.

BAD_PROFILES = {
    "unknown mark": ("store-profile: 1\nmarks:\n  pages-are-cut: clamped\n", "unknown mark 'pages-are-cut'"),
    "unknown alternative": (
        "store-profile: 1\nmarks:\n  page-limit-above-100-refused: cut\n",
        "unknown alternative 'cut'; its alternatives: refused, clamped",
    ),
    "wrong type": (
        "store-profile: 1\nmarks:\n  page-limit-above-100-refused: [clamped]\n",
        "a mark takes one of its alternatives: refused, clamped",
    ),
    "broken YAML": ("store-profile: 1\nmarks: [unclosed\n", "not YAML"),
    "unknown message": (
        "store-profile: 1\nmarks:\n  error-message-in-title:\n    no-such-message: detail\n",
        "unknown message 'no-such-message'",
    ),
    "wrong format version": ("store-profile: 2\n", "store-profile: 1 was expected"),
    "unknown error in texts": (
        "store-profile: 1\ntexts:\n  page-too-big: {title: Bad Request}\n",
        "texts: unknown error 'page-too-big'; openapi.yaml's errors: account-member-credentials-invalid,",
    ),
    "text without a title": ("store-profile: 1\ntexts:\n  page-invalid: {detail: x}\n", "texts/page-invalid"),
    "text that loses a vendor message": (
        "store-profile: 1\ntexts:\n  data-not-array: {title: Forbidden, detail: Send an array}\n",
        "texts: data-not-array would lose the vendor's message 'Invalid json payload' (S2)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_PROFILES))
def test_an_unusable_profile_stops_the_mock_with_exit_code_2(case: str, tmp_path: Path) -> None:
    text, message = BAD_PROFILES[case]
    profile = tmp_path / "profile.yaml"
    profile.write_text(text, encoding="utf-8")
    port = free_port()
    result = subprocess.run(
        [sys.executable, "-m", "ep_cart_mock", "--port", str(port), "--store-profile", str(profile)],
        env=mock_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"ep-cart-mock: cannot start: {profile}" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert "Account cart associations mock" not in result.stdout  # nothing started
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_a_missing_profile_file_stops_the_mock_too(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ep_cart_mock", "--store-profile", str(tmp_path / "absent.yaml")],
        env={**mock_env(), "EP_STORE_PROFILE": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "absent.yaml: cannot be read" in result.stderr


@pytest.mark.parametrize("case", sorted(BAD_PROFILES))
def test_an_unusable_profile_stops_the_suite_before_it_runs(case: str, tmp_path: Path) -> None:
    """`ep-cart-contract --store-profile FILE` (make contract-test STORE_PROFILE=FILE): exit 2, the choices named,
    no mock started and no report written."""
    text, message = BAD_PROFILES[case]
    profile = tmp_path / "profile.yaml"
    profile.write_text(text, encoding="utf-8")
    reports = tmp_path / "reports"
    result = subprocess.run(
        [sys.executable, "-m", "ep_cart_contract", "--store-profile", str(profile), "--report-dir", str(reports)],
        env=mock_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"ep-cart-contract: EP_STORE_PROFILE: {profile}" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not reports.exists()  # no run started


def test_the_answers_an_alternative_adds_are_the_spec_s_and_follow_the_profile_too(tmp_path: Path) -> None:
    """The two 404s no operation documents (a cart nobody named, an association that is not there) are the
    answers the marks name in openapi.yaml (`answers`); with `error-status-type: string` their status is a string
    like every other error's, a status a profile moved too, and the profile's texts word them."""
    marks = {
        "error-status-type": "string",
        "new-cart-id-is-a-new-cart": "404",
        "delete-of-a-missing-association-answers-204": "404",
        "shopper-token-refused-with-403": "400",
    }
    named: dict[str, dict[str, Any]] = {
        name: item for mark in load().assumptions.values() for name, _, item in mark.answers
    }
    assert set(named) == {"cart-not-found", "association-not-found"}
    shop = store(tmp_path, marks)
    answers = [shop.associate("never-named"), delete_answer(shop), shop.carts({})]
    assert [(answer.status_code, answer.json()["errors"][0]["status"]) for answer in answers] == [
        (404, "404"),
        (404, "404"),
        (400, "400"),
    ]
    assert answers[0].json()["errors"] == [{**named["cart-not-found"], "status": "404"}]
    assert answers[1].json()["errors"] == [{**named["association-not-found"], "status": "404"}]
    worded = store(tmp_path, marks, {"cart-not-found": {"title": "Not Found", "detail": "No such cart."}})
    assert worded.associate("never-named").json()["errors"] == [
        {"status": "404", "title": "Not Found", "detail": "No such cart."}
    ]


def delete_answer(shop: Store) -> httpx.Response:
    shop.client.request("GET", "/v2/carts/read-then-delete", headers={"Authorization": f"Bearer {shop.admin}"})
    return shop.associate("read-then-delete", method="DELETE")


def test_the_mock_answers_in_the_store_s_words_where_the_profile_has_them(tmp_path: Path) -> None:
    """`texts` (learned by ep-cart-twin-check): an error the profile words is answered with the store's title, and
    its detail when given; one whose message a mark moved to the detail, and whose status is sent as a string,
    takes the words over those; a detail of null is none; an error the profile does not word keeps the mock's."""
    texts: dict[str, dict[str, str | None]] = {
        "shopper-token-required": {"title": "Bad Request", "detail": "Shopper token required"},
        "more-than-one-account-in-request": {"title": "Forbidden", "detail": MORE_THAN_ONE},
        "cart-id-unsafe": {"title": "Bad Request", "detail": None},
    }
    marks = {"shopper-token-refused-with-403": "400", "error-status-type": "string", "error-message-in-title": "detail"}
    shop = store(tmp_path, marks, texts)
    refused = shop.carts({})
    assert (refused.status_code, refused.json()["errors"]) == (
        400,
        [{"status": "400", **texts["shopper-token-required"]}],
    )
    two = {"data": [{"id": ACCOUNT, "type": "account"}, {"id": OTHER_ACCOUNT, "type": "account"}]}
    answer = shop.client.request(
        "POST", "/v2/carts/two/relationships/accounts", json=two, headers={"Authorization": f"Bearer {shop.admin}"}
    )
    assert error(answer) == {"status": 403, "title": "Forbidden", "detail": MORE_THAN_ONE}
    unsafe = shop.associate("not%20safe")
    assert unsafe.json()["errors"] == [{"status": "400", "title": "Bad Request", "meta": {"value": "not safe"}}]
    body = shop.associate("json", headers={"Content-Type": "text/plain"})
    assert error(body)["title"] == "Unsupported content type"  # not worded by the profile: the mock's own
