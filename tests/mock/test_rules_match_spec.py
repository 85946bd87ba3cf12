"""The mock's rule table and openapi.yaml say the same thing (house style: the rules are one table).

Each rule names its operations (by operationId) and status; the spec must document that status for each,
name the rule in the response's description, and, for an error, carry an example of the rule with the same title.
"""

from __future__ import annotations

import pytest

from ep_cart_mock.rules import RULE_TABLE, Rule
from ep_cart_spec import ApiSpec
from tests.conftest import SPEC_PATH

API = ApiSpec.load(SPEC_PATH)
OPERATION_RULES = [(rule, operation_id) for rule in RULE_TABLE for operation_id in rule.operations]


def rule_id(value: object) -> str:
    return value.id if isinstance(value, Rule) else str(value)


@pytest.mark.parametrize(("rule", "method"), OPERATION_RULES, ids=rule_id)
def test_rule_status_is_documented_for_its_operation(rule: Rule, method: str) -> None:
    assert rule.status in API.documented_statuses(*API.operations_by_id[method])


@pytest.mark.parametrize(("rule", "method"), OPERATION_RULES, ids=rule_id)
def test_rule_is_named_in_the_response_description(rule: Rule, method: str) -> None:
    response = API.resolve(API.operation(*API.operations_by_id[method])["responses"][str(rule.status)])
    assert f"`{rule.id}`" in response["description"]


@pytest.mark.parametrize(
    ("rule", "method"), [(rule, method) for rule, method in OPERATION_RULES if rule.status >= 400], ids=rule_id
)
def test_error_rule_has_an_example_with_its_title(rule: Rule, method: str) -> None:
    response = API.resolve(API.operation(*API.operations_by_id[method])["responses"][str(rule.status)])
    examples = response["content"]["application/json"]["examples"]
    (error,) = examples[rule.id]["value"]["errors"]
    assert error["title"] == rule.title
    assert int(error["status"]) == rule.status


def test_every_rule_has_a_source() -> None:
    for rule in RULE_TABLE:
        assert rule.source.startswith(("S", "none", "mock-controls.yaml")), f"{rule.id}: cite S1..S7, or say 'none'"
        if rule.source.startswith("none"):
            assert rule.assumption, f"{rule.id}: the vendor documents none of it, so it rests on an assumption"


@pytest.mark.parametrize("rule", [rule for rule in RULE_TABLE if rule.assumption], ids=rule_id)
def test_rule_assumption_is_a_mark_in_the_spec(rule: Rule) -> None:
    """The reason is declared once, in openapi.yaml's `x-assumptions`; the rule names it by id."""
    assert rule.assumption in API.assumptions, f"{rule.id}: no x-assumptions mark {rule.assumption!r}"


@pytest.mark.parametrize(("rule", "method"), OPERATION_RULES, ids=rule_id)
def test_rule_example_marks_match_the_rule(rule: Rule, method: str) -> None:
    """An example that carries a mark belongs to a rule that names the same mark."""
    response = API.resolve(API.operation(*API.operations_by_id[method])["responses"][str(rule.status)])
    example = response.get("content", {}).get("application/json", {}).get("examples", {}).get(rule.id, {})
    marks = [entry["id"] for entry in example.get("x-assumptions", [])]
    assert marks in ([], [rule.assumption]), f"{rule.id}: example marked {marks}, rule names {rule.assumption}"


def test_every_rule_named_in_the_spec_exists() -> None:
    ids = {rule.id for rule in RULE_TABLE}
    for path, method, operation in API.operations():
        for status, node in operation["responses"].items():
            for line in API.resolve(node)["description"].splitlines():
                line = line.strip()
                if line.startswith("- `"):
                    named = line[3:].split("`")[0]
                    assert named in ids, f"{method} {path} {status} names unknown rule {named!r}"
