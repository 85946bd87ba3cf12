"""`ep-cart-twin-check`: is the bundled mock a twin of the store a run recorded?

A contract run writes every exchange it had to reports/exchanges.har (exchanges.py). This replays them, in order,
against a fresh bundled mock (started with a store profile when given: usually the one the same run learned) and
compares each answer with the store's. What differs by nature is mapped: the store's accounts, application keys,
members and password profile to the mock's (by the fixture they are), its tokens to the mock's by role, the
run's contact-email cart to the mock's when the run was given one (a cart the run made, it makes the same way:
reading makes a cart). The run's cart IDs are the run's own choice, and are sent as they were.

What is compared (COMPARED) and what is set aside by nature (SET_ASIDE) are named, and the reports list both.
An exchange that cannot be compared (no answer was recorded; the store was briefly unavailable; a value the
replay cannot fill) is counted apart with why, like an index beside a score; it is still replayed when it can be,
so the mock's state follows the store's.

Writes twin-check.md and twin-check.json (to --report-dir, default reports/) and prints a summary. Exit
statuses (EXIT_MEANINGS): 0 every comparable exchange agrees, 1 some differ, 2 nothing to compare or the check
could not run (the recording unreadable, the profile refused, the mock not starting).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from ep_cart_contract.compare import COMPARED, SET_ASIDE, Outcome, check, mock_tokens
from ep_cart_contract.exchanges import HAR_NAME
from ep_cart_contract.recording import MOCK_OTHER_MEMBER, FixtureMap, Recording, RecordingError
from ep_cart_contract.target import MockProcess, mock_env
from ep_cart_contract.wording import PROFILE_NAME, Wording, learn, write_profile
from ep_cart_spec import (
    ProfileError,
    load,
    read_profile,
)

AGREE, DIFFER, CANNOT_CHECK = 0, 1, 2
EXIT_MEANINGS = {
    AGREE: "every comparable exchange agrees: the mock answered as the store did",
    DIFFER: "some comparable exchanges differ: commit the learned store profile, or report a gap in the mock",
    CANNOT_CHECK: "nothing was compared: the recording is unreadable or holds nothing comparable, the store profile "
    "was refused, or the mock did not start",
}

# --- Reports --------------------------------------------------------------------------------------------------


def learned_wording(outcomes: list[Outcome]) -> Wording:
    """The store's wording of the errors where the mock's differed (wording.py)."""
    return learn(
        load(),
        ((outcome.operation, *outcome.errors) for outcome in outcomes if outcome.comparable and outcome.errors),
    )


def results(
    recording: Recording, outcomes: list[Outcome], store_profile: str | None, wording: Wording | None = None
) -> dict[str, Any]:
    wording = wording or Wording()
    comparable = [outcome for outcome in outcomes if outcome.comparable]
    differing = [outcome for outcome in comparable if outcome.differences]
    why_not = Counter(outcome.why_not for outcome in outcomes if not outcome.comparable)
    rows: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    for outcome in outcomes:
        kind = "not comparable" if not outcome.comparable else "differing" if outcome.differences else "identical"
        rows[(outcome.operation, outcome.store_status)][kind] += 1
    return {
        "recording": str(recording.path),
        "recorded_run": {key: recording.run.get(key) for key in ("target", "prefix", "profile", "finished_at")},
        "mock_store_profile": store_profile or "defaults (openapi.yaml)",
        "summary": {
            "exchanges": len(outcomes),
            "comparable": len(comparable),
            "not_comparable": sum(why_not.values()),
            "not_comparable_why": dict(why_not.most_common()),
            "identical": len(comparable) - len(differing),
            "differing": len(differing),
        },
        "by_operation": [
            {
                "operation": operation,
                "store_status": status,
                "identical": counts["identical"],
                "differing": counts["differing"],
                "not_comparable": counts["not comparable"],
            }
            for (operation, status), counts in sorted(rows.items())
        ],
        "wording": {
            "learned": wording.texts,
            "not_learned": wording.not_learned,
            "rule_not_shown": wording.unknown,
        },
        "compared": [{"aspect": name, "what": what} for name, what in COMPARED],
        "set_aside": [{"rule": name, "what": what} for name, what in SET_ASIDE],
        "differences": [
            {
                "exchange": outcome.index,
                "check": outcome.entry.get("_check", {}),
                "operation": outcome.operation,
                "aspects": outcome.differences,
                "store": {
                    "status": outcome.store_status,
                    "body": outcome.entry["response"]["content"].get("text", "")[:1000],
                },
                "mock": {"status": outcome.mock_status, "body": outcome.mock_body[:1000]},
                "curl": outcome.curl,
            }
            for outcome in differing
        ],
    }


def fidelity_line(summary: Mapping[str, Any]) -> str:
    comparable, identical = summary["comparable"], summary["identical"]
    share = f" ({100 * identical / comparable:.1f} %)" if comparable else ""
    return (
        f"twin-check: {identical} of {comparable} comparable exchanges identical{share}, {summary['differing']} "
        f"differing; {summary['not_comparable']} of {summary['exchanges']} not comparable"
    )


MARKDOWN_DIFFERENCES = 100
"""The Markdown report shows this many differences; twin-check.json has them all."""


def markdown(report: Mapping[str, Any]) -> str:
    summary = report["summary"]
    lines = [
        "# Twin check: the bundled mock against a recorded store",
        "",
        f"**{fidelity_line(summary)}**",
        "",
        f"- Recording: `{report['recording']}` (run `{report['recorded_run'].get('prefix')}` against "
        f"{report['recorded_run'].get('target')}, {report['recorded_run'].get('finished_at')})",
        f"- The mock followed: {report['mock_store_profile']}",
        "",
        "## Not comparable, and why",
        "",
    ]
    lines += [f"- {count}: {why}" for why, count in summary["not_comparable_why"].items()] or ["- none"]
    lines += [
        "",
        "## By operation and the store's status",
        "",
        "| operation | store's status | identical | differing | not comparable |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| `{row['operation']}` | {row['store_status']} | {row['identical']} | {row['differing']} | "
        f"{row['not_comparable']} |"
        for row in report["by_operation"]
    ]
    wording = report["wording"]
    lines += ["", "## The store's wording of its errors", ""]
    if wording["learned"]:
        lines += [
            f"Learned for {len(wording['learned'])} error(s), written to `{PROFILE_NAME}` beside this report: "
            "give the mock that profile, and the next twin check, to answer with the store's words.",
            "",
        ]
        lines += [f"- `{rule}`: {json.dumps(text, ensure_ascii=False)}" for rule, text in wording["learned"].items()]
    else:
        lines.append("- nothing to learn: no error differed in its words alone")
    lines += [f"- `{rule}`: not all learned ({'; '.join(reasons)})" for rule, reasons in wording["not_learned"].items()]
    if wording["rule_not_shown"]:
        lines.append(f"- {wording['rule_not_shown']} differing error(s) matched no single example of openapi.yaml")
    lines += ["", "## What is compared", ""]
    lines += [f"- **{item['aspect']}**: {item['what']}" for item in report["compared"]]
    lines += ["", "## What is set aside by nature", ""]
    lines += [f"- **{item['rule']}**: {item['what']}" for item in report["set_aside"]]
    lines += ["", f"## Differences ({len(report['differences'])})", ""]
    for difference in report["differences"][:MARKDOWN_DIFFERENCES]:
        check_name = difference["check"].get("test", "")
        phase = difference["check"].get("phase")
        lines += [
            f"### Exchange {difference['exchange']}: `{difference['operation']}` ({check_name}"
            f"{', ' + phase if phase else ''})",
            "",
        ]
        for aspect in difference["aspects"]:
            store, mock = json.dumps(aspect["store"]), json.dumps(aspect["mock"])
            lines.append(f"- {aspect['aspect']}: the store `{store}`, the mock `{mock}`")
        lines += [
            "",
            f"The store answered {difference['store']['status']}:",
            "",
            "```",
            difference["store"]["body"] or "(empty)",
            "```",
            "",
            f"The mock answered {difference['mock']['status']}:",
            "",
            "```",
            difference["mock"]["body"] or "(empty)",
            "```",
            "",
            "The request, sent to the mock (its tokens masked: the mock's own for the same role):",
            "",
            "```sh",
            difference["curl"],
            "```",
            "",
        ]
    if len(report["differences"]) > MARKDOWN_DIFFERENCES:
        lines.append(f"... and {len(report['differences']) - MARKDOWN_DIFFERENCES} more in twin-check.json.")
    return "\n".join(lines) + "\n"


def summary_lines(report: Mapping[str, Any]) -> list[str]:
    summary = report["summary"]
    lines = [fidelity_line(summary)]
    lines += [f"  not comparable: {count} ({why})" for why, count in summary["not_comparable_why"].items()]
    for row in report["by_operation"]:
        if row["differing"]:
            lines.append(f"  {row['operation']} {row['store_status']}: {row['differing']} differing")
    aspects = Counter(aspect["aspect"] for difference in report["differences"] for aspect in difference["aspects"])
    lines += [f"  differing on {aspect}: {count}" for aspect, count in aspects.most_common()]
    return lines


# --- The command ----------------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    statuses = "\n".join(f"  {code}  {meaning}" for code, meaning in EXIT_MEANINGS.items())
    command = argparse.ArgumentParser(
        prog="ep-cart-twin-check",
        description="Replay a contract run's recording (reports/exchanges.har) against a fresh bundled mock and "
        "compare every answer with the store's.",
        epilog=f"exit statuses:\n{statuses}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("recording", type=Path, help=f"the run's {HAR_NAME}")
    command.add_argument(
        "--store-profile",
        type=Path,
        help="the store profile the mock follows (usually the one the same run learned: reports/store-profile.yaml)",
    )
    command.add_argument("--report-dir", type=Path, default=Path("reports"), help="where twin-check.md/.json go")
    return command


def main(argv: Sequence[str] | None = None) -> int:
    options = parser().parse_args(argv)
    try:
        recording = Recording.read(options.recording)
        if options.store_profile is not None:
            read_profile(options.store_profile.absolute(), load())
    except (RecordingError, ProfileError, OSError) as error:
        print(f"ep-cart-twin-check: {error}", file=sys.stderr)
        return CANNOT_CHECK
    mapping = FixtureMap.of(recording)
    extra = {name: mapping.mock_values[name] for name in MOCK_OTHER_MEMBER if name in mapping.mock_values}
    if options.store_profile is not None:
        extra["EP_STORE_PROFILE"] = str(options.store_profile.absolute())
    log = Path(tempfile.mkdtemp(prefix="twin-check-")) / "mock.log"
    try:
        mock = MockProcess(mock_env(**extra), log)
    except RuntimeError as error:
        print(f"ep-cart-twin-check: the bundled mock did not start: {error}", file=sys.stderr)
        return CANNOT_CHECK
    try:
        outcomes = check(
            recording,
            mock.base_url,
            mock_tokens(mapping.mock_values["EP_CLIENT_ID"], mapping.mock_values["EP_CLIENT_SECRET"]),
        )
    except (httpx.HTTPError, KeyError, ValueError) as error:
        # Its tokens could not be had: the mock is not the one this command starts, or it failed.
        print(f"ep-cart-twin-check: the mock gave no tokens: {error}\n{mock.log()[-2000:]}", file=sys.stderr)
        return CANNOT_CHECK
    finally:
        mock.stop()
    wording = learned_wording(outcomes)
    report = results(recording, outcomes, str(options.store_profile) if options.store_profile else None, wording)
    try:
        options.report_dir.mkdir(parents=True, exist_ok=True)
        (options.report_dir / "twin-check.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
        (options.report_dir / "twin-check.md").write_text(markdown(report), encoding="utf-8")
        learned = write_profile(options.report_dir, options.store_profile, wording) if wording.texts else None
    except OSError as error:
        print(f"ep-cart-twin-check: the reports cannot be written: {error}", file=sys.stderr)
        return CANNOT_CHECK
    print("\n".join(summary_lines(report)))
    if learned is not None:
        print(f"the store's wording of {len(wording.texts)} error(s) learned: {learned} (give it to the mock)")
    print(f"report: {options.report_dir / 'twin-check.md'}, {options.report_dir / 'twin-check.json'}")
    if not report["summary"]["comparable"]:
        print("nothing was comparable: no fidelity is shown", file=sys.stderr)
        return CANNOT_CHECK
    return DIFFER if report["summary"]["differing"] else AGREE


if __name__ == "__main__":
    sys.exit(main())
