"""Which kind of claim a failure broke: the vendor's contract, or one of our assumptions.

The rule (the live-verdicts issue): a failure that does not happen once the assumption-marked constraints
are taken out of the spec (`ApiSpec.relaxed`) is an assumption failure; anything else is the vendor's
contract. The mark to blame is the one whose removal alone makes the failure go away. Nothing here sends a
request: requests and answers already seen are judged again against the relaxed spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ep_cart_mock.spec import ApiSpec, Assumption

ABSENT: Any = object()
"""A request part that was not sent (no body, no header)."""

MARK_OF_CHECK = {
    # Schemathesis checks whose whole expectation is one of our decisions, by the check's name.
    "unsupported_method": "undocumented-requests-refused",
}


class Classifier:
    def __init__(self, spec: ApiSpec) -> None:
        self.strict = spec
        self.relaxed_all = spec.relaxed()
        self._relaxed_one: dict[str, ApiSpec] = {}
        self._validators: dict[tuple[int, str, str, str], Any] = {}
        self._operation_marks: dict[tuple[str, str], list[Assumption]] = {}

    def marks_of_operation(self, path: str, method: str) -> list[Assumption]:
        """The marks with constraints under an operation (its parameters, body and responses, `$ref`s
        followed): what a schemathesis case of it exercises."""
        if (path, method) not in self._operation_marks:
            item = self.strict.document["paths"][path]
            found = self.strict.marks_under([item.get("parameters", []), item[method]])
            marks = self.strict.assumptions
            self._operation_marks[(path, method)] = [marks[mark] for mark in found if marks[mark].covers]
        return self._operation_marks[(path, method)]

    def _relaxed_without(self, mark: Assumption) -> ApiSpec:
        if mark.id not in self._relaxed_one:
            self._relaxed_one[mark.id] = self.strict.relaxed([mark.id])
        return self._relaxed_one[mark.id]

    def _validator(self, spec: ApiSpec, path: str, method: str, part: str, schema: dict[str, Any]) -> Any:
        key = (id(spec), path, method, part)
        if key not in self._validators:
            self._validators[key] = spec.validator(schema)
        return self._validators[key]

    def _blame(self, holds_in: Any) -> Assumption | None:
        """None when the failure stays with every mark relaxed (the vendor's contract), or is not about what
        the schemas say at all (it holds in the strict spec too); else the mark whose removal alone makes it go
        away (or the first of several that only together do)."""
        if holds_in(self.strict) or not holds_in(self.relaxed_all):
            return None
        marks = list(self.strict.assumptions.values())
        for mark in marks:
            if mark.covers and holds_in(self._relaxed_without(mark)):
                return mark
        return next(mark for mark in marks if mark.covers)

    # --- Requests -----------------------------------------------------------------------------------------

    def request_is_valid(
        self,
        spec: ApiSpec,
        path: str,
        method: str,
        parameters: Mapping[str, Mapping[str, Any]],
        body: Any,
        media_type: str | None,
    ) -> bool:
        """Does the request match `spec`? `parameters` maps "path", "header", "query" to the values sent."""
        item = spec.document["paths"][path]
        operation = item[method]
        for node in [*item.get("parameters", []), *operation.get("parameters", [])]:
            parameter = spec.resolve(node)
            values = parameters.get(parameter["in"], {})
            if parameter["in"] == "header":
                lowered = {name.lower(): value for name, value in values.items()}
                value = lowered.get(parameter["name"].lower(), ABSENT)
            else:
                value = values.get(parameter["name"], ABSENT)
            if value is ABSENT:
                if parameter.get("required", False):
                    return False
                continue
            part = f"{parameter['in']}:{parameter['name']}"
            if not self._validator(spec, path, method, part, parameter.get("schema", {})).is_valid(value):
                return False
        if "requestBody" not in operation:
            return True
        request_body = spec.resolve(operation["requestBody"])
        if body is ABSENT or body is None:
            return not request_body.get("required", False)
        content = request_body.get("content", {})
        media = content.get(media_type or "") or next(iter(content.values()))
        return bool(self._validator(spec, path, method, f"body:{media_type}", media.get("schema", {})).is_valid(body))

    def blame_accepted_request(
        self,
        path: str,
        method: str,
        parameters: Mapping[str, Mapping[str, Any]],
        body: Any,
        media_type: str | None,
    ) -> Assumption | None:
        """A request the strict spec calls invalid was accepted: whose rule was it?"""
        return self._blame(lambda spec: self.request_is_valid(spec, path, method, parameters, body, media_type))

    # --- Responses ----------------------------------------------------------------------------------------

    def response_is_valid(self, spec: ApiSpec, path: str, method: str, status: int, document: Any) -> bool:
        responses = spec.operation(path, method)["responses"]
        if str(status) not in responses:
            return False
        content = spec.resolve(responses[str(status)]).get("content")
        if not content:
            return True
        schema = content["application/json"]["schema"]
        return bool(self._validator(spec, path, method, f"response:{status}", schema).is_valid(document))

    def blame_response(self, path: str, method: str, status: int, document: Any) -> Assumption | None:
        """A JSON answer that does not match its documented response: whose rule was it?"""
        return self._blame(lambda spec: self.response_is_valid(spec, path, method, status, document))
