"""A contract run's recording (reports/exchanges.har) read back for `ep-cart-twin-check`, and how each of its
requests is sent again to the bundled mock: the store's accounts, keys, members and tokens are mapped to the
mock's by the fixture or role they are (FixtureMap), the rest is sent as it was."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from ep_cart_contract.exchanges import body_bytes
from ep_cart_contract.redaction import CREDENTIAL_HEADERS, MASK
from ep_cart_spec import (
    DEFAULTS,
)

HOP_HEADERS = frozenset({"host", "content-length", "connection", "accept-encoding", "transfer-encoding"})
MOCK_OTHER_MEMBER = {
    "EP_OTHER_ACCOUNT_MEMBER_USERNAME": "other-member@example.com",
    "EP_OTHER_ACCOUNT_MEMBER_PASSWORD": "ep-mock-other-member-password",
}
"""The mock's second member, when the recorded store had one (one member of both accounts otherwise)."""
ROLE_TOKEN_VARIABLES = {"first account": "EP_ACCOUNT_TOKEN", "second account": "EP_OTHER_ACCOUNT_TOKEN"}
MEMBER_VARIABLES = {
    "member": ("EP_ACCOUNT_MEMBER_USERNAME", "EP_ACCOUNT_MEMBER_PASSWORD"),
    "other member": ("EP_OTHER_ACCOUNT_MEMBER_USERNAME", "EP_OTHER_ACCOUNT_MEMBER_PASSWORD"),
}


class RecordingError(ValueError):
    """The file is not a recording this command can replay; the message says why."""


@dataclass
class Recording:
    path: Path
    entries: list[dict[str, Any]]
    run: dict[str, Any]

    @classmethod
    def read(cls, path: Path) -> Recording:
        try:
            log = json.loads(path.read_text(encoding="utf-8"))["log"]
            entries, run = log["entries"], log["_run"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise RecordingError(
                f"{path}: not a recording of ep-cart-contract ({type(error).__name__}: {error})"
            ) from None
        if not isinstance(entries, list) or not isinstance(run, dict):
            raise RecordingError(f"{path}: its log has no entries, or no _run")
        for index, entry in enumerate(entries):
            problem = malformed(entry)
            if problem:
                raise RecordingError(f"{path}: entry {index} is no exchange of a recording ({problem})")
        return cls(path, entries, run)

    @property
    def fixtures(self) -> dict[str, str]:
        return dict(self.run.get("fixtures") or {})

    def run_carts(self) -> set[str]:
        """Every cart ID a request of the run named: the carts a list is compared on."""
        carts = set()
        for entry in self.entries:
            parts = urlsplit(entry["request"]["url"]).path.split("/")
            if len(parts) > 3 and parts[1:3] == ["v2", "carts"] and parts[3]:
                carts.add(unquote(parts[3]))
        return carts


def malformed(entry: Any) -> str:
    """What keeps an entry from being an exchange the check can read ("" when nothing does)."""
    if not isinstance(entry, dict):
        return "not an object"
    request, response = entry.get("request"), entry.get("response")
    if (
        not isinstance(request, dict)
        or not isinstance(request.get("method"), str)
        or not isinstance(request.get("url"), str)
    ):
        return "no request with a method and a URL"
    if not isinstance(response, dict) or not isinstance(response.get("status"), int):
        return "no response with a status"
    if not isinstance(response.get("content", {}), dict) or not isinstance(entry.get("_credentials", {}), dict):
        return "a response content or credentials that are no object"
    headers = [*request.get("headers", []), *response.get("headers", [])]
    if not all(
        isinstance(header, dict) and isinstance(header.get("name"), str) and isinstance(header.get("value"), str)
        for header in headers
    ):
        return "a header without a name or a value"
    return ""


@dataclass
class FixtureMap:
    """The recorded store's values and the mock's, for each fixture the recording names."""

    store_to_mock: dict[str, str]
    mock_values: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)
    """Role -> the mock's token for it."""

    @classmethod
    def of(cls, recording: Recording) -> FixtureMap:
        mock_values = {name: value for name, value in DEFAULTS.items() if value}
        fixtures = recording.fixtures
        if fixtures.get("EP_OTHER_ACCOUNT_MEMBER_USERNAME"):
            mock_values.update(MOCK_OTHER_MEMBER)
        store_to_mock = {
            value: mock_values[name]
            for name, value in fixtures.items()
            if value and name in mock_values and value != mock_values[name]
        }
        return cls(store_to_mock, mock_values)

    def _pattern(self) -> re.Pattern[str] | None:
        """One pass over the store's values, longest first, in any case (a store may write a UUID in capitals):
        values are never replaced twice, even where a store's value is the mock's for another fixture."""
        if not self.store_to_mock:
            return None
        values = sorted(self.store_to_mock, key=len, reverse=True)
        return re.compile("|".join(re.escape(value) for value in values), re.IGNORECASE)

    def text(self, value: str) -> str:
        """A recorded text with the store's fixture values put as the mock's."""
        pattern = self._pattern()
        if pattern is None:
            return value
        lowered = {store.lower(): mock for store, mock in self.store_to_mock.items()}
        return pattern.sub(lambda match: lowered[match.group(0).lower()], value)

    def raw(self, value: bytes) -> bytes:
        """The same for a body that is no UTF-8 (byte for byte; the fixtures are text)."""
        return self.text(value.decode("utf-8", errors="surrogateescape")).encode("utf-8", errors="surrogateescape")

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            lowered = {store.lower(): mock for store, mock in self.store_to_mock.items()}
            return lowered.get(value.lower(), value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        return value

    @property
    def accounts(self) -> frozenset[str]:
        """The mock's two accounts: the accounts of the run."""
        return frozenset(self.mock_values[name].lower() for name in ("EP_ACCOUNT_ID", "EP_OTHER_ACCOUNT_ID"))


class CannotReplay(Exception):
    """This exchange cannot be sent as it was: why, for the report."""


@dataclass(frozen=True)
class Replay:
    method: str
    path_and_query: str
    headers: list[tuple[str, str]]
    body: bytes


def replay_of(entry: dict[str, Any], mapping: FixtureMap) -> Replay:
    """The recorded request as the mock is to get it: fixtures mapped, credentials put by role."""
    request = entry["request"]
    parts = urlsplit(request["url"])
    path_and_query = mapping.text(parts.path + (f"?{parts.query}" if parts.query else ""))
    if MASK in unquote(path_and_query):
        raise CannotReplay("a masked value in the URL")
    roles = entry.get("_credentials") or {}
    headers = []
    for header in request.get("headers", []):
        name, value = header["name"], header["value"]
        lower = name.lower()
        if lower in HOP_HEADERS or lower == "cookie":
            continue  # the client's own, or a session's (masked in the recording): the mock reads none
        if lower in CREDENTIAL_HEADERS:
            value = credential_for(lower, value, roles.get(lower, "none"), mapping)
        elif MASK in value:
            raise CannotReplay(f"a masked value in the {name} header")
        headers.append((name, value))
    body = body_for(request, roles.get("body"), mapping)
    return Replay(request["method"], path_and_query, headers, body)


def credential_for(header: str, recorded: str, role: str, mapping: FixtureMap) -> str:
    if role in ("none", "invalid"):
        if MASK in recorded:
            raise CannotReplay(f"a masked value in the {header} header")
        return recorded
    if role in ("administrator", "implicit"):
        token = mapping.tokens[role]
    elif role in ROLE_TOKEN_VARIABLES:
        token = mapping.mock_values[ROLE_TOKEN_VARIABLES[role]]
    else:
        raise CannotReplay(f"the {header} header carried a credential of an unknown role ({role})")
    return f"Bearer {token}" if header == "authorization" else token


def body_for(request: dict[str, Any], role: str | None, mapping: FixtureMap) -> bytes:
    """The recorded body, fixtures mapped, and the masked credential it carried (its role: the application's
    secret, a member's password, or a wrong one) put as the mock's."""
    post = request.get("postData")
    if not post:
        return b""
    media_type = post.get("mimeType", "")
    raw = body_bytes(post)
    if post.get("_encoding") == "base64":  # no UTF-8: fixtures and masks put byte for byte
        raw = mapping.raw(raw)
        return raw.replace(MASK.encode(), secret_for(role, mapping).encode()) if MASK.encode() in raw else raw
    text = mapping.text(raw.decode("utf-8"))
    if "x-www-form-urlencoded" in media_type:
        fields = parse_qsl(text, keep_blank_values=True)
        if not any(MASK in value for _, value in fields):
            return text.encode()
        return urlencode([(name, value.replace(MASK, secret_for(role, mapping))) for name, value in fields]).encode()
    if MASK in text:
        text = text.replace(MASK, secret_for(role, mapping))
    return text.encode()


WRONG_SECRET = "twin-check-wrong-secret"
"""What the replay sends for a wrong secret the run sent (masked as every secret the kit sends: the mock refuses
any wrong value alike)."""


def secret_for(role: str | None, mapping: FixtureMap) -> str:
    if role == "application":
        return mapping.mock_values["EP_CLIENT_SECRET"]
    if role in MEMBER_VARIABLES:
        return mapping.mock_values[MEMBER_VARIABLES[role][1]]
    if role == "invalid":
        return WRONG_SECRET
    raise CannotReplay("a masked value in the body whose role the recording does not name")
