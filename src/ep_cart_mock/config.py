"""The mock's configuration, read in one place from environment variables.

The same variables configure the contract tests, so one shell setting drives both the mock and the suite.
Every default is a fixed, documented value, printed by the mock at start-up.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPOSITORY = PACKAGE.parents[1]


def shipped(name: str) -> Path:
    """A file the mock serves: the installed package's copy (the wheel carries it), else the checkout's."""
    return PACKAGE / name if (PACKAGE / name).is_file() else REPOSITORY / name


DEFAULT_SPEC_PATH = shipped("openapi.yaml")
CONTROLS_SPEC_PATH = shipped("mock-controls.yaml")
DEFAULT_DOCS_PATH = REPOSITORY / "docs" / "index.html"
"""Built by `make docs`; the mock serves it at /docs when it exists."""

DEFAULTS: dict[str, str] = {
    "EP_CLIENT_ID": "ep-mock-client-id",
    "EP_CLIENT_SECRET": "ep-mock-client-secret",
    "EP_ACCOUNT_ID": "0f9e7a52-3c7d-4b8e-9a51-6c2d1e4f8a01",
    "EP_ACCOUNT_TOKEN": "ep-mock-account-token-1",
    "EP_OTHER_ACCOUNT_ID": "5b3c1d2e-8f4a-4c6b-b7d9-2e1f0a3c5d72",
    "EP_OTHER_ACCOUNT_TOKEN": "ep-mock-account-token-2",
    "EP_CONTACT_EMAIL_CART_ID": "cart-with-contact-email",
    "EP_TOKEN_TTL_SECONDS": "3600",
}
"""Each variable and its default. Only the mock reads EP_TOKEN_TTL_SECONDS (the vendor's tokens last 3600 s)."""

FIXTURE_VARIABLES = tuple(name for name in DEFAULTS if name != "EP_TOKEN_TTL_SECONDS")
"""The store's values a client needs: application keys, accounts and their tokens, the contact-email cart (the
contract suite's fixtures)."""

SECRET_VARIABLES = frozenset({"EP_CLIENT_SECRET", "EP_ACCOUNT_TOKEN", "EP_OTHER_ACCOUNT_TOKEN"})

MAX_BODY_BYTES = 65536
"""Request bodies larger than this are refused before they are read whole (assumption; see openapi.yaml)."""


class ConfigError(ValueError):
    """A configuration value the mock cannot work with; the message says which variable and why."""


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
    test_controls: bool = False
    """EP_TEST_CONTROLS=1 (or --test-controls): serve the test controls of mock-controls.yaml under /_mock/
    (reset, add an account, mark a contact-email cart, read the state). Off by default."""
    spec_path: Path = DEFAULT_SPEC_PATH
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
        try:
            ttl = int(value("EP_TOKEN_TTL_SECONDS"))
        except ValueError:
            ttl = 0
        if ttl < 1:
            raise ConfigError("EP_TOKEN_TTL_SECONDS must be a whole number of seconds, at least 1.")
        return cls(
            client_id=value("EP_CLIENT_ID"),
            client_secret=value("EP_CLIENT_SECRET"),
            account_id=value("EP_ACCOUNT_ID"),
            account_token=value("EP_ACCOUNT_TOKEN"),
            other_account_id=value("EP_OTHER_ACCOUNT_ID"),
            other_account_token=value("EP_OTHER_ACCOUNT_TOKEN"),
            contact_email_cart_id=value("EP_CONTACT_EMAIL_CART_ID"),
            token_ttl_seconds=ttl,
            test_controls=env.get("EP_TEST_CONTROLS", "").lower() in {"1", "true", "yes"},
            spec_path=Path(env.get("EP_SPEC_PATH") or DEFAULT_SPEC_PATH),
        )

    @cached_property
    def account_tokens(self) -> dict[str, str]:
        """Account Management Authentication token -> the account it belongs to (built once; read per request)."""
        return {self.account_token: self.account_id, self.other_account_token: self.other_account_id}
