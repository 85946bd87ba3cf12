"""The EP_* variables a client of the endpoint needs, read by the mock and the contract suite alike, and the
bundled mock's value for each: one shell setting drives both, and against the mock an unset one takes its
value here."""

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
"""Each variable and the mock's default. Only the mock reads EP_TOKEN_TTL_SECONDS (the vendor's tokens last
3600 s)."""

DESCRIPTIONS: dict[str, str] = {
    "EP_CLIENT_ID": "application client ID the token endpoint accepts (both grants)",
    "EP_CLIENT_SECRET": "its client secret (client_credentials grant)",
    "EP_ACCOUNT_ID": "an account (a UUID)",
    "EP_ACCOUNT_TOKEN": "that account's Account Management Authentication token",
    "EP_OTHER_ACCOUNT_ID": "a second account",
    "EP_OTHER_ACCOUNT_TOKEN": "the second account's token",
    "EP_CONTACT_EMAIL_CART_ID": "a cart with a contact email attached (answers 422)",
    "EP_TOKEN_TTL_SECONDS": "bearer token lifetime in seconds",
}
"""What the commands' --help say of each variable (the mock's and the contract suite's)."""

FIXTURE_VARIABLES = tuple(name for name in DEFAULTS if name != "EP_TOKEN_TTL_SECONDS")
"""The store's values a client needs: application keys, accounts and their tokens, the contact-email cart (the
contract suite's fixtures)."""

SECRET_VARIABLES = frozenset({"EP_CLIENT_SECRET", "EP_ACCOUNT_TOKEN", "EP_OTHER_ACCOUNT_TOKEN"})
"""Masked wherever a value is shown."""
