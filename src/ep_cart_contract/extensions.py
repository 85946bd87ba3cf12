"""Schemathesis extensions shared by the pytest suite and `st run` (schemathesis.toml names this module).

- Generated cart IDs get the run's prefix, so what the suite creates on a live store is easy to find.
- Generated positive requests are mixed with the real IDs and tokens from the configuration, so success
  paths (200, then 204) are reached as an account and as an administrator, not only errors.
- Every response is recorded for the documented-response table, the run's ledger of associations, and
  every bearer token for masking.
- Every schemathesis failure is judged once more against the spec with our assumptions taken out, so it is
  reported as the vendor's contract or as the assumption (mark) it rests on; an operation that stops
  answering is failed once and sent nothing more.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import unquote, urlsplit

import requests
import schemathesis
from schemathesis import GenerationMode
from schemathesis.core import NOT_SET
from schemathesis.core.failures import Failure, FailureGroup

from ep_cart_contract.classify import ABSENT, MARK_OF_CHECK, Classifier, SentRequest
from ep_cart_contract.ledger import Association, AssociationLedger
from ep_cart_contract.observations import Recorded, ResponseTable
from ep_cart_contract.redaction import REDACTOR, curl
from ep_cart_contract.settings import ContractSettings
from ep_cart_contract.transport import UNRESPONSIVE, requests_session
from ep_cart_contract.verdicts import VENDOR, Evidence, Source, Verdicts
from ep_cart_mock.config import DEFAULT_SPEC_PATH as SPEC_PATH
from ep_cart_mock.spec import (
    ACCOUNT_TOKEN_HEADER,
    ASSOCIATION_PATH,
    CART_PATH,
    CARTS_PATH,
    CUSTOMER_TOKEN_HEADER,
    TOKEN_PATH,
    ApiSpec,
    Assumption,
)

SETTINGS = ContractSettings.from_env()
API = ApiSpec.load(SPEC_PATH)
TABLE = ResponseTable(API)
VERDICTS = Verdicts(API)
CLASSIFIER = Classifier(API)
LEDGER = AssociationLedger()


def delete_as_administrator(base_url: str) -> Callable[[Association], str | None]:
    """How the run removes an association it left: DELETE as administrator, with the body as it was sent."""
    token: list[str] = []

    def delete(association: Association) -> str | None:
        label = f"DELETE {ASSOCIATION_PATH}"
        if label in UNRESPONSIVE:
            return f"{label} stopped answering during the run"
        try:
            if not token:
                token.append(bearer_token(base_url))
            response = TOKEN_SESSION.delete(
                f"{base_url}/v2/carts/{association.cart_id}/relationships/accounts",
                json={"data": [{"id": association.account_id, "type": "account"}]},
                headers={"Authorization": f"Bearer {token[0]}"},
                timeout=SETTINGS.request_timeout,
            )
        except (requests.RequestException, RuntimeError) as error:
            return REDACTOR.scrub(f"the delete failed: {error}")
        if response.status_code != 204:
            return REDACTOR.scrub(f"the delete answered {response.status_code}: {response.text[:200]}")
        return None

    return delete


SEEN_BASE_URL: list[str] = []
"""The server a bare `st run` talked to (the pytest plugin knows its target; `st run` does not tell hooks)."""


@atexit.register
def clean_up_after_st_run() -> None:
    """Under pytest the plugin has already cleaned up; after a bare `st run`, what it associated goes here."""
    if LEDGER.open() and SEEN_BASE_URL:
        result = LEDGER.clean_up(delete_as_administrator(SEEN_BASE_URL[0]))
        for association, why in result.left:
            print(f"LEFT: cart {association.cart_id} account {association.account_id}: {why}")


@atexit.register
def write_stats() -> None:
    """For make bench: how many responses this process judged, the same count under pytest and `st run`."""
    stats_path = os.environ.get("EP_CONTRACT_STATS")
    if stats_path:
        total = sum(seen.count for seen in TABLE.observed.values()) + len(TABLE.undocumented)
        Path(stats_path).write_text(json.dumps({"responses": total}), encoding="utf-8")


REDACTOR.add(*SETTINGS.secret_values)
_CART_ID_SCHEMA = API.resolve(API.path_parameter_schema(ASSOCIATION_PATH, "cartID"))
CART_ID_MAX_LENGTH: int = _CART_ID_SCHEMA["maxLength"]
_CART_ID = API.validator(_CART_ID_SCHEMA)


def is_valid_cart_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and _CART_ID.is_valid(value)


def is_runs_cart_id(cart_id: object, prefix: str | None = None) -> TypeGuard[str]:
    """A cart ID of this run (`prefix`: the run's, or a stateful scenario's within it): made by the run, or
    reached through a link from one of its answers."""
    # With the dash: scenario "-s1" must not claim scenario "-s12"'s carts.
    return isinstance(cart_id, str) and cart_id.startswith(f"{prefix or SETTINGS.run_prefix}-")


def own_cart_id(cart_id: str, prefix: str | None = None) -> str:
    """This run's cart ID in place of `cart_id`, the one place a cart ID gets the run's prefix: one of the run's
    stays as it is; a valid one gets the prefix and stays valid (cut to the limit); a too-long one stays too
    long."""
    prefix = prefix or SETTINGS.run_prefix
    if is_runs_cart_id(cart_id, prefix):
        return cart_id
    if is_valid_cart_id(cart_id):
        return f"{prefix}-{cart_id}"[:CART_ID_MAX_LENGTH]
    return f"{prefix}-{cart_id}"


def is_positive(case: schemathesis.Case[Any]) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode == GenerationMode.POSITIVE


def pick(case: schemathesis.Case[Any], choices: int) -> int:
    """A stable choice per case (the same case always mixes the same way, so failures reproduce)."""
    # The query too: every GET /v2/carts has no body, and must not always mix the same way.
    digest = hashlib.sha256(repr((case.method, case.body, sorted((case.query or {}).items()))).encode()).digest()
    return digest[0] % choices


def mix_association(case: schemathesis.Case[Any]) -> None:
    values = SETTINGS.values
    account_ids = [values.get("EP_ACCOUNT_ID"), values.get("EP_OTHER_ACCOUNT_ID")]
    tokens = [values.get("EP_ACCOUNT_TOKEN"), values.get("EP_OTHER_ACCOUNT_TOKEN")]
    choice = pick(case, 4)
    entries = case.body.get("data") if isinstance(case.body, dict) else None
    entry: Any = entries[0] if isinstance(entries, list) and entries and isinstance(entries[0], dict) else None
    if choice in (0, 1) and entry is not None and account_ids[choice] and tokens[choice]:
        # As the account itself: its ID in the body and its token in the header.
        entry["id"] = account_ids[choice]
        case.headers[ACCOUNT_TOKEN_HEADER] = tokens[choice]
    elif choice == 2:
        # As an administrator: no account token, so any account goes.
        case.headers.pop(ACCOUNT_TOKEN_HEADER, None)
    # choice 3: exactly as generated.


def mix_token_request(case: schemathesis.Case[Any]) -> None:
    if not isinstance(case.body, dict) or pick(case, 2):
        return
    case.body["client_id"] = SETTINGS.values.get("EP_CLIENT_ID", case.body.get("client_id"))
    if case.body.get("grant_type") == "client_credentials":
        case.body["client_secret"] = SETTINGS.values.get("EP_CLIENT_SECRET", case.body.get("client_secret"))


TOKEN_REFRESH_SECONDS = 600
"""Well inside the vendor's token lifetime (expires_in 3600, S6); a 401 also triggers a refresh."""
TOKEN_SESSION = requests_session()


def bearer_token(base_url: str, grant_type: str = "client_credentials") -> str:
    """A token of the grant (`client_credentials`: an administrator's; `implicit`: a shopper's, S2, S6),
    registered for masking before it is ever used."""
    url = f"{base_url}{TOKEN_PATH}"
    form = {"grant_type": grant_type, "client_id": SETTINGS.values.get("EP_CLIENT_ID", "")}
    if grant_type == "client_credentials":
        form["client_secret"] = SETTINGS.values.get("EP_CLIENT_SECRET", "")
    label = f"POST {TOKEN_PATH}"
    if label in UNRESPONSIVE:
        raise UNRESPONSIVE.fail(label)
    try:
        response = TOKEN_SESSION.post(url, data=form, timeout=SETTINGS.request_timeout)
    except requests.exceptions.Timeout:
        # A store that takes connections and never answers: one clear line, not a stack of retries.
        UNRESPONSIVE.mark(label, SETTINGS.request_timeout)
        raise UNRESPONSIVE.fail(label) from None
    if response.status_code != 200:
        raise RuntimeError(
            f"{url} answered {response.status_code} to a {grant_type} token request: check EP_CLIENT_ID"
            + (" and EP_CLIENT_SECRET" if grant_type == "client_credentials" else "")
        )
    token: str = response.json()["access_token"]
    REDACTOR.add(token)
    return token


@schemathesis.auth(refresh_interval=TOKEN_REFRESH_SECONDS).apply_to(path=[ASSOCIATION_PATH, CART_PATH])
class ClientCredentialsToken:
    """A bearer token from POST /oauth/access_token with the application keys, cached and refreshed by
    schemathesis; the token is registered for masking before it is ever used."""

    def get(self, case: schemathesis.Case[Any], context: Any) -> str:
        return bearer_token(case.operation.schema.get_base_url())

    def set(self, case: schemathesis.Case[Any], data: str, context: Any) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.auth(refresh_interval=TOKEN_REFRESH_SECONDS).apply_to(path=CARTS_PATH)
class ImplicitToken(ClientCredentialsToken):
    """The account's list needs an implicit token (S3); the account token comes from the case (map_case)."""

    def get(self, case: schemathesis.Case[Any], context: Any) -> str:
        return bearer_token(case.operation.schema.get_base_url(), "implicit")


def mix_carts_request(case: schemathesis.Case[Any]) -> None:
    """As the account or the other account (their token, no customer token), or as generated. S3 allows "only
    one of" the two shopper tokens, which no parameter schema can say: a positive case keeps one."""
    choice = pick(case, 3)
    token = SETTINGS.values.get(("EP_ACCOUNT_TOKEN", "EP_OTHER_ACCOUNT_TOKEN", "")[choice])
    if token:
        case.headers[ACCOUNT_TOKEN_HEADER] = token
    if ACCOUNT_TOKEN_HEADER in case.headers:
        case.headers.pop(CUSTOMER_TOKEN_HEADER, None)


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case[Any]) -> schemathesis.Case[Any]:
    if not is_positive(case):
        return case
    if case.path == CARTS_PATH:
        mix_carts_request(case)
    elif case.path == CART_PATH:
        cart_id = case.path_parameters.get("cartID")
        if isinstance(cart_id, str):
            case.path_parameters["cartID"] = own_cart_id(cart_id)
    elif case.path == ASSOCIATION_PATH:
        cart_id = case.path_parameters.get("cartID")
        if is_runs_cart_id(cart_id):
            return case  # filled from an earlier request through a link: keep it as the link made it
        if isinstance(cart_id, str):
            case.path_parameters["cartID"] = own_cart_id(cart_id)
        mix_association(case)
    elif case.path == TOKEN_PATH:
        mix_token_request(case)
    return case


# --- A live store holds a team's real data ------------------------------------------------------------------

VENDOR_METHODS_LEFT_OUT = API.vendor_methods_left_out()
"""Path -> the vendor's methods there that openapi.yaml leaves out: never sent to a live store."""
SAFE_CART_ID = re.compile(r"[A-Za-z0-9_-]+")
"""A value that could name a real cart (S5); anything else cannot address one."""


class LiveSafetyError(RuntimeError):
    """A request the suite must never send to a live store; raised before it leaves."""


@schemathesis.hook
def after_load_schema(context: schemathesis.HookContext, schema: Any) -> None:
    """Against a live store, the coverage phase's undocumented-method probes leave out every method the vendor
    has on some path (POST /v2/carts would create a cart, PUT and DELETE /v2/carts/{cartID} would change or
    delete one). The mock gets every probe."""
    if SETTINGS.live:
        coverage = schema.config.phases.coverage
        left_out = set().union(*VENDOR_METHODS_LEFT_OUT.values())
        coverage.unexpected_methods = set(coverage.unexpected_methods) - left_out


def guard_live_request(method: str, path: str, path_parameters: dict[str, Any] | None) -> None:
    """Against a live store, the last word before a request leaves: no vendor method left out of the spec,
    and every cart ID that could name a real cart becomes one of this run's (a read of a new cart ID creates
    it, S3; schemathesis reuses IDs seen in earlier answers, the account's real carts among them)."""
    if not SETTINGS.live:
        return
    if method.lower() in VENDOR_METHODS_LEFT_OUT.get(path, set()):
        raise LiveSafetyError(f"refusing to send {method.upper()} {path} to a live store: openapi.yaml leaves it out")
    cart_id = (path_parameters or {}).get("cartID")
    if isinstance(cart_id, str) and SAFE_CART_ID.fullmatch(cart_id):
        assert path_parameters is not None
        path_parameters["cartID"] = own_cart_id(cart_id)


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case[Any], **kwargs: Any) -> None:
    guard_live_request(case.method, case.path, case.path_parameters)


def observe(
    method: str,
    path: str,
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    authorization: str | None,
    request_body: bytes = b"",
    request_curl: Callable[[], str] = str,
) -> None:
    """Every answer either layer gets: the bearer token it was sent with and any token it hands out are
    masked from now on, it is counted in the documented-response table, and an association it created or
    removed is noted in the run's ledger."""
    REDACTOR.add_authorization(authorization)
    if path == TOKEN_PATH and status == 200:
        with contextlib.suppress(ValueError):
            document = json.loads(content)
            if isinstance(document, dict):
                REDACTOR.add(document.get("access_token"))
    template = TABLE.template_of(path)
    if template == ASSOCIATION_PATH:
        LEDGER.observe(method, unquote(path.split("/")[3]), status, request_body)
    recorded = TABLE.record(method, path, status, headers, content, lambda: REDACTOR.scrub(request_curl()))
    if recorded is not None:
        judge_answer(method, recorded, status, content, request_curl)


def judge_answer(method: str, recorded: Recorded, status: int, content: bytes, request_curl: Callable[[], str]) -> None:
    """An answer of a documented operation is a claim: its status is documented, and its body matches."""
    label = f"{method.upper()} {recorded.template}"
    if recorded.documented is None:
        # An undocumented status breaks the vendor's contract, unless one of our decisions is what left it out.
        ruled_out = CLASSIFIER.marks_ruling_out(recorded.template, method.lower(), status)
        sources = [VERDICTS.assumed(mark.id) for mark in ruled_out] or [VERDICTS.vendor("S1, S3")]
        title = f"{label} answers only documented statuses"
    else:
        title = f"{label} {status} matches its documented response"
        sources = [VERDICTS.status_source(recorded.template, method.lower(), status)]
        if recorded.problem is not None:
            # A wrong body or content type breaks the vendor's contract, unless only marked constraints fail.
            sources = [VERDICTS.vendor("openapi.yaml responses")]
            with contextlib.suppress(ValueError):
                blamed = CLASSIFIER.blame_response(recorded.template, method.lower(), status, json.loads(content))
                sources = [VERDICTS.assumed(mark.id) for mark in blamed] or sources
    evidence = None
    if recorded.problem is not None:
        evidence = Evidence(
            check=f"answer of {label}",
            rule=f"responses/{status}",
            expected=recorded.problem,
            status=status,
            body=REDACTOR.scrub(content.decode("utf-8", errors="replace"))[:1000],
            request=REDACTOR.scrub(request_curl()),
        )
    for source in sources:
        VERDICTS.record(title, source, holds=recorded.problem is None, evidence=evidence)


def request_body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    return body if isinstance(body, bytes) else str(body).encode("utf-8")


@schemathesis.hook
def after_call(context: schemathesis.HookContext, case: schemathesis.Case[Any], response: Any) -> None:
    headers = {name: values[0] for name, values in response.headers.items() if values}
    request = response.request
    url = urlsplit(request.url or "")
    if not SEEN_BASE_URL:
        SEEN_BASE_URL.append(f"{url.scheme}://{url.netloc}")
    path = url.path
    body = request_body_bytes(request.body)
    observe(
        case.method,
        path,
        response.status_code,
        headers,
        response.content,
        request.headers.get("Authorization"),
        body,
        # Built only when an answer needs explaining: most never do.
        lambda: curl(request.method or case.method, request.url or "", request.headers.items(), body),
    )


# --- The schemathesis layer's verdicts -----------------------------------------------------------------------


def operation_label(case: schemathesis.Case[Any]) -> str:
    return f"{case.method.upper()} {case.path}"


def call_case(case: schemathesis.Case[Any], send: Callable[[], Any]) -> Any:
    """Send a case, unless its operation stopped answering; the first timeout fails the operation for good."""
    label = operation_label(case)
    if label in UNRESPONSIVE:
        raise UNRESPONSIVE.fail(label)
    try:
        return send()
    except (requests.exceptions.Timeout, TimeoutError):
        UNRESPONSIVE.mark(label, SETTINGS.request_timeout)
        raise UNRESPONSIVE.fail(label) from None


def is_documented(case: schemathesis.Case[Any]) -> bool:
    """An operation of openapi.yaml (schemathesis also sends undocumented methods to documented paths)."""
    return case.method.lower() in API.document["paths"].get(case.path, {})


def sent_request(case: schemathesis.Case[Any]) -> SentRequest:
    """The case as the classifier judges it again (no request is sent)."""
    return SentRequest(
        path=case.path,
        method=case.method.lower(),
        parameters={"path": case.path_parameters or {}, "header": case.headers or {}, "query": case.query or {}},
        body=ABSENT if case.body is NOT_SET else case.body,
        media_type=case.media_type,
    )


STATUS_CHECKS = frozenset({"status_code_conformance", "positive_data_acceptance"})
"""Schemathesis checks that fail on the answer's status alone."""


def sources_of(case: schemathesis.Case[Any], response: Any, failure: Failure) -> list[Source]:
    """What a failure broke: the vendor's contract, the marks of the operation it rests on (see classify.py),
    or nothing at all ([]) when it comes from what openapi.yaml leaves out or cannot express."""
    check = failure.checks[0] if failure.checks else ""
    operation_method = case.operation.method.lower()
    limit = CLASSIFIER.spec_limit(
        check, case.path, operation_method, case.method, response.status_code, case.headers or {}, failure
    )
    if limit is not None:
        return [VERDICTS.assumed(mark.id) for mark in limit]
    if check in MARK_OF_CHECK:
        return [VERDICTS.assumed(MARK_OF_CHECK[check])]
    marks: list[Assumption] = []
    if check in STATUS_CHECKS and is_documented(case):
        # An answer whose status one of our decisions left out (`rules-out`): that decision did not hold.
        marks = CLASSIFIER.marks_ruling_out(case.path, case.method.lower(), response.status_code)
    elif check == "negative_data_rejection" and is_documented(case):
        marks = CLASSIFIER.blame_accepted_request(sent_request(case))
    elif check == "response_schema_conformance" and is_documented(case):
        with contextlib.suppress(ValueError):
            marks = CLASSIFIER.blame_response(case.path, case.method.lower(), response.status_code, response.json())
    if marks:
        return [VERDICTS.assumed(mark.id) for mark in marks]
    return [VERDICTS.vendor("openapi.yaml, vendor constraints")]


def marks_shown(case: schemathesis.Case[Any], status: int) -> list[str]:
    """The marks a conforming answer is evidence for: those of the documented response it is (a 401 only for
    its own), and, when it refuses a generated invalid request, those that made the request invalid. A 5xx
    shows nothing, and neither does a 401 for anything but itself: the server never judged the request."""
    if not is_documented(case):
        return [MARK_OF_CHECK["unsupported_method"]] if status == 405 else []
    path, method = case.path, case.method.lower()
    if status >= 500 or status not in API.documented_statuses(path, method):
        return []
    shown = [mark.id for mark in CLASSIFIER.response_marks(path, method, status) if mark.covers]
    if 400 <= status < 500 and status != 401 and not is_positive(case):
        refused = CLASSIFIER.marks_a_request_breaks(sent_request(case))
        shown += [mark.id for mark in refused if mark.id not in shown]
    return shown


def judge(case: schemathesis.Case[Any], response: Any, validate: Callable[[], None]) -> None:
    """Validate with schemathesis's checks; record each failure as the claims it breaks, and raise unless every
    failure is an assumption that EP_ASSUMPTIONS=report only reports, or no claim at all (what the spec
    cannot say, answered the vendor's way)."""
    label = operation_label(case)
    vendor_title = f"schemathesis checks of {label}"
    try:
        validate()
    except FailureGroup as group:
        request = response.request
        request_curl = curl(
            request.method or case.method, request.url or "", request.headers.items(), request_body_bytes(request.body)
        )
        must_raise = SETTINGS.assumptions_mode != "report"
        notes, remaining = [], []
        for failure in group.exceptions:
            sources = sources_of(case, response, failure)
            if sources:
                remaining.append(failure)
            for source in sources:
                title = vendor_title if source.kind == VENDOR else source.assumption.id  # type: ignore[union-attr]
                claim = VERDICTS.record(
                    title,
                    source,
                    holds=False,
                    evidence=Evidence(
                        check=f"schemathesis {failure.checks[0] if failure.checks else failure.code} on {label}",
                        rule=failure.title,
                        expected=" ".join(failure.message.split())[:400],
                        status=response.status_code,
                        body=REDACTOR.scrub(response.content.decode("utf-8", errors="replace"))[:1000],
                        request=REDACTOR.scrub(request_curl),
                    ),
                )
                must_raise = must_raise or claim.kind == VENDOR or claim.guards_access
                notes.append(f"{failure.title}: {source.label}")
        if not remaining:
            passed(case, response.status_code, vendor_title)
            return
        if must_raise:
            reduced = group if len(remaining) == len(group.exceptions) else type(group)(remaining, group.message)
            for note in notes:
                reduced.add_note(note)
            if reduced is group:
                raise
            raise reduced from None
        return
    passed(case, response.status_code, vendor_title)


def passed(case: schemathesis.Case[Any], status: int, vendor_title: str) -> None:
    """An answer that broke no claim: the vendor's checks held, and so did the marks it shows."""
    VERDICTS.record(vendor_title, VERDICTS.vendor("openapi.yaml, vendor constraints"), holds=True)
    VERDICTS.touch([VERDICTS.assumed(mark) for mark in marks_shown(case, status)], vendor_title)
