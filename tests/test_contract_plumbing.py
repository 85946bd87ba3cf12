"""The contract suite's own parts, on their own: settings, masking, politeness towards a live store, and the
documented-response table. (tests/faults runs the whole suite against broken servers.)"""

from __future__ import annotations

import httpx
import pytest

from ep_cart_contract import transport
from ep_cart_contract.client import ScenarioClient
from ep_cart_contract.observations import ResponseTable
from ep_cart_contract.redaction import MASK, Redactor, curl_command
from ep_cart_contract.settings import ContractConfigError, ContractSettings
from ep_cart_mock.config import DEFAULTS
from ep_cart_mock.spec import ApiSpec
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


# --- Masking ---------------------------------------------------------------------------------------------


def test_redactor_masks_every_known_secret() -> None:
    redactor = Redactor()
    redactor.add("client-secret-123", None, "")
    redactor.add_authorization("Bearer 0123456789abcdef")
    text = "secret=client-secret-123 token=0123456789abcdef"
    assert redactor.scrub(text) == f"secret={MASK} token={MASK}"


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
    assert len(calls) == transport.MAX_429_RETRIES + 1


@pytest.mark.parametrize(("rate", "interval"), [(None, 0.0), ("10/s", 0.1), ("30/m", 2.0)])
def test_rate_limit_spacing(rate: str | None, interval: float) -> None:
    assert transport.parse_rate(rate) == interval


@pytest.mark.parametrize(("header", "seconds"), [("3", 3.0), (None, 1.0), ("soon", 1.0), ("9999", 60.0)])
def test_retry_after_is_bounded(header: str | None, seconds: float) -> None:
    assert transport.retry_after(header) == seconds


def test_a_request_with_no_answer_fails_naming_the_timeout() -> None:
    client = ScenarioClient("http://127.0.0.1:9")

    def never_answers() -> None:
        raise httpx.ReadTimeout("timed out")

    with pytest.raises(pytest.fail.Exception, match="no answer within 30 s \\(EP_REQUEST_TIMEOUT\\)"):
        client.call(never_answers)


def test_an_unreachable_server_fails_naming_it() -> None:
    client = ScenarioClient("http://127.0.0.1:9")
    with pytest.raises(pytest.fail.Exception, match=r"cannot reach http://127\.0\.0\.1:9"):
        client.call(lambda: client.token("implicit"))


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
