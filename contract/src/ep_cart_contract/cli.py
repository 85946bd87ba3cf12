"""`ep-cart-contract`: the contract suite as a command, the one way it runs (`make contract-test` calls it).

It runs the suite's test modules (ep_cart_contract/suite/) with pytest and the registered plugin: both layers,
the two verdicts, the reports, the clean-up. Options set the EP_* variables of the same name; everything else
comes from the environment, as `--help` lists. Arguments it does not know go to pytest (`-q`, `-x`, `-k NAME`).

Every run has a seed (`--seed N`, EP_SEED; a random one otherwise), printed with the verdicts and kept in
contract.json: the same seed sends the same requests again (the run's cart-ID prefix and tokens aside).

Exit statuses (exits.py, listed by `--help`): 0 every claim held, 1 a claim broke, 2 interrupted or a setting it
cannot run with, 4 a pytest usage error, 5 no test selected, 6 a fixture broken, 7 EP_BASE_URL unreachable, 8 the
store unavailable, 9 the kit failed (pytest's own internal error, 3, is reported as 9).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from ep_cart_contract import exits
from ep_cart_contract.settings import (
    ASSUMPTION_MODES,
    DEFAULT_REPORT_DIR,
    PROFILES,
    ContractConfigError,
    ContractSettings,
)
from ep_cart_spec import DEFAULTS, DESCRIPTIONS, FIXTURE_VARIABLES

SUITE_DIR = Path(__file__).resolve().parent / "suite"
REWRITE_WARNING = "pytest.PytestAssertRewriteWarning"

VARIABLES = {
    "EP_BASE_URL": "the server to check (--base-url); unset: the bundled mock, started on a free port",
    **{name: DESCRIPTIONS[name] for name in FIXTURE_VARIABLES},
    "EP_CONTRACT_PROFILE": "default, thorough or smoke (--profile)",
    "EP_ASSUMPTIONS": "fail or report (--assumptions)",
    "EP_REPORT_DIR": f"where contract.json, .html and contract-junit.xml go (--report-dir; {DEFAULT_REPORT_DIR})",
    "EP_STORE_PROFILE": "a store profile to hold the store to instead of openapi.yaml's defaults (--store-profile); "
    "every run writes the one it observed to the report dir's store-profile.yaml",
    "EP_RATE_LIMIT": "requests per second, N/s or N/m, or off (10/s against a live store, off against the mock)",
    "EP_REQUEST_TIMEOUT": "seconds to wait for an answer (30); an operation that times out is sent nothing more",
    "EP_SEED": "the Hypothesis seed (--seed); unset: a random one, printed and kept in contract.json",
}
"""Every variable the suite reads, as --help lists it (a test keeps it in step with the settings and README)."""

MOCK_MISSING = (
    "no --base-url (nor EP_BASE_URL), and the bundled mock is not installed: install it with "
    "pip install 'ep-cart-contract[mock]', or give the server to check with --base-url URL"
)


def parser() -> argparse.ArgumentParser:
    lines = [f"  {name:<26} {text}" for name, text in VARIABLES.items()]
    defaults = ", ".join(f"{name}={DEFAULTS[name]}" for name in FIXTURE_VARIABLES if DEFAULTS[name])
    epilog = "\n".join(
        [
            "environment (the options set the first ones of the same name):",
            *lines,
            "",
            f"Against the bundled mock, unset store values take its defaults ({defaults}).",
            "Other arguments go to pytest, e.g. -q, -x, -k NAME.",
            "",
            "exit status:",
            *(f"  {status}  {meaning}" for status, meaning in exits.MEANINGS.items()),
        ]
    )
    result = argparse.ArgumentParser(
        prog="ep-cart-contract",
        description="Check a server against the kit's openapi.yaml: schemathesis's checks and the documented "
        "scenarios, judged as the vendor's contract or our assumptions, with reports and clean-up.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    result.add_argument(
        "--base-url", metavar="URL", help="the server to check (EP_BASE_URL); default: the bundled mock"
    )
    result.add_argument(
        "--assumptions",
        choices=ASSUMPTION_MODES,
        help="fail (default): any broken claim fails the run; report: broken assumptions are only reported",
    )
    result.add_argument("--profile", choices=list(PROFILES), help="how many cases (EP_CONTRACT_PROFILE; default)")
    result.add_argument(
        "--report-dir", metavar="DIR", help=f"where the reports go (EP_REPORT_DIR; {DEFAULT_REPORT_DIR})"
    )
    result.add_argument("--seed", metavar="N", help="the seed (EP_SEED): the same seed sends the same requests again")
    result.add_argument(
        "--store-profile",
        metavar="FILE",
        help="hold the store to this profile's alternatives (EP_STORE_PROFILE); the bundled mock follows it too",
    )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    options, pytest_args = parser().parse_known_args(argv)
    chosen = {
        "EP_BASE_URL": options.base_url,
        "EP_ASSUMPTIONS": options.assumptions,
        "EP_CONTRACT_PROFILE": options.profile,
        "EP_REPORT_DIR": options.report_dir,
        "EP_STORE_PROFILE": options.store_profile,
        # Every run has a seed: a random one unless given, so any run can be sent again (--seed).
        "EP_SEED": options.seed or os.environ.get("EP_SEED") or str(random.randrange(2**32)),
    }
    os.environ.update({name: value for name, value in chosen.items() if value})
    try:
        settings = ContractSettings.from_env()
    except ContractConfigError as error:
        print(f"ep-cart-contract: {error}", file=sys.stderr)
        return exits.INTERRUPTED
    if not settings.live and importlib.util.find_spec("ep_cart_mock") is None:
        print(f"ep-cart-contract: {MOCK_MISSING}", file=sys.stderr)
        return exits.INTERRUPTED
    report_dir = Path(settings.report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    import pytest  # only now: --help and the checks above stay quick

    status = int(
        pytest.main(
            [
                str(SUITE_DIR),
                f"--hypothesis-seed={settings.seed}",
                "-p",
                "no:cacheprovider",
                f"--junitxml={report_dir / 'contract-junit.xml'}",
                "-o",
                "junit_suite_name=contract",
                # This command imported the engine before pytest could: its own modules keep plain asserts (the
                # suite's test modules are rewritten as usual).
                "-W",
                f"ignore:Module already imported so cannot be rewritten; ep_cart_contract:{REWRITE_WARNING}",
                *pytest_args,
            ]
        )
    )
    return exits.KIT_FAILED if status == exits.PYTEST_INTERNAL_ERROR else status


if __name__ == "__main__":
    sys.exit(main())
