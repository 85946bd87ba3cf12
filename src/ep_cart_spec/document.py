"""openapi.yaml as a document: its operations, its schemas (compiled into validators), and its assumption marks
(`x-assumptions`): read, and relaxed, that is, taken out of the schemas they constrain."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml
from jsonpointer import JsonPointer, JsonPointerException, resolve_pointer

from ep_cart_spec.names import HTTP_METHODS, MARK, NO_OP_COVERS, VENDOR_METHODS_LEFT_OUT


@dataclass(frozen=True)
class Assumption:
    """One `x-assumptions` entry: a decision of ours, where it sits in the spec, and what it covers."""

    id: str
    reason: str
    pointer: str
    """JSON pointer of the object that carries the mark."""
    covers: tuple[str, ...]
    """Schema keywords, `status`/`content` of a response, or response codes of an operation; empty when the
    mark is about behaviour the schemas do not express."""
    guards_access: bool
    """The decision says who may act for which account: a failure is never only reported."""
    line: int
    """The line of openapi.yaml that holds the mark's id: where to edit when it proves wrong."""
    rules_out: tuple[str, ...] = ()
    """Statuses a store that decided otherwise would answer (undocumented because of this decision)."""
    alternatives: tuple[tuple[str, str], ...] = ()
    """(id, what it means) of each way a store may decide this point, ours first (the default); empty when no
    store profile can choose another (openapi.yaml's `alternatives`)."""
    messages: tuple[tuple[str, str], ...] = ()
    """(id, text) of each message decided on its own (`decided-per-message`): a profile picks an alternative per
    message. Empty for a mark decided once."""
    answers: tuple[tuple[str, str, dict[str, Any]], ...] = ()
    """(name, alternative, error) of each answer an alternative adds where the operation documents none
    (`answers`: a 404 that `rules-out` leaves undocumented): the mock gives it, a store profile's texts name it."""

    @property
    def default(self) -> str | None:
        """Our decision's alternative, the first listed; None when the mark lists none."""
        return self.alternatives[0][0] if self.alternatives else None

    @property
    def where(self) -> str:
        return f"openapi.yaml:{self.line}"


@dataclass(frozen=True)
class ErrorExample:
    """One named example of an error answer in openapi.yaml."""

    name: str
    path: str
    method: str
    status: int
    title: str
    detail: str | None


def pointer_to(*keys: object) -> str:
    """The JSON pointer of a node reached through `keys` (RFC 6901: `~` as `~0`, `/` as `~1`)."""
    return str(JsonPointer.from_parts([str(key) for key in keys]).path)


def pointer_parts(pointer: str) -> list[str]:
    """The keys a JSON pointer goes through (a `#` in front, as a `$ref` has it, is taken off)."""
    return list(JsonPointer(pointer.removeprefix("#")).parts)


def at_pointer(document: Any, pointer: str) -> Any:
    """The node of `document` a JSON pointer (or a local `$ref`) names; KeyError-like JsonPointerException if none."""
    return resolve_pointer(document, pointer.removeprefix("#"))


def follow_references(document: Any, node: Any) -> Any:
    """`node`, its local `$ref`s followed until a node without one; a `$ref` that comes round again stops there
    (ValueError), as does one that names nothing."""
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node:
        reference = str(node["$ref"])
        if reference in seen:
            raise ValueError(f"$ref {reference} comes round again")
        seen.add(reference)
        try:
            node = at_pointer(document, reference)
        except JsonPointerException as error:
            raise ValueError(f"$ref {reference} names nothing: {error}") from None
    return node


def walk(node: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mapping of a YAML document with its JSON pointer (`$ref`s are not followed)."""
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            yield from walk(value, pointer + pointer_to(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{pointer}/{index}")


@dataclass(frozen=True)
class ApiSpec:
    text: str
    document: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> ApiSpec:
        text = path.read_text(encoding="utf-8")
        return cls(text=text, document=yaml.safe_load(text))

    def validator(self, schema: dict[str, Any]) -> jsonschema_rs.Validator:
        """A validator for a schema of this document; its `$ref`s resolve against the whole document.

        jsonschema-rs: compiled once, fast per request, and its regular expressions follow ECMA-262 as JSON
        Schema asks (Python's `re` lets `$` match before a trailing newline, so "cart\n" would pass `^...$`).
        """
        root = {**schema, "components": self.document["components"]}
        return jsonschema_rs.validator_for(root, validate_formats=True)

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follow a local `$ref` (until a node without one; a cycle is a ValueError)."""
        resolved: dict[str, Any] = follow_references(self.document, node)
        return resolved

    @cached_property
    def assumptions(self) -> dict[str, Assumption]:
        """Every mark in the document, by id (ids are unique: the line lookup relies on it)."""
        lines = self.text.splitlines()
        found: dict[str, Assumption] = {}
        for pointer, node in walk(self.document):
            for entry in node.get(MARK, []):
                mark_id = entry["id"]
                if mark_id in found:
                    raise ValueError(f"{MARK} id {mark_id!r} is used twice")
                line = next(
                    (
                        number
                        for number, text in enumerate(lines, 1)
                        if re.fullmatch(rf"\s*- id: {re.escape(mark_id)}", text)
                    ),
                    0,
                )
                found[mark_id] = Assumption(
                    id=mark_id,
                    reason=" ".join(entry["reason"].split()),
                    pointer=pointer,
                    covers=tuple(str(part) for part in entry.get("covers", [])),
                    guards_access=bool(entry.get("guards-access", False)),
                    rules_out=tuple(str(status) for status in entry.get("rules-out", [])),
                    line=line,
                    alternatives=tuple(
                        (str(key), " ".join(str(text).split())) for key, text in entry.get("alternatives", {}).items()
                    ),
                    messages=tuple((str(key), str(text)) for key, text in entry.get("decided-per-message", {}).items()),
                    answers=tuple(
                        (str(name), str(answer["alternative"]), dict(answer["value"]["errors"][0]))
                        for name, answer in entry.get("answers", {}).items()
                    ),
                )
        return found

    def marks_under(self, node: Any) -> list[str]:
        """The ids of the marks on `node` and everything under it, local `$ref`s followed, each once."""
        found: dict[str, None] = {}
        seen: set[int] = set()

        def visit(value: Any) -> None:
            if id(value) in seen:
                return
            seen.add(id(value))
            if isinstance(value, dict):
                found.update((entry["id"], None) for entry in value.get(MARK, []))
                if "$ref" in value:
                    visit(self.resolve(value))
                for child in value.values():
                    visit(child)
            elif isinstance(value, list):
                for child in value:
                    visit(child)

        visit(node)
        return list(found)

    def relaxed(self, mark_ids: Iterable[str] | None = None) -> ApiSpec:
        """This spec with what the marks cover taken out (all marks when `mark_ids` is None): schema keywords
        and `required` flags removed, a response's `content` accepting any body. What still fails against the
        relaxed spec breaks the vendor's contract; what passes there failed only on our assumptions."""
        chosen = set(self.assumptions) if mark_ids is None else set(mark_ids)
        document = copy.deepcopy(self.document)
        for _, node in list(walk(document)):
            for entry in node.get(MARK, []):
                if entry["id"] not in chosen:
                    continue
                for covered in entry.get("covers", []):
                    covered = str(covered)
                    if covered == "content":
                        for media in node.get("content", {}).values():
                            media["schema"] = {}
                    elif not NO_OP_COVERS.match(covered):
                        node.pop(covered, None)
        return ApiSpec(text=self.text, document=document)

    def operations(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every operation as (path, method, operation); a path's `parameters` and extensions are not ones."""
        for path, item in self.document["paths"].items():
            for method, operation in item.items():
                if method in HTTP_METHODS:
                    yield path, method, operation

    @cached_property
    def operations_by_id(self) -> dict[str, tuple[str, str]]:
        """operationId -> (path, method)."""
        return {operation["operationId"]: (path, method) for path, method, operation in self.operations()}

    def vendor_methods_left_out(self) -> dict[str, set[str]]:
        """Path -> the methods the vendor has there and this description leaves out (lower case)."""
        return {
            path: {entry["method"].lower() for entry in item.get(VENDOR_METHODS_LEFT_OUT, [])}
            for path, item in self.document["paths"].items()
            if item.get(VENDOR_METHODS_LEFT_OUT)
        }

    def parameter_schema(self, path: str, method: str, name: str, location: str) -> dict[str, Any]:
        """The schema of a parameter of an operation, path-level parameters included."""
        item = self.document["paths"][path]
        for parameter in [*item.get("parameters", []), *item[method].get("parameters", [])]:
            parameter = self.resolve(parameter)
            if parameter["name"] == name and parameter["in"] == location:
                schema: dict[str, Any] = parameter["schema"]
                return schema
        raise KeyError(f"{method.upper()} {path} has no {location} parameter {name!r}")

    def operation(self, path: str, method: str) -> dict[str, Any]:
        operation: dict[str, Any] = self.document["paths"][path][method]
        return operation

    def request_schema(self, path: str, method: str, media_type: str) -> dict[str, Any]:
        body = self.resolve(self.operation(path, method)["requestBody"])
        schema: dict[str, Any] = body["content"][media_type]["schema"]
        return schema

    def path_parameter_schema(self, path: str, name: str) -> dict[str, Any]:
        for parameter in self.document["paths"][path].get("parameters", []):
            parameter = self.resolve(parameter)
            if parameter["name"] == name and parameter["in"] == "path":
                schema: dict[str, Any] = parameter["schema"]
                return schema
        raise KeyError(f"{path} has no path parameter {name!r}")

    @cached_property
    def error_examples(self) -> tuple[ErrorExample, ...]:
        """Every named example of an error answer (its one error's title and detail), per operation and status:
        the example's name is the rule that gives that answer (the mock's rule table is kept in step with it).
        The answers an alternative adds (a mark's `answers`) are named too, for the operations the mark is on."""
        found = []
        for path, method, operation in self.operations():
            for status, response in operation["responses"].items():
                examples = self.resolve(response).get("content", {}).get("application/json", {}).get("examples", {})
                for name, example in examples.items():
                    errors = (example.get("value") or {}).get("errors") if isinstance(example, dict) else None
                    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                        item = errors[0]
                        detail = item.get("detail")
                        found.append(ErrorExample(name, path, method, int(status), str(item.get("title", "")), detail))
            for mark_id in self.marks_under([operation]):
                for name, _, item in self.assumptions[mark_id].answers:
                    status = int(item["status"])
                    found.append(ErrorExample(name, path, method, status, str(item["title"]), item.get("detail")))
        return tuple(found)

    def documented_statuses(self, path: str, method: str) -> set[int]:
        return {int(code) for code in self.operation(path, method)["responses"]}
