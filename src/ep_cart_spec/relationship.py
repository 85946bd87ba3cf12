"""The cart's relationship this kit describes (the association of an account with a cart), read from
openapi.yaml once: its path, the type of its members, the header that acts for a member, and its bodies.

Every part builds and reads the association's requests and answers through this one object, so the
relationship is written down in one place: the spec. A second relationship of the same shape (the vendor's
customer association, `/v2/carts/{cartID}/relationships/customers`) would be a second `Relationship`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ep_cart_spec.document import ApiSpec
from ep_cart_spec.names import CARTS_PATH

RELATIONSHIPS = "/relationships/"


@dataclass(frozen=True)
class Relationship:
    path: str
    """The path template: "/v2/carts/{cartID}/relationships/accounts"."""
    member_type: str
    """The JSON:API type of a member ("account"): the `const` of the request body's `data[].type`."""
    token_header: str
    """The header that makes the caller act as one member (the account's token), a parameter of the path."""

    @classmethod
    def of(cls, spec: ApiSpec, path: str) -> Relationship:
        """The relationship at `path`, as the spec describes it (a KeyError names what the spec lacks)."""
        if RELATIONSHIPS not in path:
            raise KeyError(f"{path} is not a relationship's path")
        schema = spec.resolve(spec.request_schema(path, "post", "application/json"))
        item = spec.resolve(spec.resolve(schema["properties"]["data"])["items"])
        member_type = spec.resolve(item["properties"]["type"])["const"]
        headers = [
            parameter["name"]
            for parameter in map(spec.resolve, spec.document["paths"][path].get("parameters", []))
            if parameter["in"] == "header"
        ]
        if len(headers) != 1:
            raise KeyError(f"{path} has {len(headers)} header parameters, not the one token header")
        return cls(path=path, member_type=str(member_type), token_header=str(headers[0]))

    @property
    def name(self) -> str:
        """The relationship's name ("accounts"): its path's last segment, and its key in a cart's
        `relationships`."""
        return self.path.rsplit("/", 1)[1]

    @property
    def suffix(self) -> str:
        """What follows the cart ID in its path ("/relationships/accounts")."""
        return RELATIONSHIPS + self.name

    def path_of(self, cart_id: str) -> str:
        """The path of one cart's relationship; the cart ID is percent-encoded whole."""
        return f"{CARTS_PATH}/{quote(cart_id, safe='')}{self.suffix}"

    def is_path(self, path: str) -> bool:
        """Whether a request's path (not a template) is one cart's relationship."""
        return path.startswith(CARTS_PATH + "/") and path.endswith(self.suffix) and len(path.split("/")) == 6

    def identifier(self, member_id: str) -> dict[str, str]:
        """One member as a JSON:API resource identifier."""
        return {"id": member_id, "type": self.member_type}

    def body(self, member_ids: Iterable[str]) -> dict[str, Any]:
        """A relationship document naming these members (a request's body, or the answer to one)."""
        return {"data": [self.identifier(member) for member in member_ids]}

    def member_ids(self, document: Any) -> list[str]:
        """Every member ID a relationship document's `data` names (an array of identifiers), in order, once
        each; [] for a document that names none or is not one."""
        entries = document.get("data") if isinstance(document, dict) else None
        if not isinstance(entries, list):
            return []
        found = [entry.get("id") for entry in entries if isinstance(entry, dict)]
        return list(dict.fromkeys(member for member in found if isinstance(member, str)))
