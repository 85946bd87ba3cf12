"""Layer 2's way to the server: the generated client (generated/), made polite and observed.

Every answer is recorded for the documented-response table and its bearer tokens for masking; a failed
expectation prints the request as a curl command (secrets masked) and the answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import pytest
from ep_cart_associations_client import AuthenticatedClient, Client
from ep_cart_associations_client.api.account_cart_associations import (
    create_account_cart_association,
    delete_account_cart_association,
)
from ep_cart_associations_client.api.authentication import create_access_token
from ep_cart_associations_client.models import (
    AccessToken,
    AccessTokenRequest,
    AccountCartAssociationRequest,
    AccountIdentifier,
    ErrorResponse,
)
from ep_cart_associations_client.types import UNSET, Response

from ep_cart_contract.extensions import SETTINGS, observe
from ep_cart_contract.redaction import REDACTOR, curl_command
from ep_cart_contract.transport import PoliteTransport

T = TypeVar("T")


LAST_REQUEST: list[httpx.Request] = []
"""The request behind the latest answer (scenarios run one request at a time), for failure messages."""


def record(response: httpx.Response) -> None:
    response.read()
    LAST_REQUEST[:] = [response.request]
    request = response.request
    path = request.url.raw_path.decode("ascii").partition("?")[0]
    observe(
        request.method,
        path,
        response.status_code,
        response.headers,
        response.content,
        request.headers.get("authorization"),
    )


def explain(response: Response[Any] | httpx.Response, request: httpx.Request | None = None) -> str:
    """The request as curl and the answer, secrets masked, for a failure message."""
    shown_request = request or (LAST_REQUEST[0] if LAST_REQUEST else None)
    body = response.content.decode("utf-8", errors="replace")[:2000]
    lines = [f"answer: {int(response.status_code)}", f"body: {body or '(empty)'}"]
    if shown_request is not None:
        lines.insert(0, f"request: {curl_command(shown_request)}")
    return REDACTOR.scrub("\n".join(lines))


@dataclass
class ScenarioClient:
    """The calls the scenarios make, each through the generated package."""

    base_url: str
    created: list[tuple[str, str]] = field(default_factory=list)

    def _httpx_args(self) -> dict[str, Any]:
        def remember(request: httpx.Request) -> None:
            LAST_REQUEST[:] = [request]

        return {
            "transport": PoliteTransport(SETTINGS.rate_limit),
            "event_hooks": {"request": [remember], "response": [record]},
        }

    def anonymous(self) -> Client:
        return Client(
            base_url=self.base_url, timeout=httpx.Timeout(SETTINGS.request_timeout), httpx_args=self._httpx_args()
        )

    def bearer(self, token: str) -> AuthenticatedClient:
        return AuthenticatedClient(
            base_url=self.base_url,
            token=token,
            timeout=httpx.Timeout(SETTINGS.request_timeout),
            httpx_args=self._httpx_args(),
        )

    def call(self, action: Callable[[], T]) -> T:
        """Run one request; a timeout or a dropped connection becomes a clear failure, not a traceback."""
        try:
            return action()
        except httpx.TimeoutException:
            where = curl_command(LAST_REQUEST[0]) if LAST_REQUEST else self.base_url
            pytest.fail(f"no answer within {SETTINGS.request_timeout:g} s (EP_REQUEST_TIMEOUT): {where}")
        except httpx.TransportError as error:
            pytest.fail(f"cannot reach {self.base_url}: {error}")

    # --- Tokens (POST /oauth/access_token) --------------------------------------------------------------

    def token_response(
        self, grant_type: str, client_id: str | None = None, client_secret: str | None = None
    ) -> Response[Any]:
        body = AccessTokenRequest(
            grant_type=grant_type,  # type: ignore[arg-type]  # an unsupported grant is a scenario too
            client_id=client_id or SETTINGS.values["EP_CLIENT_ID"],
            client_secret=client_secret if client_secret is not None else UNSET,
        )
        return self.call(lambda: create_access_token.sync_detailed(client=self.anonymous(), body=body))

    def token(self, grant_type: str) -> str:
        secret = SETTINGS.values["EP_CLIENT_SECRET"] if grant_type == "client_credentials" else None
        response = self.token_response(grant_type, client_secret=secret)
        assert isinstance(response.parsed, AccessToken), explain(response)
        return response.parsed.access_token

    # --- Associations -----------------------------------------------------------------------------------

    def new_cart_id(self, purpose: str) -> str:
        return f"{SETTINGS.run_prefix}-{purpose}-{uuid.uuid4().hex[:8]}"

    def associate(
        self,
        cart_id: str,
        account_ids: list[str],
        *,
        token: str | None,
        account_token: str | None = None,
        delete: bool = False,
    ) -> Response[Any]:
        body = AccountCartAssociationRequest(
            data=[AccountIdentifier(id=uuid.UUID(account), type_="account") for account in account_ids]
        )
        client: Client | AuthenticatedClient = self.anonymous() if token is None else self.bearer(token)
        operation = delete_account_cart_association if delete else create_account_cart_association
        response: Response[Any] = self.call(
            lambda: operation.sync_detailed(
                cart_id,
                client=client,
                body=body,
                ep_account_management_authentication_token=account_token if account_token is not None else UNSET,
            )
        )
        if not delete and response.status_code == 200:
            self.created.extend((cart_id, account) for account in account_ids)
        return response

    def raw(
        self, method: str, cart_id: str, *, token: str, content: bytes, content_type: str | None = "application/json"
    ) -> httpx.Response:
        """A request the typed models cannot express (malformed JSON, a wrong type), through the generated
        client's own httpx client."""
        headers = {"Content-Type": content_type} if content_type else {}
        client = self.bearer(token).get_httpx_client()
        return self.call(
            lambda: client.request(
                method, f"/v2/carts/{cart_id}/relationships/accounts", content=content, headers=headers
            )
        )

    def clean_up(self) -> None:
        """Delete what the run associated, so a live store is left as it was."""
        if not self.created:
            return
        token = self.token("client_credentials")
        for cart_id, account in self.created:
            self.associate(cart_id, [account], token=token, delete=True)
        self.created.clear()


def expect_error(response: Response[Any] | httpx.Response, status: int, title: str | None = None) -> ErrorResponse:
    """The documented error answer: status, typed ErrorResponse body and, where the vendor documents it, title."""
    assert response.status_code == status, f"expected {status}\n{explain(response)}"
    parsed = response.parsed if isinstance(response, Response) else ErrorResponse.from_dict(response.json())
    assert isinstance(parsed, ErrorResponse), f"expected an ErrorResponse body\n{explain(response)}"
    assert parsed.errors, explain(response)
    if title is not None:
        titles = [error.title for error in parsed.errors]
        assert title in titles, f"expected the documented title {title!r}, got {titles}\n{explain(response)}"
    return parsed


def expect_status(response: Response[Any], status: int) -> Any:
    assert response.status_code == status, f"expected {status}\n{explain(response)}"
    return response.parsed
