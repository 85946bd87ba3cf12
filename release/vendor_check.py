"""The vendor's own statements, recorded, each accounted for in openapi.yaml, and checked when the vendor changes
its files (`make vendor-check VENDOR_SPEC=FILE...`).

The vendor's OpenAPI files (elasticpath/composable-frontend, `packages/sdks/specs/`) say things about the kit's
operations; `release/vendor-statements.yaml` records every such statement (statements.py says what one is),
with the file, commit and date it was extracted from. Each recorded statement is, in openapi.yaml:

- **kept**: openapi.yaml says the same;
- **stricter by a mark**: it says more or otherwise where one of its `x-assumptions` marks sits (on the node, or
  for `required` on the object that lists it), so the difference is a decision of ours, named;
- **accounted for** in `release/vendor-accounting.yaml`: said otherwise on another source's word (S1..S7), or
  left out on purpose, with the reason;

and what openapi.yaml says that the vendor's files do not is either under a mark or accounted for there too
(`beyond`, with the source that documents it). `make test` fails on a statement that is none of these, naming
it; `docs/vendor-differences.md` is the readable list.

`make vendor-check VENDOR_SPEC="FILE..."` extracts the statements of newer vendor files, each for the kit's
operations it holds, and compares them with the recorded ones and with openapi.yaml: new statements, gone ones,
changed ones, and those that now settle one of our marks. It fails on any change openapi.yaml does not account
for, writes `reports/vendor-check.md` and `.json`, and with `UPDATE=1` (`--update`) records the newer statements
once a person has read the report.

Why here and not in ep-cart-spec: it is the maintainers' work on openapi.yaml, like `make diff`; a team that
installs the kit's packages never runs it.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from ep_cart_spec import ApiSpec, Assumption, load, pointer_to
from release.statements import Statement, extract, find_operation

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ROOT = Path(__file__).resolve().parents[1]
RECORDED = Path(__file__).resolve().parent / "vendor-statements.yaml"
ACCOUNTING = Path(__file__).resolve().parent / "vendor-accounting.yaml"
PAGE = ROOT / "docs" / "vendor-differences.md"
REPOSITORY = "elasticpath/composable-frontend"
SOURCES: dict[str, tuple[str, ...]] = {
    # The vendor's file -> the kit's operations (openapi.yaml's operationIds) it documents.
    "cart_checkout.yaml": (
        "createAccountCartAssociation",
        "deleteAccountCartAssociation",
        "getCarts",
        "getACart",
        "updateACart",
    ),
    "authentication.yaml": ("createAccessToken",),
    "account_management.yaml": ("post-v2-account-members-tokens",),
}
VENDOR_NAMES = {"createAccessToken": "CreateAnAccessToken"}
"""The kit's operationIds the vendor spells otherwise (the operation is found by its path and method too)."""


def our_operations(spec: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """openapi.yaml's operationId -> (path, method)."""
    return {
        operation["operationId"]: (path, method)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    }


def marks_of(spec: dict[str, Any]) -> dict[str, Assumption]:
    return ApiSpec(text="", document=spec).assumptions


def label(path: str, method: str) -> str:
    return f"{method.upper()} {path}"


ALIASES = {"POST /v2/account-members/tokens | request application/json | data{password}": "data"}
"""A vendor alternative openapi.yaml describes as its one form: the login's `password` mechanism is its `data`
(`account-member-login-mechanism-password`), so those fields are compared with openapi.yaml's."""


def vendor_statements(document: dict[str, Any], ours: dict[str, tuple[str, str]]) -> tuple[list[Statement], list[str]]:
    """The statements a vendor file makes about the kit's operations, and which of them (operationIds) it holds."""
    found: list[tuple[str, str, str]] = []
    held: list[str] = []
    for operation_id, (path, method) in ours.items():
        where = find_operation(document, VENDOR_NAMES.get(operation_id, operation_id), method, path)
        if where is not None:
            found.append((*where, label(path, method)))
            held.append(operation_id)
    merged: dict[str, Statement] = {}
    for statement in extract(document, found):
        for alias, field_path in ALIASES.items():
            operation, part, prefix = alias.split(" | ")
            if (statement.operation, statement.where) == (operation, part) and statement.field.startswith(prefix):
                statement = replace(statement, field=field_path + statement.field[len(prefix) :])
        before = merged.get(statement.key)
        if before is not None:  # the alternative and the field it stands in: what both say
            statement = replace(statement, facts=tuple(sorted({**before.fact_map, **statement.fact_map}.items())))
        merged[statement.key] = statement
    return list(merged.values()), held


def spec_statements(spec: dict[str, Any]) -> list[Statement]:
    operations = our_operations(spec)
    covered = [operations[operation_id] for ids in SOURCES.values() for operation_id in ids]
    return extract(spec, [(path, method, label(path, method)) for path, method in covered])


# --- What is recorded, and how openapi.yaml accounts for it --------------------------------------------------


@dataclass(frozen=True)
class Entry:
    kind: str
    """differs (said otherwise, on another source's word), left-out, or beyond (only openapi.yaml says it)."""
    match: str
    """A statement key, or a pattern of them (`*` matches anything)."""
    why: str
    keywords: tuple[str, ...] = ()
    """For `differs`: the keywords whose vendor statements the entry's reason answers whatever the vendor says,
    named by a person after reading a report in which the vendor changed them. Without them, a changed or newly
    stated keyword fails the check (the reason was written for the vendor's earlier word)."""

    def matches(self, key: str) -> bool:
        return fnmatch.fnmatchcase(key, self.match)


def read_accounting(path: Path = ACCOUNTING) -> list[Entry]:
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    return [
        Entry(kind, entry["match"], " ".join(entry["why"].split()), tuple(entry.get("keywords", ())))
        for kind in ("differs", "left-out", "beyond")
        for entry in document.get(kind, [])
    ]


def read_recorded(path: Path = RECORDED) -> dict[str, Any]:
    document: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    return document


def recorded_statements(recorded: dict[str, Any], source: str | None = None) -> dict[str, dict[str, str]]:
    """Key -> facts of the recorded statements (of one source, or of all)."""
    found: dict[str, dict[str, str]] = {}
    for name, statements in recorded["statements"].items():
        if source is None or name == source:
            found.update({item["key"]: {k: str(v) for k, v in item["facts"].items()} for item in statements})
    return found


@dataclass(frozen=True)
class Accounted:
    key: str
    verdict: str
    """kept, stricter (a mark), differs, left-out, beyond (a mark or an entry), or UNACCOUNTED."""
    how: str
    """The mark(s), or the accounting entry's reason."""
    vendor: dict[str, str] | None
    ours: dict[str, str] | None


def differing(vendor: dict[str, str], ours: dict[str, str]) -> set[str]:
    return {key for key in {*vendor, *ours} if vendor.get(key) != ours.get(key)}


def marks_explaining(statement: Statement, keys: set[str], marks: dict[str, Assumption]) -> tuple[str, ...]:
    """The marks of openapi.yaml that make `statement` differ in `keys`, or () when a key differs that no mark
    explains. A mark explains what it covers (`covers: [format]` a format, `[required]` its fields' required),
    or, covering no keyword, anything of its node and of that node's fields; a mark covering a response's status
    or content explains everything in it."""

    def explains(mark_id: str, key: str, own: bool) -> bool:
        mark = marks.get(mark_id)
        covers = set(mark.covers) if mark else set()
        keywords = covers - {"status", "content"}
        if not keywords:
            return True
        return key in keywords if own else key == "required" and "required" in keywords

    if statement.context_marks:
        return statement.context_marks
    explaining: dict[str, None] = {}
    for key in sorted(keys):  # sorted: the marks come in the same order in every process (a set's would not)
        found = [mark for mark in statement.marks if explains(mark, key, own=key != "required")]
        found += [mark for mark in statement.parent_marks if explains(mark, key, own=False)]
        if not found:
            return ()
        explaining.update(dict.fromkeys(found))
    return tuple(explaining)


def account(
    vendor: dict[str, dict[str, str]],
    ours: Iterable[Statement],
    entries: list[Entry],
    marks: dict[str, Assumption] | None = None,
) -> list[Accounted]:
    """Every vendor statement, and every statement of openapi.yaml the vendor does not make, with how it is
    accounted for (UNACCOUNTED when it is not)."""
    by_key = {statement.key: statement for statement in ours}
    marks = load().assumptions if marks is None else marks
    result: list[Accounted] = []

    def entry_for(kind: str, key: str) -> Entry | None:
        return next((entry for entry in entries if entry.kind == kind and entry.matches(key)), None)

    for key, facts in vendor.items():
        statement = by_key.get(key)
        if statement is None:
            entry = entry_for("left-out", key)
            result.append(
                Accounted(key, "left-out" if entry else "UNACCOUNTED", entry.why if entry else "", facts, None)
            )
            continue
        mine = statement.fact_map
        keys = differing(facts, mine)
        if not keys:
            result.append(Accounted(key, "kept", "", facts, mine))
            continue
        explaining = marks_explaining(statement, keys, marks)
        if explaining:
            result.append(Accounted(key, "stricter", ", ".join(explaining), facts, mine))
            continue
        entry = entry_for("differs", key)
        result.append(Accounted(key, "differs" if entry else "UNACCOUNTED", entry.why if entry else "", facts, mine))
    for key, statement in by_key.items():
        if key in vendor:
            continue
        own = statement.context_marks or statement.marks or statement.parent_marks
        entry = entry_for("beyond", key)
        if entry is not None:
            result.append(Accounted(key, "beyond", entry.why, None, statement.fact_map))
        elif own:
            result.append(Accounted(key, "beyond", f"assumption: {', '.join(own)}", None, statement.fact_map))
        else:
            result.append(Accounted(key, "UNACCOUNTED", "", None, statement.fact_map))
    return result


def unused_entries(accounted: list[Accounted], entries: list[Entry]) -> list[Entry]:
    """Accounting entries no statement needs (stale after a spec or vendor change)."""
    used = {(item.verdict, item.how) for item in accounted}
    return [entry for entry in entries if (entry.kind, entry.why) not in used]


def describe(item: Accounted) -> str:
    if item.vendor is None:
        return f"{item.key}: openapi.yaml says {item.ours}, the vendor's files nothing"
    if item.ours is None:
        return f"{item.key}: the vendor says {item.vendor}, openapi.yaml nothing"
    return f"{item.key}: the vendor says {item.vendor}, openapi.yaml {item.ours}"


def render_page(accounted: list[Accounted], recorded: dict[str, Any]) -> str:
    """docs/vendor-differences.md: what openapi.yaml says otherwise than the vendor's files, or beyond them, and
    why; generated (`python -m release.vendor_check --page`), kept in step by a test."""
    counts = {
        verdict: sum(1 for item in accounted if item.verdict == verdict)
        for verdict in ("kept", "stricter", "differs", "left-out", "beyond")
    }
    lines = [
        "# What we say that the vendor's file does not, and why",
        "",
        "Generated by `python -m release.vendor_check --page` from `release/vendor-statements.yaml` (the vendor's",
        "statements about the kit's operations) and `release/vendor-accounting.yaml`; `make test` fails when a",
        "statement is not accounted for. Sources:",
        "",
    ]
    for name, source in recorded["sources"].items():
        lines.append(
            f"- `{name}`: {source['repository']} `{source['path']}` at commit {source['commit']} "
            f"({source['committed']}), extracted {source['extracted']}."
        )
    lines += [
        "",
        f"Of the vendor's statements, **{counts['kept']}** are kept as they are, **{counts['stricter']}** are said "
        f"otherwise by one of our marks, **{counts['differs']}** otherwise on another source's word, and "
        f"**{counts['left-out']}** are left out on purpose; openapi.yaml makes **{counts['beyond']}** statements "
        "the vendor's files do not.",
    ]
    sections = (
        ("stricter", "Said otherwise, by one of our marks", "mark"),
        ("differs", "Said otherwise, on another source's word", "why"),
        ("left-out", "Left out on purpose", "why"),
        ("beyond", "Said beyond the vendor's files", "source or mark"),
    )
    for verdict, title, column in sections:
        groups: dict[str, list[str]] = {}
        for item in accounted:
            if item.verdict == verdict:
                groups.setdefault(item.how, []).append(item.key)
        lines += ["", f"## {title}", "", f"| {column} | statements |", "| --- | --- |"]
        for how, keys in sorted(groups.items()):
            shown = "<br>".join(f"`{key}`" for key in keys[:6]) + (
                f"<br>and {len(keys) - 6} more" if len(keys) > 6 else ""
            )
            lines.append(f"| {how.replace('|', '/')} | {shown.replace(' | ', ' · ')} |")
    return "\n".join(lines) + "\n"


# --- make vendor-check ------------------------------------------------------------------------------------------


@dataclass
class Change:
    kind: str
    """new, gone or changed."""
    source: str
    key: str
    before: dict[str, str] | None
    after: dict[str, str] | None
    accounted: bool
    how: str
    settles: str = ""
    """The mark this change now documents, and whether the vendor agrees with its default or an alternative."""


@dataclass
class Check:
    files: list[dict[str, Any]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def failed(self) -> list[Change]:
        return [change for change in self.changes if not change.accounted]


def source_of(path: Path, held: list[str]) -> str | None:
    """Which recorded vendor file `path` is a version of: by its name, else by the operations it holds."""
    if path.name in SOURCES:
        return path.name
    return next((name for name, ids in SOURCES.items() if set(held) & set(ids)), None)


def settled(change_key: str, after: dict[str, str] | None, ours: Statement | None, marks: dict[str, Assumption]) -> str:
    """The mark a new or changed vendor statement now documents, and with which of its decisions it agrees."""
    operation, where, _ = change_key.split(" | ")
    if where.startswith("response ") and len(where.split()) == 2 and after is not None:
        status = where.split()[1]
        method, path = operation.split(" ", 1)
        for mark in marks.values():
            on_operation = mark.pointer.startswith(pointer_to("paths", path, method.lower()))
            if on_operation and status in mark.rules_out:
                alternative = dict(mark.alternatives).get(status)
                return f"{mark.id}: the vendor now documents {status}, which the mark rules out" + (
                    f" (its alternative {status!r})" if alternative else ""
                )
    if ours is None or after is None or not ours.marks:
        return ""
    mine = ours.fact_map
    for mark_id in ours.marks:
        found = marks.get(mark_id)
        if found is None:
            continue
        mark = found
        if not differing(after, mine) - {"required"}:
            return (
                f"{mark_id}: the vendor now says what the mark decided (its default, {mark.default or 'the decision'})"
            )
        relaxed = {key: value for key, value in mine.items() if key not in mark.covers}
        if not differing(after, relaxed) - {"required"} and mark.alternatives:
            others = [key for key, _ in mark.alternatives[1:]]
            return f"{mark_id}: the vendor now says what its alternative {', '.join(others)} says"
    return ""


def check_files(paths: Sequence[Path], spec: dict[str, Any], recorded: dict[str, Any], entries: list[Entry]) -> Check:
    result = Check()
    marks = marks_of(spec)
    ours = {statement.key: statement for statement in spec_statements(spec)}
    operations = our_operations(spec)
    for path in paths:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
        statements, held = vendor_statements(document, operations)
        source = source_of(path, held)
        result.files.append({"file": str(path), "source": source, "operations": held, "statements": len(statements)})
        if source is None:
            continue
        labels = {label(*operations[operation_id]) for operation_id in held}
        before = {
            key: facts for key, facts in recorded_statements(recorded, source).items() if key.split(" | ")[0] in labels
        }
        after = {statement.key: statement.fact_map for statement in statements}
        for key in sorted({*before, *after}):
            old, new = before.get(key), after.get(key)
            if old == new:
                continue
            kind = "new" if old is None else "gone" if new is None else "changed"
            accounted = account(
                {key: new} if new is not None else {}, [ours[key]] if key in ours else [], entries, marks
            )
            if new is None:
                # Gone: openapi.yaml may still say it only as our own decision (a mark) or on another source's word.
                mine = ours.get(key)
                entry = next((e for e in entries if e.kind == "beyond" and e.matches(key)), None)
                own = (mine.context_marks or mine.marks or mine.parent_marks) if mine else ()
                ok = mine is None or bool(own) or entry is not None
                if mine is None:
                    how = "openapi.yaml does not say it either"
                elif ok:
                    how = entry.why if entry else f"assumption: {', '.join(own)}"
                else:
                    how = "openapi.yaml still says it as the vendor's"
            elif old is not None and key in ours:
                # Changed: what changed must now be what openapi.yaml says, a mark's decision, or still said otherwise
                # on another source's word (an accounting entry, which the report asks a person to read again).
                mine = ours[key]
                residual = {name for name in differing(old, new) if new.get(name) != mine.fact_map.get(name)}
                explaining = marks_explaining(mine, residual, marks) if residual else ()
                # A keyword the vendor did not state before, now stated otherwise than a mark decided it: the mark's
                # point is the vendor's now, and openapi.yaml must follow (unless it is one of the alternatives).
                newly_stated = sorted(name for name in residual if name not in old)
                overruled = bool(explaining) and bool(newly_stated) and not settled(key, new, mine, marks)
                # Said otherwise on another source's word (an accounting entry): still so, but the entry was written
                # for what the vendor said before, so the report asks for it to be read again.
                entry = next((e for e in entries if e.kind == "differs" and e.matches(key)), None)
                answered = entry is not None and residual <= set(entry.keywords)
                reread = bool(residual) and not explaining and answered
                ok = not residual or (bool(explaining) and not overruled) or reread
                if not residual:
                    how = "openapi.yaml says what the vendor now says"
                elif reread:
                    assert entry is not None
                    how = f"differs (read the entry again, it was written for the vendor's earlier word): {entry.why}"
                elif overruled:
                    how = (
                        f"the vendor now states {', '.join(newly_stated)}, which {', '.join(explaining)} decided "
                        "otherwise: the point is the vendor's now; change openapi.yaml (and the mark)"
                    )
                elif ok:
                    how = f"stricter: {', '.join(explaining)}"
                else:
                    how = f"openapi.yaml says otherwise on {', '.join(sorted(residual))}, and no mark decides it"
            else:
                verdict = accounted[0] if accounted else None
                ok = verdict is not None and verdict.verdict != "UNACCOUNTED"
                how = (
                    f"{verdict.verdict}: {verdict.how}".rstrip(": ")
                    if verdict and ok
                    else "openapi.yaml does not account for it"
                )
            change = Change(kind, source, key, old, new, ok, how)
            change.settles = settled(key, new, ours.get(key), marks) if new is not None else ""
            result.changes.append(change)
    return result


def render_check(check: Check) -> str:
    lines = ["# The vendor's files against the recorded statements and openapi.yaml", ""]
    for item in check.files:
        held = ", ".join(item["operations"]) or "none of the kit's operations"
        lines.append(f"- `{item['file']}`: {item['source'] or 'not one of the recorded files'}; holds {held}.")
    failed = check.failed
    lines += ["", f"**{len(check.changes)}** change(s) for the kit's operations, **{len(failed)}** not accounted for."]
    if check.changes:
        lines += [
            "",
            "| | change | statement | before | after | openapi.yaml | settles |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for change in check.changes:
            mark = "✅" if change.accounted else "❌"
            lines.append(
                f"| {mark} | {change.kind} | `{change.key.replace(' | ', ' · ')}` | {json.dumps(change.before)} | "
                f"{json.dumps(change.after)} | {change.how.replace('|', '/')} | {change.settles} |"
            )
    return "\n".join(lines) + "\n"


def record(
    paths: Sequence[Path], spec: dict[str, Any], recorded: dict[str, Any], commit: str, committed: str
) -> dict[str, Any]:
    """The recorded statements with each file's statements replaced by what `paths` say (UPDATE=1)."""
    operations = our_operations(spec)
    for path in paths:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
        statements, held = vendor_statements(document, operations)
        source = source_of(path, held)
        if source is None:
            continue
        recorded["sources"][source] = {
            "repository": REPOSITORY,
            "path": f"packages/sdks/specs/{source}",
            "commit": commit,
            "committed": committed,
            "extracted": time.strftime("%Y-%m-%d"),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
        recorded["statements"][source] = [statement.as_record() for statement in statements]
    return recorded


def write_recorded(recorded: dict[str, Any], path: Path = RECORDED) -> None:
    header = (
        "# The vendor's statements about the kit's operations (release/vendor_check.py; statements only, not the\n"
        "# vendor's files). Rewritten by `make vendor-check VENDOR_SPEC=... UPDATE=1` after a person read the report.\n"
    )
    path.write_text(header + yaml.safe_dump(recorded, sort_keys=False, width=200, allow_unicode=True), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m release.vendor_check", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="newer vendor files (cart_checkout.yaml, ...)")
    parser.add_argument("--update", action="store_true", help="record the files' statements (after reading the report)")
    parser.add_argument("--commit", help="the vendor commit the files come from (required with --update)")
    parser.add_argument("--committed", help="that commit's date, YYYY-MM-DD (required with --update)")
    parser.add_argument("--page", action="store_true", help=f"rewrite {PAGE.relative_to(ROOT)}")
    parser.add_argument("--reports", type=Path, default=ROOT / "reports")
    options = parser.parse_args(argv)
    spec = yaml.load((ROOT / "openapi.yaml").read_text(encoding="utf-8"), Loader=Loader)
    recorded, entries = read_recorded(), read_accounting()
    if options.page:
        accounted = account(recorded_statements(recorded), spec_statements(spec), entries, marks_of(spec))
        PAGE.write_text(render_page(accounted, recorded), encoding="utf-8")
        print(f"wrote {PAGE.relative_to(ROOT)}")
        return 0
    if not options.files:
        parser.error("name the vendor files to check (VENDOR_SPEC=...)")
    if options.update and not (options.commit and options.committed):
        parser.error("recording needs the files' vendor commit and its date (VENDOR_COMMIT=..., VENDOR_COMMITTED=...)")
    missing = [str(path) for path in options.files if not path.is_file()]
    if missing:
        print(f"vendor-check: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    result = check_files(options.files, spec, recorded, entries)
    elapsed = time.perf_counter() - started
    options.reports.mkdir(parents=True, exist_ok=True)
    markdown = render_check(result)
    (options.reports / "vendor-check.md").write_text(markdown, encoding="utf-8")
    document = {
        "files": result.files,
        "changes": [change.__dict__ for change in result.changes],
        "failed": len(result.failed),
        "seconds": round(elapsed, 3),
    }
    (options.reports / "vendor-check.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    print(markdown)
    print(f"reports: {options.reports / 'vendor-check.md'}, {options.reports / 'vendor-check.json'} ({elapsed:.2f} s)")
    if options.update and result.failed:
        print(
            f"not recorded: {len(result.failed)} statement(s) are not accounted for; account for them in openapi.yaml "
            f"or {ACCOUNTING.relative_to(ROOT)} first",
            file=sys.stderr,
        )
        return 1
    if options.update:
        write_recorded(record(options.files, spec, recorded, options.commit, options.committed), RECORDED)
        print(f"recorded the files' statements in {RECORDED.relative_to(ROOT)}; run with --page and commit both")
        return 0
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
