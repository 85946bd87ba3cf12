"""One run's results, built once as a typed model: what contract.json holds, what the report page and the
terminal show. Every rendering reads the same objects, so a verdict (a claim's, a table row's) is worked out in
one place and the page never says otherwise than the exit status.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ep_cart_contract.observations import ResponseRow
from ep_cart_contract.verdicts import decides_the_exit


@dataclass(frozen=True)
class RunInfo:
    target: str
    profile: str
    assumptions_mode: str
    prefix: str
    finished_at: str
    complete: bool
    exit_status: int
    exit_meaning: str
    seed: str | None


@dataclass(frozen=True)
class Cleanup:
    created: int
    removed: int
    left: list[dict[str, str]]
    """Each association the clean-up could not remove: cart_id, account_id, why, and the curl that removes it."""


@dataclass
class RunResults:
    run: RunInfo
    verdicts: dict[str, Any]
    """Verdicts.as_json(): the two summary lines and every claim."""
    responses: list[ResponseRow]
    undocumented: list[str]
    store_profile: dict[str, Any]
    unresponsive: list[str]
    preflight: dict[str, Any] | None
    account_tokens: dict[str, Any]
    fixture_skips: list[str]
    cleanup: Cleanup
    availability: dict[str, Any]
    """Availability.as_json(): retries, requests failed after them, answers left unjudged, scenarios run again."""
    kit_failures: list[dict[str, str]]
    fixture_failures: list[str]
    written: list[str] = field(default_factory=list)

    def decides(self, claim: dict[str, Any]) -> bool:
        """Whether this broken claim decides the exit status (in report mode only the vendor's contract and who
        may act for which account do)."""
        return decides_the_exit(claim["kind"], claim["guards_access"], self.run.assumptions_mode)

    @property
    def failed_claims(self) -> list[dict[str, Any]]:
        """The broken claims, those that decide the exit status first: the nightly reader sees them at the top."""
        broken = [claim for claim in self.verdicts["claims"] if claim["broken"]]
        return [claim for claim in broken if self.decides(claim)] + [c for c in broken if not self.decides(c)]

    @property
    def held_claims(self) -> list[dict[str, Any]]:
        return [claim for claim in self.verdicts["claims"] if not claim["broken"]]

    def as_json(self) -> dict[str, Any]:
        return {
            "run": asdict(self.run),
            "verdicts": self.verdicts,
            "responses": [row.as_json() for row in self.responses],
            "undocumented": self.undocumented,
            "store_profile": self.store_profile,
            "unresponsive": self.unresponsive,
            "preflight": self.preflight,
            "account_tokens": self.account_tokens,
            "fixture_skips": self.fixture_skips,
            "cleanup": asdict(self.cleanup),
            "availability": self.availability,
            "kit_failures": self.kit_failures,
            "fixture_failures": self.fixture_failures,
            "written": self.written,
        }
