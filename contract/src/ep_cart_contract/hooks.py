"""The schemathesis hooks, shared by the pytest suite and a bare `st run` (schemathesis.toml names this module).

- Bearer tokens for every request, the run's own (cached and renewed by the run), masked before they are used.
- Generated cart IDs get the run's prefix, so what the suite creates on a live store is easy to find.
- Generated positive requests are mixed with the real IDs and tokens from the configuration, so success
  paths (200, then 204) are reached as an account and as an administrator, not only errors.
- Against a live store, no request leaves that the spec does not describe (live_safety.py).
- Every answer is observed (judging.py).

Each hook acts for the run of the moment (run.py): the pytest session's, or the `st run` process's.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

import schemathesis
from schemathesis.core import NOT_SET

from ep_cart_contract import interrupts
from ep_cart_contract.judging import is_positive, observe, request_body_bytes
from ep_cart_contract.live_safety import (
    VENDOR_METHODS_LEFT_OUT,
    guard_live_request,
    is_runs_cart_id,
    is_valid_cart_id,
    own_cart_id,
)
from ep_cart_contract.logins import TOKEN_VARIABLES, member_for
from ep_cart_contract.redaction import curl
from ep_cart_contract.run import STANDALONE_FINISHERS, ContractRun, active_run
from ep_cart_contract.tokens import FixtureProblem, account_token, cached_bearer_token, clean_up_outside_pytest
from ep_cart_contract.transport import OperationUnresponsive, StoreUnavailable
from ep_cart_spec import (
    ACCOUNT_TOKEN_HEADER,
    ASSOCIATION_PATH,
    CART_PATH,
    CARTS_PATH,
    CUSTOMER_TOKEN_HEADER,
    LOGIN_PATH,
    TOKEN_PATH,
    association,
)

if clean_up_outside_pytest not in STANDALONE_FINISHERS:
    STANDALONE_FINISHERS.append(clean_up_outside_pytest)  # a bare `st run` removes what it associated


def the_run() -> ContractRun:
    """The run these hooks act for, and the one place they reach it: schemathesis calls its hooks with no way to
    reach a pytest session. Under pytest, the session's run (the plugin's); under a bare `st run`, the process's.
    Each hook asks once and hands it on."""
    return active_run()


ASSOCIATION = association()
NO_TOKEN_YET = "Bearer (none yet: the token endpoint did not answer)"
"""What a case carries when its token could not be had as it was generated (schemathesis generates the examples
phase's cases while pytest collects, before the preflight): before_call gets one, or the test is skipped as the
store unavailable. Raising while collecting would be a collection error, not a verdict."""


@schemathesis.auth(refresh_interval=None).apply_to(path=[ASSOCIATION_PATH, CART_PATH])
class ClientCredentialsToken:
    """A bearer token from POST /oauth/access_token with the application keys: the run's own, cached and renewed
    by the run (tokens.cached_bearer_token, not schemathesis), registered for masking before it is ever used."""

    grant_type = "client_credentials"

    def get(self, case: schemathesis.Case[Any], context: Any) -> str | None:
        try:
            return cached_bearer_token(the_run(), case_base_url(case), self.grant_type)
        except (StoreUnavailable, OperationUnresponsive, RuntimeError):
            return None

    def set(self, case: schemathesis.Case[Any], data: str | None, context: Any) -> None:
        case.headers["Authorization"] = f"Bearer {data}" if data is not None else NO_TOKEN_YET


@schemathesis.auth(refresh_interval=None).apply_to(path=[CARTS_PATH, LOGIN_PATH])
class ImplicitToken(ClientCredentialsToken):
    """The account's list needs an implicit token (S3); the account token comes from the case (map_case). A
    member's login is sent with one, as the vendor's storefront does (S7)."""

    grant_type = "implicit"


def token_now(run: ContractRun, case: schemathesis.Case[Any]) -> None:
    """A case generated without a token gets one now; StoreUnavailable if the store still does not answer."""
    if case.headers is not None and case.headers.get("Authorization") == NO_TOKEN_YET:
        grant = ImplicitToken.grant_type if case.path in (CARTS_PATH, LOGIN_PATH) else "client_credentials"
        case.headers["Authorization"] = f"Bearer {cached_bearer_token(run, case_base_url(case), grant)}"


# --- Real IDs and tokens mixed into positive cases ---------------------------------------------------------


def pick(case: schemathesis.Case[Any], choices: int) -> int:
    """A stable choice per case (the same case always mixes the same way, in any process, so a run's seed sends
    the same requests again and failures reproduce)."""
    # The query too: every GET /v2/carts has no body, and must not always mix the same way. No repr(): an absent
    # body is a sentinel whose repr holds its address, which made the choice differ from one process to the next.
    body = None if case.body is NOT_SET else case.body
    key = json.dumps([case.method, body, case.query or {}], sort_keys=True, default=repr)
    return hashlib.sha256(key.encode()).digest()[0] % choices


def token_to_mix(run: ContractRun, case: schemathesis.Case[Any], variable: str) -> str | None:
    """The account token to mix into a case, or None (the case stays as generated) when there is none to be had:
    a broken fixture or a store that does not answer is the preflight's to name, once, before any test; the
    coverage phase calls these hooks while pytest collects, where a raised error would be a collection error."""
    try:
        return account_token(run, variable, case_base_url(case))
    except (FixtureProblem, StoreUnavailable, OperationUnresponsive):
        return None


def mix_association(run: ContractRun, case: schemathesis.Case[Any]) -> None:
    account_ids = [run.settings.values.get("EP_ACCOUNT_ID"), run.settings.values.get("EP_OTHER_ACCOUNT_ID")]
    choice = pick(case, 4)
    entries = case.body.get("data") if isinstance(case.body, dict) else None
    entry: Any = entries[0] if isinstance(entries, list) and entries and isinstance(entries[0], dict) else None
    token = token_to_mix(run, case, TOKEN_VARIABLES[choice]) if choice in (0, 1) else None
    if choice in (0, 1) and entry is not None and account_ids[choice] and token:
        # As the account itself: its ID in the body and its token in the header.
        entry["id"] = account_ids[choice]
        case.headers[ASSOCIATION.token_header] = token
    elif choice == 2:
        # As an administrator: no account token, so any account goes.
        case.headers.pop(ASSOCIATION.token_header, None)
    # choice 3: exactly as generated.


def case_base_url(case: schemathesis.Case[Any]) -> str:
    return str(case.operation.schema.get_base_url()).rstrip("/")


def mix_login(run: ContractRun, case: schemathesis.Case[Any]) -> None:
    """As the configured member (all three of profile, username and password, never the username alone: a live
    store may lock a member out after wrong passwords), or as generated."""
    login = case.body.get("data") if isinstance(case.body, dict) else None
    values = run.settings.values
    member = member_for("EP_ACCOUNT_TOKEN", values)
    if not isinstance(login, dict) or member is None or pick(case, 2):
        return
    login["password_profile_id"] = values["EP_PASSWORD_PROFILE_ID"]
    login["username"] = values[member.username_variable]
    login["password"] = values[member.password_variable]


def mix_token_request(run: ContractRun, case: schemathesis.Case[Any]) -> None:
    if not isinstance(case.body, dict) or pick(case, 2):
        return
    values = run.settings.values
    case.body["client_id"] = values.get("EP_CLIENT_ID", case.body.get("client_id"))
    if case.body.get("grant_type") == "client_credentials":
        case.body["client_secret"] = values.get("EP_CLIENT_SECRET", case.body.get("client_secret"))


def mix_carts_request(run: ContractRun, case: schemathesis.Case[Any]) -> None:
    """As the account or the other account (their token; before_call then drops a customer token, see
    one_shopper_token), or as generated."""
    choice = pick(case, 3)
    token = token_to_mix(run, case, TOKEN_VARIABLES[choice]) if choice < 2 else None
    if token:
        case.headers[ACCOUNT_TOKEN_HEADER] = token


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case[Any]) -> schemathesis.Case[Any]:
    if not is_positive(case):
        return case
    run = the_run()
    prefix = run.settings.run_prefix
    if case.path == CARTS_PATH:
        mix_carts_request(run, case)
    elif case.path == CART_PATH:
        cart_id = case.path_parameters.get("cartID")
        if isinstance(cart_id, str):
            case.path_parameters["cartID"] = own_cart_id(cart_id, prefix)
    elif case.path == ASSOCIATION_PATH:
        cart_id = case.path_parameters.get("cartID")
        if is_runs_cart_id(cart_id, prefix):
            return case  # filled from an earlier request through a link: keep it as the link made it
        if isinstance(cart_id, str):
            case.path_parameters["cartID"] = own_cart_id(cart_id, prefix)
        mix_association(run, case)
    elif case.path == TOKEN_PATH:
        mix_token_request(run, case)
    elif case.path == LOGIN_PATH:
        mix_login(run, case)
    return case


# --- A live store holds a team's real data ------------------------------------------------------------------


@schemathesis.hook
def after_load_schema(context: schemathesis.HookContext, schema: Any) -> None:
    """Against a live store, the coverage phase's undocumented-method probes leave out every method the vendor
    has on some path and the spec leaves out (POST /v2/carts would create a cart, DELETE /v2/carts/{cartID} would
    delete one). The mock gets every probe."""
    if the_run().settings.live:
        coverage = schema.config.phases.coverage
        left_out = set().union(*VENDOR_METHODS_LEFT_OUT.values())
        coverage.unexpected_methods = set(coverage.unexpected_methods) - left_out


def one_shopper_token(case: schemathesis.Case[Any]) -> None:
    """S3 allows "only one of" the two shopper tokens, which no parameter schema can say: a positive case keeps
    the account's. Applied before every call, the one place every phase passes (map_case never sees the examples
    phase's cases, which combine parameter examples freely: the spec's `shopper-tokens-both` pair names both
    headers on purpose)."""
    if case.path == CARTS_PATH and is_positive(case) and ACCOUNT_TOKEN_HEADER in (case.headers or {}):
        case.headers.pop(CUSTOMER_TOKEN_HEADER, None)


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case[Any], **kwargs: Any) -> None:
    interrupts.raise_if_dropped()
    run = the_run()
    token_now(run, case)
    one_shopper_token(case)
    guard_live_request(run.settings, case.method, case.path, case.path_parameters)
    cart_id = (case.path_parameters or {}).get("cartID")
    if case.path == ASSOCIATION_PATH and is_valid_cart_id(cart_id) and isinstance(case.body, dict | list):
        # Noted before it leaves: a run interrupted while it waits still removes what the POST may have made
        # (only a valid cart ID can have an association, and it reads the same in the URL the answer names).
        run.ledger.sending(case.method, cart_id, json.dumps(case.body).encode())


@schemathesis.hook
def after_call(context: schemathesis.HookContext, case: schemathesis.Case[Any], response: Any) -> None:
    headers = {name: values[0] for name, values in response.headers.items() if values}
    request = response.request
    url = urlsplit(request.url or "")
    run = the_run()
    if run.seen_base_url is None:
        run.seen_base_url = f"{url.scheme}://{url.netloc}"
    body = request_body_bytes(request.body)
    observe(
        run,
        case.method,
        url.path,
        response.status_code,
        headers,
        response.content,
        body,
        # Built only when an answer needs explaining: most never do.
        lambda: curl(request.method or case.method, request.url or "", request.headers.items(), body),
        run.availability.story_of(request),
    )
