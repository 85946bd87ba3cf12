"""The contract suite's own parts, on their own: settings, masking, politeness towards a live store, and the
documented-response table. (tests/faults runs the whole suite against broken servers.)"""

from __future__ import annotations

import contextlib
import gc
import http.server
import json
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from ep_cart_associations_client.types import Response

from ep_cart_contract import (  # noqa: F401  (hooks registers its schemathesis hooks)
    exits,
    hooks,
    interrupts,
    judging,
    live_safety,
    logins,
    transport,
)
from ep_cart_contract.availability import AnswerLost
from ep_cart_contract.classify import ABSENT, Classifier, SentRequest
from ep_cart_contract.expectations import NEW_CART, Expectations, normalized
from ep_cart_contract.judging import marks_shown, observe
from ep_cart_contract.ledger import AssociationLedger
from ep_cart_contract.observations import ResponseTable
from ep_cart_contract.redaction import MASK, Redactor, curl_command
from ep_cart_contract.run import ContractRun, using
from ep_cart_contract.scenario_client import ScenarioClient
from ep_cart_contract.settings import ContractConfigError, ContractSettings
from ep_cart_contract.transport import OperationUnresponsive
from ep_cart_contract.verdicts import VENDOR, Verdicts
from ep_cart_spec import (
    ACCOUNT_TOKEN_HEADER,
    ASSOCIATION_PATH,
    CART_PATH,
    CARTS_PATH,
    CUSTOMER_TOKEN_HEADER,
    DEFAULTS,
    LOGIN_PATH,
    TOKEN_PATH,
    ApiSpec,
    Assumption,
    cart_id_of,
)
from tests.conftest import contract_suite, mock_env
from tests.paths import SPEC_PATH

# --- Settings -------------------------------------------------------------------------------------------


def test_without_base_url_every_value_defaults_to_the_mocks() -> None:
    settings = ContractSettings.from_env({})
    assert not settings.live
    assert settings.values["EP_ACCOUNT_ID"] == DEFAULTS["EP_ACCOUNT_ID"]
    assert settings.rate_limit is None
    assert settings.profile == "default"


def test_live_run_takes_only_what_the_environment_sets() -> None:
    settings = ContractSettings.from_env(
        {"EP_BASE_URL": "https://useast.api.elasticpath.com/", "EP_CLIENT_ID": "id", "EP_CLIENT_SECRET": "secret"}
    )
    assert settings.base_url == "https://useast.api.elasticpath.com"
    assert settings.missing("EP_ACCOUNT_ID", "EP_CONTACT_EMAIL_CART_ID") == [
        "EP_ACCOUNT_ID",
        "EP_CONTACT_EMAIL_CART_ID",
    ]
    assert settings.rate_limit == "10/s"
    assert settings.secret_values == ["secret"]


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"EP_BASE_URL": "https://x.example", "EP_CLIENT_ID": "id"}, "EP_CLIENT_SECRET"),
        ({"EP_BASE_URL": "ftp://x.example", "EP_CLIENT_ID": "i", "EP_CLIENT_SECRET": "s"}, "EP_BASE_URL"),
        ({"EP_CONTRACT_PROFILE": "nightly"}, "EP_CONTRACT_PROFILE"),
        ({"EP_REQUEST_TIMEOUT": "soon"}, "EP_REQUEST_TIMEOUT"),
    ],
)
def test_unusable_settings_are_named(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ContractConfigError, match=named):
        ContractSettings.from_env(environ)


def test_each_run_has_its_own_cart_prefix() -> None:
    first, second = ContractSettings.from_env({}), ContractSettings.from_env({})
    assert first.run_prefix.startswith("ct-")
    assert first.run_prefix != second.run_prefix


# --- Account tokens from a member's login ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires", "seconds"),
    [
        ("2027-01-15T08:00:15.000000Z", 15.0),  # S7's type and example: a date-time
        ("2027-01-15T08:00:15+00:00", 15.0),
        (1_800_000_015, 15.0),  # the vendor's storefront: epoch seconds
        (None, 24 * 3600.0),  # absent or unreadable: the 24 hours S7 documents
        ("tomorrow", 24 * 3600.0),
    ],
)
def test_a_logins_expiry_is_read_in_either_of_the_vendors_forms(expires: object, seconds: float) -> None:
    now = 1_800_000_000.0  # 2027-01-15T08:00:00Z
    assert logins.expiry(expires, now) - now == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("life", "renewed_before_the_end"),
    [(24 * 3600, 300.0), (15, 5.0), (0.5, -0.5)],  # 5 minutes early; a third of a short life; never within 1 s
)
def test_a_token_is_renewed_before_its_end(life: float, renewed_before_the_end: float) -> None:
    assert 1000 + life - logins.renew_at(1000, 1000 + life) == pytest.approx(renewed_before_the_end)


def test_the_members_login_stands_for_the_accounts_only_when_every_credential_is_set() -> None:
    member = {"EP_ACCOUNT_MEMBER_USERNAME": "m", "EP_ACCOUNT_MEMBER_PASSWORD": "p", "EP_PASSWORD_PROFILE_ID": "x"}
    assert logins.member_for("EP_ACCOUNT_TOKEN", {**member, "EP_PASSWORD_PROFILE_ID": ""}) is None
    first = logins.member_for("EP_OTHER_ACCOUNT_TOKEN", member)
    assert first is not None
    assert (first.username_variable, first.account_variable) == ("EP_ACCOUNT_MEMBER_USERNAME", "EP_OTHER_ACCOUNT_ID")
    other = {**member, "EP_OTHER_ACCOUNT_MEMBER_USERNAME": "o", "EP_OTHER_ACCOUNT_MEMBER_PASSWORD": "q"}
    second = logins.member_for("EP_OTHER_ACCOUNT_TOKEN", other)
    assert second is not None
    assert second.password_variable == "EP_OTHER_ACCOUNT_MEMBER_PASSWORD"
    live = ContractSettings.from_env(
        {"EP_BASE_URL": "https://store.example", "EP_CLIENT_ID": "id", "EP_CLIENT_SECRET": "s", **member}
    )
    assert live.missing("EP_ACCOUNT_TOKEN") == []
    assert "p" in live.secret_values
    # One member of both accounts serves the second account too: the hint for its token names that member first.
    assert logins.credentials_hint("EP_OTHER_ACCOUNT_TOKEN").startswith("EP_ACCOUNT_MEMBER_USERNAME, ")


def test_renewal_logs_in_again_only_when_the_token_nears_its_end() -> None:
    clock = [1000.0]
    kept = logins.MemberLogins(clock=lambda: clock[0])
    member = logins.Member("EP_ACCOUNT_MEMBER_USERNAME", "EP_ACCOUNT_MEMBER_PASSWORD", "EP_ACCOUNT_ID")
    kept.keep(member, [{"account_id": ACCOUNT_ID.upper(), "token": "t1", "expires": 1015}], 1000.0)
    assert kept.fresh(member, ACCOUNT_ID) == "t1"
    clock[0] = 1009.9
    assert kept.fresh(member, ACCOUNT_ID) == "t1"
    clock[0] = 1010.0  # 5 s before the end
    assert kept.fresh(member, ACCOUNT_ID) is None
    assert kept.fresh(member, OTHER_ID) is None


# --- Masking ---------------------------------------------------------------------------------------------


def test_redactor_masks_every_known_secret() -> None:
    redactor = Redactor()
    redactor.add("client-secret-123", None, "")
    redactor.add("0123456789abcdef")
    text = "secret=client-secret-123 token=0123456789abcdef"
    assert redactor.scrub(text) == f"secret={MASK} token={MASK}"


@pytest.mark.parametrize(
    "carried",
    ["Bearer http://127.0.0.1", "http://127.0.0.1", "Bearer /v2/carts", "Bearer reports/contract.json", "Bearer 200"],
)
def test_what_a_generated_request_carries_as_its_bearer_token_masks_nothing(carried: str) -> None:
    """Generated requests carry any text as their bearer token, constants of the kit's own code included (Hypothesis
    draws them): once "http://127.0.0.1" did, and the written store profile read `target: [masked]:44753`, which
    no longer parsed. Only what the run knows to be a secret is masked: configured values, and the tokens the
    store hands out."""
    run = ContractRun.from_env({})

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"errors": [{"status": 401, "title": "Unauthorized"}]})

    client = ScenarioClient("http://store.example", run, transport.PoliteTransport(None, httpx.MockTransport(handler)))
    client.list_carts(token=carried.removeprefix("Bearer "))
    client.associate("c-1", ["0f9e7a52-3c7d-4b8e-9a51-6c2d1e4f8a01"], token=carried.removeprefix("Bearer "))
    target = "target: http://127.0.0.1:44753, reports/contract.json, GET /v2/carts 200"
    assert run.redactor.scrub(target) == target


def test_the_tokens_a_store_hands_out_are_masked_whichever_layer_asked() -> None:
    """The token endpoint's `access_token` and each token a member's login answers (S7), seen by either layer."""
    issued = b'{"access_token": "bearer-token-from-the-store", "token_type": "Bearer", "expires_in": 3600}'
    login = json.dumps({"data": [{"type": "account_management_authentication_token", "token": "account-tok-1"}]})
    run = ContractRun.from_env({})
    observe(run, "POST", TOKEN_PATH, 200, {}, issued)
    observe(run, "POST", LOGIN_PATH, 201, {}, login.encode())
    assert run.redactor.scrub("bearer-token-from-the-store account-tok-1") == f"{MASK} {MASK}"


def error_body(*statuses: object) -> bytes:
    return json.dumps({"errors": [{"status": status, "title": "Forbidden"} for status in statuses]}).encode()


@pytest.mark.parametrize(
    ("bodies", "learned", "broken"),
    [
        ([error_body(403), error_body(403)], "integer", 0),
        ([error_body("403")], "string", 1),
        ([error_body(403), error_body("403", 403)], "either", 1),
    ],
    ids=["integers", "strings", "both"],
)
def test_an_error_s_status_type_is_learned_and_held_to_the_profile_s(
    bodies: list[bytes], learned: str, broken: int, tmp_path: Path
) -> None:
    """`error-status-type`: every error answer shows the type of its status. Judged by the defaults (either) no
    claim is made and the run writes what it saw (`either` once both came); judged by a profile that names
    `integer`, a string breaks that assumption, with evidence naming the profile."""
    profile = tmp_path / "profile.yaml"
    profile.write_text("store-profile: 1\nmarks:\n  error-status-type: integer\n", encoding="utf-8")
    for environ, judged in (({}, False), ({"EP_STORE_PROFILE": str(profile)}, True)):
        run = ContractRun.from_env(environ)
        for body in bodies:
            observe(run, "GET", CARTS_PATH, 403, {"content-type": "application/json"}, body)
        assert run.store_profile is not None
        assert run.store_profile.entry("error-status-type")["alternative"] == learned
        claim = run.verdicts.claims.get("assumption:error-status-type")
        if not judged:
            assert claim is None
            continue
        assert claim is not None
        assert (claim.kind, claim.checked, claim.broken) == ("assumption", len(bodies), broken)
        if broken:
            assert "error-status-type: integer, as " in claim.evidence[0].expected
            assert claim.evidence[0].profile == str(profile)
        observe(run, "GET", CARTS_PATH, 403, {"content-type": "application/json"}, b'{"errors": []}')
        assert claim.checked == len(bodies), "an empty errors list shows no type (judge_answer judges it)"


@pytest.mark.parametrize("secret", ["pw1", "x", "abcde"])
def test_a_short_secret_is_masked_too(secret: str) -> None:
    """A password of a few characters is a secret all the same (values under six were once never masked)."""
    redactor = Redactor()
    redactor.add(secret)
    assert secret not in redactor.scrub(f"curl --data-raw password={secret}")


def test_a_generated_authorization_header_of_a_few_characters_masks_nothing() -> None:
    """Negative cases send any text as the bearer token: "<" must not become a secret (it masked the JUnit
    report's XML once)."""
    run = ContractRun.from_env({})
    refused = httpx.Response(401, json={"errors": [{"status": 401, "title": "Unauthorized"}]})
    client = ScenarioClient(
        "http://store.example", run, transport.PoliteTransport(None, httpx.MockTransport(lambda _: refused))
    )
    for token in ("<", "a"):
        client.list_carts(token=token)
    assert run.redactor.scrub("<?xml version='1.0'?><a/>") == "<?xml version='1.0'?><a/>"


def test_curl_command_masks_credentials_headers() -> None:
    request = httpx.Request(
        "POST",
        "http://127.0.0.1:8000/v2/carts/c/relationships/accounts",
        headers={"Authorization": "Bearer abcdef123456", "EP-Account-Management-Authentication-Token": "acct-tok"},
        json={"data": []},
    )
    command = curl_command(request)
    assert command.startswith("curl -X POST http://127.0.0.1:8000/v2/carts/c/relationships/accounts")
    assert "abcdef123456" not in command
    assert "acct-tok" not in command
    assert "--data-raw" in command


# --- Politeness -----------------------------------------------------------------------------------------


def test_429_is_retried_after_the_advertised_wait() -> None:
    answers = [httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(200, json={"ok": True})]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    with httpx.Client(transport=transport.PoliteTransport(None, httpx.MockTransport(handler))) as client:
        response = client.get("http://store.example/")
    assert response.status_code == 200
    assert len(seen) == 2


def test_persistent_429_is_handed_back_after_the_retries() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(429, headers={"Retry-After": "0"})

    with httpx.Client(transport=transport.PoliteTransport(None, httpx.MockTransport(handler))) as client:
        assert client.get("http://store.example/").status_code == 429
    assert len(calls) == transport.MAX_RETRIES + 1


@pytest.mark.parametrize(("rate", "interval"), [(None, 0.0), ("10/s", 0.1), ("30/m", 2.0)])
def test_rate_limit_spacing(rate: str | None, interval: float) -> None:
    assert transport.parse_rate(rate) == interval


@pytest.mark.parametrize(("header", "seconds"), [("3", 3.0), (None, 1.0), ("soon", 1.0), ("9999", 60.0)])
def test_retry_after_is_bounded(header: str | None, seconds: float) -> None:
    assert transport.retry_after(header) == seconds


def test_a_request_with_no_answer_fails_naming_the_timeout() -> None:
    client = ScenarioClient("http://127.0.0.1:9", ContractRun.from_env({}))

    def never_answers() -> None:
        raise httpx.ReadTimeout("timed out")

    label = "POST /v2/carts/{cartID}/relationships/accounts"
    with pytest.raises(OperationUnresponsive, match=r"did not answer within 30 s \(EP_REQUEST_TIMEOUT\)"):
        client.call(label, never_answers)
    sent = []
    with pytest.raises(OperationUnresponsive, match=re.escape(label)):
        client.call(label, lambda: sent.append("a request"))
    assert sent == [], "an operation that stopped answering is sent nothing more"


def test_an_unreachable_server_is_the_store_unavailable_after_the_retries() -> None:
    """A connection refused is retried (nothing was sent), then the scenario is skipped as the store unavailable:
    no claim, and the run's availability says so."""
    run = ContractRun.from_env({})
    client = ScenarioClient("http://127.0.0.1:9", run, transport.PoliteTransport(None, sleep=lambda _: None))
    with pytest.raises(pytest.skip.Exception, match=r"the store was unavailable: POST /oauth/access_token"):
        client.token_response("implicit")
    assert run.availability.as_json()["failed"] == [
        {"operation": "POST /oauth/access_token", "failure": "connection refused after 5 tries", "requests": 1}
    ]
    assert not run.verdicts.broken()


def flaky_handler(*failures: Any) -> tuple[Any, list[httpx.Request]]:
    """A store that fails each request with the next of `failures` (a status, or an httpx error to raise), then
    answers 200 with an association."""
    queue, seen = list(failures), []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        failure = queue.pop(0) if queue else None
        if isinstance(failure, int):
            return httpx.Response(failure, headers={"Retry-After": "0"})
        if failure is not None:
            raise failure("store went away", request=request)
        return httpx.Response(200, json={"data": [{"id": DEFAULTS["EP_ACCOUNT_ID"], "type": "account"}]})

    return handler, seen


@pytest.mark.parametrize(
    ("failures", "repeat"),
    [
        ((503, 503), False),
        ((504,), True),
        ((502,), True),
        ((httpx.ConnectError,), False),
        ((httpx.RemoteProtocolError,), True),
        ((httpx.ReadError, 503), True),
    ],
)
def test_transient_failures_are_retried_and_their_story_kept(failures: tuple[Any, ...], repeat: bool) -> None:
    """A 502, 503, 504, a connection refused or closed without an answer: retried; the answer says what came
    before it, and whether an earlier try may have been applied (a gateway's 502 or 504, a lost connection)."""
    handler, seen = flaky_handler(*failures)
    polite = transport.PoliteTransport(None, httpx.MockTransport(handler), sleep=lambda _: None)
    with httpx.Client(transport=polite) as client:
        response = client.post("http://store.example/v2/carts/c/relationships/accounts", json={})
    assert response.status_code == 200
    assert len(seen) == len(failures) + 1
    story = transport.story_of_httpx(response)
    assert story.retried == len(failures)
    assert story.may_answer_a_repeat is repeat


def test_a_read_timeout_is_not_retried() -> None:
    """The request may have been applied, and each try costs EP_REQUEST_TIMEOUT: the operation is failed once."""
    handler, seen = flaky_handler(httpx.ReadTimeout)
    polite = transport.PoliteTransport(None, httpx.MockTransport(handler), sleep=lambda _: None)
    with httpx.Client(transport=polite) as client, pytest.raises(httpx.ReadTimeout):
        client.get("http://store.example/v2/carts")
    assert len(seen) == 1


def test_an_association_answered_after_a_lost_try_is_not_judged_as_the_first() -> None:
    """The first POST reached the store and its answer was lost: the retry's answer may be the `204` of the same
    association again. The scenario client says so (AnswerLost, and the plugin runs the scenario again) instead
    of judging a `204` where the first association answers `200`, and the ledger keeps the association to remove."""
    handler, _ = flaky_handler(httpx.RemoteProtocolError)
    run = ContractRun.from_env({})
    polite = transport.PoliteTransport(None, httpx.MockTransport(handler), sleep=lambda _: None)
    client = ScenarioClient("http://store.example", run, polite)
    with pytest.raises(AnswerLost, match="may have been applied"):
        client.associate("ct-cart-1", [DEFAULTS["EP_ACCOUNT_ID"]], token="admin-token")
    assert not run.verdicts.broken()
    assert [association.cart_id for association in run.ledger.open()] == ["ct-cart-1"]


# --- The documented-response table ------------------------------------------------------------------------


def test_table_tells_observed_unobserved_and_nonconforming() -> None:
    table = ResponseTable(ApiSpec.load(SPEC_PATH))
    path = "/v2/carts/cart-1/relationships/accounts"
    json_headers = {"content-type": "application/json"}
    table.record(
        "POST", path, 200, json_headers, b'{"data":[{"id":"0f9e7a52-3c7d-4b8e-9a51-6c2d1e4f8a01","type":"account"}]}'
    )
    table.record("POST", path, 200, json_headers, b'{"data":[]}')
    table.record("POST", path, 418, json_headers, b"{}")
    table.record("GET", path, 405, json_headers, b"{}")  # not an operation: judged by schemathesis, not here

    post_200 = table.observed[("post", "/v2/carts/{cartID}/relationships/accounts", 200)]
    assert (post_200.count, post_200.conforming) == (2, 1)
    assert table.undocumented == ["POST /v2/carts/{cartID}/relationships/accounts answered 418"]
    unobserved = {(item.label, item.status) for item in table.unobserved()}
    assert ("POST /v2/carts/{cartID}/relationships/accounts", 200) not in unobserved
    assert ("DELETE /v2/carts/{cartID}/relationships/accounts", 204) in unobserved
    rendered = table.render()
    assert "NEVER OBSERVED" in rendered
    assert "NOT CONFORMING: data:" in rendered


# --- Verdicts: which kind of claim broke -------------------------------------------------------------------

API = ApiSpec.load(SPEC_PATH)
ACCOUNT_ID = DEFAULTS["EP_ACCOUNT_ID"]
OTHER_ID = DEFAULTS["EP_OTHER_ACCOUNT_ID"]


def body_with(account_id: object) -> dict[str, object]:
    return {"data": [{"id": account_id, "type": "account"}]}


@pytest.mark.parametrize(
    ("parameters", "body", "blamed"),
    [
        ({"path": {"cartID": "cart-1"}}, body_with("not-a-uuid"), "account-id-is-a-uuid"),
        ({"path": {"cartID": "c" * 300}}, body_with(ACCOUNT_ID), "cart-id-at-most-255-characters"),
        (
            {"path": {"cartID": "cart-1"}, "header": {"EP-Account-Management-Authentication-Token": ""}},
            body_with(ACCOUNT_ID),
            "account-token-empty-refused",
        ),
        ({"path": {"cartID": "cart-1"}}, {"data": []}, "data-not-empty"),
        ({"path": {"cartID": "cart-1"}}, ABSENT, "request-body-required"),
        # The vendor's own rules: the account type (S2), safe characters (S5), more than one account (S2).
        ({"path": {"cartID": "cart-1"}}, {"data": [{"id": ACCOUNT_ID, "type": "customer"}]}, None),
        ({"path": {"cartID": "cart/1"}}, body_with(ACCOUNT_ID), None),
        ({"path": {"cartID": "cart-1"}}, {"data": [body_with(ACCOUNT_ID)["data"][0]] * 2}, None),  # type: ignore[index]
    ],
)
def test_an_accepted_invalid_request_is_blamed_on_the_mark_that_made_it_invalid(
    parameters: dict[str, dict[str, str]], body: object, blamed: str | None
) -> None:
    classifier = Classifier(API)
    marks = classifier.blame_accepted_request(
        SentRequest(ASSOCIATION_PATH, "post", parameters, body, "application/json")
    )
    assert [mark.id for mark in marks] == ([blamed] if blamed else [])


def ids(marks: list[Assumption]) -> list[str]:
    return [mark.id for mark in marks]


def test_a_failure_only_two_marks_explain_together_names_both_and_only_marks_of_its_operation() -> None:
    """A cart ID over 255 characters and an empty `data`: taking either mark out alone leaves the other."""
    classifier = Classifier(API)
    parameters = {"path": {"cartID": "c" * 300}}
    marks = classifier.blame_accepted_request(
        SentRequest(ASSOCIATION_PATH, "post", parameters, {"data": []}, "application/json")
    )
    assert sorted(ids(marks)) == ["cart-id-at-most-255-characters", "data-not-empty"]
    own = {mark.id for mark in classifier.marks_of_operation(ASSOCIATION_PATH, "post")}
    assert set(ids(marks)) <= own


def test_a_store_that_cuts_a_large_page_breaks_an_assumption_not_the_vendors_contract() -> None:
    """S3 gives 100 as the largest page[limit]; refusing a larger one rather than cutting it is ours."""
    marks = Classifier(API).blame_accepted_request(SentRequest(CARTS_PATH, "get", {"query": {"page[limit]": 101}}))
    assert ids(marks) == ["page-limit-above-100-refused"]


def test_a_failure_of_one_operation_is_never_blamed_on_another_operations_mark() -> None:
    classifier = Classifier(API)
    too_small = {"query": {"page[limit]": 0, "page[offset]": -1}}
    marks = classifier.blame_accepted_request(SentRequest(CARTS_PATH, "get", too_small))
    assert sorted(ids(marks)) == ["page-limit-at-least-1", "page-offset-not-negative"]
    carts_marks = {mark.id for mark in classifier.request_marks(CARTS_PATH, "get")}
    assert set(ids(marks)) <= carts_marks
    assert not set(ids(marks)) & {mark.id for mark in classifier.request_marks(ASSOCIATION_PATH, "post")}


def test_a_response_is_blamed_only_when_a_marked_constraint_fails() -> None:
    classifier = Classifier(API)
    assert ids(classifier.blame_response(ASSOCIATION_PATH, "post", 200, body_with("abc"))) == ["account-id-is-a-uuid"]
    assert classifier.blame_response(ASSOCIATION_PATH, "post", 200, {"data": [{"id": ACCOUNT_ID}]}) == []
    older_401 = {"errors": {"status": 401, "title": "Unauthorized"}}  # the older vendor example (S3)
    assert ids(classifier.blame_response(ASSOCIATION_PATH, "post", 401, older_401)) == [
        "unauthorized-body-is-an-errors-array"
    ]


# --- What the spec cannot say: no false alarm on the vendor's contract ----------------------------------------


class AllowMismatch:
    """The attributes of schemathesis's AllowHeaderMismatch that the classifier reads."""

    def __init__(self, undocumented: list[str], missing: list[str]) -> None:
        self.undocumented_methods = undocumented
        self.missing_methods = missing


@pytest.mark.parametrize(
    ("path", "undocumented", "missing", "excused"),
    [
        (CART_PATH, ["DELETE"], [], True),  # the vendor's own method (S3), left out of the spec
        (CARTS_PATH, ["POST"], [], True),
        (CART_PATH, ["PATCH"], [], False),  # a method the vendor does not have
        (CART_PATH, ["DELETE"], ["GET"], False),  # a documented method missing
        (ASSOCIATION_PATH, ["PUT"], [], False),
    ],
)
def test_allow_listing_the_vendors_own_methods_is_no_failure(
    path: str, undocumented: list[str], missing: list[str], excused: bool
) -> None:
    limit = Classifier(API).spec_limit(
        "allow_header_conformance", path, "get", "OPTIONS", 405, {}, AllowMismatch(undocumented, missing)
    )
    assert (limit == ()) is excused


@pytest.mark.parametrize(
    ("headers", "status", "outcome"),
    [
        ({}, 400, ["shopper-token-refused-with-403"]),  # refused, as S3 documents, with the other status
        ({}, 403, []),  # refused with the status we assume: nothing broken
        ({ACCOUNT_TOKEN_HEADER: "t", CUSTOMER_TOKEN_HEADER: "c"}, 400, []),
        (
            {ACCOUNT_TOKEN_HEADER.lower(): "t", CUSTOMER_TOKEN_HEADER: "c"},
            403,
            ["both-shopper-tokens-refused-with-400"],
        ),
        ({ACCOUNT_TOKEN_HEADER: "t"}, 400, None),  # one shopper token: a valid request, refused: not excused
        ({}, 500, None),  # not a refusal the vendor documents
    ],
)
def test_a_request_that_breaks_a_rule_no_schema_states_is_judged_by_the_rules_marks(
    headers: dict[str, str], status: int, outcome: list[str] | None
) -> None:
    limit = Classifier(API).spec_limit("positive_data_acceptance", CARTS_PATH, "get", "GET", status, headers, None)
    assert (None if limit is None else ids(list(limit))) == outcome


@pytest.mark.parametrize(
    ("body", "status", "outcome"),
    [
        ({"data": {"contact": {"email": "a@example.com"}}}, 422, []),  # refused, with the status we assume
        ({"data": {"contact": {"email": "a@example.com"}}}, 400, ["contact-email-on-an-account-cart-answers-422"]),
        ({"data": {"contact": {}}}, 400, None),  # no contact email: the rule cannot be what refused it
        ({"data": {"name": "x"}}, 422, None),
        ({"data": {"contact": {"email": "a@example.com"}}}, 403, None),  # not a refusal the rule documents
    ],
)
def test_a_valid_update_refused_by_the_cart_s_state_is_judged_by_the_rule_s_mark(
    body: dict[str, Any], status: int, outcome: list[str] | None
) -> None:
    """S3: a contact email for a cart that has an account is refused; the schemas cannot see the cart's state."""
    classifier = Classifier(API)
    limit = classifier.spec_limit("positive_data_acceptance", CART_PATH, "put", "PUT", status, {}, None, body, True)
    assert (None if limit is None else ids(list(limit))) == outcome
    # A cart the run knows no account of: the rule cannot be what refused it, whatever the body.
    assert classifier.spec_limit("positive_data_acceptance", CART_PATH, "put", "PUT", status, {}, None, body) is None


@pytest.mark.parametrize(
    ("path", "method", "status", "marks"),
    [
        (ASSOCIATION_PATH, "post", 404, ["new-cart-id-is-a-new-cart"]),  # the cart had to exist first
        (ASSOCIATION_PATH, "delete", 404, ["delete-of-a-missing-association-answers-204"]),
        (ASSOCIATION_PATH, "post", 418, []),  # no decision of ours left 418 out: the vendor's contract
        (CART_PATH, "get", 404, []),  # reading a missing cart creates it: the vendor's (S3)
    ],
)
def test_an_undocumented_status_is_blamed_on_the_decision_that_left_it_out(
    path: str, method: str, status: int, marks: list[str]
) -> None:
    assert ids(Classifier(API).marks_ruling_out(path, method, status)) == marks


def test_a_method_the_vendor_has_is_no_unsupported_method() -> None:
    classifier = Classifier(API)
    assert classifier.spec_limit("unsupported_method", CART_PATH, "get", "DELETE", 200, {}, None) is not None
    assert classifier.spec_limit("unsupported_method", CART_PATH, "get", "PATCH", 200, {}, None) is None


def test_verdicts_fail_the_run_by_kind_and_mode() -> None:
    verdicts = Verdicts(API)
    verdicts.record("a vendor rule", verdicts.vendor("S1"), holds=True)
    verdicts.record("uuid", verdicts.assumed("account-id-is-a-uuid"), holds=False)
    assert verdicts.fails_run("fail")
    assert not verdicts.fails_run("report")
    verdicts.record("other account", verdicts.assumed("account-token-other-account"), holds=False)
    assert verdicts.fails_run("report"), "an assumption that guards account access fails in every mode"
    assert verdicts.summary_lines() == [
        "vendor contract: 1 claims, 1 held, 0 broken",
        "assumptions: 2 checked, 0 held, 2 did not hold",
    ]
    with pytest.raises(KeyError, match="no x-assumptions mark"):
        verdicts.assumed("not-a-mark")


def test_status_sources_follow_the_marks() -> None:
    verdicts = Verdicts(API)
    assert verdicts.status_source(ASSOCIATION_PATH, "delete", 422).kind == "assumption"
    assert verdicts.status_source(ASSOCIATION_PATH, "post", 422).kind == "vendor contract"
    assert verdicts.status_source("/oauth/access_token", "post", 400).kind == "assumption"
    assert verdicts.status_source("/oauth/access_token", "post", 200).kind == "vendor contract"


@pytest.mark.parametrize(
    ("message", "field", "matches"),
    [
        ("Cannot associate more than one account", "Cannot associate more than one account.", True),
        ("Invalid json payload", "  invalid JSON payload ", True),
        ("Invalid json payload", "Bad Request", False),
    ],
)
def test_vendor_messages_match_without_case_spaces_or_final_punctuation(
    message: str, field: str, matches: bool
) -> None:
    assert (normalized(message) in normalized(field)) is matches


def test_ledger_keeps_what_was_created_and_not_removed() -> None:
    ledger = AssociationLedger()
    body = json.dumps(body_with(ACCOUNT_ID)).encode()
    ledger.observe("POST", "cart-1", 200, body)
    ledger.observe("POST", "cart-2", 200, body)
    ledger.observe("POST", "cart-3", 403, body)
    ledger.observe("DELETE", "cart-1", 204, body)
    deleted = []
    result = ledger.clean_up(lambda association: deleted.append(association.cart_id) or None)  # type: ignore[func-returns-value]
    assert deleted == ["cart-2"]
    assert (result.created, result.removed, result.left) == (2, 2, [])
    ledger.observe("POST", "cart-4", 200, body)
    result = ledger.clean_up(lambda association: "the delete answered 403")
    assert (result.created, result.removed) == (3, 2)
    assert [(left.cart_id, why) for left, why in result.left] == [("cart-4", "the delete answered 403")]


def test_every_account_a_request_named_is_removed() -> None:
    """A store that wrongly takes a body of two accounts (S2 documents 403) may have associated both: the
    clean-up deletes each, answered or not."""
    ledger = AssociationLedger()
    two = json.dumps({"data": [body_with(ACCOUNT_ID)["data"][0], body_with(OTHER_ID)["data"][0]]}).encode()  # type: ignore[index]
    ledger.sending("POST", "cart-unanswered", two)
    ledger.sending("POST", "cart-accepted", two)
    ledger.observe("POST", "cart-accepted", 200, two)
    opened = sorted((association.cart_id, association.member_id) for association in ledger.open())
    assert opened == sorted(
        (cart, account) for cart in ("cart-accepted", "cart-unanswered") for account in (ACCOUNT_ID, OTHER_ID)
    )
    deleted: list[tuple[str, str]] = []
    ledger.clean_up(lambda association: deleted.append((association.cart_id, association.member_id)) or None)  # type: ignore[func-returns-value]
    assert sorted(deleted) == opened
    assert ledger.open() == []


def test_a_post_whose_answer_never_came_is_removed_too() -> None:
    """Interrupted while it waited: the store may have associated, so the clean-up deletes it; an answered
    refusal is forgotten, and an answered 200 counts as created once."""
    ledger = AssociationLedger()
    body = json.dumps(body_with(ACCOUNT_ID)).encode()
    for cart in ("cart-unanswered", "cart-refused", "cart-created"):
        ledger.sending("POST", cart, body)
    ledger.sending("DELETE", "cart-created", body)  # a DELETE is never a new association
    ledger.observe("POST", "cart-refused", 403, body)
    ledger.observe("POST", "cart-created", 200, body)
    assert sorted(association.cart_id for association in ledger.open()) == ["cart-created", "cart-unanswered"]
    deleted: list[str] = []
    result = ledger.clean_up(lambda association: deleted.append(association.cart_id) or None)  # type: ignore[func-returns-value]
    assert sorted(deleted) == ["cart-created", "cart-unanswered"]
    assert (result.created, result.removed, result.left) == (1, 1, [])
    assert ledger.open() == []


def test_an_association_a_retried_post_may_have_made_is_gone_after_a_204_to_its_delete() -> None:
    """A POST answered after a lost try may have associated: it stays to be removed until a DELETE of the same
    association answers 204, which leaves it absent whatever the lost try did. Kept after that, the clean-up
    deleted it again, and a cart that had taken a contact email since refused that (422): reported as left, an
    exit status 8 for a store that was only briefly unavailable (seen in tests/faults' unavailable store)."""
    ledger = AssociationLedger()
    body = json.dumps(body_with(ACCOUNT_ID)).encode()
    for cart in ("cart-deleted", "cart-kept"):
        ledger.sending("POST", cart, body)
        ledger.observe("POST", cart, 204, body, may_have_been_applied=True)
    ledger.observe("DELETE", "cart-deleted", 204, body)
    assert [association.cart_id for association in ledger.open()] == ["cart-kept"]
    ledger.sending("POST", "cart-in-flight", body)  # sent, not answered: a DELETE's 204 may come before it lands
    ledger.observe("DELETE", "cart-in-flight", 204, body)
    assert sorted(association.cart_id for association in ledger.open()) == ["cart-in-flight", "cart-kept"]


# --- A live store: only the run's carts, no vendor method left out of the spec ---------------------------

LIVE = ContractSettings.from_env(
    {"EP_BASE_URL": "https://store.example", "EP_CLIENT_ID": "id", "EP_CLIENT_SECRET": "secret"}
)


@pytest.fixture
def live_run() -> ContractRun:
    """A run against a live store."""
    return ContractRun.with_settings(LIVE)


def test_the_spec_lists_the_vendor_methods_it_leaves_out() -> None:
    """S3: POST /v2/carts creates a cart, DELETE /v2/carts/{cartID} deletes one (PUT, the update, is described)."""
    assert ApiSpec.load(SPEC_PATH).vendor_methods_left_out() == {
        "/v2/carts/{cartID}": {"delete"},
        "/v2/carts": {"post"},
    }


@pytest.mark.parametrize(
    ("cart_id", "kept_valid"),
    [("team-real-cart", True), ("x" * 255, True), ("x" * 300, False), ("0f9e7a52-3c7d", True)],
)
def test_live_requests_go_to_the_runs_own_carts(cart_id: str, kept_valid: bool) -> None:
    for method, path in (
        ("POST", ASSOCIATION_PATH),
        ("DELETE", ASSOCIATION_PATH),
        ("GET", CART_PATH),
        ("PUT", CART_PATH),
    ):
        parameters = {"cartID": cart_id}
        live_safety.guard_live_request(LIVE, method, path, parameters)
        assert parameters["cartID"].startswith(LIVE.run_prefix)
        assert live_safety.is_valid_cart_id(parameters["cartID"]) is kept_valid


def test_a_cart_id_gets_the_prefix_once_and_only_its_own_scenarios_are_kept() -> None:
    prefix = "ct-20261129000000-abcd"
    assert live_safety.own_cart_id("cart-1", prefix) == f"{prefix}-cart-1"
    assert live_safety.own_cart_id(f"{prefix}-cart-1", prefix) == f"{prefix}-cart-1"  # already the run's
    assert live_safety.own_cart_id(f"{prefix}-s12-cart", f"{prefix}-s1") == f"{prefix}-s1-{prefix}-s12-cart"
    assert live_safety.own_cart_id(f"{prefix}-s1-cart", f"{prefix}-s1") == f"{prefix}-s1-cart"


@pytest.mark.parametrize("cart_id", ["", "a/b", "a b", "caf\u00e9", "x\n"])
def test_a_value_that_cannot_name_a_cart_stays_as_generated(cart_id: str) -> None:
    parameters = {"cartID": cart_id}
    live_safety.guard_live_request(LIVE, "POST", ASSOCIATION_PATH, parameters)
    assert parameters == {"cartID": cart_id}


@pytest.mark.parametrize(("method", "path"), [("POST", CARTS_PATH), ("DELETE", CART_PATH)])
def test_vendor_methods_left_out_are_never_sent_live(method: str, path: str) -> None:
    with pytest.raises(live_safety.LiveSafetyError, match=f"refusing to send {method} "):
        live_safety.guard_live_request(LIVE, method, path, {"cartID": "x"})


def test_the_scenarios_update_only_the_runs_own_carts_on_a_live_store(live_run: ContractRun) -> None:
    """The contact-email cart is made with PUT: never on a team's cart, whatever a scenario passes."""
    sent: list[httpx.Request] = []
    answer = httpx.Response(200, json={"data": {"id": "c", "type": "cart", "name": "Cart", "links": {}, "meta": {}}})

    def answering(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answer

    handler = httpx.MockTransport(answering)
    client = ScenarioClient("https://store.example", live_run, transport.PoliteTransport(None, handler))
    for team_cart in ("team-real-cart", f"{live_run.settings.run_prefix}team-cart"):
        with pytest.raises(live_safety.LiveSafetyError, match=f"refusing to update cart {team_cart}"):
            client.update_cart(team_cart, email="a@example.com", token="t")
    assert sent == []
    own = f"{live_run.settings.run_prefix}-contact-email-1"
    assert client.update_cart(own, email="a@example.com", token="t").status_code == 200
    assert [(request.method, request.url.path) for request in sent] == [("PUT", f"/v2/carts/{own}")]


def test_the_mock_s_contact_email_cart_is_no_override_unless_the_shell_sets_it() -> None:
    """Against the mock every other value defaults to the mock's; the contact-email cart is made by the run."""
    assert "EP_CONTACT_EMAIL_CART_ID" not in ContractSettings.from_env({}).values
    chosen = ContractSettings.from_env({"EP_CONTACT_EMAIL_CART_ID": "my-cart"})
    assert chosen.values["EP_CONTACT_EMAIL_CART_ID"] == "my-cart"


def test_against_the_mock_requests_stay_as_generated() -> None:
    parameters = {"cartID": "team-real-cart"}
    live_safety.guard_live_request(ContractSettings.from_env({}), "DELETE", CART_PATH, parameters)
    assert parameters == {"cartID": "team-real-cart"}


def test_undocumented_method_probes_skip_vendor_methods_only_live() -> None:
    """hooks.after_load_schema, registered with schemathesis as the module loads, acts for the run of the moment:
    against a live store exactly the vendor's methods are taken out of the probes a run against the mock sends."""
    probes = {}
    for live in (False, True):
        with using(ContractRun.with_settings(LIVE if live else ContractSettings.from_env({}))):
            schema = schemathesis.openapi.from_path(SPEC_PATH)
        probes[live] = set(schema.config.phases.coverage.unexpected_methods)
    assert {"post", "put", "delete", "patch"} <= probes[False]
    assert probes[True] == probes[False] - {"post", "delete"}  # PUT is described: probing it elsewhere changes nothing


def test_the_stateful_phase_follows_the_links_to_the_reads() -> None:
    machine = schemathesis.openapi.from_path(SPEC_PATH).as_state_machine()
    outgoing = {
        label: {link.name for link in transitions.outgoing}
        for label, transitions in machine._transitions.operations.items()  # type: ignore[attr-defined]
    }
    for label in (f"POST {ASSOCIATION_PATH}", f"DELETE {ASSOCIATION_PATH}"):
        assert {"ReadTheCart", "ListTheAccountsCarts"} <= outgoing[label]


# --- An assumption is counted held only on the answer that shows it ------------------------------------------


def answer(status: int) -> Response[Any]:
    return Response(status_code=HTTPStatus(status), content=b"{}", headers={}, parsed=None)


def new_cart_claim(verdicts: Verdicts) -> tuple[int, int]:
    claim = verdicts.claims.get(f"assumption:{NEW_CART}")
    return (claim.checked, claim.broken) if claim else (0, 0)


@pytest.mark.parametrize(
    ("status", "counted"), [(200, (1, 0)), (404, (1, 1)), (401, (0, 0)), (500, (0, 0)), (403, (0, 0))]
)
def test_a_new_cart_is_counted_held_only_on_the_success_that_shows_it(status: int, counted: tuple[int, int]) -> None:
    run = ContractRun.from_env({})
    verdicts = run.verdicts
    failed = pytest.fail.Exception
    expect = Expectations(run)
    if status == 200:
        expect.status(answer(status), 200, verdicts.vendor("S1"), new_cart=True)
    else:
        with pytest.raises(failed):
            expect.status(answer(status), 200, verdicts.vendor("S1"), new_cart=True)
    assert new_cart_claim(verdicts) == counted


class FakeCase:
    """What judging.marks_shown reads of a schemathesis case."""

    def __init__(self, method: str, path: str, positive: bool, body: Any, cart_id: str = "cart-1") -> None:
        mode = schemathesis.GenerationMode.POSITIVE if positive else schemathesis.GenerationMode.NEGATIVE
        self.method, self.path, self.body = method, path, body
        self.meta = SimpleNamespace(generation=SimpleNamespace(mode=mode))
        self.path_parameters = {"cartID": cart_id}
        self.headers: dict[str, str] = {}
        self.query: dict[str, str] = {}
        self.media_type = "application/json"


@pytest.mark.parametrize(
    ("status", "positive", "body", "shown"),
    [
        (400, False, body_with("not-a-uuid"), ["account-id-is-a-uuid"]),  # an invalid request refused
        (403, False, {"data": []}, ["data-not-empty"]),
        (400, False, {"data": [{"id": ACCOUNT_ID, "type": "customer"}]}, []),  # invalid for the vendor's rule only
        (401, False, body_with("not-a-uuid"), ["unauthorized-body-is-an-errors-array"]),  # only its own body
        (500, False, body_with("not-a-uuid"), []),
        (200, True, body_with(ACCOUNT_ID), ["account-id-is-a-uuid"]),  # the 200's body keeps the UUID format
    ],
)
def test_the_schemathesis_layer_counts_only_the_marks_an_answer_shows(
    status: int, positive: bool, body: Any, shown: list[str]
) -> None:
    case = FakeCase("POST", ASSOCIATION_PATH, positive, body)
    assert sorted(marks_shown(ContractRun.from_env({}), case, status)) == sorted(shown)  # type: ignore[arg-type]


def test_an_undocumented_method_shows_its_mark_only_when_refused_with_405() -> None:
    run, case = ContractRun.from_env({}), FakeCase("PATCH", CART_PATH, True, None)
    assert marks_shown(run, case, 405) == ["undocumented-requests-refused"]  # type: ignore[arg-type]
    assert marks_shown(run, case, 401) == []  # type: ignore[arg-type]


@contextlib.contextmanager
def serving(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A store on a real port of this machine, answering with `handler`, for as long as the block runs."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("failures", "repeat"),
    [(["429", "429"], False), (["503", "close"], True), (["502"], True), (["503", "503"], False)],
)
def test_the_schemathesis_layer_retries_transient_failures_too(failures: list[str], repeat: bool) -> None:
    """requests' side (schemathesis, tokens, the preflight, the clean-up): 429 (after its Retry-After), 502, 503 and a
    connection closed without an answer are retried, and the answer's story says whether an earlier try may have
    been applied."""
    queue = list(failures)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            failure = queue.pop(0) if queue else "200"
            if failure == "close":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.send_response(int(failure))
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    with serving(Handler) as url:
        response = transport.requests_session().post(f"{url}/x", json={}, timeout=10)
    assert response.status_code == 200
    story = transport.story_of_requests(response)
    assert story.retried == len(failures)
    assert story.may_answer_a_repeat is repeat


def test_the_engines_docstring_lists_its_modules_as_they_are() -> None:
    import ep_cart_contract

    package = Path(ep_cart_contract.__file__).parent
    modules = {path.stem for path in package.glob("*.py") if not path.stem.startswith("__")}
    listed = set(re.findall(r"^- (\w+):", ep_cart_contract.__doc__ or "", re.MULTILINE))
    assert listed == modules


# --- The store unavailable, or one request's own answer -----------------------------------------------------


def store_handler(token_status: int, other_status: int) -> type[http.server.BaseHTTPRequestHandler]:
    """A store whose token endpoint answers `token_status`, every other path `other_status`."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = token_status if self.path.startswith("/oauth/access_token") else other_status
            body = json.dumps({"access_token": "t0ken-from-the-store", "errors": []}).encode()
            self.send_response(status)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = answer

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.mark.parametrize(("token_status", "unavailable"), [(200, False), (503, True)])
def test_a_request_failing_alone_is_judged_and_a_store_failing_everything_is_unavailable(
    token_status: int, unavailable: bool
) -> None:
    """The list answers 503 through every retry. Is the store unavailable, or is that the list's own answer? The run
    asks the store for an implicit token: a store that answers it is up, and the 503 is the list's answer, handed
    back to be judged (a status the spec does not document); a store that answers nothing but 503 is unavailable,
    and the scenario is skipped, no claim."""
    with serving(store_handler(token_status, 503)) as url:
        live = {"EP_BASE_URL": url, "EP_CLIENT_ID": "id", "EP_CLIENT_SECRET": "secret", "EP_RATE_LIMIT": "off"}
        run = ContractRun.with_settings(ContractSettings.from_env(live))
        run.token_session = requests.Session()  # no retries: the unit test need not wait for them
        client = ScenarioClient(url, run, transport.PoliteTransport(None, sleep=lambda _: None))
        if unavailable:
            with pytest.raises(pytest.skip.Exception, match="the store was unavailable: GET /v2/carts: 503"):
                client.list_carts(token="t0ken")
            assert run.availability.unavailable
        else:
            assert client.list_carts(token="t0ken").status_code == 503
            assert not run.availability.unavailable


def test_a_probes_transient_answer_beside_a_real_failure_does_not_hide_it() -> None:
    """ignored_auth's probe answered 503, and another check failed for real: the real one is judged at once."""
    from schemathesis.core.failures import FailureGroup
    from schemathesis.openapi.checks import AuthScenario, IgnoredAuth

    label = "GET /v2/carts"
    transient = IgnoredAuth(
        operation=label, message="Expected 401 or 403, got `503 Service Unavailable`", scenario=AuthScenario.NO_AUTH
    )
    real = IgnoredAuth(
        operation=label, message="Expected 401 or 403, got `200 OK` for `GET /v2/carts`", scenario=AuthScenario.NO_AUTH
    )

    def validate() -> None:
        raise FailureGroup([transient, real], "two")

    run = ContractRun.from_env({})
    with pytest.raises(FailureGroup) as raised:
        judging.validate_patiently(run, label, validate)
    # By identity: schemathesis's failures of one kind compare equal.
    assert [id(failure) for failure in raised.value.exceptions] == [id(real)]


def test_an_association_answer_that_may_be_to_a_repeat_is_neither_counted_nor_judged() -> None:
    """A DELETE retried after its connection was lost may have been applied: its 404 (the mark's alternative) may be
    the answer to a repeat. It breaks no claim, and the association stays to be removed."""
    story = transport.RetryStory((transport.Try("connection closed without an answer", True),))
    body = json.dumps({"data": [{"id": DEFAULTS["EP_ACCOUNT_ID"], "type": "account"}]}).encode()
    run = ContractRun.from_env({})
    judging.observe(run, "POST", "/v2/carts/ct-1/relationships/accounts", 204, {}, b"", body, str, story)
    judging.observe(run, "DELETE", "/v2/carts/ct-1/relationships/accounts", 404, {}, b"{}", body, str, story)
    assert not run.verdicts.claims
    assert not run.table.undocumented
    assert [association.cart_id for association in run.ledger.open()] == ["ct-1"]


def test_a_read_timeout_wrapped_as_a_connection_error_is_still_a_read_timeout() -> None:
    """requests reports a timeout while reading a body as a ConnectionError: it is no transient failure to retry."""
    from urllib3.exceptions import ReadTimeoutError

    wrapped = requests.exceptions.ConnectionError(ReadTimeoutError(None, "/v2/carts", "read timed out"))  # type: ignore[arg-type]
    assert transport.is_read_timeout(wrapped)
    assert not transport.is_read_timeout(requests.exceptions.ConnectionError("Connection refused"))


@pytest.mark.parametrize(
    ("found", "status"),
    [
        ({"claim_broken": True, "kit_failed": True, "unavailable": True}, exits.CLAIM_BROKEN),
        ({"kit_failed": True, "fixture_broken": True, "unavailable": True}, exits.KIT_FAILED),
        ({"fixture_broken": True, "unavailable": True}, exits.FIXTURE_BROKEN),
        ({"unavailable": True, "pytest_status": exits.INTERRUPTED}, exits.INTERRUPTED),
        ({"unavailable": True}, exits.STORE_UNAVAILABLE),
        ({"pytest_status": exits.CLAIM_BROKEN}, exits.KIT_FAILED),
        ({"pytest_status": exits.PYTEST_INTERNAL_ERROR}, exits.KIT_FAILED),
        ({}, exits.OK),
    ],
)
def test_the_exit_status_says_the_first_of_what_the_run_found(found: dict[str, Any], status: int) -> None:
    arguments = {"claim_broken": False, "kit_failed": False, "fixture_broken": False, "unavailable": False}
    assert exits.overall(**{**arguments, "pytest_status": exits.OK, **found}) == status


def test_a_case_mixes_the_same_way_in_every_process() -> None:
    """hooks.pick decides how a generated case is mixed with the real IDs and tokens: the same case must mix the
    same way in any process, or a run's seed cannot send the same requests again. Hashing repr() of a case whose
    body is absent hashed the sentinel's address, which differs from one process to the next."""
    code = (
        "from types import SimpleNamespace as Case; from schemathesis.core import NOT_SET; "
        "from ep_cart_contract.hooks import pick; "
        "print([pick(Case(method='GET', body=NOT_SET, query={'page[offset]': n}), 256) for n in range(20)])"
    )
    runs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        for _ in range(3)
    }
    assert len(runs) == 1, runs


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_ctrl_c_python_drops_in_a_gc_callback_is_raised_again_before_the_next_request() -> None:
    """Python drops an exception raised in a garbage-collection callback (Hypothesis registers one): a Ctrl-C that
    lands there once let the run go on to its end and exit 0. The kit raises it again before its next request and
    its next test, until pytest has handled it; then the clean-up's requests go out."""

    def on_collection(phase: str, info: dict[str, int]) -> None:
        if phase == "start":  # Ctrl-C lands here: the handler the plugin installs runs inside the callback
            interrupts.on_sigint(signal.SIGINT, None)

    polite = transport.PoliteTransport(None, inner=httpx.MockTransport(lambda request: httpx.Response(200)))
    try:
        gc.callbacks.append(on_collection)
        try:
            gc.collect()
        except KeyboardInterrupt:
            pytest.fail("Python did not drop the interrupt in its gc callback: this test would show nothing")
        finally:
            gc.callbacks.remove(on_collection)
        assert interrupts.pending()
        with pytest.raises(KeyboardInterrupt):
            polite.handle_request(httpx.Request("GET", "http://store.example/v2/carts/c"))
        with pytest.raises(KeyboardInterrupt):
            interrupts.raise_if_dropped()
    finally:
        interrupts.seen()  # what the plugin does once pytest has handled it
    assert not interrupts.pending()
    assert polite.handle_request(httpx.Request("GET", "http://store.example/v2/carts/c")).status_code == 200


@pytest.mark.slow
def test_collect_only_lists_the_suite_and_judges_nothing(tmp_path: Path) -> None:
    """`ep-cart-contract --collect-only` runs no test: it exits 0, and writes no verdict (it once recorded every
    documented response as never observed, a broken claim, and exited 1 with "a claim broke")."""
    env = mock_env(EP_REPORT_DIR=str(tmp_path / "reports"), EP_CONTRACT_PROFILE="smoke")
    result = subprocess.run(
        contract_suite("--collect-only", "-q"), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(r"^\d+ tests collected", result.stdout, re.M), result.stdout[-2000:]
    assert "vendor contract:" not in result.stdout
    assert not (tmp_path / "reports" / "contract.json").exists()


@pytest.mark.parametrize(
    ("path", "cart_id"),
    [
        ("/v2/carts/ct-1-cart/relationships/accounts", "ct-1-cart"),
        ("/v2/carts/ct-1-cart", "ct-1-cart"),
        ("/v2/carts/a%20b/relationships/accounts", "a b"),
        ("/v2/carts", None),
        ("/v2/carts/", None),
        ("/oauth/access_token", None),
        ("/v2/account-members/tokens", None),
    ],
)
def test_the_cart_id_of_a_path_is_read_in_one_place(path: str, cart_id: str | None) -> None:
    assert cart_id_of(path) == cart_id


@pytest.mark.parametrize("mode", ["fail", "report"])
@pytest.mark.parametrize("kind", [VENDOR, "assumption"])
@pytest.mark.parametrize("guards_access", [False, True])
def test_one_rule_decides_which_broken_claim_turns_the_run_red(mode: str, kind: str, guards_access: bool) -> None:
    """The exit status, the test's failure and the report's order all read verdicts.decides_the_exit: in report
    mode only the vendor's contract and who may act for which account decide."""
    from ep_cart_contract.verdicts import decides_the_exit

    expected = mode != "report" or kind == VENDOR or guards_access
    assert decides_the_exit(kind, guards_access, mode) is expected


def test_two_runs_side_by_side_keep_their_own_answers() -> None:
    """The run is handed to each part, not looked up: two runs in one process, with no run of the moment at all,
    each count and keep only their own client's answers (the scenario client once reached the run through
    `active_run()`, and recorded into whichever run was the moment's)."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"errors": [{"status": 401, "title": "Unauthorized"}]})

    runs = {host: ContractRun.from_env({}) for host in ("a.example", "b.example")}
    for host, run in runs.items():
        client = ScenarioClient(f"http://{host}", run, transport.PoliteTransport(None, httpx.MockTransport(handler)))
        client.list_carts(token="t0ken")
        if host == "a.example":
            client.read_cart("cart-1", token="t0ken")
    for host, run in runs.items():
        assert run.last_response is not None, host
        assert run.last_response.request.url.host == host
        answered = sum(seen.count for seen in run.table.observed.values())
        assert answered == (2 if host == "a.example" else 1), host
