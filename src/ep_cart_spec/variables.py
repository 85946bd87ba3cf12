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
    "EP_PASSWORD_PROFILE_ID": "8a7b2c1d-3e4f-4a5b-9c6d-7e8f9a0b1c2d",
    "EP_ACCOUNT_MEMBER_USERNAME": "member@example.com",
    "EP_ACCOUNT_MEMBER_PASSWORD": "ep-mock-member-password",
    "EP_OTHER_ACCOUNT_MEMBER_USERNAME": "",
    "EP_OTHER_ACCOUNT_MEMBER_PASSWORD": "",
    "EP_TOKEN_TTL_SECONDS": "3600",
    "EP_ACCOUNT_TOKEN_TTL_SECONDS": "86400",
}
"""Each variable and the mock's default ("" for none: the mock's one member belongs to both accounts). Only the
mock reads the two TTL variables (the vendor's bearer tokens last 3600 s, S6; its account tokens 24 hours, S7)."""

DESCRIPTIONS: dict[str, str] = {
    "EP_CLIENT_ID": "application client ID the token endpoint accepts (both grants)",
    "EP_CLIENT_SECRET": "its client secret (client_credentials grant)",
    "EP_ACCOUNT_ID": "an account (a UUID)",
    "EP_ACCOUNT_TOKEN": "that account's Account Management Authentication token (unused when a member logs in)",
    "EP_OTHER_ACCOUNT_ID": "a second account",
    "EP_OTHER_ACCOUNT_TOKEN": "the second account's token (unused when a member logs in)",
    "EP_CONTACT_EMAIL_CART_ID": (
        "a cart with a contact email attached (answers 422); optional for the contract suite, which otherwise makes "
        "its own"
    ),
    "EP_PASSWORD_PROFILE_ID": "the password profile the account members log in with (a UUID)",
    "EP_ACCOUNT_MEMBER_USERNAME": "an account member of both accounts: the run logs in and renews the tokens",
    "EP_ACCOUNT_MEMBER_PASSWORD": "that member's password",
    "EP_OTHER_ACCOUNT_MEMBER_USERNAME": "another member, for the second account's token, when the first is not in it",
    "EP_OTHER_ACCOUNT_MEMBER_PASSWORD": "that member's password",
    "EP_TOKEN_TTL_SECONDS": "bearer token lifetime in seconds",
    "EP_ACCOUNT_TOKEN_TTL_SECONDS": "lifetime in seconds of the account tokens a member's login issues",
}
"""What the commands' --help say of each variable (the mock's and the contract suite's)."""

MOCK_ONLY_VARIABLES = ("EP_TOKEN_TTL_SECONDS", "EP_ACCOUNT_TOKEN_TTL_SECONDS")

FIXTURE_VARIABLES = tuple(name for name in DEFAULTS if name not in MOCK_ONLY_VARIABLES)
"""The store's values a client needs: application keys, accounts and their tokens or a member's credentials, the
contact-email cart (the contract suite's fixtures)."""

SECRET_VARIABLES = frozenset(
    {
        "EP_CLIENT_SECRET",
        "EP_ACCOUNT_TOKEN",
        "EP_OTHER_ACCOUNT_TOKEN",
        "EP_ACCOUNT_MEMBER_PASSWORD",
        "EP_OTHER_ACCOUNT_MEMBER_PASSWORD",
    }
)
"""Masked wherever a value is shown."""
