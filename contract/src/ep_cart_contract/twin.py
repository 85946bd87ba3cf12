"""`ep-cart-twin-check`: is the bundled mock a twin of the store a run recorded?

A contract run writes every exchange it had to reports/exchanges.har (exchanges.py). This replays them, in order,
against a fresh bundled mock (started with a store profile when given: usually the one the same run learned) and
compares each answer with the store's. What differs by nature is mapped: the store's accounts, application keys,
members and password profile to the mock's (by the fixture they are), its tokens to the mock's by role, the
run's contact-email cart to the mock's when the run was given one (a cart the run made, it makes the same way:
reading makes a cart). The run's cart IDs are the run's own choice, and are sent as they were.

What is compared (COMPARED) and what is set aside by nature (SET_ASIDE) are named, and the reports list both.
An exchange that cannot be compared (no answer was recorded; the store was briefly unavailable; a value the
replay cannot fill) is counted apart with why, like an index beside a score; it is still replayed when it can be,
so the mock's state follows the store's.

Writes twin-check.md and twin-check.json (to --report-dir, default reports/) and prints a summary. Exit
statuses (EXIT_MEANINGS): 0 every comparable exchange agrees, 1 some differ, 2 nothing to compare or the check
could not run (the recording unreadable, the profile refused, the mock not starting).
"""

from __future__ import annotations

import argparse
import binascii
import json
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import httpx

from ep_cart_contract.exchanges import HAR_NAME, body_bytes, content_type
from ep_cart_contract.observations import ResponseTable
from ep_cart_contract.redaction import CREDENTIAL_HEADERS, MASK, curl
from ep_cart_contract.target import MockProcess, mock_env
from ep_cart_contract.transport import RETRIED_STATUSES
from ep_cart_contract.wording import PROFILE_NAME, Wording, learn, write_profile
from ep_cart_spec import (
    ASSOCIATION_PATH,
    CART_PATH,
    CARTS_PATH,
    DEFAULTS,
    LOGIN_PATH,
    TOKEN_PATH,
    ApiSpec,
    ProfileError,
    load,
    read_profile,
)

AGREE, DIFFER, CANNOT_CHECK = 0, 1, 2
EXIT_MEANINGS = {
    AGREE: "every comparable exchange agrees: the mock answered as the store did",
    DIFFER: "some comparable exchanges differ: commit the learned store profile, or report a gap in the mock",
    CANNOT_CHECK: "nothing was compared: the recording is unreadable or holds nothing comparable, the store profile "
    "was refused, or the mock did not start",
}

COMPARED = (
    ("status", "the status code"),
    ("content type", "the answer's media type"),
    ("errors", "each error's status, title and detail, in order"),
    ("association", "an association's `data`: each entry's type and (mapped) ID"),
    ("relationships", "a cart's relationships (GET and PUT /v2/carts/{cartID}): types and (mapped) IDs"),
    ("carts", "a list's carts of the run, in order (GET /v2/carts)"),
    ("page", "a list's page limit and offset"),
    ("login accounts", "the accounts a member's login hands tokens for (mapped)"),
    ("headers", "the response headers openapi.yaml documents for the answer"),
)
SET_ASIDE = (
    ("timestamps", "meta.timestamps, a token's `expires`: when the store answered"),
    ("token values", "access tokens and account tokens: masked in the recording, the mock's own in the replay"),
    ("generated IDs", "IDs the store generates (none of the run's fixtures, no cart ID the run chose)"),
    ("hosts in links", "links name the server that answered"),
    ("media type parameters", "`; charset=utf-8` and the like"),
    ("carts not of the run", "a list's carts that no request of the run named, and its totals, which count them"),
    ("other fields", "whatever of an answer the comparison does not name (cart names, prices, account names)"),
    (
        "errors of an undescribed request",
        "the errors (status, title, detail) of the answer to a method or path openapi.yaml does not describe (a 405, "
        "a 404): no example names that answer, so no profile can word it; its status and media type are compared",
    ),
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


# --- What an answer is compared on ----------------------------------------------------------------------------


def media_type(headers: Iterable[tuple[str, str]]) -> str:
    return content_type(headers).split(";")[0].strip().lower()


def pairs(entries: Any) -> list[dict[str, Any]] | None:
    if not isinstance(entries, list):
        return None
    return [{"type": item.get("type"), "id": item.get("id")} for item in entries if isinstance(item, dict)]


@dataclass(frozen=True)
class Comparer:
    api: ApiSpec
    table: ResponseTable
    run_carts: frozenset[str]
    accounts: frozenset[str]
    """The run's accounts (the store's and the mock's IDs, in lower case): a login's others are not compared."""

    def aspects(
        self, method: str, path: str, status: int, headers: Sequence[tuple[str, str]], body: str
    ) -> dict[str, Any]:
        """What COMPARED names of one answer."""
        template = self.table.template_of(path)
        found: dict[str, Any] = {"status": status, "content type": media_type(headers)}
        try:
            document = json.loads(body) if body else None
        except ValueError:
            document = None
        described = template is not None and method.lower() in self.api.document["paths"][template]
        if described and isinstance(document, dict) and isinstance(document.get("errors"), list):
            found["errors"] = [
                {key: error.get(key) for key in ("status", "title", "detail")}
                for error in document["errors"]
                if isinstance(error, dict)
            ]
        data = document.get("data") if isinstance(document, dict) else None
        success = 200 <= status < 300
        if success and template == ASSOCIATION_PATH and pairs(data) is not None:
            found["association"] = pairs(data)
        if success and template == CART_PATH and isinstance(data, dict):
            relationships = data.get("relationships")
            if isinstance(relationships, dict):
                found["relationships"] = {
                    name: pairs(value.get("data")) if isinstance(value, dict) else value
                    for name, value in sorted(relationships.items())
                }
        if success and template == CARTS_PATH and isinstance(data, list) and isinstance(document, dict):
            found["carts"] = [
                cart.get("id") for cart in data if isinstance(cart, dict) and cart.get("id") in self.run_carts
            ]
            page = (document.get("meta") or {}).get("page") if isinstance(document.get("meta"), dict) else None
            if isinstance(page, dict):
                found["page"] = {key: page.get(key) for key in ("limit", "offset")}
        if success and template == LOGIN_PATH and isinstance(data, list):
            found["login accounts"] = sorted(
                str(entry.get("account_id")).lower()
                for entry in data
                if isinstance(entry, dict) and str(entry.get("account_id")).lower() in self.accounts
            )
        documented = self.documented_headers(template, method, status)
        if documented:
            present = {name.lower(): value for name, value in headers}
            found["headers"] = {name: name in present for name in documented}
        return found

    def documented_headers(self, template: str | None, method: str, status: int) -> list[str]:
        if template is None:
            return []
        operation = (self.api.document.get("paths", {}).get(template) or {}).get(method.lower())
        if not isinstance(operation, dict):
            return []
        responses = operation.get("responses") or {}
        response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or {}
        response = self.api.resolve(response) if isinstance(response, dict) else {}
        return sorted(name.lower() for name in (response.get("headers") or {}))


# --- The check ------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    index: int
    operation: str
    store_status: int
    comparable: bool
    why_not: str = ""
    differences: list[dict[str, Any]] = field(default_factory=list)
    entry: dict[str, Any] = field(default_factory=dict)
    mock_status: int | None = None
    mock_body: str = ""
    curl: str = ""
    errors: tuple[Any, Any] | None = None
    """(the store's errors, the mock's) when both answered the same status with errors: what wording.py reads."""


def not_comparable_because(entry: dict[str, Any]) -> str:
    status = entry["response"]["status"]
    if not status:
        return "no answer was recorded"
    if status in RETRIED_STATUSES or entry.get("_retries"):
        return "the store was briefly unavailable (the answer came after retries, or was a 429 or 5xx gateway answer)"
    return ""


def check(recording: Recording, base_url: str, tokens: Callable[[httpx.Client], dict[str, str]]) -> list[Outcome]:
    """Replays the recording against the mock at `base_url`, in order; one outcome per exchange."""
    api = load()
    table = ResponseTable(api)
    mapping = FixtureMap.of(recording)
    carts = recording.run_carts()
    store_accounts = {recording.fixtures.get(name, "").lower() for name in ("EP_ACCOUNT_ID", "EP_OTHER_ACCOUNT_ID")}
    comparer = Comparer(
        api,
        table,
        frozenset(carts | {mapping.text(cart) for cart in carts}),
        mapping.accounts | (store_accounts - {""}),
    )
    outcomes = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        mapping.tokens = tokens(client)
        for index, entry in enumerate(recording.entries):
            request, response = entry["request"], entry["response"]
            path = urlsplit(request["url"]).path
            template = table.template_of(path) or path
            outcome = Outcome(index, f"{request['method']} {template}", int(response["status"]), True, entry=entry)
            outcomes.append(outcome)
            outcome.why_not = not_comparable_because(entry)
            try:
                replay = replay_of(entry, mapping)
                request_to_mock = client.build_request(
                    replay.method, replay.path_and_query, headers=replay.headers, content=replay.body or None
                )
            except CannotReplay as error:
                outcome.why_not = outcome.why_not or f"the replay cannot send it: {error}"
                outcome.comparable = False
                continue
            except (KeyError, TypeError, ValueError, binascii.Error, httpx.HTTPError) as error:
                # A value no HTTP request can carry as it was recorded (a header out of latin-1, bad base64).
                outcome.why_not = outcome.why_not or f"the replay cannot send it: {type(error).__name__}"
                outcome.comparable = False
                continue
            outcome.curl = curl(replay.method, f"{base_url}{replay.path_and_query}", replay.headers, replay.body)
            answer: httpx.Response | None = None
            try:
                answer = client.send(request_to_mock)
                outcome.mock_status, outcome.mock_body = answer.status_code, answer.text
            except httpx.TransportError as error:
                # The mock gave no answer: compared as such (a mock answers every request).
                outcome.mock_status, outcome.mock_body = 0, f"no answer: {type(error).__name__}"
            if outcome.why_not:
                outcome.comparable = False
                continue
            response_headers = [(header["name"], header["value"]) for header in response.get("headers", [])]
            store_side = mapping.value(
                comparer.aspects(
                    request["method"],
                    path,
                    outcome.store_status,
                    response_headers,
                    body_bytes(response["content"]).decode("utf-8", errors="replace"),
                )
            )
            mock_side = (
                comparer.aspects(
                    replay.method,
                    urlsplit(replay.path_and_query).path,
                    answer.status_code,
                    answer.headers.multi_items(),
                    answer.text,
                )
                if answer is not None
                else {"status": 0}
            )
            if store_side["status"] == mock_side["status"] and "errors" in store_side and "errors" in mock_side:
                outcome.errors = (store_side["errors"], mock_side["errors"])
            for aspect, _ in COMPARED:
                if store_side.get(aspect) != mock_side.get(aspect):
                    outcome.differences.append(
                        {"aspect": aspect, "store": store_side.get(aspect), "mock": mock_side.get(aspect)}
                    )
    return outcomes


def mock_tokens(client_id: str, client_secret: str) -> Callable[[httpx.Client], dict[str, str]]:
    def tokens(client: httpx.Client) -> dict[str, str]:
        found = {}
        for role, form in (
            (
                "administrator",
                {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret},
            ),
            ("implicit", {"grant_type": "implicit", "client_id": client_id}),
        ):
            answer = client.post(TOKEN_PATH, data=form)
            answer.raise_for_status()
            found[role] = answer.json()["access_token"]
        return found

    return tokens


# --- Reports --------------------------------------------------------------------------------------------------


def learned_wording(outcomes: list[Outcome]) -> Wording:
    """The store's wording of the errors where the mock's differed (wording.py)."""
    return learn(
        load(),
        ((outcome.operation, *outcome.errors) for outcome in outcomes if outcome.comparable and outcome.errors),
    )


def results(
    recording: Recording, outcomes: list[Outcome], store_profile: str | None, wording: Wording | None = None
) -> dict[str, Any]:
    wording = wording or Wording()
    comparable = [outcome for outcome in outcomes if outcome.comparable]
    differing = [outcome for outcome in comparable if outcome.differences]
    why_not = Counter(outcome.why_not for outcome in outcomes if not outcome.comparable)
    rows: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    for outcome in outcomes:
        kind = "not comparable" if not outcome.comparable else "differing" if outcome.differences else "identical"
        rows[(outcome.operation, outcome.store_status)][kind] += 1
    return {
        "recording": str(recording.path),
        "recorded_run": {key: recording.run.get(key) for key in ("target", "prefix", "profile", "finished_at")},
        "mock_store_profile": store_profile or "defaults (openapi.yaml)",
        "summary": {
            "exchanges": len(outcomes),
            "comparable": len(comparable),
            "not_comparable": sum(why_not.values()),
            "not_comparable_why": dict(why_not.most_common()),
            "identical": len(comparable) - len(differing),
            "differing": len(differing),
        },
        "by_operation": [
            {
                "operation": operation,
                "store_status": status,
                "identical": counts["identical"],
                "differing": counts["differing"],
                "not_comparable": counts["not comparable"],
            }
            for (operation, status), counts in sorted(rows.items())
        ],
        "wording": {
            "learned": wording.texts,
            "not_learned": wording.not_learned,
            "rule_not_shown": wording.unknown,
        },
        "compared": [{"aspect": name, "what": what} for name, what in COMPARED],
        "set_aside": [{"rule": name, "what": what} for name, what in SET_ASIDE],
        "differences": [
            {
                "exchange": outcome.index,
                "check": outcome.entry.get("_check", {}),
                "operation": outcome.operation,
                "aspects": outcome.differences,
                "store": {
                    "status": outcome.store_status,
                    "body": outcome.entry["response"]["content"].get("text", "")[:1000],
                },
                "mock": {"status": outcome.mock_status, "body": outcome.mock_body[:1000]},
                "curl": outcome.curl,
            }
            for outcome in differing
        ],
    }


def fidelity_line(summary: Mapping[str, Any]) -> str:
    comparable, identical = summary["comparable"], summary["identical"]
    share = f" ({100 * identical / comparable:.1f} %)" if comparable else ""
    return (
        f"twin-check: {identical} of {comparable} comparable exchanges identical{share}, {summary['differing']} "
        f"differing; {summary['not_comparable']} of {summary['exchanges']} not comparable"
    )


MARKDOWN_DIFFERENCES = 100
"""The Markdown report shows this many differences; twin-check.json has them all."""


def markdown(report: Mapping[str, Any]) -> str:
    summary = report["summary"]
    lines = [
        "# Twin check: the bundled mock against a recorded store",
        "",
        f"**{fidelity_line(summary)}**",
        "",
        f"- Recording: `{report['recording']}` (run `{report['recorded_run'].get('prefix')}` against "
        f"{report['recorded_run'].get('target')}, {report['recorded_run'].get('finished_at')})",
        f"- The mock followed: {report['mock_store_profile']}",
        "",
        "## Not comparable, and why",
        "",
    ]
    lines += [f"- {count}: {why}" for why, count in summary["not_comparable_why"].items()] or ["- none"]
    lines += [
        "",
        "## By operation and the store's status",
        "",
        "| operation | store's status | identical | differing | not comparable |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| `{row['operation']}` | {row['store_status']} | {row['identical']} | {row['differing']} | "
        f"{row['not_comparable']} |"
        for row in report["by_operation"]
    ]
    wording = report["wording"]
    lines += ["", "## The store's wording of its errors", ""]
    if wording["learned"]:
        lines += [
            f"Learned for {len(wording['learned'])} error(s), written to `{PROFILE_NAME}` beside this report: "
            "give the mock that profile, and the next twin check, to answer with the store's words.",
            "",
        ]
        lines += [f"- `{rule}`: {json.dumps(text, ensure_ascii=False)}" for rule, text in wording["learned"].items()]
    else:
        lines.append("- nothing to learn: no error differed in its words alone")
    lines += [f"- `{rule}`: not all learned ({'; '.join(reasons)})" for rule, reasons in wording["not_learned"].items()]
    if wording["rule_not_shown"]:
        lines.append(f"- {wording['rule_not_shown']} differing error(s) matched no single example of openapi.yaml")
    lines += ["", "## What is compared", ""]
    lines += [f"- **{item['aspect']}**: {item['what']}" for item in report["compared"]]
    lines += ["", "## What is set aside by nature", ""]
    lines += [f"- **{item['rule']}**: {item['what']}" for item in report["set_aside"]]
    lines += ["", f"## Differences ({len(report['differences'])})", ""]
    for difference in report["differences"][:MARKDOWN_DIFFERENCES]:
        check_name = difference["check"].get("test", "")
        phase = difference["check"].get("phase")
        lines += [
            f"### Exchange {difference['exchange']}: `{difference['operation']}` ({check_name}"
            f"{', ' + phase if phase else ''})",
            "",
        ]
        for aspect in difference["aspects"]:
            store, mock = json.dumps(aspect["store"]), json.dumps(aspect["mock"])
            lines.append(f"- {aspect['aspect']}: the store `{store}`, the mock `{mock}`")
        lines += [
            "",
            f"The store answered {difference['store']['status']}:",
            "",
            "```",
            difference["store"]["body"] or "(empty)",
            "```",
            "",
            f"The mock answered {difference['mock']['status']}:",
            "",
            "```",
            difference["mock"]["body"] or "(empty)",
            "```",
            "",
            "The request, sent to the mock (its tokens masked: the mock's own for the same role):",
            "",
            "```sh",
            difference["curl"],
            "```",
            "",
        ]
    if len(report["differences"]) > MARKDOWN_DIFFERENCES:
        lines.append(f"... and {len(report['differences']) - MARKDOWN_DIFFERENCES} more in twin-check.json.")
    return "\n".join(lines) + "\n"


def summary_lines(report: Mapping[str, Any]) -> list[str]:
    summary = report["summary"]
    lines = [fidelity_line(summary)]
    lines += [f"  not comparable: {count} ({why})" for why, count in summary["not_comparable_why"].items()]
    for row in report["by_operation"]:
        if row["differing"]:
            lines.append(f"  {row['operation']} {row['store_status']}: {row['differing']} differing")
    aspects = Counter(aspect["aspect"] for difference in report["differences"] for aspect in difference["aspects"])
    lines += [f"  differing on {aspect}: {count}" for aspect, count in aspects.most_common()]
    return lines


# --- The command ----------------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    statuses = "\n".join(f"  {code}  {meaning}" for code, meaning in EXIT_MEANINGS.items())
    command = argparse.ArgumentParser(
        prog="ep-cart-twin-check",
        description="Replay a contract run's recording (reports/exchanges.har) against a fresh bundled mock and "
        "compare every answer with the store's.",
        epilog=f"exit statuses:\n{statuses}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("recording", type=Path, help=f"the run's {HAR_NAME}")
    command.add_argument(
        "--store-profile",
        type=Path,
        help="the store profile the mock follows (usually the one the same run learned: reports/store-profile.yaml)",
    )
    command.add_argument("--report-dir", type=Path, default=Path("reports"), help="where twin-check.md/.json go")
    return command


def main(argv: Sequence[str] | None = None) -> int:
    options = parser().parse_args(argv)
    try:
        recording = Recording.read(options.recording)
        if options.store_profile is not None:
            read_profile(options.store_profile.absolute(), load())
    except (RecordingError, ProfileError, OSError) as error:
        print(f"ep-cart-twin-check: {error}", file=sys.stderr)
        return CANNOT_CHECK
    mapping = FixtureMap.of(recording)
    extra = {name: mapping.mock_values[name] for name in MOCK_OTHER_MEMBER if name in mapping.mock_values}
    if options.store_profile is not None:
        extra["EP_STORE_PROFILE"] = str(options.store_profile.absolute())
    log = Path(tempfile.mkdtemp(prefix="twin-check-")) / "mock.log"
    try:
        mock = MockProcess(mock_env(**extra), log)
    except RuntimeError as error:
        print(f"ep-cart-twin-check: the bundled mock did not start: {error}", file=sys.stderr)
        return CANNOT_CHECK
    try:
        outcomes = check(
            recording,
            mock.base_url,
            mock_tokens(mapping.mock_values["EP_CLIENT_ID"], mapping.mock_values["EP_CLIENT_SECRET"]),
        )
    except (httpx.HTTPError, KeyError, ValueError) as error:
        # Its tokens could not be had: the mock is not the one this command starts, or it failed.
        print(f"ep-cart-twin-check: the mock gave no tokens: {error}\n{mock.log()[-2000:]}", file=sys.stderr)
        return CANNOT_CHECK
    finally:
        mock.stop()
    wording = learned_wording(outcomes)
    report = results(recording, outcomes, str(options.store_profile) if options.store_profile else None, wording)
    try:
        options.report_dir.mkdir(parents=True, exist_ok=True)
        (options.report_dir / "twin-check.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
        (options.report_dir / "twin-check.md").write_text(markdown(report), encoding="utf-8")
        learned = write_profile(options.report_dir, options.store_profile, wording) if wording.texts else None
    except OSError as error:
        print(f"ep-cart-twin-check: the reports cannot be written: {error}", file=sys.stderr)
        return CANNOT_CHECK
    print("\n".join(summary_lines(report)))
    if learned is not None:
        print(f"the store's wording of {len(wording.texts)} error(s) learned: {learned} (give it to the mock)")
    print(f"report: {options.report_dir / 'twin-check.md'}, {options.report_dir / 'twin-check.json'}")
    if not report["summary"]["comparable"]:
        print("nothing was comparable: no fidelity is shown", file=sys.stderr)
        return CANNOT_CHECK
    return DIFFER if report["summary"]["differing"] else AGREE


if __name__ == "__main__":
    sys.exit(main())
