"""The association's effect, read: a cart (GET /v2/carts/{cartID}), its update with a contact email (PUT), and
the account's list of carts (GET /v2/carts). A cart's JSON is made once per version of the cart, a page of the
list once per version of the list (storefronts read the same first page far more often than an association
changes it)."""

from __future__ import annotations

import re

from ep_cart_mock.access import Access
from ep_cart_mock.answers import Answer, Rejected, Shaper, reject
from ep_cart_mock.render import cart_document, compact_json, page_links_and_meta
from ep_cart_mock.requests import CartsRequest, UpdateRequest
from ep_cart_mock.store import Cart, CartStore, ContactEmails
from ep_cart_mock.table import RULES
from ep_cart_mock.tokens import GrantType
from ep_cart_mock.validation import PAGE_LIMIT, PAGE_OFFSET, Validators, check_cart_id, valid_json_body
from ep_cart_spec import CARTS_PATH

WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


class Reads:
    """Reads of a cart and of the account's list, and a cart's update."""

    def __init__(
        self,
        access: Access,
        store: CartStore,
        contact_emails: ContactEmails,
        validators: Validators,
        shaped: Shaper,
    ) -> None:
        self.access = access
        self.store = store
        self.contact_emails = contact_emails
        self.validators = validators
        self.shaped = shaped
        self._pages: dict[tuple[str, int, int, str], tuple[tuple[int, int], bytes]] = {}
        """(account, offset, limit, base URL) -> (the versions it was made at, the page's JSON)."""

    # --- GET /v2/carts/{cartID} -----------------------------------------------------------------------------

    def handle_cart(self, request: CartsRequest) -> Answer:
        try:
            self.access.authenticate(request.authorization)
            check_cart_id(self.validators, request.cart_id)
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
            self.access.authenticate(request.authorization)
            check_cart_id(self.validators, request.cart_id)
            email = self._parse_update(request)
            cart = self.store.update(request.cart_id, shuts_out_accounts=email is not None)
            if cart is None:
                raise reject("contact-email-on-an-account-cart", meta={"cart_id": request.cart_id})
        except Rejected as rejected:
            return self.shaped(rejected.answer)
        if email is not None:
            self.contact_emails.attach(cart.id, email)
        return Answer(200, b'{"data":' + self.cart_json(cart, request.base_url) + b"}", RULES["contact-email-attached"])

    def _parse_update(self, request: UpdateRequest) -> str | None:
        """The contact email a valid update attaches, or None when it attaches none."""
        if not request.body.strip() and not request.body_too_large:
            raise reject("cart-update-invalid", 'Send {"data":{"contact":{"email":"..."}}} as application/json.')
        document = valid_json_body(
            request.body, request.body_too_large, request.content_type, self.validators.update, "cart-update-invalid"
        )
        email = (document["data"].get("contact") or {}).get("email")
        return email if isinstance(email, str) else None

    # --- GET /v2/carts --------------------------------------------------------------------------------------

    def handle_carts(self, request: CartsRequest) -> Answer:
        access = self.access
        try:
            grant = access.authenticate(request.authorization)
            account_token = access.account_token(request.account_token)
            customer_token = access.customer_token(request.customer_token)
            if account_token is not None and customer_token is not None:
                raise reject("shopper-tokens-both")
            limit = self._page_value(PAGE_LIMIT, request.page_limit)
            offset = self._page_value(PAGE_OFFSET, request.page_offset)
            if grant is not GrantType.IMPLICIT or (account_token is None and customer_token is None):
                raise reject("shopper-token-required")
            if customer_token is not None:
                raise reject("customer-token-unknown")
            account_id = access.token_owner(account_token) if account_token is not None else None
            if account_id is None:
                raise reject("account-token-unknown")
        except Rejected as rejected:
            return self.shaped(rejected.answer)
        return Answer(200, self._page_json(account_id, offset, limit, request.base_url), RULES["carts-listed"])

    def _page_json(self, account_id: str, offset: int, limit: int, base_url: str) -> bytes:
        """One page of the account's list as JSON, made once per version of the list (and of the contact-email
        carts)."""
        key = (account_id, offset, limit, base_url)
        version = (self.store.list_version(account_id), self.contact_emails.version)  # read before the page
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
        validators = self.validators
        if not values:
            return validators.page_defaults[name]
        text = values[0].strip()
        if len(values) > 1 or not WHOLE_NUMBER.fullmatch(text):
            raise reject("page-invalid", meta={"value": ",".join(values)[:300]})
        try:
            value = int(text)
        except ValueError:  # past Python's 4300 digits: no list is that long
            raise reject("page-invalid", meta={"value": text[:300]}) from None
        if not validators.page[name].is_valid(value):
            raise reject("page-invalid", meta={"value": text})
        if name == PAGE_LIMIT:
            return min(value, validators.page_limit_maximum)  # above it only when the profile clamps (else refused)
        return value

    def cart_json(self, cart: Cart, base_url: str) -> bytes:
        """The cart as JSON, encoded once per version of the cart (lists send the same carts often) and kept on
        that version (a dict look-up, where a cache keyed by the cart would hash all its fields per read)."""
        email = self.contact_emails.carts.get(cart.id)
        key = (base_url, email)
        found = cart.encoded.get(key)
        if found is None:
            if len(cart.encoded) >= 8:  # the base URL comes from the client's Host header: keep a few
                cart.encoded.clear()
            found = cart.encoded[key] = compact_json(cart_document(cart, base_url, email))
        return found
