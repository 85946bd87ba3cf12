"""Sources in the repository: every vendor fact cites S1..S7, and a reader can check each without leaving it.

docs/sources.md lists each source with its address (the vendor's files with repository, path, commit and date);
openapi.yaml, the shared documentation, gives the same address where a reader meets S1..S7. And no Markdown file
of the repository links a path outside it (a clone has nothing there)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from ep_cart_spec import load
from tests.paths import ROOT

SOURCE_ROW = re.compile(r"^\| (S\d) \|.*<(https?://[^>]+)>\s*\|$")
MARKDOWN_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def listed_sources() -> dict[str, str]:
    """docs/sources.md: S1..S7 -> the address."""
    found = {}
    for line in (ROOT / "docs" / "sources.md").read_text(encoding="utf-8").splitlines():
        match = SOURCE_ROW.match(line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def test_the_sources_page_gives_an_address_for_each_source() -> None:
    assert sorted(listed_sources()) == [f"S{number}" for number in range(1, 8)]


def test_the_spec_gives_each_source_its_address_where_a_reader_meets_them() -> None:
    description = load().document["info"]["description"]
    entries = {entry.split(" ", 1)[0]: entry for entry in description.split("\n- ")[1:]}
    for source, address in listed_sources().items():
        assert f"]({address})" in entries.get(source, ""), f"openapi.yaml's Sources do not give {source} {address}"


def tracked_markdown() -> list[Path]:
    """The repository's Markdown files: tracked, and untracked ones git does not ignore (a new guide, before its
    commit)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode == 0 and listed.stdout.strip():
        return [ROOT / name for name in sorted(set(listed.stdout.split())) if (ROOT / name).is_file()]
    return [path for path in ROOT.rglob("*.md") if not {".venv", ".tools", "node_modules"} & set(path.parts)]


FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^a-z0-9 _-]", "", heading.strip().lower()).replace(" ", "-")


def anchors_of(path: Path) -> set[str]:
    """The anchors of a Markdown file's headings (not of lines in its code blocks)."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {slug(heading) for heading in re.findall(r"^#{1,6} (.+)$", text, re.MULTILINE)}


def outside_links(path: Path, root: Path = ROOT) -> list[str]:
    """The links of a Markdown file that name a path outside the repository, or one that does not exist, or a
    heading another Markdown file of the repository does not have."""
    bad = []
    for target in MARKDOWN_LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a web address, mailto:, or an anchor on the page
        file, _, anchor = target.partition("#")
        local = (path.parent / file).resolve()
        missing = not local.is_relative_to(root.resolve()) or not local.exists()
        if missing or (anchor and local.suffix == ".md" and anchor not in anchors_of(local)):
            bad.append(target)
    return bad


@pytest.mark.parametrize("path", tracked_markdown(), ids=lambda path: str(path.relative_to(ROOT)))
def test_markdown_links_stay_inside_the_repository(path: Path) -> None:
    assert outside_links(path) == [], f"{path.relative_to(ROOT)} links outside the repository or to nothing"


def test_the_link_checker_names_a_link_outside_the_repository_and_one_to_nothing(tmp_path: Path) -> None:
    root = tmp_path / "repository"
    (root / "docs").mkdir(parents=True)
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "facts.md").write_text("facts", encoding="utf-8")
    (root / "README.md").write_text("front page", encoding="utf-8")
    (root / "docs" / "other.md").write_text("# Other\n\n## A section\n\n```text\n## Not a heading\n```\n", "utf-8")
    page = root / "docs" / "guide.md"
    page.write_text(
        "[front](../README.md) [facts](../../shared/facts.md) [gone](gone.md) [web](https://example.com) [here](#a)"
        " [section](other.md#a-section) [no such section](other.md#no-such-section) [code](other.md#not-a-heading)",
        encoding="utf-8",
    )
    assert outside_links(page, root) == [
        "../../shared/facts.md",
        "gone.md",
        "other.md#no-such-section",
        "other.md#not-a-heading",
    ]


def test_no_file_cites_the_team_s_shared_folder() -> None:
    folder = "shared/" + "reference"  # spelled apart, so this file does not name it
    listed = subprocess.run(["git", "grep", "-l", folder], cwd=ROOT, capture_output=True, text=True)
    assert listed.stdout.split() == [], "files citing a folder no clone has"


def test_the_readme_s_contents_lead_to_its_sections() -> None:
    """Each entry of the README's contents list is the anchor of one of its headings (GitHub's slugs)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    contents = next(line for line in readme.split("\n\n") if line.startswith("**Contents:**"))
    anchors = re.findall(r"\]\(#([^)]+)\)", contents)
    headings = {slug(heading) for heading in re.findall(r"^#{2,3} (.+)$", FENCE.sub("", readme), re.MULTILINE)}
    assert anchors, "the README has no contents list"
    assert set(anchors) <= headings, set(anchors) - headings
