"""Which kind of claim a failure broke: the vendor's contract, one or more of our assumptions, or nothing at all.

The rule (the live-verdicts issue): a failure that does not happen once the assumption-marked constraints
are taken out of the spec (`ApiSpec.relaxed`) is an assumption failure; anything else is the vendor's
contract. The marks to blame are the fewest marks of the failing operation whose removal makes the failure go
away: one when one suffices, never a mark of another operation. Nothing here sends a request: requests and
answers already seen are judged again against the relaxed spec.

Some failures are about what openapi.yaml cannot say rather than what a server did (`spec_limit`): a method the
vendor has on a path and the spec leaves out (`x-vendor-methods-left-out`), and a vendor rule no schema keyword
states (`x-rules-beyond-the-schema`, such as "only one of" two headers). Those are judged by what the vendor
documents: no claim broken, or the mark that decides the exact answer. An undocumented status breaks the
mark whose decision left it out (`rules-out`), if one did.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ep_cart_spec import RULES_BEYOND_THE_SCHEMA, ApiSpec, Assumption

ABSENT: Any = object()
"""A request part that was not sent (no body, no header)."""

MARK_OF_CHECK = {
    # Schemathesis checks whose whole expectation is one of our decisions, by the check's name.
    "unsupported_method": "undocumented-requests-refused",
}
EXHAUSTIVE_UP_TO = 3
"""Sets of up to this many marks are searched in full for the smallest; larger ones are made minimal."""


@dataclass(frozen=True)
class SentRequest:
    """A request as sent, judged again against a spec without sending it."""

    path: str
    """The operation's path template."""
    method: str
    parameters: Mapping[str, Mapping[str, Any]]
    """"path", "header", "query" -> the values sent."""
    body: Any = ABSENT
    media_type: str | None = None


class Classifier:
    """Thread-safe: schemathesis may judge answers from several threads (`st run --workers`)."""

    def __init__(self, spec: ApiSpec) -> None:
        self.strict = spec
        self.vendor_methods_left_out = spec.vendor_methods_left_out()
        self._lock = threading.RLock()
        self._relaxed: dict[frozenset[str], ApiSpec] = {}
        self._validators: dict[tuple[int, str, str, str], Any] = {}
        self._marks: dict[tuple[str, ...], list[Assumption]] = {}

    # --- Which marks an operation's parts rest on --------------------------------------------------------

    def _marks_under(self, key: tuple[str, ...], nodes: Callable[[], list[Any]]) -> list[Assumption]:
        with self._lock:
            if key not in self._marks:
                found = self.strict.marks_under(nodes())
                self._marks[key] = [self.strict.assumptions[mark] for mark in found]
            return self._marks[key]

    def _operation_marks(self, path: str, method: str) -> list[Assumption]:
        """Every mark under an operation (its parameters, body and responses, `$ref`s followed); none for a
        method the path does not document."""
        item = self.strict.document["paths"].get(path, {})
        if method not in item:
            return []
        return self._marks_under(("operation", path, method), lambda: [item.get("parameters", []), item[method]])

    def marks_of_operation(self, path: str, method: str) -> list[Assumption]:
        """The marks with constraints under an operation."""
        return [mark for mark in self._operation_marks(path, method) if mark.covers]

    def request_marks(self, path: str, method: str) -> list[Assumption]:
        """The marks on what a request of the operation sends: its parameters and its body."""
        item = self.strict.document["paths"][path]
        operation = item[method]
        return self._marks_under(
            ("request", path, method),
            lambda: [item.get("parameters", []), operation.get("parameters", []), operation.get("requestBody", {})],
        )

    def response_marks(self, path: str, method: str, status: int) -> list[Assumption]:
        """The marks on one documented response of the operation (none for an undocumented status)."""
        responses = self.strict.operation(path, method)["responses"]
        return self._marks_under(("response", path, method, str(status)), lambda: [responses.get(str(status), {})])

    def marks_ruling_out(self, path: str, method: str, status: int) -> list[Assumption]:
        """The operation's marks whose decision leaves `status` undocumented (`rules-out`): a store that
        answers it decided such a point otherwise, and broke that assumption, not the vendor's contract."""
        return [mark for mark in self._operation_marks(path, method) if str(status) in mark.rules_out]

    # --- Blame: the fewest marks of the operation that explain a failure --------------------------------

    def _relaxed_without(self, marks: Iterable[Assumption]) -> ApiSpec:
        ids = frozenset(mark.id for mark in marks)
        with self._lock:
            if ids not in self._relaxed:
                self._relaxed[ids] = self.strict.relaxed(ids)
            return self._relaxed[ids]

    def _validator(self, spec: ApiSpec, path: str, method: str, part: str, schema: dict[str, Any]) -> Any:
        key = (id(spec), path, method, part)
        with self._lock:
            if key not in self._validators:
                self._validators[key] = spec.validator(schema)
            return self._validators[key]

    def _blame(self, candidates: list[Assumption], holds_in: Callable[[ApiSpec], bool]) -> list[Assumption]:
        """[] when the failure stays with every candidate relaxed (the vendor's contract), or is not about what
        the schemas say at all (it holds in the strict spec too); else the fewest candidates whose removal
        makes it go away: one when one suffices, else the smallest set (searched in full up to
        EXHAUSTIVE_UP_TO marks, beyond that a set none of whose marks can be left out)."""
        candidates = [mark for mark in candidates if mark.covers]
        if holds_in(self.strict) or not candidates or not holds_in(self._relaxed_without(candidates)):
            return []
        for size in range(1, min(EXHAUSTIVE_UP_TO, len(candidates)) + 1):
            for chosen in itertools.combinations(candidates, size):
                if holds_in(self._relaxed_without(chosen)):
                    return list(chosen)
        needed = list(candidates)
        for mark in candidates:
            rest = [other for other in needed if other is not mark]
            if holds_in(self._relaxed_without(rest)):
                needed = rest
        return needed

    # --- Requests -----------------------------------------------------------------------------------------

    def request_is_valid(self, spec: ApiSpec, request: SentRequest) -> bool:
        """Does the request match `spec`?"""
        path, method = request.path, request.method
        item = spec.document["paths"][path]
        operation = item[method]
        for node in [*item.get("parameters", []), *operation.get("parameters", [])]:
            parameter = spec.resolve(node)
            value = sent_value(request.parameters, parameter["in"], parameter["name"])
            if value is ABSENT:
                if parameter.get("required", False):
                    return False
                continue
            part = f"{parameter['in']}:{parameter['name']}"
            if not is_valid(self._validator(spec, path, method, part, parameter.get("schema", {})), value):
                return False
        if "requestBody" not in operation:
            return True
        request_body = spec.resolve(operation["requestBody"])
        if request.body is ABSENT or request.body is None:
            return not request_body.get("required", False)
        content = request_body.get("content", {})
        media = content.get(request.media_type or "") or next(iter(content.values()))
        validator = self._validator(spec, path, method, f"body:{request.media_type}", media.get("schema", {}))
        return is_valid(validator, request.body)

    def blame_accepted_request(self, request: SentRequest) -> list[Assumption]:
        """A request the strict spec calls invalid was accepted: whose rules were they? [] for the vendor's."""
        return self._blame(
            self.request_marks(request.path, request.method), lambda spec: self.request_is_valid(spec, request)
        )

    def marks_a_request_breaks(self, request: SentRequest) -> list[Assumption]:
        """The marks each of which alone makes the request invalid (a refusal of it shows they hold): one
        relaxed spec per mark, cheap enough for every refused request. [] when the vendor's own constraints
        refuse it, or only several marks together do."""
        candidates = [mark for mark in self.request_marks(request.path, request.method) if mark.covers]

        def holds_in(spec: ApiSpec) -> bool:
            return self.request_is_valid(spec, request)

        if not candidates or holds_in(self.strict) or not holds_in(self._relaxed_without(candidates)):
            return []
        return [mark for mark in candidates if holds_in(self._relaxed_without([mark]))]

    # --- Responses ----------------------------------------------------------------------------------------

    def response_is_valid(self, spec: ApiSpec, path: str, method: str, status: int, document: Any) -> bool:
        responses = spec.operation(path, method)["responses"]
        if str(status) not in responses:
            return False
        content = spec.resolve(responses[str(status)]).get("content")
        if not content:
            return True
        schema = content["application/json"]["schema"]
        return is_valid(self._validator(spec, path, method, f"response:{status}", schema), document)

    def blame_response(self, path: str, method: str, status: int, document: Any) -> list[Assumption]:
        """A JSON answer that does not match its documented response: whose rules were they? [] for the
        vendor's."""
        return self._blame(
            self.response_marks(path, method, status),
            lambda spec: self.response_is_valid(spec, path, method, status, document),
        )

    # --- What the spec cannot say -------------------------------------------------------------------------

    def spec_limit(
        self,
        check: str,
        path: str,
        method: str,
        sent_method: str,
        status: int,
        headers: Mapping[str, Any],
        failure: Any,
        body: Any = None,
        cart_has_account: bool = False,
    ) -> tuple[Assumption, ...] | None:
        """A schemathesis failure that comes from what openapi.yaml leaves out or cannot express, judged by what
        the vendor documents: the marks that decide the answer (() when no claim is broken); None when the
        failure is an ordinary one. `method` is the operation's (the
        probed one for an undocumented method), `sent_method` what went on the wire, `body` the JSON body sent,
        `cart_has_account` whether the run knows the request's cart has an account (its own association)."""
        left_out = self.vendor_methods_left_out.get(path, set())
        if check == "allow_header_conformance":
            advertised = {name.lower() for name in getattr(failure, "undocumented_methods", [])}
            missing = getattr(failure, "missing_methods", None)
            if advertised and not missing and advertised <= left_out:
                return ()  # the vendor has those methods (S3)
        if check == "unsupported_method" and sent_method.lower() in left_out:
            return ()  # the vendor has this method (S3); openapi.yaml leaves it out
        if check == "positive_data_acceptance" and method in self.strict.document["paths"].get(path, {}):
            return self.rule_beyond_the_schema(path, method, status, headers, body, cart_has_account)
        return None

    def rule_beyond_the_schema(
        self,
        path: str,
        method: str,
        status: int,
        headers: Mapping[str, Any],
        body: Any = None,
        cart_has_account: bool = False,
    ) -> tuple[Assumption, ...] | None:
        """A request the schemas take as valid, refused as a rule of the vendor's that they cannot state: the
        vendor documents the refusal (any of `refused-with`); the exact status is the named mark's. Two kinds:
        `exactly-one-header-of` (a header rule, broken with none or both), and `when-body-has` (a rule of the
        server's state that a request with that body field meets on a cart that has an account: applied only when
        the run knows the cart has one, so a refusal of a cart without an account stays an ordinary failure)."""
        sent = {name.lower() for name in headers}
        for rule in self.strict.operation(path, method).get(RULES_BEYOND_THE_SCHEMA, []):
            if str(status) not in rule["refused-with"]:
                continue
            if "when-body-has" in rule:
                if not cart_has_account or not has_field(body, rule["when-body-has"]):
                    continue
                decided = rule["when-present"]
            else:
                count = sum(name.lower() in sent for name in rule["exactly-one-header-of"])
                if count == 1:
                    continue
                decided = rule["when-none"] if count == 0 else rule["when-both"]
            return () if str(status) == str(decided["status"]) else (self.strict.assumptions[decided["assumption"]],)
        return None


def has_field(document: Any, names: list[str]) -> bool:
    """Does the JSON document hold a value at these object keys (`data`, `contact`, `email`)?"""
    for name in names:
        if not isinstance(document, dict) or name not in document:
            return False
        document = document[name]
    return True


def is_valid(validator: Any, value: Any) -> bool:
    """A value no JSON document can hold (raw bytes of a body that is not JSON) is valid in no spec."""
    try:
        return bool(validator.is_valid(value))
    except (ValueError, TypeError):
        return False


def sent_value(parameters: Mapping[str, Mapping[str, Any]], location: str, name: str) -> Any:
    """The value sent for a parameter, ABSENT when it was not (header names are case-insensitive)."""
    values = parameters.get(location, {})
    if location == "header":
        return next((value for sent, value in values.items() if sent.lower() == name.lower()), ABSENT)
    return values.get(name, ABSENT)
