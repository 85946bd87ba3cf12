"""`make diff` on copies of the spec: each kind of change classified as Redocly rates it, and the version rule
(a breaking change needs a major bump, any change a bump) passing or failing as it should."""

from __future__ import annotations

import copy
import functools
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from release import spec_diff
from tests.checkout import copy_of_checkout
from tests.paths import ROOT, SPEC_PATH

MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
REDOCLY_CLI = re.findall(r"^REDOCLY_CLI := (\S+)$", MAKEFILE, re.MULTILINE)[0]
"""The Redocly CLI the Makefile pins (make lint's and make diff's)."""
REDOCLY_BIN = ROOT / ".tools" / re.findall(r"^REDOCLY_BIN = \$\(TOOLS\)/(\S+)$", MAKEFILE, re.MULTILINE)[0]


@functools.cache
def redocly() -> str:
    """The Makefile's Redocly CLI, installed once into .tools/ as `make diff` installs it."""
    if not REDOCLY_BIN.is_file():
        prefix = REDOCLY_BIN.parents[2]
        npm = ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix), REDOCLY_CLI]
        subprocess.run(npm, check=True, capture_output=True, timeout=600)
    return str(REDOCLY_BIN)


ASSOCIATION = "/v2/carts/{cartID}/relationships/accounts"
pytestmark = pytest.mark.slow  # each comparison runs Redocly CLI under Node.js (make test-fast leaves them out)
Edit = Callable[[dict[str, Any]], None]


def remove_a_documented_response(spec: dict[str, Any]) -> None:
    del spec["paths"][ASSOCIATION]["post"]["responses"]["422"]


def add_a_required_request_field(spec: dict[str, Any]) -> None:
    identifier = spec["components"]["schemas"]["AccountIdentifier"]
    identifier["properties"]["note"] = {"type": "string"}
    identifier["required"] = [*identifier.get("required", []), "note"]


def narrow_a_schemas_type(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["AccessToken"]["properties"]["expires_in"]["type"] = "string"


def tighten_max_length(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["CartID"]["maxLength"] = 100


def rename_an_operation(spec: dict[str, Any]) -> None:
    spec["paths"][ASSOCIATION]["post"]["operationId"] = "associateAccount"


def add_an_optional_response_field(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["Cart"]["properties"]["nickname"] = {"type": "string", "description": "A nickname."}


def add_an_example(spec: dict[str, Any]) -> None:
    body = spec["paths"]["/oauth/access_token"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    body["examples"]["another_shopper"] = {"value": {"grant_type": "implicit", "client_id": "another-client"}}


def change_a_description(spec: dict[str, Any]) -> None:
    spec["paths"][ASSOCIATION]["post"]["description"] += "\nOne more sentence.\n"


BREAKING: dict[str, tuple[Edit, str]] = {
    "remove a documented response": (remove_a_documented_response, "clients and servers"),
    "add a required request field": (add_a_required_request_field, "clients"),
    "narrow a schema's type": (narrow_a_schemas_type, "clients and servers"),
    "tighten maxLength": (tighten_max_length, "clients"),
    "rename an operation": (rename_an_operation, "clients"),
}
NOT_BREAKING: dict[str, Edit] = {
    "add an optional response field": add_an_optional_response_field,
    "add an example": add_an_example,
    "change a description": change_a_description,
}


def with_version(spec: dict[str, Any], version: str) -> dict[str, Any]:
    changed = copy.deepcopy(spec)
    changed["info"]["version"] = version
    return changed


def diff(
    tmp_path: Path, base: dict[str, Any] | str, revision: dict[str, Any] | str, accepted: Path | None = None
) -> tuple[int, dict[str, Any], str]:
    """`make diff` between two documents: its exit code, its JSON report, its Markdown (no accepted changes unless
    `accepted` names a file of them)."""
    files = []
    for name, document in (("base.yaml", base), ("revision.yaml", revision)):
        path = tmp_path / name
        text = document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        files.append(path)
    reports = tmp_path / "reports"
    arguments = ["--base-file", str(files[0]), "--revision-file", str(files[1]), "--reports", str(reports)]
    arguments += ["--accepted", str(accepted or tmp_path / "no-accepted-changes.yaml")]
    code = spec_diff.main([*arguments, "--redocly", redocly()])
    report = json.loads((reports / "spec-diff.json").read_text(encoding="utf-8")) if code != 2 else {}
    markdown = (reports / "spec-diff.md").read_text(encoding="utf-8") if code != 2 else ""
    return code, report, markdown


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return document


def edited(spec: dict[str, Any], edit: Edit, version: str) -> dict[str, Any]:
    changed = with_version(spec, version)
    edit(changed)
    return changed


def verdict_with(report: dict[str, Any], base: dict[str, Any], revision: dict[str, Any], version: str) -> bool:
    """The rule applied to the same changes with `version` in the revision (one Redocly run per change)."""
    changes = [spec_diff.Change(**{**change, "rules": tuple(change["rules"])}) for change in report["changes"]]
    base_text, revision_text = (yaml.safe_dump(doc, sort_keys=False) for doc in (base, with_version(revision, version)))
    return spec_diff.version_verdict(base_text, revision_text, base["info"]["version"], version, changes).passed


@pytest.mark.parametrize("name", sorted(BREAKING))
def test_a_breaking_change_fails_without_a_major_bump_and_passes_with_one(
    spec: dict[str, Any], tmp_path: Path, name: str
) -> None:
    edit, breaks = BREAKING[name]
    base, revision = with_version(spec, "1.0.0"), edited(spec, edit, "1.1.0")
    code, report, markdown = diff(tmp_path, base, revision)
    assert code == 1, markdown
    assert report["version_follows"] is False
    assert "breaking change(s) need a major bump" in report["verdict"]
    breaking = [change for change in report["changes"] if change["breaking"]]
    assert breaking, report["changes"]
    assert {change["breaks"] for change in breaking} == {breaks}
    assert "| major | " + breaks in markdown
    assert verdict_with(report, base, revision, "2.0.0")
    assert not verdict_with(report, base, revision, "1.0.1")


@pytest.mark.parametrize("name", sorted(NOT_BREAKING))
def test_a_change_that_breaks_nobody_passes_with_a_minor_or_patch_bump_and_fails_without_any(
    spec: dict[str, Any], tmp_path: Path, name: str
) -> None:
    base, revision = with_version(spec, "1.0.0"), edited(spec, NOT_BREAKING[name], "1.0.1")
    code, report, markdown = diff(tmp_path, base, revision)
    assert code == 0, markdown
    assert report["changes"]
    assert not [change for change in report["changes"] if change["breaking"]]
    assert verdict_with(report, base, revision, "1.1.0")
    assert not verdict_with(report, base, revision, "1.0.0"), "a change with no bump"


def test_an_unchanged_spec_passes(tmp_path: Path) -> None:
    text = SPEC_PATH.read_text(encoding="utf-8")
    code, report, markdown = diff(tmp_path, text, text)
    assert code == 0
    assert report["changes"] == []
    assert "openapi.yaml is unchanged." in markdown
    draft = (tmp_path / "reports" / "changelog-draft.md").read_text(encoding="utf-8")
    assert draft.endswith("No change to openapi.yaml.\n")


def test_the_draft_changelog_entry_groups_the_changes(spec: dict[str, Any], tmp_path: Path) -> None:
    revision = edited(spec, remove_a_documented_response, "2.0.0")
    add_an_optional_response_field(revision)
    code, _, _ = diff(tmp_path, with_version(spec, "1.0.0"), revision)
    assert code == 0
    draft = (tmp_path / "reports" / "changelog-draft.md").read_text(encoding="utf-8")
    assert draft.startswith("## [2.0.0] - ")
    removed = "- `POST /v2/carts/{cartID}/relationships/accounts responses/422`: Response `422` was removed."
    assert f"### Breaking\n\n{removed}" in draft
    added = "`GET /v2/carts/{cartID} responses/200/content/application/json/schema/properties/data/properties/nickname`"
    assert f"### Added\n\n- {added}" in draft


def reads_with_the_shared_cart_id(spec: dict[str, Any]) -> None:
    spec["paths"]["/v2/carts/{cartID}"]["get"]["parameters"] = [{"$ref": "#/components/parameters/CartID"}]


def reword_the_cart_reads_parameter(spec: dict[str, Any]) -> None:
    """The cart read's cartID (moved from the shared CartID to ReadCartID) described in other words: the same
    parameter, which Redocly takes for one removed and another added (the reason ReadCartID keeps CartID's
    description word for word)."""
    spec["components"]["parameters"]["ReadCartID"]["description"] = "The cart to read, by its ID (S3, S5)."


ACCEPTED_MOVE = """
- base-version: {version}
  pointer: '#/paths/~1v2~1carts~1{{cartID}}/get/parameters/0'
  rules: [parameter-removed, parameter-became-required]
  reason: The same parameter, moved to another component and reworded.
"""


def test_an_accepted_false_positive_breaks_nobody_and_only_from_its_base_version(
    spec: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    base = edited(spec, reads_with_the_shared_cart_id, "1.0.0")
    revision = edited(spec, reword_the_cart_reads_parameter, "1.0.1")
    folder = tmp_path_factory.mktemp("accepted")
    for version in ("1.0.0", "0.9.0"):
        (folder / f"accepted-{version}.yaml").write_text(ACCEPTED_MOVE.format(version=version), encoding="utf-8")
    cases = [(None, 1, "clients"), (folder / "accepted-1.0.0.yaml", 0, "nobody (accepted)")]
    cases.append((folder / "accepted-0.9.0.yaml", 1, "clients"))  # an entry for another base version: not applied
    for accepted, code, breaks in cases:
        result, report, markdown = diff(tmp_path_factory.mktemp("case"), base, revision, accepted)
        assert result == code, markdown
        moved = [change for change in report["changes"] if change["rules"]]
        assert moved, markdown
        assert {change["breaks"] for change in moved} == {breaks}, moved


def test_a_version_that_goes_back_fails(spec: dict[str, Any], tmp_path: Path) -> None:
    code, report, _ = diff(tmp_path, with_version(spec, "1.2.0"), edited(spec, change_a_description, "1.1.9"))
    assert code == 1
    assert "went back" in report["verdict"]


def test_an_unknown_ref_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = spec_diff.main(["--base", "no-such-ref", "--redocly", redocly(), "--reports", str(tmp_path)])
    assert code == 2
    assert "cannot read openapi.yaml at 'no-such-ref'" in capsys.readouterr().err


def test_the_changelog_has_the_current_versions_entry(spec: dict[str, Any]) -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{spec['info']['version']}]" in changelog


@pytest.mark.slow
def test_make_diff_compares_the_working_copy_with_a_commit(tmp_path: Path) -> None:
    """The verb itself, in a copy of the checkout made a git repository: unchanged passes; a removed response
    without a major bump fails, and the Markdown names it."""
    repository = copy_of_checkout(tmp_path / "repository")
    git = ["git", "-c", "user.name=kit", "-c", "user.email=kit@example.invalid"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run([*git, *command], cwd=repository, check=True, capture_output=True)
    unchanged = subprocess.run(["make", "-s", "diff"], cwd=repository, capture_output=True, text=True, timeout=300)
    assert unchanged.returncode == 0, unchanged.stdout[-2000:] + unchanged.stderr[-2000:]
    assert "openapi.yaml is unchanged." in unchanged.stdout
    spec = yaml.safe_load((repository / "openapi.yaml").read_text(encoding="utf-8"))
    remove_a_documented_response(spec)
    (repository / "openapi.yaml").write_text(
        yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    changed = subprocess.run(["make", "-s", "diff"], cwd=repository, capture_output=True, text=True, timeout=300)
    assert changed.returncode != 0
    assert "it needs a major bump" in changed.stdout
    assert (
        "| major | clients and servers | removed | `POST /v2/carts/{cartID}/relationships/accounts responses/422`"
        in changed.stdout
    )
    report = json.loads((repository / "reports" / "spec-diff.json").read_text(encoding="utf-8"))
    assert report["base"]["ref"] == "HEAD"
    assert report["version_follows"] is False


def test_the_spec_follows_the_previous_release(tmp_path: Path) -> None:
    """The release gate on this checkout: openapi.yaml against the last commit of the previous info.version."""
    code = spec_diff.main(["--base", "previous-release", "--redocly", redocly(), "--reports", str(tmp_path)])
    report = json.loads((tmp_path / "spec-diff.json").read_text(encoding="utf-8"))
    assert code == 0, (tmp_path / "spec-diff.md").read_text(encoding="utf-8")
    assert report["base"]["version"] != report["revision"]["version"]


def test_the_release_gate_finds_the_previous_release_and_fails_a_break_it_does_not_bump(tmp_path: Path) -> None:
    """In a copy made a git repository with two releases (the first changed twice), a breaking change fails the
    gate until the version is a major bump over the previous release, whose last commit is the base."""
    repository = copy_of_checkout(tmp_path / "repository")
    git = ["git", "-c", "user.name=kit", "-c", "user.email=kit@example.invalid"]
    spec_file = repository / "openapi.yaml"
    spec = yaml.safe_load(spec_file.read_text(encoding="utf-8"))

    def commit(document: dict[str, Any], message: str) -> str:
        spec_file.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
        for command in (["add", "-A"], ["commit", "-q", "-m", message]):
            subprocess.run([*git, *command], cwd=repository, check=True, capture_output=True)
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repository, capture_output=True, text=True)
        return head.stdout.strip()

    subprocess.run([*git, "init", "-q"], cwd=repository, check=True, capture_output=True)
    commit(with_version(spec, "7.0.0"), "release 7.0.0")
    described = with_version(spec, "7.0.0")
    described["info"]["description"] += "\nA later word in the same release.\n"
    last_of_7 = commit(described, "7.0.0, its last change")
    commit(with_version(described, "7.1.0"), "release 7.1.0")

    broken = with_version(described, "7.1.0")
    remove_a_documented_response(broken)
    spec_file.write_text(yaml.safe_dump(broken, sort_keys=False, allow_unicode=True), encoding="utf-8")
    gate = ["make", "-s", "diff", "BASE=previous-release"]
    refused = subprocess.run(gate, cwd=repository, capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0, refused.stdout[-2000:] + refused.stderr[-2000:]
    assert "the next major is 8.0.0" in refused.stdout
    assert json.loads((repository / "reports" / "spec-diff.json").read_text())["base"]["ref"] == last_of_7

    spec_file.write_text(yaml.safe_dump(with_version(broken, "8.0.0"), sort_keys=False), encoding="utf-8")
    bumped = subprocess.run(gate, cwd=repository, capture_output=True, text=True, timeout=300)
    assert bumped.returncode == 0, bumped.stdout[-2000:] + bumped.stderr[-2000:]
