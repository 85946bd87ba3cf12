"""The statements a contract rests on, extracted from an OpenAPI file: the vendor's, or openapi.yaml itself.

A statement is one thing a file says about one of the kit's operations, in a form that reads the same however the
file spells it (`$ref`s followed, `allOf` merged, a one-type `oneOf` read as its types, `nullable` read as the
type `null`):

- the operation itself (its operationId);
- each parameter: where it goes, its name, whether it is required, its type and every validation keyword
  (FACT_KEYWORDS: format, enum, lengths, pattern, bounds, item counts, ...);
- the request body (whether it is required), and each of its fields as a path (`data[].id`): type, the same
  keywords, required;
- each documented status, each response body's fields the same way, and each response header.

Descriptions and examples are prose, not statements. A statement's key (`POST /v2/carts | response 200
application/json | data[].id`) names it; its facts are what the file says there. Where the file composes a
body of alternatives (`oneOf` of objects), each alternative's fields are under `{label}`, the discriminator's
name for it, else its schema's name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ep_cart_spec import follow_references

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
FACT_KEYWORDS = (
    "format",
    "enum",
    "const",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "additionalProperties",
    "readOnly",
    "writeOnly",
    "default",
)
"""Every validation keyword a statement records beside `type` (`nullable` is read as the type `null`, `required`
as a field's own fact): a vendor file that adds any of them to a field the kit checks is a change."""
MARK = "x-assumptions"


@dataclass(frozen=True)
class Statement:
    operation: str
    """"POST /v2/carts/{cartID}/relationships/accounts"."""
    where: str
    """"operation", "parameter header ep-account-management-authentication-token", "request" (whether a body is
    required), "request application/json", "response 200", "response 200 application/json", "response 200 header
    x-name"."""
    field: str
    """A body field's path ("data[].id"); "" for the part itself."""
    facts: tuple[tuple[str, str], ...]
    marks: tuple[str, ...] = ()
    """openapi.yaml's marks on the node that says it (and, for `required`, on its parent): empty for a vendor
    file. Not part of what is compared."""
    parent_marks: tuple[str, ...] = ()
    context_marks: tuple[str, ...] = ()
    """Marks of the response or operation that cover this status or this response's content."""

    @property
    def key(self) -> str:
        return f"{self.operation} | {self.where} | {self.field}"

    @property
    def fact_map(self) -> dict[str, str]:
        return dict(self.facts)

    def as_record(self) -> dict[str, Any]:
        return {"key": self.key, "facts": self.fact_map}


@dataclass
class Extractor:
    document: Mapping[str, Any]
    found: list[Statement] = field(default_factory=list)
    context: tuple[str, ...] = ()
    """While a response's content is extracted: the marks covering that response."""

    def resolve(self, node: Any) -> Any:
        """`node` with its local `$ref`s followed; a vendor's `$ref` that comes round again is left as it is."""
        try:
            return follow_references(self.document, node)
        except ValueError:
            return node

    def operation(self, path: str, method: str, label: str) -> None:
        """The statements of the operation at `path`, `method`, named `label` (the kit's name for it)."""
        item = self.document["paths"][path]
        operation = item[method]
        self.add(label, "operation", "", {"operationId": str(operation.get("operationId", ""))}, operation)
        for raw in [*item.get("parameters", []), *operation.get("parameters", [])]:
            parameter = self.resolve(raw)
            place, name = parameter.get("in", ""), str(parameter.get("name", ""))
            name = name.lower() if place == "header" else name
            schema = self.merged(parameter.get("schema", {}))
            facts = {"required": yes(parameter.get("required", False)), **node_facts(schema)}
            self.add(label, f"parameter {place} {name}", "", facts, parameter, schema)
        if "requestBody" in operation:
            body = self.resolve(operation["requestBody"])
            self.add(label, "request", "", {"required": yes(body.get("required", False))}, body)
            for media, content in body.get("content", {}).items():
                self.fields(label, f"request {media}", content.get("schema", {}))
        for status, raw in operation.get("responses", {}).items():
            response = self.resolve(raw)
            covering = tuple(
                entry["id"]
                for carrier in (operation, response)
                for entry in carrier.get(MARK, [])
                if {str(status), "status"} & {str(part) for part in entry.get("covers", [])}
            )
            # The status itself: only a mark that covers it (its response's marks are about its body).
            self.add(label, f"response {status}", "", {}, context=covering)
            content_marks = tuple(
                entry["id"] for entry in response.get(MARK, []) if "content" in entry.get("covers", [])
            )
            for media, content in (response.get("content") or {}).items():
                self.context = tuple(dict.fromkeys(covering + content_marks))
                self.fields(label, f"response {status} {media}", content.get("schema", {}))
                self.context = ()
            for name, header in (response.get("headers") or {}).items():
                header = self.resolve(header)
                schema = self.merged(header.get("schema", {}))
                facts = {"required": yes(header.get("required", False)), **node_facts(schema)}
                self.add(label, f"response {status} header {name.lower()}", "", facts, header, schema)

    def add(
        self,
        operation: str,
        where: str,
        path: str,
        facts: Mapping[str, str],
        *carriers: Any,
        parent: tuple[str, ...] = (),
        context: tuple[str, ...] = (),
    ) -> None:
        marks = tuple(
            dict.fromkeys(
                entry["id"]
                for carrier in carriers
                if isinstance(carrier, dict)
                for entry in carrier.get(MARK, [])
                if isinstance(entry, dict) and "id" in entry
            )
        )
        found = Statement(operation, where, path, tuple(sorted(facts.items())), marks, parent, context or self.context)
        self.found.append(found)

    def merged(self, schema: Any, depth: int = 0) -> dict[str, Any]:
        """The schema with `$ref`s followed and `allOf` merged into one (properties, required and keywords);
        a `oneOf`/`anyOf` of plain types read as those types; the marks of every part kept together."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict) or depth > 30:
            return {}
        result: dict[str, Any] = {key: value for key, value in schema.items() if key not in ("allOf", "$ref")}
        result[MARK] = list(schema.get(MARK, []))
        for part in schema.get("allOf", []):
            merged = self.merged(part, depth + 1)
            for key, value in merged.items():
                if key == "properties":
                    result["properties"] = {**merged["properties"], **result.get("properties", {})}
                elif key == "required":
                    result["required"] = sorted({*result.get("required", []), *value})
                elif key == MARK:
                    result[MARK] += value
                else:
                    result.setdefault(key, value)
        for key in ("oneOf", "anyOf"):
            branches = [self.merged(branch, depth + 1) for branch in schema.get(key, [])]
            if branches and all("properties" not in branch for branch in branches):
                types = {kind for branch in branches for kind in as_types(branch)}
                result.pop(key, None)
                result["type"] = sorted(types)
                formats = {branch["format"] for branch in branches if "format" in branch}
                if formats:
                    result["format"] = "|".join(sorted(formats))
        return result

    def fields(self, operation: str, where: str, raw: Any) -> None:
        self._fields(operation, where, raw, "", (), None, 0, frozenset())

    def _fields(
        self,
        operation: str,
        where: str,
        raw: Any,
        path: str,
        parent: tuple[str, ...],
        required: bool | None,
        depth: int,
        refs: frozenset[str],
    ) -> None:
        ref = raw.get("$ref") if isinstance(raw, dict) else None
        if ref in refs or depth > 12:
            return  # a schema that contains itself: its fields are already named once
        refs = refs | {ref} if ref else refs
        schema = self.merged(raw)
        facts = node_facts(schema)
        if required is not None:
            facts["required"] = yes(required)
        self.add(operation, where, path, facts, schema, parent=parent)
        marks = tuple(entry["id"] for entry in schema.get(MARK, []) if isinstance(entry, dict) and "id" in entry)
        names = set(schema.get("required", []))
        for name, child in (schema.get("properties") or {}).items():
            child_path = f"{path}.{name}" if path else name
            self._fields(operation, where, child, child_path, marks, name in names, depth + 1, refs)
        if "items" in schema:
            self._fields(operation, where, schema["items"], f"{path}[]", marks, None, depth + 1, refs)
        for key in ("oneOf", "anyOf"):
            mapping = {
                str(target): name for name, target in (schema.get("discriminator") or {}).get("mapping", {}).items()
            }
            for index, branch in enumerate(schema.get(key, [])):
                label = mapping.get(str(branch.get("$ref"))) if isinstance(branch, dict) else None
                label = label or (
                    str(branch["$ref"]).rsplit("/", 1)[-1]
                    if isinstance(branch, dict) and "$ref" in branch
                    else str(index)
                )
                self._fields(operation, where, branch, f"{path}{{{label}}}", marks, None, depth + 1, refs)


def yes(value: object) -> str:
    return "yes" if value else "no"


def as_types(schema: Mapping[str, Any]) -> list[str]:
    kind = schema.get("type")
    types = [kind] if isinstance(kind, str) else list(kind or [])
    if schema.get("nullable") is True and "null" not in types:
        types.append("null")
    return [str(value) for value in types]


def node_facts(schema: Mapping[str, Any]) -> dict[str, str]:
    facts: dict[str, str] = {}
    types = as_types(schema)
    if not types and "properties" in schema:
        types = ["object"]
    if types:
        facts["type"] = "|".join(sorted(types))
    for keyword in FACT_KEYWORDS:
        if keyword not in schema:
            continue
        value = schema[keyword]
        if keyword == "enum":
            value = sorted(value, key=json.dumps)
        elif keyword == "additionalProperties" and isinstance(value, dict):
            value = "a schema" if value else True  # its fields are statements of their own where they are named
        facts[keyword] = value if isinstance(value, str) and keyword in ("format", "pattern") else json.dumps(value)
    return facts


def find_operation(document: Mapping[str, Any], operation_id: str, method: str, path: str) -> tuple[str, str] | None:
    """Where a file has one of the kit's operations: by its operationId, else by its method and path."""
    for candidate, item in (document.get("paths") or {}).items():
        for verb, operation in item.items():
            if verb in HTTP_METHODS and isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return candidate, verb
    item = (document.get("paths") or {}).get(path) or {}
    return (path, method) if isinstance(item.get(method), dict) else None


def extract(document: Mapping[str, Any], operations: Iterable[tuple[str, str, str]]) -> list[Statement]:
    """Every statement `document` makes about the operations (path, method, the kit's label) it holds."""
    extractor = Extractor(document)
    for path, method, label in operations:
        extractor.operation(path, method, label)
    return extractor.found
