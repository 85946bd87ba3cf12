"""The end of a run as the plugin shows it: the results built once (contract.json, the page and the terminal read
them), what the recording says of its run, the command that removes what the clean-up left, the terminal's
summary, and the JUnit file's properties."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

from ep_cart_contract import exits
from ep_cart_contract.ledger import Association, CleanupResult
from ep_cart_contract.logins import TOKEN_VARIABLES, member_for
from ep_cart_contract.preflight import Preflight
from ep_cart_contract.redaction import curl
from ep_cart_contract.results import Cleanup, RunInfo, RunResults
from ep_cart_contract.run import ContractRun
from ep_cart_contract.verdicts import Evidence, decides_the_exit, describe_failure
from ep_cart_spec import association

ASSOCIATION = association()


def run_results(
    run: ContractRun, exit_status: int, preflight: Preflight | None, cleanup: CleanupResult, complete: bool
) -> RunResults:
    """The run's results, built once: contract.json, the page and the terminal all read them."""
    return RunResults(
        run=RunInfo(
            target=run.settings.base_url or "the bundled mock",
            profile=run.settings.profile,
            assumptions_mode=run.settings.assumptions_mode,
            prefix=run.settings.run_prefix,
            finished_at=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            complete=complete,
            exit_status=exit_status,
            exit_meaning=exits.MEANINGS.get(exit_status, "pytest's own status"),
            seed=run.seed,
        ),
        verdicts=run.verdicts.as_json(),
        responses=run.table.rows(),
        undocumented=run.table.undocumented[:50],
        store_profile={
            "judged_by": run.store_profile.judged_by.source if run.store_profile else "defaults",
            "points": run.store_profile.rows() if run.store_profile else [],
        },
        unresponsive=run.unresponsive.labels(),
        preflight=preflight.as_json() if preflight is not None else None,
        account_tokens={
            "logins": run.logins.count,
            "from_login": [name for name in TOKEN_VARIABLES if member_for(name, run.settings.values)],
        },
        fixture_skips=sorted(run.fixture_skips),
        cleanup=Cleanup(
            created=cleanup.created,
            removed=cleanup.removed,
            left=[
                {
                    "cart_id": left.cart_id,
                    "account_id": left.member_id,
                    "why": why,
                    "curl": removal_curl(run, left),
                }
                for left, why in cleanup.left
            ],
        ),
        availability=run.availability.as_json(),
        kit_failures=list(run.kit_failures),
        fixture_failures=list(run.fixture_failures),
    )


def recording_info(run: ContractRun, results: RunResults) -> dict[str, Any]:
    """What reports/exchanges.har says of the run it recorded (twin.py reads it)."""
    return {
        "target": results.run.target,
        "prefix": run.settings.run_prefix,
        "profile": run.settings.profile,
        "assumptions_mode": run.settings.assumptions_mode,
        "store_profile": results.store_profile["judged_by"],
        "finished_at": results.run.finished_at,
        "exit_status": results.run.exit_status,
    }


def removal_curl(run: ContractRun, association: Association) -> str:
    """The command that removes an association the clean-up left (an administrator's token to fill in)."""
    base = run.started_target_url() or "$EP_BASE_URL"
    body = json.dumps(ASSOCIATION.body([association.member_id]))
    return curl(
        "DELETE",
        base + ASSOCIATION.path_of(association.cart_id),
        [("Authorization", "Bearer $ADMINISTRATOR_TOKEN"), ("Content-Type", "application/json")],
        body,
    ).replace("'Authorization: [masked]'", "'Authorization: Bearer $ADMINISTRATOR_TOKEN'")


def print_summary(reporter: Any, run: ContractRun, results: RunResults) -> None:
    """The run's results in the terminal: the preflight, the documented responses, the clean-up, the store's
    availability, the kit's own failures, the verdicts (those that decide the exit status first), the exit status."""
    data = results.as_json()
    meta = data["run"]
    checked = data["preflight"]
    if checked is not None:
        reporter.section(f"preflight ({checked['requests']} requests, {checked['seconds']:.2f} s)")
        for line in checked["checked"]:
            reporter.write_line(f"ok: {line}")
        for problem in checked["problems"]:
            reporter.write_line(f"STOPS THE RUN: {problem['line']}", red=True)
    if run.stopped_before_tests is not None:
        what = "the store is unavailable" if checked and checked.get("unavailable") else "a fixture is broken"
        reporter.write_line(f"{what}: the run stopped before any test, nothing was judged", red=True, bold=True)
        reporter.write_line(f"report: {', '.join(data.get('written', []))}")
        reporter.write_line(f"exit status {meta['exit_status']}: {meta['exit_meaning']}", bold=True)
        return
    if data["fixture_skips"]:
        reporter.write_line(
            "documented responses are not claimed unobserved: scenarios were skipped for "
            + ", ".join(data["fixture_skips"]),
            yellow=True,
        )
    if meta["complete"]:
        reporter.section(f"documented responses ({meta['profile']} profile, cart IDs prefixed {meta['prefix']})")
        reporter.write_line(run.table.render())
    for line in run.table.undocumented[:20]:
        reporter.write_line(f"FAILED: {line}, a status openapi.yaml does not document.", red=True)
    for label in data["unresponsive"]:
        reporter.write_line(f"FAILED: {label} stopped answering; it was sent nothing more.", red=True)

    cleanup = data["cleanup"]
    reporter.section("clean-up")
    reporter.write_line(
        f"associations created: {cleanup['created']}, removed: {cleanup['removed']}, left: {len(cleanup['left'])}"
    )
    for left in cleanup["left"]:
        reporter.write_line(f"LEFT: cart {left['cart_id']} account {left['account_id']}: {left['why']}", red=True)
        reporter.write_line(f"  remove it with: {left['curl']}")

    availability = data["availability"]
    reporter.section("the store's availability (not its contract)")
    reporter.write_line(
        f"requests answered: {availability['requests']}, tries retried: {availability['retries']}, requests the "
        f"store left unanswered after their retries: {sum(item['requests'] for item in availability['failed'])}"
    )
    for item in availability["failed"]:
        reporter.write_line(f"UNAVAILABLE: {item['operation']}: {item['failure']} ({item['requests']}x)", yellow=True)
    for item in availability["unjudged"]:
        reporter.write_line(f"not judged: {item['operation']} {item['why']}")
    for item in availability["reruns"]:
        reporter.write_line(f"run again: {item['test']}: {item['why']}")
    for problem in data["fixture_failures"]:
        reporter.write_line(f"FIXTURE BROKEN: {problem}", red=True)
    if data["kit_failures"]:
        reporter.section("the kit failed, not the store")
        for failure in data["kit_failures"]:
            reporter.write_line(f"KIT FAILED: {failure['test']}: {failure['error']}", red=True)
            reporter.write_line(f"  reproduce against the same target: {failure['reproduce']}")

    reporter.section(f"verdicts (EP_ASSUMPTIONS={meta['assumptions_mode']})")
    for line in data["verdicts"]["summary"]:
        reporter.write_line(line, bold=True)
    # Those that decide the exit status first (the same order as the page's).
    deciding = {claim["key"] for claim in results.failed_claims if results.decides(claim)}
    for claim in sorted(run.verdicts.broken(), key=lambda claim: claim.key not in deciding):
        evidence = claim.evidence or [Evidence("", "", "", None, "", "")]
        red = decides_the_exit(claim.kind, claim.guards_access, meta["assumptions_mode"])
        for line in describe_failure(claim, evidence[0]):
            reporter.write_line(line, red=red, yellow=not red)
    reporter.write_line(f"report: {', '.join(data.get('written', []))}")
    seed = meta["seed"]
    seed = f"seed {seed} (--seed {seed} sends the same requests again), " if seed is not None else ""
    reporter.write_line(f"{seed}exit status {meta['exit_status']}: {meta['exit_meaning']}", bold=True)


def annotate_junit_report(run: ContractRun, xml_path: str | None, data: dict[str, Any] | None) -> None:
    """The JUnit file is written at session end: add the verdicts as test-suite properties, and mask it once
    more, in case a secret slipped in."""
    if not xml_path or not Path(xml_path).is_file():
        return
    path = Path(xml_path)
    if data is not None:
        tree = ElementTree.parse(path)
        suite = tree.getroot() if tree.getroot().tag == "testsuite" else tree.getroot().find("testsuite")
        if suite is not None:
            properties = suite.find("properties")
            if properties is None:
                properties = ElementTree.Element("properties")
                suite.insert(0, properties)
            vendor, assumed = data["verdicts"]["summary"]
            for name, value in (("verdict.vendor-contract", vendor), ("verdict.assumptions", assumed)):
                ElementTree.SubElement(properties, "property", name=name, value=value)
            for claim in data["verdicts"]["claims"]:
                if claim["broken"]:
                    where = f" ({claim['where']})" if claim["where"] else ""
                    ElementTree.SubElement(
                        properties, "property", name=f"broken.{claim['kind']}", value=f"{claim['title']}{where}"
                    )
            ElementTree.SubElement(properties, "property", name="report", value=json.dumps(data.get("written", [])))
            tree.write(path, encoding="utf-8", xml_declaration=True)
    path.write_text(run.redactor.scrub(path.read_text(encoding="utf-8")), encoding="utf-8")
