"""`make diff` on copies of the spec: each kind of change classified as Redocly rates it, and the version rule
(a breaking change needs a major bump, any change a bump) passing or failing as it should."""

from __future__ import annotations

import copy
import json
import re
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from release import spec_diff
from tests.checkout import copy_of_checkout
from tests.paths import ROOT, SPEC_PATH

REDOCLY = re.findall(r"^REDOCLY_CLI := (\S+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE)[0]
"""The Redocly CLI the Makefile pins (make lint's and make diff's)."""
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
    code = spec_diff.main([*arguments, "--redocly", REDOCLY])
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


@pytest.mark.parametrize("name", sorted(BREAKING))
def test_a_breaking_change_fails_without_a_major_bump_and_passes_with_one(
    spec: dict[str, Any], tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    edit, breaks = BREAKING[name]
    base = with_version(spec, "1.0.0")
    with ThreadPoolExecutor(max_workers=2) as pool:
        minor, major = pool.map(
            lambda version: diff(tmp_path_factory.mktemp(version), base, edited(spec, edit, version)),
            ["1.1.0", "2.0.0"],
        )
    code, report, markdown = minor
    assert code == 1, markdown
    assert report["version_follows"] is False
    assert "breaking change(s) need a major bump" in report["verdict"]
    breaking = [change for change in report["changes"] if change["breaking"]]
    assert breaking, report["changes"]
    assert {change["breaks"] for change in breaking} == {breaks}
    assert "| major | " + breaks in markdown
    code, report, _ = major
    assert code == 0, report["verdict"]


@pytest.mark.parametrize("name", sorted(NOT_BREAKING))
def test_a_change_that_breaks_nobody_passes_with_a_minor_or_patch_bump_and_fails_without_any(
    spec: dict[str, Any], tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    base = with_version(spec, "1.0.0")
    versions = ["1.0.0", "1.0.1", "1.1.0"]
    with ThreadPoolExecutor(max_workers=3) as pool:
        same, patch, minor = pool.map(
            lambda version: diff(tmp_path_factory.mktemp(version), base, edited(spec, NOT_BREAKING[name], version)),
            versions,
        )
    code, report, _ = same
    assert code == 1
    assert "info.version stayed 1.0.0" in report["verdict"]
    assert report["changes"]
    assert not [change for change in report["changes"] if change["breaking"]]
    assert patch[0] == 0, patch[1]["verdict"]
    assert minor[0] == 0, minor[1]["verdict"]


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
    code = spec_diff.main(["--base", "no-such-ref", "--redocly", REDOCLY, "--reports", str(tmp_path)])
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
