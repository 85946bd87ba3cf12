"""openapi.yaml is valid, and says everything the vendor documents, in the right place, more strictly.

The vendor's facts are written here as data (sources S1..S6, docs/sources.md), so
this test needs nothing outside the repository.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from openapi_spec_validator import validate

from ep_cart_spec import (
    ASSOCIATION_PATH,
    RULES_BEYOND_THE_SCHEMA,
    ApiSpec,
    follow_references,
    pointer_parts,
    pointer_to,
    walk,
)
from ep_cart_spec import names as spec_module
from tests.conftest import SPEC_PATH
from tests.paths import ROOT

OPERATIONS = {"post": "createAccountCartAssociation", "delete": "deleteAccountCartAssociation"}  # S1, S3
TAG = "Account Cart Associations"  # S1, S3
VENDOR_SERVERS = {"https://useast.api.elasticpath.com", "https://euwest.api.elasticpath.com"}  # S3
ACCOUNT_TOKEN_HEADER = "EP-Account-Management-Authentication-Token"  # S1
DOCUMENTED_STATUSES = {"post": {200, 204, 400, 401, 403, 422}, "delete": {204}}  # S1; 401 from S3 (older)
ERROR_STATUSES = {400, 401, 403, 422}
ERROR_ITEM_FIELDS = {"title", "status", "detail", "meta"}  # S1
ERROR_META_FIELDS = {
    "id",
    "ids",
    "item_ids",
    "shipping_group_id",
    "shipping_group_ids",
    "cart_id",
    "code",
    "order_id",
    "value",
}  # S1
DOCUMENTED_TITLES = {  # S2's scenarios: status -> titles
    400: ["The type does not exist or is not listed as account"],
    403: [
        "Cannot associate more than one account",
        "Account does not have the required permissions to fulfill this request",
        "Invalid json payload",
    ],
    422: ["Cannot associate accounts to carts with contact emails"],
}
SAFE_CART_IDS = ["abc", "ABC123", "cart_1", "cart-1", "_-", "9"]  # S5
RESERVED_AND_UNSAFE = list("&$+,/:;=?@#") + list(" <>[]{}|\\^%~")  # S5


@pytest.fixture(scope="module")
def api() -> ApiSpec:
    return ApiSpec.load(SPEC_PATH)


def operation(api: ApiSpec, method: str) -> dict[str, Any]:
    return api.operation(ASSOCIATION_PATH, method)


def response(api: ApiSpec, method: str, status: int) -> dict[str, Any]:
    return api.resolve(operation(api, method)["responses"][str(status)])


def json_schema(api: ApiSpec, node: dict[str, Any]) -> dict[str, Any]:
    return api.resolve(node["content"]["application/json"]["schema"])


def test_spec_is_valid_openapi_3_1(api: ApiSpec) -> None:
    assert api.document["openapi"] == "3.1.0"
    validate(api.document)


@pytest.mark.parametrize(("method", "operation_id"), OPERATIONS.items())
def test_operations_are_named_and_tagged_as_the_vendor_does(api: ApiSpec, method: str, operation_id: str) -> None:
    op = operation(api, method)
    assert op["operationId"] == operation_id
    assert op["tags"] == [TAG]


def test_servers_list_both_vendor_regions_and_the_mock(api: ApiSpec) -> None:
    urls = {server["url"] for server in api.document["servers"]}
    assert urls >= VENDOR_SERVERS
    assert any(url.startswith("http://127.0.0.1:") for url in urls)


def test_security_is_http_bearer(api: ApiSpec) -> None:
    schemes = api.document["components"]["securitySchemes"]
    assert api.document["security"] == [{"bearerAuth": []}]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    for method in OPERATIONS:
        assert "security" not in operation(api, method), "the association operations must not drop bearer auth"


def parameters(api: ApiSpec) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in map(api.resolve, api.document["paths"][ASSOCIATION_PATH]["parameters"])}


def test_cart_id_is_a_required_path_parameter(api: ApiSpec) -> None:
    cart_id = parameters(api)["cartID"]
    assert cart_id["in"] == "path"
    assert cart_id["required"] is True
    assert "Safe Characters" in cart_id["description"]


@pytest.mark.parametrize("value", SAFE_CART_IDS)
def test_cart_id_schema_accepts_safe_characters(api: ApiSpec, value: str) -> None:
    assert api.validator(parameters(api)["cartID"]["schema"]).is_valid(value)


@pytest.mark.parametrize("character", RESERVED_AND_UNSAFE)
def test_cart_id_schema_refuses_reserved_and_unsafe_characters(api: ApiSpec, character: str) -> None:
    validator = api.validator(parameters(api)["cartID"]["schema"])
    assert not validator.is_valid(f"cart{character}1")
    assert not validator.is_valid("")


def test_the_shared_header_names_are_the_vendors(api: ApiSpec) -> None:
    """The mock, the suite and the fault proxy name the headers through ep_cart_mock.spec: S1's and S3's names."""
    assert spec_module.ACCOUNT_TOKEN_HEADER == ACCOUNT_TOKEN_HEADER
    assert spec_module.CUSTOMER_TOKEN_HEADER == "x-moltin-customer-token"  # S3


def test_rules_beyond_the_schema_name_real_headers_statuses_and_marks(api: ApiSpec) -> None:
    """Each rule no schema keyword states names the operation's own headers, statuses it documents, and, for
    each way of breaking it, a mark on an example of the response with that status."""
    rules = [
        (path, method, rule)
        for path, method, operation in api.operations()
        for rule in operation.get(RULES_BEYOND_THE_SCHEMA, [])
    ]
    assert [rule["id"] for _, _, rule in rules] == ["contact-email-keeps-accounts-off", "one-shopper-token"]
    for path, method, rule in rules:
        operation = api.operation(path, method)
        headers = {api.resolve(node)["name"] for node in operation.get("parameters", [])}
        if "when-body-has" in rule:
            schema: Any = api.resolve(operation["requestBody"])["content"]["application/json"]["schema"]
            for name in rule["when-body-has"]:  # a field the body's schema describes, all the way down
                schema = api.resolve(api.resolve(schema)["properties"][name])
            ways = [rule["when-present"]]
        else:
            assert set(rule["exactly-one-header-of"]) <= headers
            ways = [rule["when-none"], rule["when-both"]]
        assert set(rule["refused-with"]) <= set(operation["responses"])
        for decided in ways:
            assert decided["status"] in rule["refused-with"]
            answer = api.resolve(operation["responses"][decided["status"]])
            # On an example of that answer, or on the answer itself (covering its status).
            assert decided["assumption"] in api.marks_under([answer])


def test_account_token_header_is_optional_with_a_realistic_example(api: ApiSpec) -> None:
    header = parameters(api)[ACCOUNT_TOKEN_HEADER]
    assert header["in"] == "header"
    assert header["required"] is False
    assert "Account Management Authentication token" in header["description"]
    for example in header["examples"].values():
        assert "{{" not in example["value"], "vendor weak point: template placeholders as examples"


@pytest.mark.parametrize("method", OPERATIONS)
def test_request_body_is_required_with_data_id_and_type_required(api: ApiSpec, method: str) -> None:
    body = api.resolve(operation(api, method)["requestBody"])
    assert body["required"] is True
    schema = json_schema(api, body)
    assert schema["required"] == ["data"]
    data = schema["properties"]["data"]
    assert data["type"] == "array"
    item = api.resolve(data["items"])
    assert set(item["required"]) == {"id", "type"}
    assert api.resolve(item["properties"]["type"])["const"] == "account"


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        ({"data": [{"id": "deb6b25f-8451-4211-9a22-95610333df23", "type": "account"}]}, True),
        ({"data": [{"id": "deb6b25f-8451-4211-9a22-95610333df23", "type": "customer"}]}, False),
        ({"data": [{"id": "deb6b25f-8451-4211-9a22-95610333df23"}]}, False),
        ({"data": [{"type": "account"}]}, False),
        ({"data": {"id": "deb6b25f-8451-4211-9a22-95610333df23", "type": "account"}}, False),
        ({"data": []}, False),
        ({}, False),
    ],
)
def test_request_body_schema_accepts_only_one_account(api: ApiSpec, body: dict[str, Any], valid: bool) -> None:
    schema = api.request_schema(ASSOCIATION_PATH, "post", "application/json")
    assert api.validator(schema).is_valid(body) is valid


@pytest.mark.parametrize("method", OPERATIONS)
def test_every_documented_status_code_is_there(api: ApiSpec, method: str) -> None:
    documented = api.documented_statuses(ASSOCIATION_PATH, method)
    assert documented >= DOCUMENTED_STATUSES[method]
    assert documented >= ERROR_STATUSES, "DELETE answers the same errors as POST"


@pytest.mark.parametrize("method", OPERATIONS)
def test_every_response_has_a_description_and_an_example(api: ApiSpec, method: str) -> None:
    for status, node in operation(api, method)["responses"].items():
        resolved = api.resolve(node)
        assert resolved["description"].strip(), status
        if status == "204":
            assert "content" not in resolved, "204 has no body (S1)"
            continue
        examples = resolved["content"]["application/json"]["examples"]
        assert examples, status
        validator = api.validator(json_schema(api, resolved))
        for name, example in examples.items():
            errors = [error.message for error in validator.iter_errors(example["value"])]
            assert not errors, f"{method} {status} example {name}: {errors}"


def test_200_echoes_the_associated_accounts(api: ApiSpec) -> None:
    schema = json_schema(api, response(api, "post", 200))
    assert schema["required"] == ["data"]
    item = api.resolve(schema["properties"]["data"]["items"])
    assert set(item["properties"]) == {"id", "type"}


@pytest.mark.parametrize("method", OPERATIONS)
@pytest.mark.parametrize("status", sorted(ERROR_STATUSES))
def test_error_answers_have_the_documented_body(api: ApiSpec, method: str, status: int) -> None:
    schema = json_schema(api, response(api, method, status))
    assert schema["required"] == ["errors"]
    errors = schema["properties"]["errors"]
    assert errors["type"] == "array", "vendor weak point: Response.Error typed array with object properties"
    item = api.resolve(errors["items"])
    assert set(item["properties"]) == ERROR_ITEM_FIELDS
    assert set(item["required"]) == {"title", "status"}
    assert set(api.resolve(item["properties"]["meta"])["properties"]) == ERROR_META_FIELDS


def test_error_status_accepts_string_and_integer(api: ApiSpec) -> None:
    item = api.document["components"]["schemas"]["ErrorItem"]
    validator = api.validator(item["properties"]["status"])
    for value in ("400", 400, "422", 422):
        assert validator.is_valid(value), value
    for wrong in ("4000", 99, 600, "abc", None, 4.5):
        assert not validator.is_valid(wrong), wrong


@pytest.mark.parametrize("status", sorted(DOCUMENTED_TITLES))
def test_documented_scenarios_appear_with_their_titles(api: ApiSpec, status: int) -> None:
    for method in OPERATIONS:
        node = response(api, method, status)
        titles = {
            error["title"]
            for example in node["content"]["application/json"]["examples"].values()
            for error in example["value"]["errors"]
        }
        for title in DOCUMENTED_TITLES[status]:
            assert title in titles, f"{method} {status} lacks an example titled {title!r}"
            description = " ".join(node["description"].split())
            assert title.rstrip(".") in description, f"{method} {status} description lacks {title!r}"


def test_assumptions_are_marked_as_such(api: ApiSpec) -> None:
    absent = response(api, "delete", 204)["description"]
    assert "association-absent" in absent
    assert "assumption" in absent.lower()
    assert "assumption" in response(api, "post", 403)["description"].lower()


# --- x-assumptions: the marks and the prose say the same thing ------------------------------------------

MARK_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def described_ancestor(api: ApiSpec, pointer: str) -> dict[str, Any]:
    """The object at `pointer`, or its nearest ancestor, that has a description."""
    parts = pointer_parts(pointer)
    while True:
        node: Any = api.document
        for part in parts:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, dict) and "description" in node:
            return node
        if not parts:
            raise AssertionError(f"{pointer}: no description on the way up")
        parts.pop()


def test_every_mark_is_well_formed(api: ApiSpec) -> None:
    assert len(api.assumptions) >= 20
    for mark in api.assumptions.values():
        assert MARK_ID.match(mark.id), mark.id
        assert len(mark.reason) > 20, f"{mark.id}: say why the vendor's material does not decide it"
        assert mark.line > 0, f"{mark.id}: its line in openapi.yaml was not found"
        assert f"- id: {mark.id}" in SPEC_PATH.read_text(encoding="utf-8").splitlines()[mark.line - 1]


def test_every_mark_covers_what_its_object_has(api: ApiSpec) -> None:
    for mark in api.assumptions.values():
        target: Any = api.document
        for part in pointer_parts(mark.pointer):
            target = target[int(part)] if isinstance(target, list) else target[part]
        for covered in mark.covers:
            if covered.isdigit():
                assert covered in target["responses"], f"{mark.id}: the operation has no {covered} response"
            elif covered == "status":
                assert mark.pointer.split("/")[-2] == "responses" or "responses" in mark.pointer, mark.id
            else:
                assert covered in target, f"{mark.id}: covers {covered!r}, which its object does not have"


def test_what_a_mark_rules_out_is_left_undocumented(api: ApiSpec) -> None:
    """`rules-out` names statuses the decision leaves out: none of them is documented where the mark applies."""
    ruling = [mark for mark in api.assumptions.values() if mark.rules_out]
    assert {mark.id for mark in ruling} == {
        "new-cart-id-is-a-new-cart",
        "delete-of-a-missing-association-answers-204",
        "update-of-a-new-cart-id-makes-the-cart",
    }
    for path, method, operation in api.operations():
        for mark_id in api.marks_under([operation]):
            for status in api.assumptions[mark_id].rules_out:
                assert status not in operation["responses"], f"{mark_id} rules out {status}: {method} {path} has it"


def test_every_mark_is_said_in_the_prose(api: ApiSpec) -> None:
    """Where a mark sits, the nearest description says 'assumption' too, so a reader of the docs sees it."""
    for mark in api.assumptions.values():
        description = described_ancestor(api, mark.pointer)["description"]
        assert "assumption" in description.lower(), f"{mark.id} ({mark.where}): the prose does not say so"


def test_every_assumption_in_the_prose_is_marked(api: ApiSpec) -> None:
    """A description that says 'assumption' has a mark on its object or under it."""
    unmarked = []
    for pointer, node in walk(api.document):
        description = node.get("description")
        if isinstance(description, str) and "assumption" in description.lower() and not api.marks_under(node):
            unmarked.append(pointer)
    assert not unmarked, f"descriptions that say 'assumption' without an x-assumptions mark: {unmarked}"


def test_the_guide_s_table_of_alternatives_is_the_spec_s() -> None:
    """docs/store-profiles.md (the README's "When your store differs" links it), "The points a store may decide
    otherwise": one row per mark that lists alternatives (mark, default, the others, the mark's reason), in the
    spec's order."""
    from ep_cart_spec import load
    from ep_cart_spec.profiles import choosable

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/store-profiles.md)" in readme.split("\n## When your store differs\n", 1)[1].split("\n## ", 1)[0]
    guide = (ROOT / "docs" / "store-profiles.md").read_text(encoding="utf-8")
    section = guide.split("## The points a store may decide otherwise", 1)[1]
    rows = section.split("| mark | default | alternatives |", 1)[1].splitlines()[2:]  # past the header and rule
    rows = rows[: next(index for index, line in enumerate(rows) if not line.startswith("|"))]
    found: list[tuple[str, str | None, list[str], str]] = []
    for row in rows:
        name, default, others, reason = (cell.strip() for cell in row.strip("|").split(" | "))
        found.append((name.strip("`"), default.strip("`"), re.findall(r"`([^`]+)`", others), reason))
    expected: list[tuple[str, str | None, list[str], str]] = []
    for mark_id, mark in choosable(load()).items():
        listed = [key for key, _ in mark.alternatives[1:]] + [message for message, _ in mark.messages]
        expected.append((mark_id, mark.default, listed, mark.reason))
    assert found == expected


def test_json_pointers_and_references_are_read_in_one_place() -> None:
    """ep_cart_spec's pointer functions (jsonpointer, RFC 6901) are the kit's one reading and writing of a
    pointer: a key with `/` and `~` goes there and back, and a `$ref` that comes round again is refused rather than
    followed for ever."""
    keys = ["paths", "/v2/carts/{cartID}", "x~y", "0"]
    assert pointer_to(*keys) == "/paths/~1v2~1carts~1{cartID}/x~0y/0"
    assert pointer_parts(pointer_to(*keys)) == keys
    assert pointer_parts("#/components/schemas/CartID") == ["components", "schemas", "CartID"]
    document = {"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}, "c": {"$ref": "#/d~1e"}, "d/e": {"type": "string"}}
    assert follow_references(document, document["c"]) == {"type": "string"}
    with pytest.raises(ValueError, match="comes round again"):
        follow_references(document, document["a"])
    with pytest.raises(ValueError, match="names nothing"):
        follow_references(document, {"$ref": "#/nowhere"})


def test_the_association_is_read_from_the_spec() -> None:
    """Product code spells the association through `ep_cart_spec.association()`: its members' type and token
    header are the spec's, so a spec that changed them changes every request the kit builds."""
    from copy import deepcopy

    from ep_cart_spec import association
    from ep_cart_spec.relationship import Relationship

    relationship = association()
    assert (relationship.path, relationship.member_type, relationship.token_header) == (
        ASSOCIATION_PATH,
        "account",
        ACCOUNT_TOKEN_HEADER,
    )
    assert relationship.name == "accounts"
    assert relationship.path_of("a b/c") == "/v2/carts/a%20b%2Fc/relationships/accounts"
    assert relationship.body(["x"]) == {"data": [{"id": "x", "type": "account"}]}
    assert relationship.member_ids({"data": [{"id": "x"}, {"id": "x"}, {"id": 1}, "y", {"id": "z"}]}) == ["x", "z"]
    assert relationship.member_ids({"data": {"id": "x"}}) == []
    assert relationship.is_path("/v2/carts/abc/relationships/accounts")
    assert not relationship.is_path("/v2/carts/abc/relationships/customers")
    assert not relationship.is_path("/v2/carts/a/b/relationships/accounts")

    spec = ApiSpec.load(SPEC_PATH)
    document = deepcopy(spec.document)
    document["components"]["schemas"]["AccountType"]["const"] = "customer"
    assert Relationship.of(ApiSpec(text="", document=document), ASSOCIATION_PATH).member_type == "customer"
    with pytest.raises(KeyError, match="not a relationship"):
        Relationship.of(spec, "/v2/carts/{cartID}")
