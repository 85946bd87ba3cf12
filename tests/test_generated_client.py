"""The generated client (generated/) builds correct requests and parses every documented answer.

No network: an httpx.MockTransport records each request and answers with the spec's own examples.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from types import ModuleType
from typing import Any

import httpx
import pytest
from ep_cart_associations_client import AuthenticatedClient
from ep_cart_associations_client.api.account_cart_associations import (
    create_account_cart_association,
    delete_account_cart_association,
)
from ep_cart_associations_client.api.authentication import create_access_token
from ep_cart_associations_client.models import (
    AccessToken,
    AccessTokenRequest,
    AccountCartAssociationRequest,
    AccountCartAssociationResponse,
    AccountIdentifier,
    ErrorResponse,
)

from ep_cart_spec import ASSOCIATION_PATH, TOKEN_PATH, ApiSpec
from tests.conftest import SPEC_PATH
from tests.paths import ROOT

ACCOUNT_ID = uuid.UUID("deb6b25f-8451-4211-9a22-95610333df23")
OPERATIONS: dict[str, ModuleType] = {
    "post": create_account_cart_association,
    "delete": delete_account_cart_association,
}


def recording_client(answer: httpx.Response) -> tuple[AuthenticatedClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return answer

    client = AuthenticatedClient(
        base_url="https://useast.api.elasticpath.com",
        token="bearer-123",
        httpx_args={"transport": httpx.MockTransport(handler)},
    )
    return client, seen


def association_body() -> AccountCartAssociationRequest:
    return AccountCartAssociationRequest(data=[AccountIdentifier(id=ACCOUNT_ID, type_="account")])


@pytest.mark.parametrize("method", OPERATIONS)
def test_request_has_path_header_and_json_body(method: str) -> None:
    client, seen = recording_client(httpx.Response(204))
    OPERATIONS[method].sync_detailed(
        "cart_2f6c1a9e",
        client=client,
        body=association_body(),
        ep_account_management_authentication_token="account-token-1",
    )
    (request,) = seen
    assert request.method == method.upper()
    assert request.url.raw_path == b"/v2/carts/cart_2f6c1a9e/relationships/accounts"
    assert request.headers["Authorization"] == "Bearer bearer-123"
    assert request.headers["EP-Account-Management-Authentication-Token"] == "account-token-1"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"data": [{"id": str(ACCOUNT_ID), "type": "account"}]}


def test_account_token_header_is_left_out_when_not_given() -> None:
    client, seen = recording_client(httpx.Response(204))
    create_account_cart_association.sync_detailed("cart-1", client=client, body=association_body())
    assert "EP-Account-Management-Authentication-Token" not in seen[0].headers


def test_cart_id_is_percent_encoded_into_one_path_segment() -> None:
    client, seen = recording_client(httpx.Response(400, json={"errors": [{"title": "x", "status": 400}]}))
    create_account_cart_association.sync_detailed("a/b c?", client=client, body=association_body())
    assert seen[0].url.raw_path == b"/v2/carts/a%2Fb%20c%3F/relationships/accounts"


def test_token_request_is_a_form() -> None:
    client, seen = recording_client(
        httpx.Response(
            200,
            json={
                "access_token": "t",
                "token_type": "Bearer",
                "expires_in": 3600,
                "expires": 1795957200,
                "identifier": "implicit",
            },
        )
    )
    parsed = create_access_token.sync(
        client=client, body=AccessTokenRequest(grant_type="implicit", client_id="client-1")
    )
    assert seen[0].url.path == TOKEN_PATH
    assert seen[0].headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert httpx.QueryParams(seen[0].content.decode()) == httpx.QueryParams(
        {"grant_type": "implicit", "client_id": "client-1"}
    )
    assert isinstance(parsed, AccessToken)
    assert parsed.expires_in == 3600


def documented_answers() -> list[tuple[str, str, int, str, Any]]:
    """(path, method, status, example name, body) for every example of every documented response."""
    api = ApiSpec.load(SPEC_PATH)
    cases = []
    for path, method in [(ASSOCIATION_PATH, "post"), (ASSOCIATION_PATH, "delete"), (TOKEN_PATH, "post")]:
        for status, node in api.operation(path, method)["responses"].items():
            content = api.resolve(node).get("content")
            if content is None:
                cases.append((path, method, int(status), "no body", None))
                continue
            for name, example in content["application/json"]["examples"].items():
                cases.append((path, method, int(status), name, example["value"]))
    return cases


EXPECTED_MODEL: dict[int, type] = {
    200: AccountCartAssociationResponse,
    400: ErrorResponse,
    401: ErrorResponse,
    403: ErrorResponse,
    422: ErrorResponse,
}


@pytest.mark.parametrize(
    ("path", "method", "status", "name", "body"),
    documented_answers(),
    ids=lambda value: str(value) if not isinstance(value, dict) else "",
)
def test_every_documented_answer_parses_into_its_typed_model(
    path: str, method: str, status: int, name: str, body: Any
) -> None:
    answer = httpx.Response(status) if body is None else httpx.Response(status, json=body)
    client, _ = recording_client(answer)
    call: Callable[..., Any]
    expected: type
    if path == TOKEN_PATH:
        call = lambda: create_access_token.sync_detailed(  # noqa: E731
            client=client, body=AccessTokenRequest(grant_type="implicit", client_id="c")
        )
        expected = AccessToken if status == 200 else ErrorResponse
    else:
        call = lambda: OPERATIONS[method].sync_detailed("cart-1", client=client, body=association_body())  # noqa: E731
        expected = EXPECTED_MODEL.get(status, type(None))
    result = call()
    parsed: Any = result.parsed
    assert result.status_code == status
    assert isinstance(parsed, expected), (status, name, parsed)
    if body is not None:
        assert getattr(parsed, "to_dict")() == body  # noqa: B009 (the models share no base class), "the typed model keeps every field of the documented answer"


def test_the_clients_readme_runs_against_the_mock(base_url: str, tmp_path: Any) -> None:
    """generated/README.md (from client-templates/) is this API's, and its examples work: token, 200 then
    204, and the async delete, run in order against the mock."""
    readme = (ROOT / "generated" / "README.md").read_text(encoding="utf-8")
    assert "get_my_data_model" not in readme
    assert "api.example.com" not in readme
    code = "\n".join(re.findall(r"```python\n(.*?)```", readme, re.DOTALL))
    script = tmp_path / "readme_examples.py"
    script.write_text(code.replace("http://127.0.0.1:8000", base_url), encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [
        "Bearer 3600",
        "first 200 0f9e7a52-3c7d-4b8e-9a51-6c2d1e4f8a01",
        "second 204 already associated",
        "deleted 204",
    ]
