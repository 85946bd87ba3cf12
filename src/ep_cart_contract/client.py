"""Layer 2's way to the server: the generated client (generated/), made polite and observed.

Every answer is recorded for the documented-response table, the run's ledger and its bearer tokens for
masking. Every expectation is a claim with its source, the vendor's (S1..S6) or one of our assumptions (an
openapi.yaml mark): a broken one prints its kind, the request as a curl command (secrets masked), the answer
and, for an assumption, the line of openapi.yaml to change.
"""

from __future__ import annotations

import json
import os
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
from ep_cart_associations_client.api.carts import get_a_cart, get_carts
from ep_cart_associations_client.models import (
    AccessToken,
    AccessTokenRequest,
    AccountCartAssociationRequest,
    AccountIdentifier,
    Cart,
    CartCollection,
    CartResponse,
    ErrorResponse,
)
from ep_cart_associations_client.types import UNSET, Response

from ep_cart_contract.extensions import SETTINGS, VERDICTS, observe
from ep_cart_contract.redaction import REDACTOR, curl_command
from ep_cart_contract.transport import UNRESPONSIVE, PoliteTransport, UnresponsiveOperations
from ep_cart_contract.verdicts import VENDOR, Evidence, Source, describe_failure
from ep_cart_mock.spec import ASSOCIATION_PATH, CART_PATH, CARTS_PATH, TOKEN_PATH

T = TypeVar("T")


LAST_REQUEST: list[httpx.Request] = []
"""The request behind the latest answer (scenarios run one request at a time), for failure messages."""
LAST_RESPONSE: list[httpx.Response] = []
"""The latest answer, for the evidence of a claim about what it held."""
SOFT_FAILURES: list[str] = []
"""The current test's assumptions that did not hold but, with EP_ASSUMPTIONS=report, only get reported."""


def record(response: httpx.Response) -> None:
    response.read()
    LAST_REQUEST[:] = [response.request]
    LAST_RESPONSE[:] = [response]
    request = response.request
    path = request.url.raw_path.decode("ascii").partition("?")[0]
    observe(
        request.method,
        path,
        response.status_code,
        response.headers,
        response.content,
        request.headers.get("authorization"),
        request.content,
        lambda: curl_command(request),
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
    unresponsive: UnresponsiveOperations = field(default_factory=lambda: UNRESPONSIVE)
    """The run's operations that stopped answering (shared with the schemathesis layer)."""
    transport: PoliteTransport = field(default_factory=lambda: PoliteTransport(SETTINGS.rate_limit))
    """One for every client the scenarios make: one rate limit for all of them, one connection pool, and one
    TLS context (making one per client cost 30 ms each, 2.4 s of a default run)."""

    def _httpx_args(self) -> dict[str, Any]:
        def remember(request: httpx.Request) -> None:
            LAST_REQUEST[:] = [request]

        return {"transport": self.transport, "event_hooks": {"request": [remember], "response": [record]}}

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

    def call(self, operation: str, action: Callable[[], T]) -> T:
        """Run one request of `operation` ("POST /oauth/access_token"); a timeout fails the operation for the
        rest of the run (it is sent nothing more), a dropped connection becomes a clear failure."""
        if operation in self.unresponsive:
            raise self.unresponsive.fail(operation)
        try:
            return action()
        except httpx.TimeoutException:
            self.unresponsive.mark(operation, SETTINGS.request_timeout)
            where = curl_command(LAST_REQUEST[0]) if LAST_REQUEST else self.base_url
            error = self.unresponsive.fail(operation)
            error.add_note(where)
            raise error from None
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
        return self.call(
            f"POST {TOKEN_PATH}", lambda: create_access_token.sync_detailed(client=self.anonymous(), body=body)
        )

    def token(self, grant_type: str) -> str:
        secret = SETTINGS.values["EP_CLIENT_SECRET"] if grant_type == "client_credentials" else None
        response = self.token_response(grant_type, client_secret=secret)
        parsed = expect_status(response, 200, VERDICTS.vendor("S6, S4"))
        assert isinstance(parsed, AccessToken), explain(response)
        return parsed.access_token

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
            f"{'DELETE' if delete else 'POST'} {ASSOCIATION_PATH}",
            lambda: operation.sync_detailed(
                cart_id,
                client=client,
                body=body,
                ep_account_management_authentication_token=account_token if account_token is not None else UNSET,
            ),
        )
        return response

    # --- The association's effect (GET /v2/carts/{cartID}, GET /v2/carts) ------------------------------

    def read_cart(self, cart_id: str, *, token: str | None) -> Response[Any]:
        client: Client | AuthenticatedClient = self.anonymous() if token is None else self.bearer(token)
        return self.call(f"GET {CART_PATH}", lambda: get_a_cart.sync_detailed(cart_id, client=client))

    def list_carts(
        self,
        *,
        token: str | None,
        account_token: str | None = None,
        customer_token: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Response[Any]:
        client: Client | AuthenticatedClient = self.anonymous() if token is None else self.bearer(token)
        return self.call(
            f"GET {CARTS_PATH}",
            lambda: get_carts.sync_detailed(
                client=client,
                pagelimit=limit,
                pageoffset=offset,
                ep_account_management_authentication_token=account_token if account_token is not None else UNSET,
                x_moltin_customer_token=customer_token if customer_token is not None else UNSET,
            ),
        )

    def raw(
        self, method: str, cart_id: str, *, token: str, content: bytes, content_type: str | None = "application/json"
    ) -> httpx.Response:
        """A request the typed models cannot express (malformed JSON, a wrong type), through the generated
        client's own httpx client."""
        headers = {"Content-Type": content_type} if content_type else {}
        client = self.bearer(token).get_httpx_client()
        return self.call(
            f"{method.upper()} {ASSOCIATION_PATH}",
            lambda: client.request(
                method, f"/v2/carts/{cart_id}/relationships/accounts", content=content, headers=headers
            ),
        )


def last_answer() -> httpx.Response:
    """The latest answer (the scenarios send one request at a time)."""
    assert LAST_RESPONSE, "no answer recorded yet"
    return LAST_RESPONSE[0]


def needs(*names: str) -> None:
    """Skip the scenario, naming the variables, when its configuration is missing (a live store)."""
    missing = SETTINGS.missing(*names)
    if missing:
        pytest.skip(f"set {', '.join(missing)} to run this scenario against {SETTINGS.base_url}")


def current_test() -> str:
    return os.environ.get("PYTEST_CURRENT_TEST", "scenario").split("::")[-1].split(" ")[0]


def check(holds: bool, what: str, source: Source, response: Any, expected: str, *, soft: bool = False) -> None:
    """Record one claim of the current scenario; a broken one fails the test, except that with
    EP_ASSUMPTIONS=report a broken assumption (not guarding account access) is only reported: the scenario
    ends as an expected failure, or, for a `soft` claim, goes on and is reported at its end."""
    evidence = None
    if not holds:
        request = LAST_REQUEST[0] if LAST_REQUEST else None
        evidence = Evidence(
            check=f"{current_test()}: {what}",
            rule=what,
            expected=expected,
            status=int(response.status_code),
            body=REDACTOR.scrub(response.content.decode("utf-8", errors="replace"))[:1000],
            request=curl_command(request) if request is not None else "",
        )
    claim = VERDICTS.record(f"{current_test()}: {what}", source, holds, evidence)
    if evidence is None:
        return
    message = "\n".join(describe_failure(claim, evidence))
    if claim.kind == VENDOR or claim.guards_access or SETTINGS.assumptions_mode != "report":
        pytest.fail(message, pytrace=False)
    if soft:
        SOFT_FAILURES.append(f"{claim.title} ({claim.where})")
        return
    pytest.xfail(message)


def normalized(text: str | None) -> str:
    """Case, surrounding white space and trailing punctuation do not matter when matching a vendor message."""
    return (text or "").strip().rstrip(".!;:,").strip().casefold()


def expect_error(
    response: Response[Any] | httpx.Response,
    status: int,
    rests_on: Source,
    message: str | None = None,
) -> ErrorResponse | None:
    """The documented error answer: the status and an ErrorResponse body (claim resting on `rests_on`); where
    the vendor gives a message, that it appears in an error's title or detail (same source), and that it is
    exactly the title (our assumption `error-message-in-title`, a claim of its own)."""
    parsed = response.parsed if isinstance(response, Response) else None
    if parsed is None and response.status_code == status:
        try:
            parsed = ErrorResponse.from_dict(json.loads(response.content))
        except (ValueError, KeyError, TypeError):
            parsed = None
    holds = response.status_code == status and isinstance(parsed, ErrorResponse) and bool(parsed.errors)
    check(holds, f"answers {status} with an error body", rests_on, response, f"{status} with {{'errors': [...]}}")
    if not isinstance(parsed, ErrorResponse):
        return None
    if message is not None:
        fields = [normalized(field) for error in parsed.errors for field in (error.title, error.detail or "")]
        check(
            any(normalized(message) in field for field in fields),
            f"the message {message!r} is in an error's title or detail",
            rests_on,
            response,
            f"an error whose title or detail says {message!r} (case, spaces and final punctuation aside)",
        )
        check(
            any(error.title == message for error in parsed.errors),
            f"the message {message!r} is exactly an error's title",
            VERDICTS.assumed("error-message-in-title"),
            response,
            f"an error titled exactly {message!r}",
            soft=True,
        )
    return parsed


def expect_refusal(
    response: Response[Any], statuses: tuple[int, ...], rests_on: Source, status: int, status_rests_on: Source
) -> None:
    """A refusal the vendor documents without saying which status it gets: one of `statuses` with an error
    body (claim resting on `rests_on`), and exactly `status` (our assumption `status_rests_on`)."""
    parsed = response.parsed
    refused = response.status_code in statuses and isinstance(parsed, ErrorResponse) and bool(parsed.errors)
    listed = " or ".join(str(code) for code in statuses)
    check(refused, f"refuses with {listed} and an error body", rests_on, response, f"{listed} with {{'errors': [...]}}")
    check(response.status_code == status, f"refuses with {status}", status_rests_on, response, f"status {status}")


def cart_accounts(cart: Cart) -> list[str]:
    """The account IDs a cart names in relationships.accounts (none when the relationship is absent)."""
    relationships = cart.relationships
    if not relationships or not relationships.accounts or not relationships.accounts.data:
        return []
    return [str(account.id) for account in relationships.accounts.data]


def expect_cart(response: Response[Any], rests_on: Source) -> Cart:
    """A `200` with the cart (claim resting on `rests_on`)."""
    parsed = expect_status(response, 200, rests_on)
    assert isinstance(parsed, CartResponse), explain(response)
    return parsed.data


def expect_carts(response: Response[Any], rests_on: Source) -> CartCollection:
    """A `200` with a page of carts (claim resting on `rests_on`)."""
    parsed = expect_status(response, 200, rests_on)
    assert isinstance(parsed, CartCollection), explain(response)
    return parsed


NEW_CART = "new-cart-id-is-a-new-cart"


def expect_status(response: Response[Any], status: int, rests_on: Source, *, new_cart: bool = False) -> Any:
    """The documented status (claim resting on `rests_on`). `new_cart`: the cart ID was never used, so a 404
    breaks our assumption that a new cart ID names a new cart, not the vendor's contract; the expected success
    shows that it held; any other answer (a 401, a 5xx, a refusal) shows nothing about it."""
    if new_cart:
        if response.status_code == 404:
            rests_on = VERDICTS.assumed(NEW_CART)
        elif response.status_code == status and 200 <= status < 300:
            VERDICTS.record("a new cart ID names a new cart", VERDICTS.assumed(NEW_CART), holds=True)
    check(response.status_code == status, f"answers {status}", rests_on, response, f"status {status}")
    return response.parsed
