"""`make diff`: what changed in openapi.yaml since a git ref, what each change breaks, and whether
`info.version` follows.

The differ is Redocly CLI's `redocly diff` (pinned in the Makefile, the same CLI `make lint` uses): it finds
every change between the two documents and rates each by the semver bump it needs. This module only runs it,
says whom each change breaks, applies the kit's version rule and writes the reports:

- a change Redocly rates `major` is **breaking**: in a request (parameters, body) it breaks **clients** (a
  request that was valid may now be refused); in a response it breaks **clients and servers** (an answer a
  client reads, and a server gives, is no longer what it was documented to be); in the operation itself (its
  `operationId`, a removed operation) it breaks **clients** (generated code, calls);
- `minor` and `patch` changes break nobody.

The rule: a breaking change needs a major bump of `info.version`; any change at all needs a bump. A change
Redocly rates breaking that breaks nobody (a differ's false positive) can be accepted in
`release/accepted-changes.yaml`, reviewed like any change: its pointer, Redocly's rule, the base version it
applies to, and why; it is then listed as accepted, not breaking, and never applies to a later base version.
The Markdown goes to standard output and `reports/spec-diff.md`, the JSON to `reports/spec-diff.json`, and a
draft of the next CHANGELOG.md entry to `reports/changelog-draft.md`. Exit 0 when the version follows the
changes, 1 when it does not, 2 when the comparison cannot be made.

`--base previous-release` (`make diff BASE=previous-release`, run by `make test`) compares with the previous
release: the last commit whose openapi.yaml carries another `info.version` than the working copy's. A release
here is a version of openapi.yaml, and of the four packages that carry it, with its CHANGELOG.md entry.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from ep_cart_spec import HTTP_METHODS, pointer_parts

ROOT = Path(__file__).resolve().parents[1]
SPEC = "openapi.yaml"
ACCEPTED = Path(__file__).resolve().parent / "accepted-changes.yaml"


class DiffError(RuntimeError):
    """The comparison cannot be made (unknown ref, no Node.js, an unreadable document)."""


@dataclass(frozen=True)
class Change:
    impact: str
    """Redocly's rating: major, minor or patch."""
    breaking: bool
    breaks: str
    """Whom a breaking change breaks: clients, or clients and servers; "nobody" otherwise."""
    kind: str
    """added, removed or modified."""
    where: str
    """The operation and the part of it ("POST /v2/carts/{cartID}/relationships/accounts responses/422")."""
    pointer: str
    location: str
    """file:line in the base document (the revision's for an addition), when Redocly gives one."""
    details: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Accepted:
    base_version: str
    pointer: str
    rules: tuple[str, ...]
    reason: str


def accepted_changes(path: Path) -> list[Accepted]:
    if not path.is_file():
        return []
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    try:
        return [
            Accepted(
                str(entry["base-version"]), entry["pointer"], tuple(entry["rules"]), " ".join(entry["reason"].split())
            )
            for entry in entries
        ]
    except (KeyError, TypeError) as error:
        raise DiffError(f"{path.name}: each entry needs base-version, pointer, rules and reason ({error})") from None


def accept(change: Change, base_version: str, accepted: list[Accepted]) -> Change:
    """The change as reviewed: a breaking one listed for this base version is accepted as breaking nobody."""
    for entry in accepted:
        if (
            change.breaking
            and entry.base_version == base_version
            and entry.pointer == change.pointer
            and set(change.rules) <= set(entry.rules)
        ):
            details = f"{change.details} Accepted as breaking nobody ({ACCEPTED.name}): {entry.reason}"
            return replace(change, breaking=False, breaks="nobody (accepted)", details=details)
    return change


def version_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("-")[0].split("+")[0].split("."))
    except ValueError:
        raise DiffError(f"info.version {version!r} is not a semantic version (MAJOR.MINOR.PATCH)") from None


def readable(pointer: str) -> str:
    """A JSON pointer of the spec as a reader names the place: "POST /v2/carts responses/200"."""
    parts = [part for part in pointer_parts(pointer if pointer.startswith(("/", "#")) else f"/{pointer}") if part]
    if len(parts) >= 2 and parts[0] == "paths":
        if len(parts) >= 3 and parts[2] in HTTP_METHODS:
            return " ".join([parts[2].upper(), parts[1], "/".join(parts[3:])]).strip()
        return " ".join([parts[1], "/".join(parts[2:])]).strip()
    return "/".join(parts) or "the document"


def whom(pointer: str) -> str:
    parts = pointer.removeprefix("#/").split("/")
    if "responses" in parts:
        return "clients and servers"
    return "clients"


BASE_COPY = "base-openapi.yaml"
"""The name the base document is written under for Redocly (its locations name it)."""


def change_of(entry: dict[str, Any], base_label: str = "base") -> Change:
    verdicts = entry.get("verdicts", [])
    location = next((verdict.get("location") for verdict in verdicts if verdict.get("location")), None)
    where = ""
    if location:
        in_base = Path(location["file"]).name == BASE_COPY
        where = f"{f'{base_label}:' if in_base else ''}{SPEC}:{location['line']}"
    details = "; ".join(verdict["message"] for verdict in verdicts if verdict.get("message"))
    if not details:
        what = entry.get("property") or entry.get("typeName") or "value"
        details = f"{what} {entry['kind']}"
    breaking = entry["impact"] == "major"
    return Change(
        impact=entry["impact"],
        breaking=breaking,
        breaks=whom(entry["path"]) if breaking else "nobody",
        kind=entry["kind"],
        where=readable(entry["path"]),
        pointer=entry["path"],
        location=where,
        details=details,
        rules=tuple(verdict["ruleId"] for verdict in verdicts if verdict.get("ruleId")),
    )


def redocly_diff(base: Path, revision: Path, redocly: str) -> dict[str, Any]:
    """Redocly's JSON report of the changes from `base` to `revision`."""
    with tempfile.TemporaryDirectory(prefix="spec-diff-") as folder:
        output = Path(folder) / "diff.json"
        # An installed CLI (a path), or a package for npx to fetch.
        runner = [str(Path(redocly).resolve())] if Path(redocly).is_file() else ["npx", "--yes", redocly]
        command = [*runner, "diff", str(base.resolve()), str(revision.resolve())]
        command += ["--format", "json", "--fail-on", "none"]
        try:
            # Run away from redocly.yaml: with a configuration file that extends the lint rules, Redocly rates
            # breaking changes (a tighter maxLength, a new required field) as patches; its diff defaults rate them
            # major.
            quiet = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
            result = subprocess.run(
                [*command, "-o", str(output)], capture_output=True, text=True, timeout=300, cwd=folder, env=quiet
            )
        except FileNotFoundError:
            raise DiffError("npx (Node.js 20) is needed for Redocly CLI's diff") from None
        if result.returncode != 0 or not output.is_file():
            raise DiffError(
                f"redocly diff failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )
        report: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
        return report


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str


def version_verdict(
    base_text: str, revision_text: str, base_version: str, revision_version: str, changes: list[Change]
) -> Verdict:
    """The kit's rule: a breaking change needs a major bump; any change at all needs a bump."""
    if base_text == revision_text:
        return Verdict(True, "openapi.yaml is unchanged.")
    old, new = version_tuple(base_version), version_tuple(revision_version)
    breaking = [change for change in changes if change.breaking]
    if new < old:
        return Verdict(False, f"info.version went back from {base_version} to {revision_version}.")
    if new == old:
        needed = "a major bump" if breaking else "a bump (minor for additions, patch for wording)"
        return Verdict(False, f"openapi.yaml changed but info.version stayed {base_version}: it needs {needed}.")
    if breaking and new[:1] <= old[:1]:
        return Verdict(
            False,
            f"{len(breaking)} breaking change(s) need a major bump: info.version is {revision_version}, "
            f"the next major is {old[0] + 1}.0.0.",
        )
    return Verdict(True, f"info.version {base_version} -> {revision_version} follows the changes.")


def markdown(base_label: str, base_version: str, revision_version: str, changes: list[Change], verdict: Verdict) -> str:
    breaking = sum(change.breaking for change in changes)
    lines = [
        f"## openapi.yaml: {base_label} ({base_version}) -> working copy ({revision_version})",
        "",
        f"**{len(changes)}** change(s), **{breaking}** breaking. {'✅' if verdict.passed else '❌'} {verdict.message}",
    ]
    if changes:
        lines += ["", "| impact | breaks | change | where | details |", "| --- | --- | --- | --- | --- |"]
        for change in changes:
            details = change.details.replace("|", "\\|") + (f" (`{', '.join(change.rules)}`)" if change.rules else "")
            at = f" ({change.location})" if change.location else ""
            lines.append(f"| {change.impact} | {change.breaks} | {change.kind} | `{change.where}`{at} | {details} |")
    return "\n".join(lines) + "\n"


def changelog_draft(revision_version: str, changes: list[Change]) -> str:
    """The next CHANGELOG.md entry, to edit into prose: the changes grouped as Keep a Changelog groups them."""
    groups = {
        "Breaking": [change for change in changes if change.breaking],
        "Added": [change for change in changes if not change.breaking and change.kind == "added"],
        "Removed": [change for change in changes if not change.breaking and change.kind == "removed"],
        "Changed": [change for change in changes if not change.breaking and change.kind == "modified"],
    }
    lines = [f"## [{revision_version}] - {time.strftime('%Y-%m-%d')}", ""]
    for title, members in groups.items():
        if members:
            lines += [f"### {title}", ""]
            lines += [f"- `{change.where}`: {change.details}" for change in members]
            lines.append("")
    if not changes:
        lines += ["No change to openapi.yaml.", ""]
    return "\n".join(lines)


def base_document(ref: str) -> str:
    result = subprocess.run(["git", "show", f"{ref}:{SPEC}"], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise DiffError(f"cannot read {SPEC} at {ref!r}: {result.stderr.strip()}")
    return result.stdout


PREVIOUS_RELEASE = "previous-release"


def previous_release(revision_version: str) -> str:
    """The last commit of the previous release: the newest commit whose openapi.yaml carries another
    `info.version` than `revision_version`."""
    log = subprocess.run(["git", "log", "--format=%H", "--", SPEC], cwd=ROOT, capture_output=True, text=True)
    if log.returncode != 0:
        raise DiffError(f"cannot read the history of {SPEC}: {log.stderr.strip()}")
    for commit in log.stdout.split():
        if str(yaml.safe_load(base_document(commit))["info"]["version"]) != revision_version:
            return commit
    raise DiffError(
        f"no commit of {SPEC} carries another info.version than {revision_version}: the history holds no earlier "
        "release (a shallow clone? git fetch --unshallow)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make diff", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--base",
        default="HEAD",
        help=f"a git ref: openapi.yaml as committed there (HEAD); {PREVIOUS_RELEASE}: the last commit of the "
        "previous release",
    )
    parser.add_argument("--base-file", type=Path, help="compare with this file instead of a git ref")
    parser.add_argument("--revision-file", type=Path, default=ROOT / SPEC, help="the changed spec (openapi.yaml)")
    parser.add_argument("--redocly", required=True, help="the Redocly CLI: its installed binary, or a package for npx")
    parser.add_argument("--reports", type=Path, default=ROOT / "reports")
    parser.add_argument("--accepted", type=Path, default=ACCEPTED, help="reviewed false positives (YAML)")
    options = parser.parse_args(argv)
    try:
        revision_text = options.revision_file.read_text(encoding="utf-8")
        revision_version = str(yaml.safe_load(revision_text)["info"]["version"])
        if options.base == PREVIOUS_RELEASE and not options.base_file:
            options.base = previous_release(revision_version)
        base_text = options.base_file.read_text(encoding="utf-8") if options.base_file else base_document(options.base)
        base_version = str(yaml.safe_load(base_text)["info"]["version"])
        with tempfile.TemporaryDirectory(prefix="spec-base-") as folder:
            base_path = Path(folder) / BASE_COPY
            base_path.write_text(base_text, encoding="utf-8")
            report = redocly_diff(base_path, options.revision_file, options.redocly)
        base_label = str(options.base_file) if options.base_file else options.base
        accepted = accepted_changes(options.accepted)
        changes = [accept(change_of(entry, base_label), base_version, accepted) for entry in report.get("changes", [])]
        verdict = version_verdict(base_text, revision_text, base_version, revision_version, changes)
    except (DiffError, OSError, KeyError, yaml.YAMLError) as error:
        print(f"make diff: {error}", file=sys.stderr)
        return 2
    text = markdown(base_label, base_version, revision_version, changes, verdict)
    options.reports.mkdir(parents=True, exist_ok=True)
    (options.reports / "spec-diff.md").write_text(text, encoding="utf-8")
    (options.reports / "changelog-draft.md").write_text(changelog_draft(revision_version, changes), encoding="utf-8")
    document = {
        "base": {"ref": base_label, "version": base_version},
        "revision": {"version": revision_version},
        "summary": {"changes": len(changes), "breaking": sum(change.breaking for change in changes)},
        "recommended_bump": report.get("bump"),
        "version_follows": verdict.passed,
        "verdict": verdict.message,
        "changes": [asdict(change) for change in changes],
    }
    (options.reports / "spec-diff.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    print(text)
    return 0 if verdict.passed else 1


if __name__ == "__main__":
    sys.exit(main())
