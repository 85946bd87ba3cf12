"""The mock's configuration, read in one place from environment variables.

The same variables configure the contract tests (ep_cart_spec.variables names them, with the defaults), so one
shell setting drives both the mock and the suite. Every default is printed by the mock at start-up.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ep_cart_spec import CONTROLS_SPEC_PATH, DEFAULTS, SPEC_PATH

CHECKOUT_DOCS_PATH = Path(__file__).resolve().parents[3] / "docs" / "index.html"
"""Built by `make docs` in a checkout."""
PACKAGED_DOCS_PATH = Path(__file__).resolve().parent / "docs" / "index.html"
"""The same page, built into the wheel by `make dist` (the installed mock's, with no checkout)."""
DEFAULT_DOCS_PATH = CHECKOUT_DOCS_PATH if CHECKOUT_DOCS_PATH.is_file() else PACKAGED_DOCS_PATH
"""The page the mock serves at /docs: the checkout's when there is one, else the wheel's (`--docs` names
another)."""

MAX_BODY_BYTES = 65536
"""Request bodies larger than this are refused before they are read whole (assumption; see openapi.yaml)."""


class ConfigError(ValueError):
    """A configuration value the mock cannot work with; the message says which variable and why."""


@dataclass(frozen=True)
class Member:
    """An account member who can log in (POST /v2/account-members/tokens) with the password profile."""

    username: str
    password: str
    account_ids: tuple[str, ...]
    """The accounts the member belongs to (S7: many to many), in the order the login lists their tokens."""

    @property
    def id(self) -> str:
        """The member's ID (`meta.account_member_id`), the same for the same username."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"ep-cart-mock:member:{self.username}"))


@dataclass(frozen=True)
class Settings:
    client_id: str
    client_secret: str
    account_id: str
    account_token: str
    other_account_id: str
    other_account_token: str
    contact_email_cart_id: str
    token_ttl_seconds: int
    password_profile_id: str = ""
    members: tuple[Member, ...] = ()
    """EP_ACCOUNT_MEMBER_*: one member of both accounts by default; EP_OTHER_ACCOUNT_MEMBER_* adds a member of the
    second account alone."""
    account_token_ttl_seconds: int = 86400
    """EP_ACCOUNT_TOKEN_TTL_SECONDS: how long an account token from a login lasts (S7: 24 hours)."""
    test_controls: bool = False
    """EP_TEST_CONTROLS=1 (or --test-controls): serve the test controls of mock-controls.yaml under /_mock/
    (reset, add an account, mark a contact-email cart, read the state). Off by default."""
    store_profile: Path | None = None
    """EP_STORE_PROFILE (or --store-profile): a store profile (ep_cart_spec.profiles) whose alternatives the mock
    follows instead of openapi.yaml's defaults. Unset: the defaults."""
    spec_path: Path = SPEC_PATH
    controls_spec_path: Path = CONTROLS_SPEC_PATH
    docs_path: Path = DEFAULT_DOCS_PATH

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def value(name: str) -> str:
            return env.get(name) or DEFAULTS[name]

        for name in ("EP_ACCOUNT_ID", "EP_OTHER_ACCOUNT_ID"):
            try:
                uuid.UUID(value(name))
            except ValueError:
                raise ConfigError(f"{name}={value(name)!r} is not a UUID; Elastic Path account IDs are.") from None
        if value("EP_ACCOUNT_TOKEN") == value("EP_OTHER_ACCOUNT_TOKEN"):
            raise ConfigError("EP_ACCOUNT_TOKEN and EP_OTHER_ACCOUNT_TOKEN must differ: each names one account.")
        ttl = seconds("EP_TOKEN_TTL_SECONDS", value("EP_TOKEN_TTL_SECONDS"))
        account_ttl = seconds("EP_ACCOUNT_TOKEN_TTL_SECONDS", value("EP_ACCOUNT_TOKEN_TTL_SECONDS"))
        profile_id = value("EP_PASSWORD_PROFILE_ID")
        try:
            uuid.UUID(profile_id)
        except ValueError:
            raise ConfigError(
                f"EP_PASSWORD_PROFILE_ID={profile_id!r} is not a UUID; password profile IDs are."
            ) from None
        accounts = (value("EP_ACCOUNT_ID").lower(), value("EP_OTHER_ACCOUNT_ID").lower())
        members = [Member(value("EP_ACCOUNT_MEMBER_USERNAME"), value("EP_ACCOUNT_MEMBER_PASSWORD"), accounts)]
        other = value("EP_OTHER_ACCOUNT_MEMBER_USERNAME")
        if other:
            if other == members[0].username:
                raise ConfigError("EP_OTHER_ACCOUNT_MEMBER_USERNAME must differ from EP_ACCOUNT_MEMBER_USERNAME.")
            # The first member then stands for the first account alone, the other for the second.
            members = [
                Member(members[0].username, members[0].password, accounts[:1]),
                Member(other, value("EP_OTHER_ACCOUNT_MEMBER_PASSWORD"), accounts[1:]),
            ]
        for member, name in zip(members, ("EP_ACCOUNT_MEMBER", "EP_OTHER_ACCOUNT_MEMBER"), strict=False):
            if not member.username or not member.password:
                raise ConfigError(f"{name}_USERNAME and {name}_PASSWORD must both be set, or neither.")
        return cls(
            password_profile_id=profile_id.lower(),
            members=tuple(members),
            account_token_ttl_seconds=account_ttl,
            client_id=value("EP_CLIENT_ID"),
            client_secret=value("EP_CLIENT_SECRET"),
            account_id=value("EP_ACCOUNT_ID"),
            account_token=value("EP_ACCOUNT_TOKEN"),
            other_account_id=value("EP_OTHER_ACCOUNT_ID"),
            other_account_token=value("EP_OTHER_ACCOUNT_TOKEN"),
            contact_email_cart_id=value("EP_CONTACT_EMAIL_CART_ID"),
            token_ttl_seconds=ttl,
            test_controls=env.get("EP_TEST_CONTROLS", "").lower() in {"1", "true", "yes"},
            store_profile=Path(env["EP_STORE_PROFILE"]) if env.get("EP_STORE_PROFILE") else None,
        )

    @cached_property
    def account_tokens(self) -> dict[str, str]:
        """Account Management Authentication token -> the account it belongs to (built once; read per request)."""
        return {self.account_token: self.account_id, self.other_account_token: self.other_account_id}


def seconds(name: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigError(f"{name} must be a whole number of seconds, at least 1.")
    return value
