"""Layer 2's way to the server: the generated client (generated/), made polite and observed.

Every answer is observed as the schemathesis layer's are (judging.observe): counted in the documented-response
table, noted in the run's ledger, the tokens it hands out masked. What the scenarios expect of the answers is in
expectations.py.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from ep_cart_associations_client import AuthenticatedClient, Client
from ep_cart_associations_client.api.account_cart_associations import (
    create_account_cart_association,
    delete_account_cart_association,
)
from ep_cart_associations_client.api.authentication import create_access_token, post_v2_account_members_tokens
from ep_cart_associations_client.api.carts import get_a_cart, get_carts, update_a_cart
from ep_cart_associations_client.models import (
    AccessTokenRequest,
    AccountCartAssociationRequest,
    AccountIdentifier,
    AccountMemberTokenRequest,
    CartContact,
    CartUpdateRequest,
    CartUpdateRequestData,
    PasswordLogin,
)
from ep_cart_associations_client.types import UNSET, Response

from ep_cart_contract.availability import ANSWER_CHANGES_ON_REPEAT, AnswerLost, describe_story
from ep_cart_contract.judging import failed_for_good, observe, sending, unavailable
from ep_cart_contract.live_safety import LiveSafetyError, is_runs_cart_id
from ep_cart_contract.redaction import curl_command
from ep_cart_contract.run import ContractRun
from ep_cart_contract.transport import (
    GAVE_UP,
    RETRIED_STATUSES,
    PoliteTransport,
    StoreUnavailable,
    TransportGaveUp,
    story_of_httpx,
)
from ep_cart_spec import ASSOCIATION_PATH, CART_PATH, CARTS_PATH, LOGIN_PATH, TOKEN_PATH, association

ASSOCIATION = association()
T = TypeVar("T")


def record(run: ContractRun, response: httpx.Response) -> None:
    """A scenario's answer: kept as the run's latest, recorded, and observed as every answer is (judging.py)."""
    response.read()
    run.last_request = response.request
    run.last_response = response
    request = response.request
    path = request.url.raw_path.decode("ascii").partition("?")[0]
    story = story_of_httpx(response)
    run.exchanges.add(
        request.method,
        str(request.url),
        request.headers.multi_items(),
        request.content,
        response.status_code,
        response.headers.multi_items(),
        response.content,
        seconds=elapsed(response),
        retries=story.retried,
    )
    observe(
        run,
        request.method,
        path,
        response.status_code,
        response.headers,
        response.content,
        request.content,
        lambda: curl_command(request),
        story,
    )


def elapsed(response: httpx.Response) -> float:
    try:
        return response.elapsed.total_seconds()
    except RuntimeError:  # httpx knows it once the answer is closed
        return 0.0


def record_unanswered(run: ContractRun, failure: str) -> None:
    """A scenario's request that got no answer, in the run's recording."""
    request = run.last_request
    if request is not None:
        run.exchanges.add(
            request.method, str(request.url), request.headers.multi_items(), request.content, 0, error=failure
        )


def explain(run: ContractRun, response: Response[Any] | httpx.Response, request: httpx.Request | None = None) -> str:
    """The request as curl and the answer, secrets masked, for a failure message."""
    shown_request = request or run.last_request
    body = response.content.decode("utf-8", errors="replace")[:2000]
    lines = [f"answer: {int(response.status_code)}", f"body: {body or '(empty)'}"]
    if shown_request is not None:
        lines.insert(0, f"request: {curl_command(shown_request)}")
    return run.redactor.scrub("\n".join(lines))


@dataclass
class ScenarioClient:
    """The calls the scenarios make, each through the generated package."""

    base_url: str
    run: ContractRun
    """The run it belongs to (its operations that stopped answering are the schemathesis layer's too)."""
    transport: PoliteTransport | None = None
    """One for every client the scenarios make: one rate limit for all of them, one connection pool, and one
    TLS context (making one per client cost 30 ms each, 2.4 s of a default run)."""

    def __post_init__(self) -> None:
        if self.transport is None:
            self.transport = PoliteTransport(self.run.settings.rate_limit)

    def _httpx_args(self) -> dict[str, Any]:
        def remember(request: httpx.Request) -> None:
            self.run.last_request = request
            sending(self.run, request.method, request.url.raw_path.decode("ascii").partition("?")[0], request.content)

        return {
            "transport": self.transport,
            "event_hooks": {"request": [remember], "response": [functools.partial(record, self.run)]},
        }

    def anonymous(self) -> Client:
        return Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(self.run.settings.request_timeout),
            httpx_args=self._httpx_args(),
        )

    def bearer(self, token: str) -> AuthenticatedClient:
        return AuthenticatedClient(
            base_url=self.base_url,
            token=token,
            timeout=httpx.Timeout(self.run.settings.request_timeout),
            httpx_args=self._httpx_args(),
        )

    def call(self, operation: str, action: Callable[[], T]) -> T:
        """Run one request of `operation` ("POST /oauth/access_token") under the run's one policy: a read timeout
        fails the operation for the rest of the run (it is sent nothing more); a request that still fails after
        the transport's retries skips the scenario as the store unavailable, unless the store answers other
        requests meanwhile (then its status is judged, or no answer at all is a broken claim); an association
        write answered after a try that may have been applied raises AnswerLost (the plugin runs the scenario
        again, on new carts)."""
        try:
            self.run.may_send(operation)
            result = action()
        except StoreUnavailable as error:
            unavailable(error)
        except TransportGaveUp as error:
            record_unanswered(self.run, f"{error.failure} {GAVE_UP}")
            where = curl_command(self.run.last_request) if self.run.last_request is not None else self.base_url
            failed_for_good(self.run, operation, f"{error.failure} {GAVE_UP}", where)
        except httpx.TimeoutException:
            record_unanswered(self.run, "read timeout")
            where = curl_command(self.run.last_request) if self.run.last_request is not None else self.base_url
            failure = self.run.timed_out(operation)
            failure.add_note(where)
            raise failure from None
        response = self.run.last_response
        assert response is not None, "the generated client answered without an answer recorded"
        story = story_of_httpx(response)
        self.run.availability.answered(operation, story, status=response.status_code)
        if response.status_code in RETRIED_STATUSES:
            verdict = self.run.judge_or_unavailable(operation, f"{response.status_code} {GAVE_UP}")
            if verdict is not None:
                unavailable(verdict)
        if story.may_answer_a_repeat and operation in ANSWER_CHANGES_ON_REPEAT:
            raise AnswerLost(f"{operation} answered after {describe_story(story)}")
        return result

    # --- Tokens (POST /oauth/access_token) --------------------------------------------------------------

    def token_response(
        self, grant_type: str, client_id: str | None = None, client_secret: str | None = None
    ) -> Response[Any]:
        body = AccessTokenRequest(
            grant_type=grant_type,  # type: ignore[arg-type]  # an unsupported grant is a scenario too
            client_id=client_id or self.run.settings.values["EP_CLIENT_ID"],
            client_secret=client_secret if client_secret is not None else UNSET,
        )
        return self.call(
            f"POST {TOKEN_PATH}", lambda: create_access_token.sync_detailed(client=self.anonymous(), body=body)
        )

    # --- An account member's login (POST /v2/account-members/tokens, S7) ----------------------------------

    def login(self, *, token: str, username: str, password: str, password_profile_id: str) -> Response[Any]:
        """A password login, as the vendor's storefront sends it (a shopper's implicit bearer token)."""
        body = AccountMemberTokenRequest(
            data=PasswordLogin(
                type_="account_management_authentication_token",
                authentication_mechanism="password",
                password_profile_id=uuid.UUID(password_profile_id),
                username=username,
                password=password,
            )
        )
        self.run.redactor.add(password)
        response: Response[Any] = self.call(
            f"POST {LOGIN_PATH}",
            lambda: post_v2_account_members_tokens.sync_detailed(client=self.bearer(token), body=body),
        )
        return response

    # --- Associations -----------------------------------------------------------------------------------

    def new_cart_id(self, purpose: str) -> str:
        return f"{self.run.settings.run_prefix}-{purpose}-{uuid.uuid4().hex[:8]}"

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
            data=[AccountIdentifier.from_dict(ASSOCIATION.identifier(account)) for account in account_ids]
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

    def update_cart(self, cart_id: str, *, email: str, token: str) -> Response[Any]:
        """PUT /v2/carts/{cartID} with a contact email (S3). Against a live store, only on a cart of this run: a
        team's own cart is never changed."""
        if self.run.settings.live and not is_runs_cart_id(cart_id, self.run.settings.run_prefix):
            raise LiveSafetyError(f"refusing to update cart {cart_id} on a live store: it is not one of this run's")
        body = CartUpdateRequest(data=CartUpdateRequestData(contact=CartContact(email=email)))
        return self.call(
            f"PUT {CART_PATH}", lambda: update_a_cart.sync_detailed(cart_id, client=self.bearer(token), body=body)
        )

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

    def raw_read(self, cart_id: str, *, token: str) -> httpx.Response:
        """GET /v2/carts/{cartID} left unparsed: a cart the typed models cannot hold (an account ID that is no
        UUID, which a store profile's `any-string` allows)."""
        client = self.bearer(token).get_httpx_client()
        return self.call(f"GET {CART_PATH}", lambda: client.get(f"/v2/carts/{cart_id}"))

    def raw(
        self, method: str, cart_id: str, *, token: str, content: bytes, content_type: str | None = "application/json"
    ) -> httpx.Response:
        """A request the typed models cannot express (malformed JSON, a wrong type), through the generated
        client's own httpx client."""
        headers = {"Content-Type": content_type} if content_type else {}
        client = self.bearer(token).get_httpx_client()
        return self.call(
            f"{method.upper()} {ASSOCIATION_PATH}",
            lambda: client.request(method, ASSOCIATION.path_of(cart_id), content=content, headers=headers),
        )

    def last_answer(self) -> httpx.Response:
        """The latest answer (the scenarios send one request at a time)."""
        assert self.run.last_response is not None, "no answer recorded yet"
        return self.run.last_response
