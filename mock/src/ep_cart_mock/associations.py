"""POST and DELETE of the association: who may act for the member the body names, and what the store then does.
The relationship (its path, its members' type, its bodies) is the spec's (`ep_cart_spec.association()`)."""

from __future__ import annotations

import uuid

from ep_cart_mock.access import Access
from ep_cart_mock.answers import Answer, Rejected, Shaper, error_answer, reject
from ep_cart_mock.config import MAX_BODY_BYTES
from ep_cart_mock.render import ASSOCIATION
from ep_cart_mock.requests import AssociationRequest
from ep_cart_mock.store import AssociateOutcome, CartStore, ContactEmails
from ep_cart_mock.table import RULES
from ep_cart_mock.tokens import GrantType
from ep_cart_mock.validation import Validators, body_rejection, check_cart_id, media_type, parse_json
from ep_cart_spec import StoreProfile


class Associations:
    """The association's rules, in the order openapi.yaml documents them."""

    def __init__(
        self,
        access: Access,
        store: CartStore,
        contact_emails: ContactEmails,
        validators: Validators,
        profile: StoreProfile,
        shaped: Shaper,
    ) -> None:
        self.access = access
        self.store = store
        self.contact_emails = contact_emails
        self.validators = validators
        self.shaped = shaped
        self._any_member_id = profile.alternative("account-id-is-a-uuid") == "any-string"
        self._administrator_stays = profile.alternative("account-token-scopes-administrator") == "administrator"
        self._unknown_carts_refused = profile.alternative("new-cart-id-is-a-new-cart") == "404"
        """`new-cart-id-is-a-new-cart: '404'`: a POST to a cart nobody has named answers 404."""
        self._missing_association_refused = profile.alternative("delete-of-a-missing-association-answers-204") == "404"

    def handle(self, request: AssociationRequest) -> Answer:
        try:
            grant = self.access.authenticate(request.authorization)
            check_cart_id(self.validators, request.cart_id)
            member_id = self._parse_body(request)
            self._check_permission(grant, self.access.account_token(request.account_token), member_id)
            if request.cart_id in self.contact_emails.carts:
                raise reject("cart-has-contact-email", meta={"cart_id": request.cart_id})
            if request.method == "post" and self._unknown_carts_refused and not self.store.exists(request.cart_id):
                return self.shaped(error_answer("cart-not-found"))
            if request.method == "delete":
                return self._dissociate(request.cart_id, member_id)
            return self._associate(request.cart_id, member_id)
        except Rejected as rejected:
            return self.shaped(rejected.answer)

    def _parse_body(self, request: AssociationRequest) -> str:
        """The member ID named in a valid body, in canonical (lower-case) UUID form."""
        if request.body_too_large or len(request.body) > MAX_BODY_BYTES:
            raise reject("body-too-large")
        if not request.body.strip():
            raise reject("body-missing")
        if media_type(request.content_type) != "application/json":
            raise reject("content-type-unsupported")
        document = parse_json(request.body)
        errors = list(self.validators.association_body.iter_errors(document))
        if errors:
            raise body_rejection(errors)
        (member_id,) = ASSOCIATION.member_ids(document)  # the schema takes exactly one
        if self._any_member_id:
            return member_id  # compared exactly as sent
        return str(uuid.UUID(member_id))

    def _check_permission(self, grant: GrantType, account_token: str | None, member_id: str) -> None:
        if grant is GrantType.CLIENT_CREDENTIALS and self._administrator_stays:
            return  # the administrator stays one, whatever account token comes with it
        if account_token is not None:
            # With an account token the caller acts as that account, whatever the bearer token (assumption).
            owner = self.access.token_owner(account_token)
            if owner is None:
                raise reject("account-token-unknown")
            if owner != member_id:
                raise reject("account-token-other-account")
        elif grant is not GrantType.CLIENT_CREDENTIALS:
            raise reject("account-permission-denied")

    def _associate(self, cart_id: str, member_id: str) -> Answer:
        outcome = self.store.associate(cart_id, member_id)
        if outcome is AssociateOutcome.CREATED:
            return Answer(200, ASSOCIATION.body([member_id]), RULES["association-created"])
        if outcome is AssociateOutcome.ALREADY_ASSOCIATED:
            return Answer(204, None, RULES["association-exists"])
        raise reject("cart-associated-with-other-account", meta={"cart_id": cart_id})

    def _dissociate(self, cart_id: str, member_id: str) -> Answer:
        if self.store.dissociate(cart_id, member_id):
            return Answer(204, None, RULES["association-deleted"])
        if self._missing_association_refused:
            return self.shaped(error_answer("association-not-found"))
        return Answer(204, None, RULES["association-absent"])
