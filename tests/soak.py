"""`make soak NIGHTS=N`: nights of a nightly job, simulated against one long-lived bundled mock.

The mock runs as a team's store would meet the kit night after night: started once, with its test controls on; the
contract suite runs against it as against a live store (EP_BASE_URL), with a member's credentials only (no static
account token, no pre-made cart: what a nightly job can keep for a year); between two nights the mock's clock
moves on a day (`POST /_mock/clock`), so bearer tokens (an hour, S6), account tokens (24 hours, S7) and carts
(seven days, S3) expire as the vendor documents. Each night's exit status, claims, skipped tests, logins, retries
and associations left are printed in a table, and the reports of each night kept under `reports/soak/`.

The soak passes only if every night is green with nothing skipped and nothing left: a skip is a check the night
did not make. Not part of `make test` (like `make fuzz`); tests/test_soak.py runs a short form of it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ep_cart_spec import DEFAULTS
from tests.conftest import MockProcess, contract_suite, mock_env
from tests.paths import ROOT

DAY = 24 * 3600
NIGHTLY = {
    # What a nightly job keeps for a year: the application keys, two accounts, a member of both. No account token
    # (it lasts 24 hours), no contact-email cart (carts last seven days).
    **{
        name: DEFAULTS[name]
        for name in (
            "EP_CLIENT_ID",
            "EP_CLIENT_SECRET",
            "EP_ACCOUNT_ID",
            "EP_OTHER_ACCOUNT_ID",
            "EP_PASSWORD_PROFILE_ID",
            "EP_ACCOUNT_MEMBER_USERNAME",
            "EP_ACCOUNT_MEMBER_PASSWORD",
        )
    },
    "EP_RATE_LIMIT": "off",
}


@dataclass
class Night:
    number: int
    exit_status: int
    claims: str
    skipped: list[str] = field(default_factory=list)
    logins: int = 0
    retries: int = 0
    left: int = 0

    @property
    def green(self) -> bool:
        return self.exit_status == 0 and not self.skipped and not self.left


def skipped_tests(junit: Path) -> list[str]:
    if not junit.is_file():
        return ["(no JUnit report)"]
    root = ElementTree.parse(junit).getroot()
    return [case.get("name", "?") for case in root.iter("testcase") if case.find("skipped") is not None]


def run_night(number: int, store: MockProcess, reports: Path, profile: str) -> Night:
    folder = reports / f"night-{number}"
    env = mock_env(EP_BASE_URL=store.base_url, EP_REPORT_DIR=str(folder), EP_CONTRACT_PROFILE=profile, **NIGHTLY)
    result = subprocess.run(contract_suite("-q"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    (folder / "output.txt").write_text(result.stdout + result.stderr, encoding="utf-8")
    report = folder / "contract.json"
    if not report.is_file():
        return Night(number, result.returncode, "no report", ["(the run wrote no report)"])
    data = json.loads(report.read_text(encoding="utf-8"))
    return Night(
        number=number,
        exit_status=result.returncode,
        claims=" / ".join(data["verdicts"]["summary"]),
        skipped=skipped_tests(folder / "contract-junit.xml"),
        logins=data["account_tokens"]["logins"],
        retries=data["availability"]["retries"],
        left=len(data["cleanup"]["left"]),
    )


def table(nights: list[Night]) -> str:
    lines = [
        f"{'night':>5}  {'exit':>4}  {'skipped':>7}  {'logins':>6}  {'retries':>7}  {'left':>4}  claims",
        f"{'-' * 5}  {'-' * 4}  {'-' * 7}  {'-' * 6}  {'-' * 7}  {'-' * 4}  {'-' * 6}",
    ]
    for night in nights:
        lines.append(
            f"{night.number:>5}  {night.exit_status:>4}  {len(night.skipped):>7}  {night.logins:>6}  "
            f"{night.retries:>7}  {night.left:>4}  {night.claims}"
        )
    return "\n".join(lines)


@dataclass
class Soak:
    nights: list[Night]
    left_on_store: int
    """Associations on the mock after the last night."""
    text: str
    """The table and what to read under it, as printed."""

    @property
    def green(self) -> bool:
        return all(night.green for night in self.nights) and not self.left_on_store


def soak(nights: int, reports: Path, profile: str) -> Soak:
    """Run the nights against one mock, a day apart."""
    reports.mkdir(parents=True, exist_ok=True)
    store = MockProcess(mock_env(EP_TEST_CONTROLS="1"), reports / "mock.log")
    done: list[Night] = []
    try:
        for number in range(1, nights + 1):
            done.append(run_night(number, store, reports, profile))
            if number < nights:
                httpx.post(
                    f"{store.base_url}/_mock/clock", json={"advance_seconds": DAY}, timeout=10
                ).raise_for_status()
        left = len(httpx.get(f"{store.base_url}/_mock/state", timeout=10).json()["associations"])
    finally:
        store.stop()
    lines = [table(done), ""]
    for night in done:
        lines += [f"night {night.number}: skipped {name}" for name in night.skipped]
        if night.exit_status:
            lines.append(f"night {night.number}: exit status {night.exit_status} ({reports}/night-{night.number})")
    lines.append(f"associations on the store after the last night: {left}")
    result = Soak(done, left, "")
    verdict = "every one green, nothing skipped, nothing left" if result.green else "NOT all green"
    lines.append(f"soak: {nights} nights, {verdict}")
    result.text = "\n".join(lines)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--nights", type=int, default=7, help="nights to run, a day apart (default 7)")
    parser.add_argument("--profile", default="default", help="the contract suite's profile for each night")
    parser.add_argument("--reports", type=Path, help="where each night's reports go (default reports/soak)")
    options = parser.parse_args(argv)
    reports = options.reports or ROOT / "reports" / "soak"
    if options.nights < 1:
        parser.error("--nights must be at least 1")
    result = soak(options.nights, reports.absolute(), options.profile)
    print(result.text)
    return 0 if result.green else 1


if __name__ == "__main__":
    sys.exit(main())
