"""Requests checked against openapi.yaml's own schemas: the validators, compiled once (with the store profile's
relaxed marks taken out), JSON bodies read and refused, and a schema error mapped to the rule that explains it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jsonschema_rs import ValidationError

from ep_cart_mock.answers import Rejected, reject
from ep_cart_mock.config import MAX_BODY_BYTES
from ep_cart_spec import ASSOCIATION_PATH, CART_PATH, CARTS_PATH, LOGIN_PATH, TOKEN_PATH, ApiSpec, StoreProfile

PAGE_LIMIT, PAGE_OFFSET = PAGE_PARAMETERS = ("page[limit]", "page[offset]")
RELAXING_ALTERNATIVES = (
    ("account-id-is-a-uuid", "any-string"),
    ("cart-id-at-most-255-characters", "not-enforced"),
    ("account-token-length", "not-enforced"),
    ("page-limit-above-100-refused", "clamped"),
    ("customer-token-empty-refused", "absent"),
)
"""(mark, alternative) that takes the keyword the mark covers out of the schema the rules validate with."""


@dataclass(frozen=True)
class Validators:
    """Every validator the rules use, built once from openapi.yaml. A profile's alternative that takes a schema
    keyword away is applied by validating against the spec with that mark relaxed (ApiSpec.relaxed): the same
    validators, one keyword fewer."""

    cart_id: Any
    association_body: Any
    update: Any
    account_token: Any
    token_request: Any
    login: Any
    page: dict[str, Any]
    page_defaults: dict[str, int]
    page_limit_maximum: int
    """The documented maximum of page[limit], read from the spec as it stands (a profile may clamp to it)."""

    @classmethod
    def of(cls, spec: ApiSpec, profile: StoreProfile) -> Validators:
        relaxed = [mark for mark, alternative in RELAXING_ALTERNATIVES if profile.alternative(mark) == alternative]
        used = spec.relaxed(relaxed) if relaxed else spec
        page_schemas = {name: used.parameter_schema(CARTS_PATH, "get", name, "query") for name in PAGE_PARAMETERS}
        return cls(
            cart_id=used.validator(used.path_parameter_schema(ASSOCIATION_PATH, "cartID")),
            association_body=used.validator(used.request_schema(ASSOCIATION_PATH, "post", "application/json")),
            update=used.validator(used.request_schema(CART_PATH, "put", "application/json")),
            account_token=used.validator(used.document["components"]["schemas"]["AccountToken"]),
            token_request=used.validator(used.request_schema(TOKEN_PATH, "post", "application/x-www-form-urlencoded")),
            login=used.validator(used.request_schema(LOGIN_PATH, "post", "application/json")),
            page={name: used.validator(schema) for name, schema in page_schemas.items()},
            page_defaults={name: int(used.resolve(schema)["default"]) for name, schema in page_schemas.items()},
            page_limit_maximum=int(
                spec.resolve(spec.parameter_schema(CARTS_PATH, "get", PAGE_LIMIT, "query"))["maximum"]
            ),
        )


def media_type(content_type: str | None) -> str:
    return (content_type or "").partition(";")[0].strip().lower()


def valid_json_body(body: bytes, too_large: bool, content_type: str | None, validator: Any, rule_id: str) -> Any:
    """A request's JSON body that its schema takes (the login's, the update's), or the rule's refusal naming why:
    too large, not JSON, or the first place it breaks the schema."""
    if too_large or len(body) > MAX_BODY_BYTES:
        raise reject(rule_id, f"The request body must be at most {MAX_BODY_BYTES} bytes.")
    if media_type(content_type) != "application/json":
        raise reject(rule_id, "The request body must be sent as application/json.")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise reject(rule_id, "The request body is not valid JSON.") from None
    error = next(iter(validator.iter_errors(document)), None)
    if error is not None:
        raise reject(rule_id, describe(error))
    return document


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise reject("json-malformed", f"The request body is not valid JSON: {error}") from None
    except RecursionError:
        raise reject("json-malformed", "The request body is nested too deeply to be a valid request.") from None


def body_rejection(errors: Iterable[ValidationError]) -> Rejected:
    """Map schema errors to the documented rule that explains them best, most specific first."""
    ranked: list[tuple[int, ValidationError, str]] = []
    for error in errors:
        path = list(error.instance_path)
        if path == ["data"] and error.kind.name == "type" and isinstance(error.instance, dict):
            ranked.append((0, error, "data-not-array"))
        elif path == ["data"] and error.kind.name == "maxItems":
            ranked.append((1, error, "more-than-one-account-in-request"))
        elif is_type_error(path, error):
            ranked.append((2, error, "account-type-invalid"))
        else:
            ranked.append((3, error, "body-invalid"))
    _, error, rule_id = min(ranked, key=lambda entry: entry[0])
    return reject(rule_id, describe(error) if rule_id == "body-invalid" else None)


def is_type_error(path: list[Any], error: ValidationError) -> bool:
    """Is this the entry's `type` being missing or not the member's type?"""
    if len(path) == 3 and path[0] == "data" and path[2] == "type":
        return True
    return (
        len(path) == 2
        and path[0] == "data"
        and error.kind.name == "required"
        and error.kind.as_dict().get("property") == "type"
    )


def describe(error: ValidationError) -> str:
    """`data[0].id: 'x' is not a 'uuid'`: where the error is, then the validator's message, kept short."""
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.instance_path)
    message = error.message if len(error.message) <= 200 else error.message[:200] + "..."
    return f"{where.lstrip('.') or 'body'}: {message}"


def check_cart_id(validators: Validators, cart_id: str) -> None:
    """The cart ID as the path parameter's schema takes it, or `cart-id-unsafe`."""
    if not validators.cart_id.is_valid(cart_id):
        raise reject("cart-id-unsafe", meta={"value": cart_id[:300]})
