"""The rules of the table (table.py) applied to requests, with no HTTP in sight: one object the HTTP layer and
the test controls hold, made of the parts that each apply one concern.

- `access.py`: who is asking (bearer tokens, account tokens, the token endpoint, members' logins);
- `associations.py`: POST and DELETE of the association;
- `reads.py`: a cart read or updated, and the account's list of carts;
- `validation.py`: the spec's schemas, compiled once, and a schema error's rule;
- `answers.py`: answers, refusals, and the store profile's reshaping of error answers;
- `render.py`: the answers' JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ep_cart_mock.access import Access
from ep_cart_mock.answers import Answer, Shaper
from ep_cart_mock.associations import Associations
from ep_cart_mock.clock import Clock
from ep_cart_mock.config import Settings
from ep_cart_mock.reads import Reads
from ep_cart_mock.requests import AssociationRequest, CartsRequest, LoginRequest, TokenRequest, UpdateRequest
from ep_cart_mock.store import CartStore, ContactEmails
from ep_cart_mock.tokens import AccountTokenIssuer, TokenIssuer
from ep_cart_mock.validation import Validators
from ep_cart_spec import ApiSpec, StoreProfile, default_profile

CONTACT_EMAIL = "guest@example.com"
"""The contact email the mock's contact-email carts show (any address would do; the vendor's example is S3's)."""


@dataclass
class AssociationRules:
    """Applies the rule table to requests. Validators are built once, from openapi.yaml, at construction."""

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
    contact_emails: ContactEmails = field(init=False, default_factory=ContactEmails)
    access: Access = field(init=False, repr=False)
    associations: Associations = field(init=False, repr=False)
    reads: Reads = field(init=False, repr=False)
    shaped: Shaper = field(init=False, repr=False)
    """An error answer as the profile gives it (unchanged under the defaults: one failed look-up)."""

    def __post_init__(self) -> None:
        profile = self.profile = self.profile or default_profile(self.spec)
        self.account_tokens = self.account_tokens or AccountTokenIssuer(
            self.settings.account_token_ttl_seconds, self.clock.now
        )
        validators = Validators.of(self.spec, profile)
        self.shaped = Shaper(self.spec, profile)
        self.access = Access(self.settings, self.tokens, self.account_tokens, profile, validators, self.shaped)
        parts = (self.access, self.store, self.contact_emails, validators)
        self.associations = Associations(*parts, profile, self.shaped)
        self.reads = Reads(*parts, self.shaped)
        self.reset_fixtures()

    @property
    def accounts(self) -> dict[str, str]:
        """Account Management Authentication token -> its account: the configured two, plus any a test adds."""
        return self.access.accounts

    @property
    def contact_email_carts(self) -> dict[str, str]:
        """Cart ID -> the contact email attached to it: the configured cart, any a test marks, and any an update
        (PUT /v2/carts/{cartID}) attached one to."""
        return self.contact_emails.carts

    def handle_association(self, request: AssociationRequest) -> Answer:
        return self.associations.handle(request)

    def handle_cart(self, request: CartsRequest) -> Answer:
        return self.reads.handle_cart(request)

    def handle_update(self, request: UpdateRequest) -> Answer:
        return self.reads.handle_update(request)

    def handle_carts(self, request: CartsRequest) -> Answer:
        return self.reads.handle_carts(request)

    def handle_token(self, request: TokenRequest) -> Answer:
        return self.access.handle_token(request)

    def handle_login(self, request: LoginRequest) -> Answer:
        return self.access.handle_login(request)

    def reset_fixtures(self) -> None:
        """The accounts and contact-email carts back to the configured ones (the store is reset apart)."""
        self.access.accounts = dict(self.settings.account_tokens)
        self.contact_emails.reset({self.settings.contact_email_cart_id: CONTACT_EMAIL})

    def advance_clock(self, seconds: float) -> tuple[float, int]:
        """The mock's time moves on (the test control): tokens past their lifetime are refused as expired, and
        carts past theirs are purged, with their associations and their contact emails (reading one again makes
        a new, empty cart, S3). The total the clock has been moved on by, and how many carts this purged."""
        offset = self.clock.advance(seconds)
        purged = self.store.expire()
        self.contact_emails.purge(purged)
        return offset, len(purged)

    def mark_contact_email_cart(self, cart_id: str) -> None:
        """From now on the cart shows a contact email, and associating an account with it is refused (422)."""
        self.contact_emails.attach(cart_id, CONTACT_EMAIL)
