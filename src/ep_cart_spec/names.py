"""The names openapi.yaml gives what every part refers to: its paths, the vendor's headers, and its extensions."""

import re
from urllib.parse import unquote

ASSOCIATION_PATH = "/v2/carts/{cartID}/relationships/accounts"
CART_PATH = "/v2/carts/{cartID}"
CARTS_PATH = "/v2/carts"
TOKEN_PATH = "/oauth/access_token"
LOGIN_PATH = "/v2/account-members/tokens"
"""An account member's login (S7): the account tokens."""


def cart_id_of(path: str) -> str | None:
    """The cart ID a request's path names in `{cartID}` (CART_PATH, ASSOCIATION_PATH), percent-decoded; None for
    a path that names none. The one place the kit reads it from a path."""
    parts = path.split("/")
    if len(parts) > 3 and "/".join(parts[:3]) == CARTS_PATH and parts[3]:
        return unquote(parts[3])
    return None


ACCOUNT_TOKEN_HEADER = "EP-Account-Management-Authentication-Token"
"""The account's token (S1), on the association and on the account's list of carts."""
CUSTOMER_TOKEN_HEADER = "x-moltin-customer-token"
"""A customer's token (S3), the other shopper token of the account's list of carts."""
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
VENDOR_METHODS_LEFT_OUT = "x-vendor-methods-left-out"
"""The extension that lists, per path, the vendor's methods this description leaves out (never sent live)."""
RULES_BEYOND_THE_SCHEMA = "x-rules-beyond-the-schema"
"""The extension that states, per operation, a vendor rule no schema keyword can (such as "only one of" two
headers), with the marks that decide the exact answer."""


MARK = "x-assumptions"
"""The extension that marks a decision of ours where the vendor is silent (openapi.yaml's info says how)."""
NO_OP_COVERS = re.compile(r"^(status|[1-5][0-9][0-9])$")
"""What a mark can cover that no schema expresses: a response's status, an operation's response codes."""
