"""Every request a run sends and the answer it got, in order, written to reports/exchanges.har (HAR 1.2: browsers'
developer tools and HTTP tools open it) for `ep-cart-twin-check` to replay against the bundled mock (twin.py).

Each entry says which check sent it (`_check`: the test, and the schemathesis phase of a generated case; "preflight"
and "clean-up" for the run's own) and which of the run's credentials it carried, by role (`_credentials`:
administrator, implicit, first account, second account, member, other member, none, invalid), so a replay
substitutes its own. Roles are read from the run itself: the configured tokens, and every token the store handed
out to one of the run's requests (a token answer's grant, a login's accounts), before it was ever carried.

Secrets never appear: a credential a header carries is masked whatever it is (an `invalid` one, which is none of
the run's, is kept: the kit generated it), bodies are masked with the run's redactor (form bodies field by field,
so an escaped secret is found too), and the whole document once more as it is written. Against the mock a default
run records about 1,000 exchanges (1.9 MB), a thorough one about 7,000 (17 MB: compact JSON, no indentation).
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ep_cart_contract.redaction import COOKIE_HEADERS, CREDENTIAL_HEADERS, MASK, Redactor
from ep_cart_spec import LOGIN_PATH, TOKEN_PATH

HAR_NAME = "exchanges.har"
NO_ANSWER = 0
"""HAR's status for a request that got no answer (its `_error` says why)."""
ROLES = (
    "administrator",
    "implicit",
    "first account",
    "second account",
    "member",
    "other member",
    "application",
    "invalid",
)
"""The credential roles an entry can name (with `none`: the header was not sent): tokens in headers, and in a body
the application's keys (a token request) or a member's password (a login)."""
GRANT_ROLES = {"client_credentials": "administrator", "implicit": "implicit"}
ACCOUNT_ROLES = {"EP_ACCOUNT_ID": "first account", "EP_OTHER_ACCOUNT_ID": "second account"}
TOKEN_ROLES = {"EP_ACCOUNT_TOKEN": "first account", "EP_OTHER_ACCOUNT_TOKEN": "second account"}
MEMBER_ROLES = {"EP_ACCOUNT_MEMBER_USERNAME": "member", "EP_OTHER_ACCOUNT_MEMBER_USERNAME": "other member"}
FIXTURES_SHOWN = (
    "EP_CLIENT_ID",
    "EP_ACCOUNT_ID",
    "EP_OTHER_ACCOUNT_ID",
    "EP_PASSWORD_PROFILE_ID",
    "EP_ACCOUNT_MEMBER_USERNAME",
    "EP_OTHER_ACCOUNT_MEMBER_USERNAME",
    "EP_CONTACT_EMAIL_CART_ID",
)
"""The run's fixtures a replay maps to the mock's (none of them a secret)."""


@dataclass
class Exchange:
    """One request and its answer (status NO_ANSWER when none came), as sent: values are masked on writing."""

    started: float
    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    response_headers: list[tuple[str, str]]
    response_body: bytes
    seconds: float
    check: dict[str, str]
    credentials: dict[str, str]
    """Header (lower case) -> the role of what it carried."""
    retries: int = 0
    error: str = ""


@dataclass
class Exchanges:
    """A run's recording: appended to by both layers and the run's own requests, written once as the run ends."""

    fixtures: Mapping[str, str] = field(default_factory=dict)
    """The run's EP_* fixture values (secrets included, for telling roles; never written)."""
    check: dict[str, str] = field(default_factory=lambda: {"test": "collection"})
    """Who is sending now: the test (or "collection", "preflight", "clean-up": the run's own requests), and the
    schemathesis phase of the case being sent."""
    entries: list[Exchange] = field(default_factory=list)
    on_secret: Callable[[str], None] = lambda secret: None
    """Told of every token an answer hands out (the run's redactor masks it from then on, in every report)."""
    _roles: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for variable, role in TOKEN_ROLES.items():
            if self.fixtures.get(variable):
                self._roles[self.fixtures[variable]] = role

    def now_sending(self, test: str, phase: str | None = None) -> None:
        self.check = {"test": test, **({"phase": phase} if phase else {})}

    def in_phase(self, phase: str | None) -> None:
        """The schemathesis phase of the case about to be sent (the test stays the same)."""
        self.now_sending(self.check.get("test", ""), phase)

    def role_of(self, header: str, value: str) -> str:
        token = value.removeprefix("Bearer ").strip() if header == "authorization" else value
        return self._roles.get(token, "invalid")

    def body_role(self, path: str, body: bytes, media_type: str) -> str | None:
        """Whose credentials a token request or a login carries in its body: the application's keys, a member's
        password, or none of the run's (generated: `invalid`)."""
        if path.endswith(TOKEN_PATH):
            secret = form_or_json(body, media_type).get("client_secret")
            if not secret:
                return None
            return "application" if secret == self.fixtures.get("EP_CLIENT_SECRET") else "invalid"
        if path.endswith(LOGIN_PATH):
            try:
                login = json.loads(body).get("data", {})
            except (ValueError, AttributeError):
                return None
            if not isinstance(login, dict) or "password" not in login:
                return None
            members = {
                role: (self.fixtures.get(variable), self.fixtures.get(variable.replace("USERNAME", "PASSWORD")))
                for variable, role in MEMBER_ROLES.items()
            }
            # The member whose username and password these are; else whose password it is (the run also sends a
            # member's password with another username; two members may share one).
            for role, (username, password) in members.items():
                if password and login["password"] == password and login.get("username") == username:
                    return role
            for role, (_, password) in members.items():
                if password and login["password"] == password:
                    return role
            return "invalid"
        return None

    def add(self, *args: Any, **kwargs: Any) -> None:
        """One exchange (`record`'s arguments); whatever goes wrong in recording it (a body nested too deep to
        read), the run goes on: the recording is never why a run fails."""
        with contextlib.suppress(Exception):
            self.record(*args, **kwargs)

    def record(
        self,
        method: str,
        url: str,
        request_headers: Iterable[tuple[str, str]],
        request_body: bytes | str | None,
        status: int,
        response_headers: Iterable[tuple[str, str]] = (),
        response_body: bytes = b"",
        *,
        seconds: float = 0.0,
        retries: int = 0,
        error: str = "",
    ) -> None:
        headers = [(name, value) for name, value in request_headers]
        body = request_body.encode() if isinstance(request_body, str) else (request_body or b"")
        credentials = {
            name.lower(): self.role_of(name.lower(), value)
            for name, value in headers
            if name.lower() in CREDENTIAL_HEADERS
        }
        in_body = self.body_role(urlsplit(url).path, body, content_type(headers))
        if in_body is not None:
            credentials["body"] = in_body
        exchange = Exchange(
            started=time.time() - seconds,
            method=method.upper(),
            url=url,
            request_headers=headers,
            request_body=body,
            status=status,
            response_headers=[(name, value) for name, value in response_headers],
            response_body=response_body,
            seconds=seconds,
            check=dict(self.check),
            credentials=credentials,
            retries=retries,
            error=error,
        )
        with self._lock:
            self.entries.append(exchange)
            self._learn_roles(exchange)

    def _learn_roles(self, exchange: Exchange) -> None:
        """Every token an answer hands out is a secret (issued_tokens); one the store handed out to a request it
        took gets the role of what was asked for, before any request carries it."""
        path = urlsplit(exchange.url).path
        for token in issued_tokens(path, exchange.response_body):
            self.on_secret(token)
        if (
            exchange.method != "POST"
            or exchange.status not in (200, 201)
            or not path.endswith((TOKEN_PATH, LOGIN_PATH))
        ):
            return
        try:
            answer = json.loads(exchange.response_body)
        except ValueError:
            return
        if not isinstance(answer, dict):
            return
        if path.endswith(TOKEN_PATH) and isinstance(answer.get("access_token"), str):
            grant = form_or_json(exchange.request_body, content_type(exchange.request_headers)).get("grant_type")
            if grant in GRANT_ROLES:
                self._roles[answer["access_token"]] = GRANT_ROLES[grant]
        elif path.endswith(LOGIN_PATH) and isinstance(answer.get("data"), list):
            accounts = {(self.fixtures.get(variable) or "").lower(): role for variable, role in ACCOUNT_ROLES.items()}
            for entry in answer["data"]:
                role = accounts.get(str(entry.get("account_id", "")).lower()) if isinstance(entry, dict) else None
                if role is not None and isinstance(entry.get("token"), str):
                    self._roles[entry["token"]] = role

    # --- Writing ---------------------------------------------------------------------------------------------

    def har(self, redactor: Redactor, run_info: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            entries = list(self.entries)
        shown = {name: self.fixtures[name] for name in FIXTURES_SHOWN if self.fixtures.get(name)}
        return {
            "log": {
                "version": "1.2",
                "creator": {"name": "ep-cart-contract", "version": creator_version()},
                "entries": [har_entry(exchange, redactor) for exchange in entries],
                "_run": {**run_info, "fixtures": shown, "roles": [*ROLES, "none"]},
            }
        }

    def write(self, directory: Path, redactor: Redactor, run_info: Mapping[str, Any]) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / HAR_NAME
        text = json.dumps(self.har(redactor, run_info), separators=(",", ":"), ensure_ascii=False)
        path.write_text(redactor.scrub(text), encoding="utf-8")
        return path


def creator_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ep-cart-contract")
    except PackageNotFoundError:
        return "unknown"


def issued_tokens(path: str, content: bytes) -> list[str]:
    """The tokens an answer of the token endpoint (`access_token`, S6) or of a member's login (each account's
    `token`, S7) hands out, whatever its status: a token in an answer the run does not take is a secret all the same.
    Only these, with the configured values, are secrets: what a request carried is not."""
    if not path.endswith((TOKEN_PATH, LOGIN_PATH)):
        return []
    try:
        document = json.loads(content)
    except ValueError:
        return []
    if not isinstance(document, dict):
        return []
    entries = document.get("data")
    found = [entry.get("token") for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []
    return [token for token in [document.get("access_token"), *found] if isinstance(token, str)]


def text_headers(headers: Iterable[tuple[str, str | bytes]]) -> list[tuple[str, str]]:
    """requests' headers as text (a header set as bytes is sent as its bytes)."""
    return [(name, value.decode("latin-1") if isinstance(value, bytes) else value) for name, value in headers]


def content_type(headers: Iterable[tuple[str, str]]) -> str:
    return next((value for name, value in headers if name.lower() == "content-type"), "")


def form_or_json(body: bytes, media_type: str) -> dict[str, Any]:
    """A token request's fields, however it was sent (form, as the vendor documents, or JSON)."""
    text = body.decode("utf-8", errors="replace")
    if "json" in media_type:
        try:
            value = json.loads(text)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
    return dict(parse_qsl(text, keep_blank_values=True))


def masked_header(name: str, value: str, role: str | None, redactor: Redactor) -> str:
    if name.lower() in COOKIE_HEADERS:
        return MASK  # a session's (a store's load balancer sets some); the replay sends none
    if role is None or role == "invalid":
        return redactor.scrub(value)
    return f"Bearer {MASK}" if name.lower() == "authorization" else MASK


def masked_body(body: bytes, media_type: str, redactor: Redactor) -> tuple[str, str | None]:
    """The body as the recording keeps it, and its encoding: text, or base64 when it is no UTF-8 (a generated
    body can be any bytes; masked all the same, byte for byte)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        kept = redactor.scrub(body.decode("utf-8", errors="surrogateescape"))
        return base64.b64encode(kept.encode("utf-8", errors="surrogateescape")).decode("ascii"), "base64"
    if "x-www-form-urlencoded" in media_type:
        fields = parse_qsl(text, keep_blank_values=True)
        return urlencode([(redactor.scrub(name), redactor.scrub(value)) for name, value in fields]), None
    return redactor.scrub(text), None


def body_bytes(recorded: Mapping[str, Any]) -> bytes:
    """A recorded body (`postData`, or a response's `content`) as it was sent, masks aside."""
    text = str(recorded.get("text", ""))
    if recorded.get("encoding") == "base64" or recorded.get("_encoding") == "base64":
        return base64.b64decode(text)
    return text.encode("utf-8")


def har_entry(exchange: Exchange, redactor: Redactor) -> dict[str, Any]:
    url = redactor.scrub(exchange.url)
    request_type = content_type(exchange.request_headers)
    response_type = content_type(exchange.response_headers)
    request: dict[str, Any] = {
        "method": exchange.method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": [
            {"name": name, "value": masked_header(name, value, exchange.credentials.get(name.lower()), redactor)}
            for name, value in exchange.request_headers
        ],
        "queryString": [
            {"name": name, "value": value} for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True)
        ],
        "headersSize": -1,
        "bodySize": len(exchange.request_body),
    }
    if exchange.request_body:
        text, encoding = masked_body(exchange.request_body, request_type, redactor)
        # HAR 1.2 gives postData no encoding: `_encoding` says base64, as a response's `encoding` does.
        request["postData"] = {"mimeType": request_type, "text": text, **({"_encoding": encoding} if encoding else {})}
    response_text, response_encoding = masked_body(exchange.response_body, "", redactor)
    milliseconds = round(exchange.seconds * 1000, 3)
    entry: dict[str, Any] = {
        "startedDateTime": datetime.fromtimestamp(exchange.started, UTC).isoformat(timespec="milliseconds"),
        "time": milliseconds,
        "request": request,
        "response": {
            "status": exchange.status,
            "statusText": "",
            "httpVersion": "HTTP/1.1" if exchange.status else "",
            "cookies": [],
            "headers": [
                {"name": name, "value": MASK if name.lower() in COOKIE_HEADERS else redactor.scrub(value)}
                for name, value in exchange.response_headers
            ],
            "content": {
                "size": len(exchange.response_body),
                "mimeType": response_type,
                "text": response_text,
                **({"encoding": response_encoding} if response_encoding else {}),
            },
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(exchange.response_body) if exchange.status else -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": milliseconds, "receive": 0},
        "_check": exchange.check,
        "_credentials": {
            **{name: exchange.credentials.get(name, "none") for name in CREDENTIAL_HEADERS},
            **({"body": exchange.credentials["body"]} if "body" in exchange.credentials else {}),
        },
    }
    if exchange.retries:
        entry["_retries"] = exchange.retries
    if exchange.error:
        entry["_error"] = redactor.scrub(exchange.error)
    return entry
