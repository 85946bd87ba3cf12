"""The endpoint's documented rules, as one table, and the code that applies them, with no HTTP in sight.

Each rule is one entry of RULES: the answer's status, title and detail, the vendor's sources for it (S1..S7,
docs/sources.md) and, where the vendor is silent, the id of the `x-assumptions` mark
in openapi.yaml that holds our decision and its reason (declared there once, read here by id).
openapi.yaml names each rule by its id in the response it belongs to, with an example of the same title;
tests/mock/test_rules_match_spec.py holds the two together, marks included.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from jsonschema_rs import ValidationError

from ep_cart_mock.clock import Clock
from ep_cart_mock.config import MAX_BODY_BYTES, Member, Settings
from ep_cart_mock.store import AssociateOutcome, Cart, CartStore
from ep_cart_mock.tokens import AccountTokenIssuer, GrantType, IssuedToken, TokenIssuer, TokenLookup
from ep_cart_spec import (
    ASSOCIATION_PATH,
    CART_PATH,
    CARTS_PATH,
    LOGIN_PATH,
    TOKEN_PATH,
    ApiSpec,
    StoreProfile,
    default_profile,
)

POST_ONLY = ("createAccountCartAssociation",)
DELETE_ONLY = ("deleteAccountCartAssociation",)
ASSOCIATION_OPERATIONS = POST_ONLY + DELETE_ONLY
READ_CART = ("getACart",)
UPDATE_CART = ("updateACart",)
LIST_CARTS = ("getCarts",)
TOKEN_OPERATION = ("createAccessToken",)
LOGIN_OPERATION = ("post-v2-account-members-tokens",)
BEARER_OPERATIONS = ASSOCIATION_OPERATIONS + READ_CART + UPDATE_CART + LIST_CARTS + LOGIN_OPERATION
"""The operations behind a bearer token (every one but the token endpoint)."""


@dataclass(frozen=True)
class Rule:
    id: str
    status: int
    title: str
    detail: str
    source: str
    """What the vendor documents about it (S1..S7), or "none"."""
    assumption: str | None
    """The openapi.yaml `x-assumptions` id of our decision, where the vendor is silent; None for the vendor's."""
    operations: tuple[str, ...]
    """The operationIds of openapi.yaml that can answer with this rule; empty for answers outside them all."""


_TYPE_TITLE = "The type does not exist or is not listed as account"
# S2 gives both messages as code spans with no trailing period.
_MORE_THAN_ONE = "Cannot associate more than one account"
_PERMISSION = "Account does not have the required permissions to fulfill this request"
_OLD_401 = "S3 (older) lists 401"

# The table is laid out by hand so it reads as a table.
# fmt: off
RULE_TABLE: tuple[Rule, ...] = (
    # Bearer token (checked first).
    Rule("bearer-token-missing", 401, "Unauthorized",
         "Send Authorization Bearer with a token from POST /oauth/access_token.",
         f"{_OLD_401}; S1 documents bearer security", "unauthorized-body-is-an-errors-array", BEARER_OPERATIONS),
    Rule("bearer-token-invalid", 401, "Unauthorized", "The bearer token is not valid.",
         _OLD_401, "unauthorized-body-is-an-errors-array", BEARER_OPERATIONS),
    Rule("bearer-token-expired", 401, "Unauthorized",
         "The bearer token has expired; get a new one from POST /oauth/access_token.",
         f"S6: tokens expire after expires_in seconds; {_OLD_401}", "unauthorized-body-is-an-errors-array",
         BEARER_OPERATIONS),
    # An account token a login issued, past its 24 hours (S7).
    Rule("account-token-expired", 401, "Unauthorized",
         "The EP-Account-Management-Authentication-Token has expired; log in again with POST "
         "/v2/account-members/tokens.",
         "S7: account tokens expire after 24 hours", "account-token-expired-refused-with-401",
         ASSOCIATION_OPERATIONS + LIST_CARTS),
    # The cart ID.
    Rule("cart-id-unsafe", 400, "Invalid cart ID",
         'A cart ID may contain only letters, digits, "_" and "-", at most 255 characters.',
         "S5 safe characters", "cart-id-at-most-255-characters", ASSOCIATION_OPERATIONS + READ_CART + UPDATE_CART),
    # The body, before and after parsing.
    Rule("body-too-large", 400, "Request body too large",
         f"The request body must be at most {MAX_BODY_BYTES} bytes.", "none", "body-too-large", ASSOCIATION_OPERATIONS),
    Rule("body-missing", 400, "Request body is required",
         'Send {"data":[{"id":"<account id>","type":"account"}]} as application/json.', "none", "body-missing",
         ASSOCIATION_OPERATIONS),
    Rule("content-type-unsupported", 400, "Unsupported content type",
         "The request body must be sent with Content-Type application/json.", "S1 documents JSON bodies",
         "content-type-unsupported", ASSOCIATION_OPERATIONS),
    Rule("json-malformed", 400, "Malformed JSON", "The request body is not valid JSON.", "none", "json-malformed",
         ASSOCIATION_OPERATIONS),
    Rule("data-not-array", 403, "Invalid json payload", "The request body must be an array [].",
         "S2", None, ASSOCIATION_OPERATIONS),
    Rule("more-than-one-account-in-request", 403, _MORE_THAN_ONE, "data must hold exactly one account.",
         "S2", None, ASSOCIATION_OPERATIONS),
    Rule("account-type-invalid", 400, _TYPE_TITLE, 'Each entry in data must have type "account".',
         "S2", None, ASSOCIATION_OPERATIONS),
    Rule("body-invalid", 400, "Invalid request body",
         "The body does not match AccountCartAssociationRequest.", "none", "body-invalid", ASSOCIATION_OPERATIONS),
    # Who may act for the account.
    Rule("account-permission-denied", 403, _PERMISSION,
         "Send the account's EP-Account-Management-Authentication-Token, or use a client_credentials token.",
         "S2: an implicit token needs the account's token", None, ASSOCIATION_OPERATIONS),
    Rule("account-token-unknown", 403, _PERMISSION,
         "The EP-Account-Management-Authentication-Token was not issued by this store.",
         "S2 gives the message", "account-token-unknown", ASSOCIATION_OPERATIONS + LIST_CARTS),
    Rule("account-token-other-account", 403, _PERMISSION,
         "The EP-Account-Management-Authentication-Token belongs to another account.",
         "S2 gives the message", "account-token-other-account", ASSOCIATION_OPERATIONS),
    # The cart.
    Rule("cart-has-contact-email", 422, "Cannot associate accounts to carts with contact emails",
         "Unable to associate accounts to carts with contact emails attached.",
         "S2, S3 (422 example) for POST", "delete-on-a-contact-email-cart-answers-422", ASSOCIATION_OPERATIONS),
    Rule("cart-associated-with-other-account", 403, _MORE_THAN_ONE,
         "The cart is already associated with another account.", "S2 gives the message", "cart-holds-one-account",
         POST_ONLY),
    # Success.
    Rule("association-created", 200, "OK", "The account is now associated with the cart.", "S1", None, POST_ONLY),
    Rule("association-exists", 204, "No Content", "The account was already associated with the cart.",
         "S1", None, POST_ONLY),
    Rule("association-deleted", 204, "No Content", "The association is gone.", "S3", None, DELETE_ONLY),
    Rule("association-absent", 204, "No Content", "There was no such association; nothing changed.",
         "none", "delete-of-a-missing-association-answers-204", DELETE_ONLY),
    # GET /v2/carts/{cartID}: the association's effect on the cart.
    Rule("cart-read", 200, "OK", "The cart, with its account in relationships.accounts.", "S3", None, READ_CART),
    Rule("cart-created-by-read", 200, "OK", "The cart ID was new: an empty cart named Cart.", "S3", None, READ_CART),
    # PUT /v2/carts/{cartID}: a contact email attached, which keeps accounts off the cart (checked in this order).
    Rule("cart-update-invalid", 400, "Invalid cart update", "The body does not match CartUpdateRequest.", "none",
         "cart-update-refused-with-400", UPDATE_CART),
    Rule("contact-email-on-an-account-cart", 422, "Cannot add a contact email to carts with accounts",
         "Registered shopper carts take their email from the shopper's details; remove the account first.",
         "S3: an error (no status given)", "contact-email-on-an-account-cart-answers-422", UPDATE_CART),
    Rule("contact-email-attached", 200, "OK", "The cart, with its contact email.", "S3", None, UPDATE_CART),
    # GET /v2/carts: the association's effect on the account's list (checked in this order).
    Rule("shopper-tokens-both", 400, "Only one shopper token",
         "Send EP-Account-Management-Authentication-Token or x-moltin-customer-token, not both.",
         "S3: only one of the two tokens", "both-shopper-tokens-refused-with-400", LIST_CARTS),
    Rule("page-invalid", 400, "Invalid page",
         "page[limit] must be a whole number from 1 to 100, page[offset] a whole number from 0.",
         "S3: page[limit] up to 100", "page-out-of-range-refused-with-400", LIST_CARTS),
    Rule("shopper-token-required", 403, "Shopper token required",
         "Requires an implicit token with only one of Account Management Authentication Token or customer token.",
         "S3", "shopper-token-refused-with-403", LIST_CARTS),
    Rule("customer-token-unknown", 403, "Customer token not recognised",
         "The x-moltin-customer-token was not issued by this store.", "S3 documents the header",
         "customer-token-unknown", LIST_CARTS),
    Rule("carts-listed", 200, "OK", "The account's carts, newest first.", "S3", None, LIST_CARTS),
    # POST /oauth/access_token.
    Rule("token-request-invalid", 400, "Invalid token request",
         "Send a form (application/x-www-form-urlencoded) with grant_type and client_id.",
         "none", "token-request-refused-with-400", TOKEN_OPERATION),
    Rule("grant-type-unsupported", 400, "Unsupported grant type",
         "grant_type must be client_credentials or implicit.", "S6 lists the two grants",
         "token-request-refused-with-400", TOKEN_OPERATION),
    Rule("client-secret-missing", 400, "Invalid token request",
         "grant_type client_credentials needs client_secret.", "S6", "token-request-refused-with-400",
         TOKEN_OPERATION),
    Rule("client-credentials-invalid", 401, "Unauthorized", "The client ID or client secret is not valid.",
         "none", "token-credentials-refused-with-401", TOKEN_OPERATION),
    # POST /v2/account-members/tokens (S7), the password mechanism.
    Rule("account-member-login-invalid", 400, "Invalid login request",
         "The body does not match AccountMemberTokenRequest.", "none", "account-member-login-refused-with-400",
         LOGIN_OPERATION),
    Rule("account-member-credentials-invalid", 401, "Unauthorized",
         "The username or password is not valid for this password profile.", "S7 documents 401", None,
         LOGIN_OPERATION),
    Rule("account-member-tokens-created", 201, "Created", "One account token per account of the member.", "S7",
         None, LOGIN_OPERATION),
    # Outside every operation.
    Rule("path-unknown", 404, "Not Found", "No operation is documented at this path; see /openapi.yaml.",
         "none", "undocumented-requests-refused", ()),
    Rule("docs-not-built", 404, "Not Found", "The docs page is not built yet: run make docs, then restart the mock.",
         "none", "undocumented-requests-refused", ()),
    Rule("http-request-malformed", 400, "Malformed HTTP request", "Send a valid HTTP/1.1 request.",
         "none", "undocumented-requests-refused", ()),
    Rule("method-not-allowed", 405, "Method Not Allowed",
         "This method is not documented for this path; see /openapi.yaml.",
         "none", "undocumented-requests-refused", ()),
    # The mock's own test controls (mock-controls.yaml), off the vendor's paths and off by default.
    Rule("control-request-invalid", 400, "Invalid control request",
         "The body does not match mock-controls.yaml.", "mock-controls.yaml", None, ()),
    Rule("account-token-taken", 409, "Account token already in use",
         "This account token already belongs to another account.", "mock-controls.yaml", None, ()),
)
# fmt: on

RULES: Mapping[str, Rule] = {rule.id: rule for rule in RULE_TABLE}


@dataclass(frozen=True)
class Answer:
    """What the server sends back: a status and, unless it is 204, a JSON body."""

    status: int
    body: Any = None
    rule: Rule | None = None


def error_answer(rule_id: str, detail: str | None = None, meta: Mapping[str, Any] | None = None) -> Answer:
    """The `{"errors": [...]}` answer of an error rule (ErrorResponse in openapi.yaml)."""
    rule = RULES[rule_id]
    item: dict[str, Any] = {"status": rule.status, "title": rule.title, "detail": detail or rule.detail}
    if meta:
        item["meta"] = dict(meta)
    return Answer(rule.status, {"errors": [item]}, rule)


def alternative_rules(spec: ApiSpec) -> dict[str, Rule]:
    """Each answer an alternative adds (openapi.yaml: a mark's `answers`), as a rule of that mark."""
    return {
        name: Rule(name, int(item["status"]), str(item["title"]), str(item.get("detail", "")), "none", mark.id, ())
        for mark in spec.assumptions.values()
        for name, _, item in mark.answers
    }


class Reshaped(NamedTuple):
    """How a store profile changes one error rule's answer."""

    status: int
    moved: str | None = None
    """The documented message moved from the title to the detail (under the status's reason phrase)."""
    wording: Mapping[str, str | None] | None = None
    """The store's own `title` (and `detail`), from the profile's `texts`."""


class Rejected(Exception):
    """A check failed: `answer` is what the client gets."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.rule.id if answer.rule else answer.status)
        self.answer = answer


def reject(rule_id: str, detail: str | None = None, meta: Mapping[str, Any] | None = None) -> Rejected:
    return Rejected(error_answer(rule_id, detail, meta))


@dataclass(frozen=True)
class AssociationRequest:
    """The parts of an association request the rules look at, as they arrived."""

    method: str
    cart_id: str
    authorization: str | None = None
    account_token: str | None = None
    content_type: str | None = None
    body: bytes = b""
    body_too_large: bool = False
    """Set by the HTTP layer when it stopped reading a body past MAX_BODY_BYTES."""


@dataclass(frozen=True)
class CartsRequest:
    """A read of the cart (`getACart`, with `cart_id`) or of the account's carts (`getCarts`)."""

    base_url: str
    """Where the server was reached, for the answer's links (`https://host`, no trailing slash)."""
    authorization: str | None = None
    cart_id: str = ""
    account_token: str | None = None
    customer_token: str | None = None
    page_limit: tuple[str, ...] = ()
    page_offset: tuple[str, ...] = ()
    """Every value of the query parameter, as sent (a repeated one is refused)."""


@dataclass(frozen=True)
class UpdateRequest:
    """An update of a cart (`updateACart`), as it arrived."""

    base_url: str
    cart_id: str
    authorization: str | None = None
    content_type: str | None = None
    body: bytes = b""
    body_too_large: bool = False


@dataclass(frozen=True)
class TokenRequest:
    content_type: str | None
    body: bytes
    body_too_large: bool = False


@dataclass(frozen=True)
class LoginRequest:
    """An account member's login (POST /v2/account-members/tokens), as it arrived."""

    base_url: str
    authorization: str | None
    content_type: str | None
    body: bytes
    body_too_large: bool = False


@dataclass
class AssociationRules:
    """Applies RULE_TABLE to requests. Validators are built once, from openapi.yaml, at construction."""

    spec: ApiSpec
    settings: Settings
    store: CartStore
    tokens: TokenIssuer
    profile: StoreProfile | None = None
    """The store profile to follow (ep_cart_spec.profiles): for each mark that lists alternatives, which one
    these rules apply. None: openapi.yaml's own decisions, the defaults."""
    account_tokens: AccountTokenIssuer = field(default=None)  # type: ignore[assignment]
    """The account tokens members' logins issued (the configured static ones are in `accounts`); by default an
    issuer with the settings' lifetime."""
    clock: Clock = field(default_factory=Clock)
    """The mock's time, which the store and both issuers read (create_app gives them all this one)."""
    accounts: dict[str, str] = field(init=False)
    """Account Management Authentication token -> its account: the configured two, plus any a test adds."""
    contact_email_carts: dict[str, str] = field(init=False)
    """Cart ID -> the contact email attached to it: the configured cart, any a test marks, and any an update
    (PUT /v2/carts/{cartID}) attached one to."""
    _cart_id_validator: Any = field(init=False, repr=False)
    _body_validator: Any = field(init=False, repr=False)
    _update_validator: Any = field(init=False, repr=False)
    _token_request_validator: Any = field(init=False, repr=False)
    _login_validator: Any = field(init=False, repr=False)
    _page_validators: dict[str, Any] = field(init=False, repr=False)
    _page_defaults: dict[str, int] = field(init=False, repr=False)
    _pages: dict[tuple[str, int, int, str], tuple[tuple[int, int], bytes]] = field(
        init=False, repr=False, default_factory=dict
    )
    """(account, offset, limit, base URL) -> (the versions it was made at, the page's JSON)."""
    _contact_email_version: int = field(init=False, repr=False, default=0)
    _alternative_rules: dict[str, Rule] = field(init=False, repr=False, default_factory=dict)
    """The answers alternatives add (a mark's `answers` in openapi.yaml), by name: rules outside the table, read
    from the spec, since no operation documents them."""
    _reshaped: dict[str, Reshaped] = field(init=False, repr=False, default_factory=dict)
    """Rule id -> how the profile changes that error answer."""
    _status_as_string: bool = field(init=False, repr=False, default=False)
    """`error-status-type: string`: every error's `status` is sent as a string (`"400"`)."""
    _account_token_validator: Any = field(init=False, repr=False)
    _unknown_carts_refused: bool = field(init=False, repr=False, default=False)
    """`new-cart-id-is-a-new-cart: '404'`: a POST to a cart nobody has named answers 404."""
    _page_limit_maximum: int = field(init=False, repr=False, default=0)

    def __post_init__(self) -> None:
        self.profile = self.profile or default_profile(self.spec)
        self.account_tokens = self.account_tokens or AccountTokenIssuer(
            self.settings.account_token_ttl_seconds, self.clock.now
        )
        self.reset_fixtures()
        # A profile's alternative that takes a schema keyword away is applied by validating against the spec
        # with that mark relaxed (ApiSpec.relaxed): the same validators, one keyword fewer.
        relaxed = [mark for mark, alternative in RELAXING_ALTERNATIVES if self.profile.alternative(mark) == alternative]
        spec = self.spec.relaxed(relaxed) if relaxed else self.spec
        self._cart_id_validator = spec.validator(spec.path_parameter_schema(ASSOCIATION_PATH, "cartID"))
        self._body_validator = spec.validator(spec.request_schema(ASSOCIATION_PATH, "post", "application/json"))
        self._update_validator = spec.validator(spec.request_schema(CART_PATH, "put", "application/json"))
        self._account_token_validator = spec.validator(spec.document["components"]["schemas"]["AccountToken"])
        self._token_request_validator = spec.validator(
            spec.request_schema(TOKEN_PATH, "post", "application/x-www-form-urlencoded")
        )
        self._login_validator = spec.validator(spec.request_schema(LOGIN_PATH, "post", "application/json"))
        page_schemas = {name: spec.parameter_schema(CARTS_PATH, "get", name, "query") for name in PAGE_PARAMETERS}
        self._page_validators = {name: spec.validator(schema) for name, schema in page_schemas.items()}
        self._page_defaults = {name: int(spec.resolve(schema)["default"]) for name, schema in page_schemas.items()}
        self._page_limit_maximum = int(
            self.spec.resolve(self.spec.parameter_schema(CARTS_PATH, "get", PAGE_LIMIT, "query"))["maximum"]
        )
        self._alternative_rules = alternative_rules(self.spec)
        self._reshaped = self._reshaped_rules()
        self._status_as_string = self.profile.alternative("error-status-type") == "string"
        self._unknown_carts_refused = self.profile.alternative("new-cart-id-is-a-new-cart") == "404"

    def _reshaped_rules(self) -> dict[str, Reshaped]:
        """The error rules whose answer this profile changes: a status mark answered with another status, a
        documented message moved from the title to the detail, the store's own wording (`texts`)."""
        assert self.profile is not None
        marks = self.spec.assumptions
        messages = {text: message for mark in marks.values() for message, text in mark.messages}
        reshaped: dict[str, Reshaped] = {}
        for rule in (*RULE_TABLE, *self._alternative_rules.values()):
            if rule.status < 400:
                continue
            status = rule.status
            mark = marks.get(rule.assumption or "")
            if mark is not None and mark.alternatives and all(STATUS.fullmatch(key) for key, _ in mark.alternatives):
                status = int(self.profile.alternative(mark.id))  # a mark whose alternatives are statuses
            message = messages.get(rule.title)
            moved = rule.title if message is not None and self.profile.message(message) == "detail" else None
            wording = self.profile.texts.get(rule.id)
            if status != rule.status or moved is not None or wording is not None:
                reshaped[rule.id] = Reshaped(status, moved, wording)
        return reshaped

    def _alternative_answer(self, name: str) -> Answer:
        """The answer an alternative adds where openapi.yaml documents none (a mark's `answers`), as it names it."""
        rule = self._alternative_rules[name]
        return Answer(
            rule.status, {"errors": [{"status": rule.status, "title": rule.title, "detail": rule.detail}]}, rule
        )

    def shaped(self, answer: Answer) -> Answer:
        """An error answer as this profile gives it (unchanged under the defaults: one failed look-up): another
        status, the message moved to the detail, the status sent as a string."""
        reshaped = self._reshaped.get(answer.rule.id) if answer.rule is not None else None
        if reshaped is None and not self._status_as_string:
            return answer
        status, moved, wording = reshaped or Reshaped(answer.status)
        item = {**answer.body["errors"][0], "status": str(status) if self._status_as_string else status}
        if moved is not None:
            item["title"] = HTTPStatus(status).phrase
            item["detail"] = moved
        if wording is not None:
            item.update(wording)  # the store's title, and its detail when the profile gives one
            if "detail" in wording and wording["detail"] is None:
                del item["detail"]  # the store sends none
        return Answer(status, {"errors": [item]}, answer.rule)

    def _account_token(self, token: str | None) -> str | None:
        """The account token as the rules read it: an empty one is no token when the profile says so."""
        assert self.profile is not None
        if token == "" and self.profile.alternative("account-token-empty-refused") == "absent":
            return None
        return token

    def _customer_token(self, token: str | None) -> str | None:
        """The customer token as the rules read it: an empty one is no token when the profile says so."""
        assert self.profile is not None
        if token == "" and self.profile.alternative("customer-token-empty-refused") == "absent":
            return None
        return token

    def reset_fixtures(self) -> None:
        """The accounts and contact-email carts back to the configured ones (the store is reset apart)."""
        self.accounts = dict(self.settings.account_tokens)
        self.contact_email_carts = {self.settings.contact_email_cart_id: CONTACT_EMAIL}
        self._contact_email_version += 1

    def advance_clock(self, seconds: float) -> tuple[float, int]:
        """The mock's time moves on (the test control): tokens past their lifetime are refused as expired, and
        carts past theirs are purged, with their associations and their contact emails (reading one again makes
        a new, empty cart, S3). The total the clock has been moved on by, and how many carts this purged."""
        offset = self.clock.advance(seconds)
        purged = self.store.expire()
        if purged & self.contact_email_carts.keys():
            for cart_id in purged:
                self.contact_email_carts.pop(cart_id, None)
            self._contact_email_version += 1
        return offset, len(purged)

    def mark_contact_email_cart(self, cart_id: str) -> None:
        """From now on the cart shows a contact email, and associating an account with it is refused (422)."""
        self.contact_email_carts[cart_id] = CONTACT_EMAIL
        self._contact_email_version += 1

    # --- POST and DELETE /v2/carts/{cartID}/relationships/accounts ---------------------------------------

    def handle_association(self, request: AssociationRequest) -> Answer:
        try:
            grant = self._authenticate(request.authorization)
            self._check_cart_id(request.cart_id)
            account_id = self._parse_body(request)
            self._check_permission(grant, self._account_token(request.account_token), account_id)
            if request.cart_id in self.contact_email_carts:
                raise reject("cart-has-contact-email", meta={"cart_id": request.cart_id})
            if request.method == "post" and self._unknown_carts_refused and not self.store.exists(request.cart_id):
                return self.shaped(self._alternative_answer("cart-not-found"))
            if request.method == "delete":
                return self._dissociate(request.cart_id, account_id)
            return self._associate(request.cart_id, account_id)
        except Rejected as rejected:
            return self.shaped(rejected.answer)

    def _authenticate(self, authorization: str | None) -> GrantType:
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise reject("bearer-token-missing")
        found = self.tokens.lookup(token)
        if found is TokenLookup.EXPIRED:
            raise reject("bearer-token-expired")
        if not isinstance(found, IssuedToken):
            raise reject("bearer-token-invalid")
        return found.grant_type

    def _check_cart_id(self, cart_id: str) -> None:
        if not self._cart_id_validator.is_valid(cart_id):
            raise reject("cart-id-unsafe", meta={"value": cart_id[:300]})

    def _parse_body(self, request: AssociationRequest) -> str:
        """The account ID named in a valid body, in canonical (lower-case) UUID form."""
        if request.body_too_large or len(request.body) > MAX_BODY_BYTES:
            raise reject("body-too-large")
        if not request.body.strip():
            raise reject("body-missing")
        if media_type(request.content_type) != "application/json":
            raise reject("content-type-unsupported")
        document = parse_json(request.body)
        errors = list(self._body_validator.iter_errors(document))
        if errors:
            raise body_rejection(errors)
        account_id: str = document["data"][0]["id"]
        assert self.profile is not None
        if self.profile.alternative("account-id-is-a-uuid") == "any-string":
            return account_id  # compared exactly as sent
        return str(uuid.UUID(account_id))

    def _check_permission(self, grant: GrantType, account_token: str | None, account_id: str) -> None:
        assert self.profile is not None
        if grant is GrantType.CLIENT_CREDENTIALS and (
            self.profile.alternative("account-token-scopes-administrator") == "administrator"
        ):
            return  # the administrator stays one, whatever account token comes with it
        if account_token is not None:
            # With an account token the caller acts as that account, whatever the bearer token (assumption).
            owner = self._token_owner(account_token)
            if owner is None:
                raise reject("account-token-unknown")
            if owner != account_id:
                raise reject("account-token-other-account")
        elif grant is not GrantType.CLIENT_CREDENTIALS:
            raise reject("account-permission-denied")

    def _token_owner(self, account_token: str) -> str | None:
        """The account an account token acts for: a configured one, or one a login issued and still valid (an
        expired one is refused with 401, `account-token-expired-refused-with-401`); None for any other."""
        if not self._account_token_validator.is_valid(account_token):
            return None
        owner = self.accounts.get(account_token)
        if owner is not None:
            return owner
        found = self.account_tokens.lookup(account_token)
        if found is TokenLookup.EXPIRED:
            raise reject("account-token-expired")
        return found if isinstance(found, str) else None

    def _associate(self, cart_id: str, account_id: str) -> Answer:
        outcome = self.store.associate(cart_id, account_id)
        if outcome is AssociateOutcome.CREATED:
            return Answer(200, {"data": [{"id": account_id, "type": "account"}]}, RULES["association-created"])
        if outcome is AssociateOutcome.ALREADY_ASSOCIATED:
            return Answer(204, None, RULES["association-exists"])
        raise reject("cart-associated-with-other-account", meta={"cart_id": cart_id})

    def _dissociate(self, cart_id: str, account_id: str) -> Answer:
        if self.store.dissociate(cart_id, account_id):
            return Answer(204, None, RULES["association-deleted"])
        assert self.profile is not None
        if self.profile.alternative("delete-of-a-missing-association-answers-204") == "404":
            return self.shaped(self._alternative_answer("association-not-found"))
        return Answer(204, None, RULES["association-absent"])

    # --- GET /v2/carts/{cartID} and GET /v2/carts: the association's effect ---------------------------------

    def handle_cart(self, request: CartsRequest) -> Answer:
        try:
            self._authenticate(request.authorization)
            self._check_cart_id(request.cart_id)
        except Rejected as rejected:
            return self.shaped(rejected.answer)
        cart, created = self.store.read(request.cart_id)
        rule = RULES["cart-created-by-read" if created else "cart-read"]
        return Answer(200, b'{"data":' + self.cart_json(cart, request.base_url) + b"}", rule)

    # --- PUT /v2/carts/{cartID}: a contact email attached ---------------------------------------------------

    def handle_update(self, request: UpdateRequest) -> Answer:
        """The bearer token, the cart ID, the body, then the cart's account (`cart-update-checks-in-documented-
        order`): a contact email on a cart with an account is refused (S3, "and vice versa")."""
        try:
            self._authenticate(request.authorization)
            self._check_cart_id(request.cart_id)
            email = self._parse_update(request)
            cart = self.store.update(request.cart_id, shuts_out_accounts=email is not None)
            if cart is None:
                raise reject("contact-email-on-an-account-cart", meta={"cart_id": request.cart_id})
        except Rejected as rejected:
            return self.shaped(rejected.answer)
        if email is not None:
            self.contact_email_carts[cart.id] = email
            self._contact_email_version += 1
        return Answer(200, b'{"data":' + self.cart_json(cart, request.base_url) + b"}", RULES["contact-email-attached"])

    def _parse_update(self, request: UpdateRequest) -> str | None:
        """The contact email a valid update attaches, or None when it attaches none."""
        if not request.body.strip() and not request.body_too_large:
            raise reject("cart-update-invalid", 'Send {"data":{"contact":{"email":"..."}}} as application/json.')
        document = valid_json_body(
            request.body, request.body_too_large, request.content_type, self._update_validator, "cart-update-invalid"
        )
        email = (document["data"].get("contact") or {}).get("email")
        return email if isinstance(email, str) else None

    def handle_carts(self, request: CartsRequest) -> Answer:
        try:
            grant = self._authenticate(request.authorization)
            account_token = self._account_token(request.account_token)
            customer_token = self._customer_token(request.customer_token)
            if account_token is not None and customer_token is not None:
                raise reject("shopper-tokens-both")
            limit = self._page_value(PAGE_LIMIT, request.page_limit)
            offset = self._page_value(PAGE_OFFSET, request.page_offset)
            if grant is not GrantType.IMPLICIT or (account_token is None and customer_token is None):
                raise reject("shopper-token-required")
            if customer_token is not None:
                raise reject("customer-token-unknown")
            account_id = self._token_owner(account_token) if account_token is not None else None
            if account_id is None:
                raise reject("account-token-unknown")
        except Rejected as rejected:
            return self.shaped(rejected.answer)
        return Answer(200, self._page_json(account_id, offset, limit, request.base_url), RULES["carts-listed"])

    def _page_json(self, account_id: str, offset: int, limit: int, base_url: str) -> bytes:
        """One page of the account's list as JSON, made once per version of the list (and of the contact-email
        carts): storefronts read the same first page far more often than an association changes it."""
        key = (account_id, offset, limit, base_url)
        version = (self.store.list_version(account_id), self._contact_email_version)  # read before the page
        cached = self._pages.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        carts, total = self.store.page_of(account_id, offset, limit)
        page = b",".join(self.cart_json(cart, base_url) for cart in carts)
        rest = compact_json(page_links_and_meta(f"{base_url}{CARTS_PATH}", total, limit, offset))
        document = b'{"data":[' + page + b"]," + rest[1:]
        if len(self._pages) >= 1024:  # keys hold the client's base URL and page numbers: keep the table small
            self._pages.clear()
        self._pages[key] = (version, document)
        return document

    def _page_value(self, name: str, values: tuple[str, ...]) -> int:
        if not values:
            return self._page_defaults[name]
        text = values[0].strip()
        if len(values) > 1 or not WHOLE_NUMBER.fullmatch(text):
            raise reject("page-invalid", meta={"value": ",".join(values)[:300]})
        try:
            value = int(text)
        except ValueError:  # past Python's 4300 digits: no list is that long
            raise reject("page-invalid", meta={"value": text[:300]}) from None
        if not self._page_validators[name].is_valid(value):
            raise reject("page-invalid", meta={"value": text})
        if name == PAGE_LIMIT:
            return min(value, self._page_limit_maximum)  # above it only when the profile clamps (else refused)
        return value

    def cart_json(self, cart: Cart, base_url: str) -> bytes:
        """The cart as JSON, encoded once per version of the cart (lists send the same carts often) and kept on
        that version (a dict look-up, where a cache keyed by the cart would hash all its fields per read)."""
        email = self.contact_email_carts.get(cart.id)
        key = (base_url, email)
        found = cart.encoded.get(key)
        if found is None:
            if len(cart.encoded) >= 8:  # the base URL comes from the client's Host header: keep a few
                cart.encoded.clear()
            found = cart.encoded[key] = compact_json(cart_document(cart, base_url, email))
        return found

    # --- POST /oauth/access_token -----------------------------------------------------------------------

    def handle_token(self, request: TokenRequest) -> Answer:
        try:
            if request.body_too_large or len(request.body) > MAX_BODY_BYTES:
                raise reject("token-request-invalid", f"The form must be at most {MAX_BODY_BYTES} bytes.")
            if media_type(request.content_type) != "application/x-www-form-urlencoded":
                raise reject("token-request-invalid")
            try:
                form = dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
            except (UnicodeDecodeError, ValueError):
                raise reject("token-request-invalid") from None
            errors = list(self._token_request_validator.iter_errors(form))
            if any(list(error.instance_path) == ["grant_type"] for error in errors):
                raise reject("grant-type-unsupported")
            if errors:
                raise reject("token-request-invalid", describe(errors[0]))
            grant = GrantType(form["grant_type"])
            if grant is GrantType.CLIENT_CREDENTIALS and "client_secret" not in form:
                raise reject("client-secret-missing")
            if form["client_id"] != self.settings.client_id or (
                grant is GrantType.CLIENT_CREDENTIALS and form["client_secret"] != self.settings.client_secret
            ):
                raise reject("client-credentials-invalid")
            token = self.tokens.issue(grant)
            return Answer(200, token.as_response(self.tokens.ttl_seconds))
        except Rejected as rejected:
            return self.shaped(rejected.answer)

    # --- POST /v2/account-members/tokens ------------------------------------------------------------------

    def handle_login(self, request: LoginRequest) -> Answer:
        """A member's password login (S7): one token per account of the member, each lasting the configured
        lifetime. Any valid bearer token may ask (`account-member-login-takes-any-bearer`)."""
        try:
            self._authenticate(request.authorization)
            document = valid_json_body(
                request.body,
                request.body_too_large,
                request.content_type,
                self._login_validator,
                "account-member-login-invalid",
            )
            member = self._member(document["data"])
            if member is None:
                raise reject("account-member-credentials-invalid")
        except Rejected as rejected:
            return self.shaped(rejected.answer)
        issued = [self.account_tokens.issue(account_id) for account_id in member.account_ids]
        url = f"{request.base_url}{LOGIN_PATH}"
        body = {
            "data": [
                {
                    "type": "account_management_authentication_token",
                    "account_id": token.account_id,
                    "account_name": f"Account {token.account_id[:8]}",
                    "token": token.token,
                    "expires": timestamp(token.expires_at),
                }
                for token in issued
            ],
            **page_links_and_meta(url, len(issued), 25, 0),
        }
        body["meta"]["account_member_id"] = member.id
        return Answer(201, body, RULES["account-member-tokens-created"])

    def _member(self, login: Mapping[str, Any]) -> Member | None:
        """The member these credentials name, if the password profile, username and password all match."""
        if str(login["password_profile_id"]).lower() != self.settings.password_profile_id:
            return None
        for member in self.settings.members:
            same_name = secrets.compare_digest(member.username.encode(), str(login["username"]).encode())
            if same_name and secrets.compare_digest(member.password.encode(), str(login["password"]).encode()):
                return member
        return None


PAGE_LIMIT, PAGE_OFFSET = PAGE_PARAMETERS = ("page[limit]", "page[offset]")
RELAXING_ALTERNATIVES = (
    ("account-id-is-a-uuid", "any-string"),
    ("cart-id-at-most-255-characters", "not-enforced"),
    ("account-token-length", "not-enforced"),
    ("page-limit-above-100-refused", "clamped"),
    ("customer-token-empty-refused", "absent"),
)
"""(mark, alternative) that takes the keyword the mark covers out of the schema the rules validate with."""
STATUS = re.compile(r"[1-5][0-9][0-9]")
"""An alternative that is a status: each error rule resting on such a mark answers the profile's status."""
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
CONTACT_EMAIL = "guest@example.com"
"""The contact email the mock's contact-email carts show (any address would do; the vendor's example is S3's)."""


def compact_json(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def cart_document(cart: Cart, base_url: str, contact_email: str | None) -> dict[str, Any]:
    """A cart as openapi.yaml's `Cart` describes it."""
    document: dict[str, Any] = {
        "id": cart.id,
        "type": "cart",
        "name": cart.name,
        "description": cart.description,
        "links": {"self": f"{base_url}/v2/carts/{cart.id}"},
        "meta": {
            "timestamps": {
                "created_at": timestamp(cart.created_at),
                "updated_at": timestamp(cart.updated_at),
                "expires_at": timestamp(cart.expires_at),
            }
        },
        "relationships": {
            "accounts": {"data": [{"id": cart.account_id, "type": "account"}] if cart.account_id else []}
        },
    }
    if contact_email is not None:
        document["contact"] = {"email": contact_email}
    return document


@functools.lru_cache(maxsize=65536)
def timestamp(unix_time: float) -> str:
    """RFC 3339 in UTC, to the microsecond, as `date-time` asks (cached: a cart's times change rarely, and
    formatting them was most of the cost of a list)."""
    return datetime.fromtimestamp(unix_time, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def page_links_and_meta(url: str, total: int, limit: int, offset: int) -> dict[str, Any]:
    """`links` and `meta` of one page of a list (openapi.yaml `PageLinks`, `PageMeta`)."""

    def link(at: int | None) -> str | None:
        return None if at is None else f"{url}?page[limit]={limit}&page[offset]={at}"

    pages = -(-total // limit)
    last = max(pages - 1, 0) * limit
    return {
        "links": {
            "current": link(offset),
            "first": link(0),
            "last": link(last),
            "next": link(offset + limit) if offset + limit < total else None,
            "prev": link(max(offset - limit, 0)) if offset > 0 else None,
        },
        "meta": {
            "page": {"current": offset // limit + 1, "limit": limit, "offset": offset, "total": pages},
            "results": {"total": total},
        },
    }


def media_type(content_type: str | None) -> str:
    return (content_type or "").partition(";")[0].strip().lower()


def valid_json_body(body: bytes, too_large: bool, content_type: str | None, validator: Any, rule_id: str) -> Any:
    """A request's JSON body that its schema takes (the login's, the update's), or the rule's refusal naming why:
    too large, not JSON, or the first place it breaks the schema."""
    if too_large or len(body) > MAX_BODY_BYTES:
        raise reject(rule_id, f"The request body must be at most {MAX_BODY_BYTES} bytes.")
    if media_type(content_type) != "application/json":
        raise reject(rule_id, "The request body must be sent as application/json.")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise reject(rule_id, "The request body is not valid JSON.") from None
    error = next(iter(validator.iter_errors(document)), None)
    if error is not None:
        raise reject(rule_id, describe(error))
    return document


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise reject("json-malformed", f"The request body is not valid JSON: {error}") from None
    except RecursionError:
        raise reject("json-malformed", "The request body is nested too deeply to be a valid request.") from None


def body_rejection(errors: Iterable[ValidationError]) -> Rejected:
    """Map schema errors to the documented rule that explains them best, most specific first."""
    ranked: list[tuple[int, ValidationError, str]] = []
    for error in errors:
        path = list(error.instance_path)
        if path == ["data"] and error.kind.name == "type" and isinstance(error.instance, dict):
            ranked.append((0, error, "data-not-array"))
        elif path == ["data"] and error.kind.name == "maxItems":
            ranked.append((1, error, "more-than-one-account-in-request"))
        elif is_type_error(path, error):
            ranked.append((2, error, "account-type-invalid"))
        else:
            ranked.append((3, error, "body-invalid"))
    _, error, rule_id = min(ranked, key=lambda entry: entry[0])
    return reject(rule_id, describe(error) if rule_id == "body-invalid" else None)


def is_type_error(path: list[Any], error: ValidationError) -> bool:
    """Is this the entry's `type` being missing or not `account`?"""
    if len(path) == 3 and path[0] == "data" and path[2] == "type":
        return True
    return (
        len(path) == 2
        and path[0] == "data"
        and error.kind.name == "required"
        and error.kind.as_dict().get("property") == "type"
    )


def describe(error: ValidationError) -> str:
    """`data[0].id: 'x' is not a 'uuid'`: where the error is, then the validator's message, kept short."""
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.instance_path)
    message = error.message if len(error.message) <= 200 else error.message[:200] + "..."
    return f"{where.lstrip('.') or 'body'}: {message}"
