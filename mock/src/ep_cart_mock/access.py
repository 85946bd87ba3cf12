"""Who is asking: bearer tokens (POST /oauth/access_token issues them), the account tokens that act for an
account (configured ones, ones a test adds, and those a member's login issues, POST /v2/account-members/tokens),
and the shopper tokens a read of the account's carts may carry."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from ep_cart_mock.answers import Answer, Rejected, Shaper, reject
from ep_cart_mock.config import MAX_BODY_BYTES, Member, Settings
from ep_cart_mock.render import page_links_and_meta, timestamp
from ep_cart_mock.requests import LoginRequest, TokenRequest
from ep_cart_mock.table import RULES
from ep_cart_mock.tokens import AccountTokenIssuer, GrantType, IssuedToken, TokenIssuer, TokenLookup
from ep_cart_mock.validation import Validators, describe, media_type, valid_json_body
from ep_cart_spec import LOGIN_PATH, StoreProfile


class Access:
    """The tokens the mock knows and what each may do; the token endpoint and the members' login."""

    def __init__(
        self,
        settings: Settings,
        tokens: TokenIssuer,
        account_tokens: AccountTokenIssuer,
        profile: StoreProfile,
        validators: Validators,
        shaped: Shaper,
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self.account_tokens = account_tokens
        """The account tokens members' logins issued (the configured static ones are in `accounts`)."""
        self.accounts: dict[str, str] = dict(settings.account_tokens)
        """Account Management Authentication token -> its account: the configured two, plus any a test adds."""
        self.validators = validators
        self.shaped = shaped
        self._empty_account_token_absent = profile.alternative("account-token-empty-refused") == "absent"
        self._empty_customer_token_absent = profile.alternative("customer-token-empty-refused") == "absent"

    def authenticate(self, authorization: str | None) -> GrantType:
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

    def account_token(self, token: str | None) -> str | None:
        """The account token as the rules read it: an empty one is no token when the profile says so."""
        return None if token == "" and self._empty_account_token_absent else token

    def customer_token(self, token: str | None) -> str | None:
        """The customer token as the rules read it: an empty one is no token when the profile says so."""
        return None if token == "" and self._empty_customer_token_absent else token

    def token_owner(self, account_token: str) -> str | None:
        """The account an account token acts for: a configured one, or one a login issued and still valid (an
        expired one is refused with 401, `account-token-expired-refused-with-401`); None for any other."""
        if not self.validators.account_token.is_valid(account_token):
            return None
        owner = self.accounts.get(account_token)
        if owner is not None:
            return owner
        found = self.account_tokens.lookup(account_token)
        if found is TokenLookup.EXPIRED:
            raise reject("account-token-expired")
        return found if isinstance(found, str) else None

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
            errors = list(self.validators.token_request.iter_errors(form))
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
            self.authenticate(request.authorization)
            document = valid_json_body(
                request.body,
                request.body_too_large,
                request.content_type,
                self.validators.login,
                "account-member-login-invalid",
            )
            member = self.member(document["data"])
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

    def member(self, login: Mapping[str, Any]) -> Member | None:
        """The member these credentials name, if the password profile, username and password all match."""
        if str(login["password_profile_id"]).lower() != self.settings.password_profile_id:
            return None
        for member in self.settings.members:
            same_name = secrets.compare_digest(member.username.encode(), str(login["username"]).encode())
            if same_name and secrets.compare_digest(member.password.encode(), str(login["password"]).encode()):
                return member
        return None
