"""The contract suite catches a server that breaks the contract in any one way, and names what broke.

Each test runs the real suite (`ep-cart-contract`, smoke profile) against tests/faults/proxy.py in front
of the mock, with recognisable canary values for every secret, and checks: the run fails, its output names
the broken rule, and no secret (configured or bearer token) appears in the output or the JUnit report.
The runs: tests/faults/runs.py; the stores that answer otherwise: test_suite_judges_stores.py.
"""

from __future__ import annotations

import re

import pytest

from tests.faults.runs import (
    FaultRuns,
    RunKey,
    assert_no_secret_leaked,
    broken,
    fault_runs,
    verdicts,
)
from tests.paths import ROOT

__all__ = ["fault_runs"]  # a fixture: the module's runs, started side by side as it begins

pytestmark = pytest.mark.slow  # whole runs of the contract suite (make test-fast leaves them out)

# Each fault, and what the failing run must name: the schemathesis check or the scenario that caught it.
EXPECTED_NAMES = {
    "wrong-status": ["Undocumented status code", "test_first_association_returns_200_with_the_account"],
    "schema-violation": ["Response violates schema", "test_first_association_returns_200_with_the_account"],
    "wrong-content-type": ["Undocumented Content-Type"],
    "unauthenticated-accepted": [
        "API accepts requests without authentication",
        "test_missing_bearer_token_returns_401",
    ],
    "invalid-data-accepted": ["Schema-violating request accepted", "test_malformed_json_returns_400"],
    "repeat-answered-200": ["test_second_association_returns_204"],
    "delete-does-not-delete": ["test_delete_then_associate_again_returns_200"],
    "cross-account-token-accepted": ["test_shopper_with_another_accounts_token_returns_403"],
    # The association's effect (S1, S3): each names the effect's claim as the vendor's.
    "associates-nothing": [
        "[vendor contract] test_after_200_the_cart_names_the_account",
        "[vendor contract] test_after_200_the_accounts_list_holds_the_cart",
    ],
    "lists-another-accounts-cart": ["[vendor contract] test_the_other_accounts_list_never_holds_the_cart"],
    "keeps-account-after-delete": [
        "[vendor contract] test_after_delete_the_cart_no_longer_names_the_account",
        "[vendor contract] test_after_delete_the_accounts_list_no_longer_holds_the_cart",
    ],
}

MODE_OF_FAULT = {fault: "report" for fault in EXPECTED_NAMES} | {"wrong-status": "fail"}
"""One run per fault, in the mode that proves more: `report`, where only the vendor's contract (and account access)
fails a run, so a fault filed as an assumption, or a scenario ending as an expected failure, would pass it. The
classification is the same in both modes (verdicts.py); `fail` is proved by wrong-status here (whose run the
replay test reads too), and by the runs of the unresponsive, 500 and unavailable stores below."""


@pytest.mark.parametrize(("fault", "mode"), sorted(MODE_OF_FAULT.items()))
def test_suite_fails_and_names_the_broken_rule(fault: str, mode: str, fault_runs: FaultRuns) -> None:
    """Each fault breaks something the vendor documents, so it fails the run even when assumptions are only
    reported: it is the vendor's contract that broke."""
    run = fault_runs[RunKey(fault, mode)]
    assert run.returncode == 1, run.output[-3000:]
    for name in EXPECTED_NAMES[fault]:
        assert name in run.output, f"the output does not name {name!r}:\n{run.output[-3000:]}"
    assert "curl -X" in run.output, "a failure must show the request as a curl command"
    assert broken(verdicts(run), "vendor contract"), "the fault must break a vendor-contract claim"
    assert re.search(r"vendor contract: \d+ claims, \d+ held, [1-9]\d* broken", run.output), run.output[-3000:]
    assert_no_secret_leaked(run)


def test_a_shopper_reaching_another_account_fails_even_when_assumptions_are_reported(fault_runs: FaultRuns) -> None:
    """An assumption about who may act for which account is never only reported."""
    run = fault_runs[RunKey("cross-account-token-accepted", "report")]
    assert run.returncode == 1, run.output[-3000:]
    guards = [claim for claim in broken(verdicts(run), "assumption") if claim["guards_access"]]
    assert "account-token-other-account" in [claim["title"] for claim in guards]
    assert "guards account access: fails the run in every mode" in run.output


def test_a_failing_run_keeps_no_examples_for_the_next_to_replay(fault_runs: FaultRuns) -> None:
    """Hypothesis keeps a failing example in .hypothesis/examples/ and replays it first in the next run from the
    same folder, against another server state: one run in three then failed with FlakyStrategyDefinition. The
    suite runs with no example database, under pytest as under `st run` (schemathesis.toml)."""
    run = fault_runs[RunKey("wrong-status")]
    assert run.returncode == 1, run.output[-3000:]
    kept = [path for path in run.written if "examples" in path.relative_to(ROOT).parts[:2]]
    assert not kept, f"a failing run kept examples to replay: {[str(path) for path in kept[:3]]}"
