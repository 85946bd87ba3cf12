"""Every claim the suite checks, and the two verdicts at the end of a run: the vendor's contract, and our
assumptions.

A claim rests either on the vendor (S1..S7, docs/sources.md) or on one of our
decisions, an `x-assumptions` mark of openapi.yaml, named by id. A broken vendor claim means the server broke
what the vendor documents: an incident. A broken assumption means our guess was wrong: edit openapi.yaml at
the line the verdict names. Assumption claims are counted per mark, whatever layer checked them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ep_cart_spec import ApiSpec, Assumption, load, pointer_to

Kind = Literal["vendor contract", "assumption"]
VENDOR: Kind = "vendor contract"
ASSUMPTION: Kind = "assumption"
MAX_EVIDENCE = 3
"""Kept per claim: enough to reproduce, without one broken rule filling the report."""


def decides_the_exit(kind: Kind | str, guards_access: bool, assumptions_mode: str) -> bool:
    """The one rule of which broken claim decides the exit status (a red night), for the run's exit, the test that
    fails or is only reported, and the order and colour of the report: a claim of the vendor's contract, an
    assumption about who may act for which account, and, unless EP_ASSUMPTIONS=report, any assumption."""
    return kind == VENDOR or guards_access or assumptions_mode != "report"


@dataclass(frozen=True)
class Source:
    """What a claim rests on: the vendor's material, or one of our marks."""

    vendor: str | None = None
    """The vendor's sources, "S2" or "S1, S3"."""
    assumption: Assumption | None = None

    @property
    def kind(self) -> Kind:
        return ASSUMPTION if self.assumption is not None else VENDOR

    @property
    def label(self) -> str:
        if self.assumption is not None:
            return f"assumption {self.assumption.id} ({self.assumption.where})"
        return f"vendor contract ({self.vendor})"


def vendor(sources: str) -> Source:
    """A claim that rests on the vendor's material ("S2", "S1, S3")."""
    return Source(vendor=sources)


def assumed(mark_id: str, spec: ApiSpec | None = None) -> Source:
    """A claim that rests on the mark `mark_id` (of the kit's spec unless `spec` is given); an id the spec does
    not declare is a bug in the suite."""
    try:
        return Source(assumption=(spec or load()).assumptions[mark_id])
    except KeyError:
        raise KeyError(f"openapi.yaml has no x-assumptions mark {mark_id!r}") from None


@dataclass(frozen=True)
class Evidence:
    """One observation that broke a claim, secrets already masked."""

    check: str
    """The scenario, schemathesis check or table row that saw it."""
    rule: str
    """The rule, schema keyword or check the spec states."""
    expected: str
    """What the spec says."""
    status: int | None
    body: str
    request: str
    """The request as a curl command."""
    profile: str = ""
    """The store profile file that judged this point, when one did: it may be the right edit, not the spec."""


@dataclass
class Claim:
    key: str
    kind: Kind
    title: str
    source: str
    where: str | None = None
    """openapi.yaml:LINE of the mark, for an assumption: the line to change if it proves wrong."""
    reason: str | None = None
    covers: tuple[str, ...] = ()
    guards_access: bool = False
    checked: int = 0
    broken: int = 0
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return self.broken == 0


class Verdicts:
    """The claims of one run. Thread-safe: schemathesis and the scenarios record into the same instance."""

    def __init__(self, spec: ApiSpec) -> None:
        self.spec = spec
        self.claims: dict[str, Claim] = {}
        self._status_sources: dict[tuple[str, str, int], Source] = {
            # Read-only once built: every documented answer's source, looked up by each judged answer.
            (path, method, int(status)): self._find_status_source(path, method, int(status))
            for path, method, operation in spec.operations()
            for status in operation["responses"]
        }
        self._lock = threading.Lock()

    def vendor(self, sources: str) -> Source:
        return vendor(sources)

    def assumed(self, mark_id: str) -> Source:
        return assumed(mark_id, self.spec)

    def status_source(self, path: str, method: str, status: int) -> Source:
        """Whether a documented answer is the vendor's, or ours (a mark covering the status)."""
        return self._status_sources.get((path, method, status)) or self._find_status_source(path, method, status)

    def _find_status_source(self, path: str, method: str, status: int) -> Source:
        operation = self.spec.operation(path, method)
        operation_pointer = pointer_to("paths", path, method)
        reference = operation["responses"].get(str(status), {}).get("$ref", "").removeprefix("#")
        for mark in self.spec.assumptions.values():
            if mark.pointer == operation_pointer and str(status) in mark.covers:
                return Source(assumption=mark)
            if "status" in mark.covers and mark.pointer in (f"{operation_pointer}/responses/{status}", reference):
                return Source(assumption=mark)
        return Source(vendor="openapi.yaml responses")

    def claim_for(self, title: str, source: Source) -> Claim:
        """Assumption claims are one per mark; vendor claims one per title."""
        mark = source.assumption
        key = f"assumption:{mark.id}" if mark is not None else f"vendor:{title}"
        with self._lock:
            claim = self.claims.get(key)
            if claim is None:
                claim = Claim(
                    key=key,
                    kind=source.kind,
                    title=mark.id if mark is not None else title,
                    source=source.label,
                    where=mark.where if mark is not None else None,
                    reason=mark.reason if mark is not None else None,
                    covers=mark.covers if mark is not None else (),
                    guards_access=mark.guards_access if mark is not None else False,
                )
                self.claims[key] = claim
            return claim

    def record(self, title: str, source: Source, holds: bool, evidence: Evidence | None = None) -> Claim:
        claim = self.claim_for(title, source)
        with self._lock:
            claim.checked += 1
            if not holds:
                claim.broken += 1
                if evidence is not None and len(claim.evidence) < MAX_EVIDENCE:
                    claim.evidence.append(evidence)
        return claim

    def touch(self, sources: Iterable[Source], title: str) -> None:
        """Count claims as checked and held (an observation that exercised them and broke nothing)."""
        for source in sources:
            self.record(title, source, holds=True)

    # --- The verdicts -----------------------------------------------------------------------------------

    def of_kind(self, kind: Kind) -> list[Claim]:
        return [claim for claim in self.claims.values() if claim.kind == kind]

    def broken_checks(self) -> int:
        """How many checks broke so far, over every claim (a claim that breaks again counts again)."""
        with self._lock:
            return sum(claim.broken for claim in self.claims.values())

    def broken(self, kind: Kind | None = None) -> list[Claim]:
        return [claim for claim in self.claims.values() if not claim.held and kind in (None, claim.kind)]

    def fails_run(self, assumptions_mode: str) -> bool:
        """Whether a broken claim decides the exit status (decides_the_exit)."""
        return any(decides_the_exit(claim.kind, claim.guards_access, assumptions_mode) for claim in self.broken())

    def summary_lines(self) -> list[str]:
        vendor, assumed = self.of_kind(VENDOR), self.of_kind(ASSUMPTION)
        vendor_broken = sum(not claim.held for claim in vendor)
        assumed_broken = sum(not claim.held for claim in assumed)
        return [
            f"vendor contract: {len(vendor)} claims, {len(vendor) - vendor_broken} held, {vendor_broken} broken",
            f"assumptions: {len(assumed)} checked, {len(assumed) - assumed_broken} held, {assumed_broken} did not hold",
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary_lines(),
            "claims": [asdict(claim) for claim in sorted(self.claims.values(), key=lambda claim: claim.key)],
        }


def describe_failure(claim: Claim, evidence: Evidence) -> list[str]:
    """The lines a person needs to act on a broken claim."""
    lines = [f"[{claim.kind}] {claim.title}"]
    if evidence.check and evidence.check != claim.title:
        lines.append(f"  seen by: {evidence.check}")
    lines += [
        f"  spec: {evidence.rule}: {evidence.expected}",
        f"  answered: {evidence.status if evidence.status is not None else 'nothing'} {evidence.body[:300]}".rstrip(),
        f"  request: {evidence.request}",
    ]
    if claim.where:
        covered = f"covers {', '.join(claim.covers)}; " if claim.covers else ""
        lines.append(f"  to change: {claim.where} ({covered}{claim.reason})")
        if evidence.profile:
            lines.append(f"  or, if the store is right and the profile is not: {evidence.profile}")
        if claim.guards_access:
            lines.append("  guards account access: fails the run in every mode")
    else:
        lines.append(f"  source: {claim.source}")
    return lines
