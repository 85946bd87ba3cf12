"""openapi.yaml, loaded once at start-up: the mock validates requests with the schemas it declares."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

ASSOCIATION_PATH = "/v2/carts/{cartID}/relationships/accounts"
TOKEN_PATH = "/oauth/access_token"


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
        """Follow a local `$ref` (one level at a time, until a node without one)."""
        while "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

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

    def documented_statuses(self, path: str, method: str) -> set[int]:
        return {int(code) for code in self.operation(path, method)["responses"]}
