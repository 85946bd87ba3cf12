"""The heart of `ep-cart-twin-check`: each recorded exchange replayed against the mock, in order, and the
mock's answer compared with the store's on what COMPARED names; what SET_ASIDE names differs by nature."""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from ep_cart_contract.exchanges import body_bytes, content_type
from ep_cart_contract.observations import ResponseTable
from ep_cart_contract.recording import CannotReplay, FixtureMap, Recording, replay_of
from ep_cart_contract.redaction import curl
from ep_cart_contract.transport import RETRIED_STATUSES
from ep_cart_spec import (
    ASSOCIATION_PATH,
    CART_PATH,
    CARTS_PATH,
    LOGIN_PATH,
    TOKEN_PATH,
    ApiSpec,
    load,
)

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
