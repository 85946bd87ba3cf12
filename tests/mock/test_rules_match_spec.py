"""The mock's rule table and openapi.yaml say the same thing (house style: the rules are one table).

Each rule names its operations (by operationId) and status; the spec must document that status for each,
name the rule in the response's description, and, for an error, carry an example of the rule: the rule's title and
detail are read from it (ep_cart_mock.table), never written twice.
"""

from __future__ import annotations

import pytest

from ep_cart_mock.table import ENTRIES, RULE_TABLE, RULES, Entry, Rule, read_rule
from ep_cart_spec import CONTROLS_SPEC_PATH, ApiSpec
from ep_cart_spec.document import ErrorExample
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
    """The example, read here straight from the YAML, gives the answer's words."""
    response = API.resolve(API.operation(*API.operations_by_id[method])["responses"][str(rule.status)])
    examples = response["content"]["application/json"]["examples"]
    (error,) = examples[rule.id]["value"]["errors"]
    assert error["title"] == rule.title
    assert int(error["status"]) == rule.status
    entry = next(entry for entry in ENTRIES if entry.id == rule.id)
    assert rule.detail == (entry.detail or error["detail"]), "the example's detail, unless it is one request's"


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


def test_a_rule_takes_its_words_from_its_examples_and_refuses_disagreeing_ones() -> None:
    entry = Entry("some-rule", 400, "none", "some-mark", ("getCarts",))
    example = ErrorExample("some-rule", "/v2/carts", "get", 400, "From the spec", "Said there.")
    rule = read_rule(entry, [example, example])
    assert (rule.title, rule.detail, rule.status) == ("From the spec", "Said there.", 400)
    own = Entry("some-rule", 400, "none", "some-mark", ("getCarts",), detail="What the rule means.")
    assert read_rule(own, [example]).detail == "What the rule means."  # the example shows one request's
    for wrong in (
        [example, ErrorExample("some-rule", "/v2/carts", "get", 400, "Another title", "Said there.")],
        [ErrorExample("some-rule", "/v2/carts", "get", 403, "From the spec", "Said there.")],
    ):
        with pytest.raises(ValueError, match="some-rule"):
            read_rule(entry, wrong)
    with pytest.raises(ValueError, match="no example"):
        read_rule(entry, [])  # an error rule with neither an example nor words of its own


def test_the_rules_without_an_example_are_the_successes_and_the_answers_no_spec_can_show() -> None:
    """Named here, so a rule that loses its example, or gains one, is seen: only these carry their own words."""
    examples = {example.name for example in API.error_examples} | {
        example.name for example in ApiSpec.load(CONTROLS_SPEC_PATH).error_examples
    }
    without = {rule.id for rule in RULE_TABLE if rule.id not in examples}
    errors = {rule_id for rule_id in without if RULES[rule_id].status >= 400}
    assert errors == {"docs-not-built", "http-request-malformed", "method-not-allowed"}
    assert all(RULES[rule_id].status < 300 for rule_id in without - errors)
