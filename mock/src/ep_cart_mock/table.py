"""The endpoint's documented rules, as one table: each rule's status, sources and operations, its words read from
the spec.

Each rule is one entry of RULE_TABLE: the answer's status, the vendor's sources for it (S1..S7, docs/sources.md)
and, where the vendor is silent, the id of the `x-assumptions` mark in openapi.yaml that holds our decision and
its reason (declared there once, read here by id). openapi.yaml names each rule by its id in the response it
belongs to, with a named example of its answer: an error rule's title, and its detail, are read from that example
(`ApiSpec.error_examples`; the test controls' from mock-controls.yaml), never written here. Only the rules no
example shows carry their own words: the successes, and the answers outside every operation that the spec
cannot document (an undocumented method, a request that is not HTTP, the docs page not built).
tests/mock/test_rules_match_spec.py holds the table and the spec together, marks included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus

from ep_cart_mock.config import MAX_BODY_BYTES
from ep_cart_spec import CONTROLS_SPEC_PATH, ApiSpec, load
from ep_cart_spec.document import ErrorExample

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


@dataclass(frozen=True)
class Entry:
    """One line of the table as written here: a rule without the words its spec example gives."""

    id: str
    status: int
    source: str
    assumption: str | None
    operations: tuple[str, ...]
    title: str | None = None
    """Only where no example of the rule exists: a success's reason phrase is taken when it is None."""
    detail: str | None = None
    """Where no example exists, or where the example's detail is one request's (the answer then says what was
    wrong with the request at hand, and this is what the rule means)."""


_OLD_401 = "S3 (older) lists 401"

# The table is laid out by hand so it reads as a table.
# fmt: off
ENTRIES: tuple[Entry, ...] = (
    # Bearer token (checked first).
    Entry("bearer-token-missing", 401, f"{_OLD_401}; S1 documents bearer security",
          "unauthorized-body-is-an-errors-array", BEARER_OPERATIONS),
    Entry("bearer-token-invalid", 401, _OLD_401, "unauthorized-body-is-an-errors-array", BEARER_OPERATIONS),
    Entry("bearer-token-expired", 401, f"S6: tokens expire after expires_in seconds; {_OLD_401}",
          "unauthorized-body-is-an-errors-array", BEARER_OPERATIONS),
    # An account token a login issued, past its 24 hours (S7).
    Entry("account-token-expired", 401, "S7: account tokens expire after 24 hours",
          "account-token-expired-refused-with-401", ASSOCIATION_OPERATIONS + LIST_CARTS),
    # The cart ID.
    Entry("cart-id-unsafe", 400, "S5 safe characters", "cart-id-at-most-255-characters",
          ASSOCIATION_OPERATIONS + READ_CART + UPDATE_CART),
    # The body, before and after parsing.
    Entry("body-too-large", 400, "none", "body-too-large", ASSOCIATION_OPERATIONS),
    Entry("body-missing", 400, "none", "body-missing", ASSOCIATION_OPERATIONS),
    Entry("content-type-unsupported", 400, "S1 documents JSON bodies", "content-type-unsupported",
          ASSOCIATION_OPERATIONS),
    Entry("json-malformed", 400, "none", "json-malformed", ASSOCIATION_OPERATIONS,
          detail="The request body is not valid JSON."),
    Entry("data-not-array", 403, "S2", None, ASSOCIATION_OPERATIONS),
    Entry("more-than-one-account-in-request", 403, "S2", None, ASSOCIATION_OPERATIONS),
    Entry("account-type-invalid", 400, "S2", None, ASSOCIATION_OPERATIONS),
    Entry("body-invalid", 400, "none", "body-invalid", ASSOCIATION_OPERATIONS,
          detail="The body does not match AccountCartAssociationRequest."),
    # Who may act for the account.
    Entry("account-permission-denied", 403, "S2: an implicit token needs the account's token", None,
          ASSOCIATION_OPERATIONS),
    Entry("account-token-unknown", 403, "S2 gives the message", "account-token-unknown",
          ASSOCIATION_OPERATIONS + LIST_CARTS),
    Entry("account-token-other-account", 403, "S2 gives the message", "account-token-other-account",
          ASSOCIATION_OPERATIONS),
    # The cart.
    Entry("cart-has-contact-email", 422, "S2, S3 (422 example) for POST",
          "delete-on-a-contact-email-cart-answers-422", ASSOCIATION_OPERATIONS),
    Entry("cart-associated-with-other-account", 403, "S2 gives the message", "cart-holds-one-account", POST_ONLY),
    # Success.
    Entry("association-created", 200, "S1", None, POST_ONLY,
          detail="The account is now associated with the cart."),
    Entry("association-exists", 204, "S1", None, POST_ONLY,
          detail="The account was already associated with the cart."),
    Entry("association-deleted", 204, "S3", None, DELETE_ONLY, detail="The association is gone."),
    Entry("association-absent", 204, "none", "delete-of-a-missing-association-answers-204", DELETE_ONLY,
          detail="There was no such association; nothing changed."),
    # GET /v2/carts/{cartID}: the association's effect on the cart.
    Entry("cart-read", 200, "S3", None, READ_CART, detail="The cart, with its account among its relationships."),
    Entry("cart-created-by-read", 200, "S3", None, READ_CART, detail="The cart ID was new: an empty cart named Cart."),
    # PUT /v2/carts/{cartID}: a contact email attached, which keeps accounts off the cart (checked in this order).
    Entry("cart-update-invalid", 400, "none", "cart-update-refused-with-400", UPDATE_CART,
          detail="The body does not match CartUpdateRequest."),
    Entry("contact-email-on-an-account-cart", 422, "S3: an error (no status given)",
          "contact-email-on-an-account-cart-answers-422", UPDATE_CART),
    Entry("contact-email-attached", 200, "S3", None, UPDATE_CART, detail="The cart, with its contact email."),
    # GET /v2/carts: the association's effect on the account's list (checked in this order).
    Entry("shopper-tokens-both", 400, "S3: only one of the two tokens", "both-shopper-tokens-refused-with-400",
          LIST_CARTS),
    Entry("page-invalid", 400, "S3: page[limit] up to 100", "page-out-of-range-refused-with-400", LIST_CARTS),
    Entry("shopper-token-required", 403, "S3", "shopper-token-refused-with-403", LIST_CARTS),
    Entry("customer-token-unknown", 403, "S3 documents the header", "customer-token-unknown", LIST_CARTS),
    Entry("carts-listed", 200, "S3", None, LIST_CARTS, detail="The account's carts, newest first."),
    # POST /oauth/access_token.
    Entry("token-request-invalid", 400, "none", "token-request-refused-with-400", TOKEN_OPERATION),
    Entry("grant-type-unsupported", 400, "S6 lists the two grants", "token-request-refused-with-400",
          TOKEN_OPERATION),
    Entry("client-secret-missing", 400, "S6", "token-request-refused-with-400", TOKEN_OPERATION),
    Entry("client-credentials-invalid", 401, "none", "token-credentials-refused-with-401", TOKEN_OPERATION),
    # POST /v2/account-members/tokens (S7), the password mechanism.
    Entry("account-member-login-invalid", 400, "none", "account-member-login-refused-with-400", LOGIN_OPERATION,
          detail="The body does not match AccountMemberTokenRequest."),
    Entry("account-member-credentials-invalid", 401, "S7 documents 401", None, LOGIN_OPERATION),
    Entry("account-member-tokens-created", 201, "S7", None, LOGIN_OPERATION,
          detail="One account token per account of the member."),
    # Outside every operation: openapi.yaml documents none of them (mock-controls.yaml shows path-unknown).
    Entry("path-unknown", 404, "none", "undocumented-requests-refused", ()),
    Entry("docs-not-built", 404, "none", "undocumented-requests-refused", (), title=HTTPStatus(404).phrase,
          detail="The docs page is not built yet: run make docs, then restart the mock."),
    Entry("http-request-malformed", 400, "none", "undocumented-requests-refused", (),
          title="Malformed HTTP request", detail="Send a valid HTTP/1.1 request."),
    Entry("method-not-allowed", 405, "none", "undocumented-requests-refused", (), title=HTTPStatus(405).phrase,
          detail="This method is not documented for this path; see /openapi.yaml."),
    # The mock's own test controls (mock-controls.yaml), off the vendor's paths and off by default.
    Entry("control-request-invalid", 400, "mock-controls.yaml", None, (),
          detail="The body does not match mock-controls.yaml."),
    Entry("account-token-taken", 409, "mock-controls.yaml", None, ()),
)
# fmt: on


def examples_by_rule(specs: Iterable[ApiSpec]) -> dict[str, list[ErrorExample]]:
    """Every named example of an error answer in these specs, by the rule its name is."""
    found: dict[str, list[ErrorExample]] = {}
    for spec in specs:
        for example in spec.error_examples:
            found.setdefault(example.name, []).append(example)
    return found


def read_rule(entry: Entry, examples: list[ErrorExample]) -> Rule:
    """The rule with its words: the examples' title and detail, which must agree wherever the rule is shown (a
    ValueError names a disagreement); the entry's own words where no example shows the rule."""
    if not examples:
        title = entry.title or HTTPStatus(entry.status).phrase
        if entry.status >= 400 and entry.title is None:
            raise ValueError(f"rule {entry.id}: no example in the spec gives its title, and the table gives none")
        return Rule(entry.id, entry.status, title, entry.detail or "", entry.source, entry.assumption, entry.operations)
    shown = {(example.status, example.title, None if entry.detail else example.detail) for example in examples}
    if len(shown) != 1:
        raise ValueError(f"rule {entry.id}: its examples disagree: {sorted(shown, key=str)}")
    ((status, title, detail),) = shown
    if status != entry.status:
        raise ValueError(f"rule {entry.id}: the table says {entry.status}, its examples {status}")
    if entry.title is not None:
        raise ValueError(f"rule {entry.id}: the table gives a title, but its examples give it")
    detail = entry.detail or detail
    if not detail:
        raise ValueError(f"rule {entry.id}: its example gives no detail, and the table gives none")
    return Rule(entry.id, status, title, detail, entry.source, entry.assumption, entry.operations)


def alternative_rules(spec: ApiSpec) -> tuple[Rule, ...]:
    """Each answer an alternative adds (openapi.yaml: a mark's `answers`), as a rule of that mark: no operation
    documents it, the mark gives its words."""
    return tuple(
        Rule(name, int(item["status"]), str(item["title"]), str(item.get("detail", "")), "none", mark.id, ())
        for mark in spec.assumptions.values()
        for name, _, item in mark.answers
    )


def byte_limit(rule: Rule) -> Rule:
    """body-too-large's detail names the limit the mock enforces; the example must name the same."""
    if rule.id == "body-too-large" and str(MAX_BODY_BYTES) not in rule.detail:
        raise ValueError(f"body-too-large: the spec's example says {rule.detail!r}, the mock takes {MAX_BODY_BYTES}")
    return rule


_EXAMPLES = examples_by_rule((load(), ApiSpec.load(CONTROLS_SPEC_PATH)))
RULE_TABLE: tuple[Rule, ...] = tuple(byte_limit(read_rule(entry, _EXAMPLES.get(entry.id, []))) for entry in ENTRIES)
ALTERNATIVE_RULES: tuple[Rule, ...] = alternative_rules(load())
RULES: Mapping[str, Rule] = {rule.id: rule for rule in (*RULE_TABLE, *ALTERNATIVE_RULES)}
"""Every rule by id: the table's, and the answers the store profiles' alternatives add."""
