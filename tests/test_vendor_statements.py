"""The vendor's statements, recorded, each accounted for in openapi.yaml; and `make vendor-check` on newer vendor
files, each kind of change with the verdict it must get (release/vendor_check.py).

The vendor-shaped files here are written by the test from the recorded statements (`vendor_shaped`), never
copies of the vendor's file: the same statements, then one change at a time.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from release.statements import FACT_KEYWORDS
from release.vendor_check import (
    PAGE,
    account,
    check_files,
    marks_of,
    our_operations,
    read_accounting,
    read_recorded,
    recorded_statements,
    render_page,
    spec_statements,
    unused_entries,
    vendor_statements,
)
from tests.paths import ROOT, SPEC_PATH

SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
RECORDED = read_recorded()
ENTRIES = read_accounting()
ASSOCIATION = "POST /v2/carts/{cartID}/relationships/accounts"


def accounted(spec: dict[str, Any] = SPEC) -> list[Any]:
    return account(recorded_statements(RECORDED), spec_statements(spec), ENTRIES, marks_of(spec))


def test_every_recorded_vendor_statement_is_accounted_for() -> None:
    unaccounted = [item.key for item in accounted() if item.verdict == "UNACCOUNTED"]
    assert unaccounted == [], "not kept, not under a mark, not in release/vendor-accounting.yaml:\n" + "\n".join(
        unaccounted
    )


def test_a_statement_openapi_yaml_changes_without_a_reason_fails_naming_it() -> None:
    """A cart's name typed as an integer: Cart's mark covers `required` only, so nothing accounts for it."""
    changed = copy.deepcopy(SPEC)
    changed["components"]["schemas"]["Cart"]["properties"]["name"]["type"] = "integer"
    unaccounted = [item.key for item in accounted(changed) if item.verdict == "UNACCOUNTED"]
    assert sorted(unaccounted) == [
        "GET /v2/carts | response 200 application/json | data[].name",
        "GET /v2/carts/{cartID} | response 200 application/json | data.name",
        "PUT /v2/carts/{cartID} | response 200 application/json | data.name",
    ]


def test_a_mark_taken_away_leaves_its_statements_unaccounted() -> None:
    changed = copy.deepcopy(SPEC)
    del changed["components"]["schemas"]["PasswordLogin"]["properties"]["username"]["x-assumptions"]
    unaccounted = [item.key for item in accounted(changed) if item.verdict == "UNACCOUNTED"]
    assert unaccounted == ["POST /v2/account-members/tokens | request application/json | data.username"]


def test_every_accounting_entry_is_needed() -> None:
    assert [entry.match for entry in unused_entries(accounted(), ENTRIES)] == []


def test_the_readable_list_is_what_the_accounting_says() -> None:
    """docs/vendor-differences.md, linked from the README and from docs/maintaining.md's section of its name:
    regenerate with `python -m release.vendor_check --page`."""
    assert PAGE.read_text(encoding="utf-8") == render_page(accounted(), RECORDED)
    assert "](docs/vendor-differences.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    guide = (ROOT / "docs" / "maintaining.md").read_text(encoding="utf-8")
    section = guide.split("\n## What we say that the vendor's file does not, and why\n", 1)[1].split("\n## ", 1)[0]
    assert "](vendor-differences.md)" in section


def test_each_recorded_file_names_its_commit() -> None:
    for name, source in RECORDED["sources"].items():
        assert source["repository"] == "elasticpath/composable-frontend"
        assert source["path"] == f"packages/sdks/specs/{name}"
        assert re.fullmatch(r"[0-9a-f]{40}", source["commit"]), name
        assert RECORDED["statements"][name], name


# --- make vendor-check: vendor-shaped files, one change at a time ---------------------------------------------

SEGMENT = re.compile(r"\.?([^.\[\]{}]+)|(\[\])|\{([^}]*)\}")


def schema_of(facts: dict[str, str]) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    if "type" in facts:
        types = facts["type"].split("|")
        schema["type"] = types[0] if len(types) == 1 else types
    for keyword in FACT_KEYWORDS:
        if keyword in facts:
            text = facts[keyword]
            schema[keyword] = text if keyword in ("format", "pattern") else json.loads(text)
    if schema.get("additionalProperties") == "a schema":
        schema["additionalProperties"] = {"type": "string"}
    return schema


def vendor_shaped(statements: dict[str, dict[str, str]]) -> dict[str, Any]:
    """An OpenAPI file that makes exactly these statements, written the plain way (nested properties, no
    composition): what the vendor's file says, spelled otherwise."""
    document: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "vendor-shaped", "version": "1"}, "paths": {}}
    components: dict[str, Any] = {}
    for key, facts in statements.items():
        operation_label, where, field_path = key.split(" | ")
        method, path = operation_label.split(" ", 1)
        operation = document["paths"].setdefault(path, {}).setdefault(method.lower(), {"responses": {}})
        words = where.split(" ")
        if where == "operation":
            operation["operationId"] = facts["operationId"]
        elif words[0] == "parameter":
            operation.setdefault("parameters", []).append(
                {
                    "in": words[1],
                    "name": words[2],
                    "required": facts.get("required") == "yes",
                    "schema": schema_of(facts),
                }
            )
        elif where == "request":
            operation.setdefault("requestBody", {"content": {}})["required"] = facts["required"] == "yes"
        elif words[0] == "request":
            body = operation.setdefault("requestBody", {"content": {}})
            root = body["content"].setdefault(words[1], {"schema": {}})["schema"]
            place(root, field_path, facts, components)
        elif words[0] == "response" and len(words) == 2:
            operation["responses"].setdefault(words[1], {"description": "answer"})
        elif words[0] == "response" and words[2] == "header":
            response = operation["responses"].setdefault(words[1], {"description": "answer"})
            response.setdefault("headers", {})[words[3]] = {
                "required": facts.get("required") == "yes",
                "schema": schema_of(facts),
            }
        else:
            response = operation["responses"].setdefault(words[1], {"description": "answer"})
            root = response.setdefault("content", {}).setdefault(words[2], {"schema": {}})["schema"]
            place(root, field_path, facts, components)
    document["components"] = {"schemas": components}
    return document


def place(root: dict[str, Any], field_path: str, facts: dict[str, str], components: dict[str, Any]) -> None:
    node, parent, name = root, None, None
    for match in SEGMENT.finditer(field_path):
        prop, items, label = match.groups()
        if prop is not None:
            parent, name = node, prop
            node = node.setdefault("properties", {}).setdefault(prop, {})
        elif items:
            parent, name = None, None
            node = node.setdefault("items", {})
        else:
            parent, name = None, None
            node.setdefault("oneOf", []).append({"$ref": f"#/components/schemas/{label}"})
            node = components.setdefault(label, {})
    node.update(schema_of({key: value for key, value in facts.items() if key != "required"}))
    if parent is not None and facts.get("required") == "yes":
        parent.setdefault("required", []).append(name)


CARTS = recorded_statements(RECORDED, "cart_checkout.yaml")


def check(tmp_path: Path, statements: dict[str, dict[str, str]], edit: Any = None) -> Any:
    document = vendor_shaped(statements)
    if edit is not None:
        edit(document)
    path = tmp_path / "cart_checkout.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return check_files([path], SPEC, RECORDED, ENTRIES)


def test_the_vendor_shaped_file_says_what_was_recorded(tmp_path: Path) -> None:
    result = check(tmp_path, CARTS)
    assert result.files[0]["source"] == "cart_checkout.yaml"
    assert len(result.files[0]["operations"]) == 5
    assert result.changes == []


def changed(statements: dict[str, dict[str, str]], key: str, facts: dict[str, str] | None) -> dict[str, dict[str, str]]:
    result = dict(statements)
    if facts is None:
        del result[key]
    else:
        result[key] = facts
    return result


def test_a_new_status_on_our_operation_fails_and_names_the_mark_it_settles(tmp_path: Path) -> None:
    result = check(tmp_path, changed(CARTS, f"{ASSOCIATION} | response 404 | ", {}))
    (change,) = result.changes
    assert (change.kind, change.accounted) == ("new", False)
    assert change.settles.startswith("new-cart-id-is-a-new-cart: the vendor now documents 404")


def test_a_status_removed_fails_while_openapi_yaml_still_says_it_as_the_vendors(tmp_path: Path) -> None:
    gone = {key: facts for key, facts in CARTS.items() if not key.startswith(f"{ASSOCIATION} | response 422")}
    result = check(tmp_path, gone)
    assert {change.kind for change in result.changes} == {"gone"}
    assert not all(change.accounted for change in result.changes)
    assert f"{ASSOCIATION} | response 422 | " in {change.key for change in result.failed}


def test_a_new_required_header_fails(tmp_path: Path) -> None:
    key = f"{ASSOCIATION} | parameter header ep-channel | "
    result = check(tmp_path, changed(CARTS, key, {"required": "yes", "type": "string"}))
    assert [(change.kind, change.key, change.accounted) for change in result.changes] == [("new", key, False)]


def test_a_fields_type_changed_fails(tmp_path: Path) -> None:
    key = f"{ASSOCIATION} | request application/json | data[].type"
    result = check(tmp_path, changed(CARTS, key, {"required": "no", "type": "integer"}))
    assert [(change.kind, change.key, change.accounted) for change in result.changes] == [("changed", key, False)]


def test_an_assumption_the_vendor_now_documents_passes_naming_the_mark(tmp_path: Path) -> None:
    """The vendor types the association's account ID as a UUID: what account-id-is-a-uuid decided."""
    key = f"{ASSOCIATION} | request application/json | data[].id"
    result = check(tmp_path, changed(CARTS, key, {"format": "uuid", "required": "no", "type": "string"}))
    (change,) = result.changes
    assert (change.kind, change.accounted) == ("changed", True)
    assert change.settles == "account-id-is-a-uuid: the vendor now says what the mark decided (its default, uuid)"


def test_a_change_to_another_operation_only_passes(tmp_path: Path) -> None:
    def add_an_operation(document: dict[str, Any]) -> None:
        document["paths"]["/v2/carts/{cartID}/items"] = {
            "post": {
                "operationId": "manageCarts",
                "responses": {"201": {"description": "Created"}, "404": {"description": "x"}},
            }
        }

    result = check(tmp_path, CARTS, add_an_operation)
    assert result.changes == []


def test_a_change_to_prose_only_passes(tmp_path: Path) -> None:
    def reword(document: dict[str, Any]) -> None:
        operation = document["paths"]["/v2/carts/{cartID}/relationships/accounts"]["post"]
        operation["description"] = "Reworded: associate an account with a cart."
        operation["summary"] = "A new summary"
        operation["responses"]["200"]["description"] = "A reworded answer"

    assert check(tmp_path, CARTS, reword).changes == []


def test_make_vendor_check_writes_its_reports_and_fails_on_what_is_not_accounted_for(tmp_path: Path) -> None:
    newer = tmp_path / "newer"
    newer.mkdir()
    document = vendor_shaped(changed(CARTS, f"{ASSOCIATION} | response 409 | ", {}))
    (newer / "cart_checkout.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    command = [sys.executable, "-m", "release.vendor_check", str(newer / "cart_checkout.yaml")]
    result = subprocess.run(
        [*command, "--reports", str(tmp_path / "reports")], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads((tmp_path / "reports" / "vendor-check.json").read_text(encoding="utf-8"))
    assert report["failed"] == 1
    assert [change["key"] for change in report["changes"]] == [f"{ASSOCIATION} | response 409 | "]
    assert "response 409" in (tmp_path / "reports" / "vendor-check.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["cart_checkout.yaml", "authentication.yaml", "account_management.yaml"])
def test_each_recorded_file_rendered_checks_clean(tmp_path: Path, name: str) -> None:
    """The renderer and the extractor agree on every recorded file, compositions included (the login's
    alternatives come back as its mechanisms)."""
    statements = recorded_statements(RECORDED, name)
    document = vendor_shaped(statements)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    result = check_files([path], SPEC, RECORDED, ENTRIES)
    assert [change.key for change in result.changes] == []


# --- The vendor's real files, at the recorded commits (tests/data/vendor) --------------------------------------

VENDOR_FILES = ROOT / "tests" / "data" / "vendor"


@pytest.mark.parametrize("name", sorted(RECORDED["sources"]))
def test_the_recorded_statements_are_what_the_vendor_s_own_file_says(name: str) -> None:
    """The extractor on the vendor's file itself (not on one rendered from what was recorded): the same bytes
    (SHA-256), and the same statements, every keyword of every one."""
    path = VENDOR_FILES / name
    assert hashlib.sha256(path.read_bytes()).hexdigest() == RECORDED["sources"][name]["sha256"]
    statements, _ = vendor_statements(yaml.safe_load(path.read_text(encoding="utf-8")), our_operations(SPEC))
    assert {statement.key: statement.fact_map for statement in statements} == recorded_statements(RECORDED, name)


def with_vendor_edit(tmp_path: Path, edit: Any) -> Any:
    """make vendor-check on the vendor's cart_checkout.yaml with one edit: what a newer file could say."""
    document = yaml.safe_load((VENDOR_FILES / "cart_checkout.yaml").read_text(encoding="utf-8"))
    edit(document)
    path = tmp_path / "cart_checkout.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return check_files([path], SPEC, RECORDED, ENTRIES)


def association_body(document: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = document["components"]["schemas"]["CartsRelationshipsAccountsData"]["properties"]["data"]
    return body


def cart_id_of_post(document: dict[str, Any]) -> dict[str, Any]:
    parameters = document["paths"]["/v2/carts/{cartID}/relationships/accounts"]["post"]["parameters"]
    schema: dict[str, Any] = next(parameter for parameter in parameters if parameter["name"] == "cartID")["schema"]
    return schema


@pytest.mark.parametrize(
    ("edit", "key", "keyword"),
    [
        (
            lambda document: association_body(document)["items"]["properties"]["id"].update(maxLength=64),
            "POST /v2/carts/{cartID}/relationships/accounts | request application/json | data[].id",
            "maxLength",
        ),
        (
            lambda document: cart_id_of_post(document).update(pattern="^[a-z]+$"),
            "POST /v2/carts/{cartID}/relationships/accounts | parameter path cartID | ",
            "pattern",
        ),
        (
            lambda document: association_body(document).update(minItems=2),
            "POST /v2/carts/{cartID}/relationships/accounts | request application/json | data",
            "minItems",
        ),
    ],
    ids=["account-id-maxLength", "cart-id-pattern", "data-minItems"],
)
def test_a_constraint_the_vendor_adds_fails_the_check_naming_it(
    tmp_path: Path, edit: Any, key: str, keyword: str
) -> None:
    result = with_vendor_edit(tmp_path, edit)
    (change,) = [change for change in result.changes if change.key == key]
    assert change.kind == "changed"
    assert keyword in change.after
    assert keyword not in (change.before or {})
    assert change in result.failed, f"{key}: a constraint the kit does not share passed unnoticed"


def test_a_constraint_the_vendor_adds_that_the_kit_shares_names_the_mark_it_settles(tmp_path: Path) -> None:
    """The vendor limiting the cart ID to 255 characters and the safe characters, as openapi.yaml already does:
    no failure, and the mark that decided the length is named as settled."""
    ours = {statement.key: statement.fact_map for statement in spec_statements(SPEC)}
    key = "POST /v2/carts/{cartID}/relationships/accounts | parameter path cartID | "

    def agree(document: dict[str, Any]) -> None:
        cart_id_of_post(document).update(
            {
                name: json.loads(value) if name != "pattern" else value
                for name, value in ours[key].items()
                if name in ("maxLength", "minLength", "pattern")
            }
        )

    result = with_vendor_edit(tmp_path, agree)
    (change,) = [change for change in result.changes if change.key == key]
    assert change not in result.failed
    assert change.settles.startswith("cart-id-at-most-255-characters: the vendor now says what the mark decided")


def test_recording_refuses_a_file_that_fails_the_check_and_needs_its_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from release import vendor_check

    document = yaml.safe_load((VENDOR_FILES / "cart_checkout.yaml").read_text(encoding="utf-8"))
    association_body(document)["items"]["properties"]["id"]["maxLength"] = 64
    newer = tmp_path / "cart_checkout.yaml"
    newer.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    recorded_before = vendor_check.RECORDED.read_bytes()
    # Never the checkout's own file, whatever the check says.
    copy_of_recorded = tmp_path / "vendor-statements.yaml"
    copy_of_recorded.write_bytes(recorded_before)
    monkeypatch.setattr(vendor_check, "RECORDED", copy_of_recorded)
    reports = ["--reports", str(tmp_path / "reports")]
    with pytest.raises(SystemExit) as no_commit:
        vendor_check.main([str(newer), "--update", *reports])
    assert no_commit.value.code == 2
    update = ["--update", "--commit", "0" * 40, "--committed", "2026-12-06"]
    assert vendor_check.main([str(newer), *update, *reports]) == 1
    assert vendor_check.RECORDED.read_bytes() == recorded_before, "a failed check must record nothing"


def test_a_newly_stated_keyword_an_entry_answers_passes_asking_for_a_reread(tmp_path: Path) -> None:
    """The vendor allowing ten accounts in `data`: openapi.yaml keeps one, on S2's word. Until a person names
    `maxItems` in that accounting entry the check fails; then it passes, asking for the entry to be read again
    (recording is not blocked for good)."""
    key = "POST /v2/carts/{cartID}/relationships/accounts | request application/json | data"

    def ten(document: dict[str, Any]) -> None:
        association_body(document).update(maxItems=10)

    (change,) = [change for change in with_vendor_edit(tmp_path, ten).changes if change.key == key]
    assert not change.accounted
    answered = [replace(entry, keywords=("maxItems",)) if entry.matches(key) else entry for entry in ENTRIES]
    document = yaml.safe_load((VENDOR_FILES / "cart_checkout.yaml").read_text(encoding="utf-8"))
    ten(document)
    path = tmp_path / "cart_checkout.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    (change,) = [change for change in check_files([path], SPEC, RECORDED, answered).changes if change.key == key]
    assert change.accounted
    assert change.how.startswith("differs (read the entry again")
