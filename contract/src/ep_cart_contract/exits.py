"""`ep-cart-contract`'s exit statuses: one place, read by the command, the plugin, `--help` and the README's test.

A nightly job reads the status before anything else, so each says one thing, and none of the kit's own reuses one
of pytest's (0 to 5) for another meaning. When several apply, the first of this order wins: a broken claim (the
store or the vendor changed), the kit's own failure, a broken fixture, an interrupted run, the store's
unavailability.
"""

from __future__ import annotations

OK = 0
CLAIM_BROKEN = 1
"""pytest's "tests failed": a claim broke (the vendor's contract, or an assumption in the default mode)."""
INTERRUPTED = 2
"""pytest's: interrupted, or a usage error of the command (a setting it cannot run with)."""
PYTEST_INTERNAL_ERROR = 3
"""pytest's own internal error: the command reports it as KIT_FAILED."""
PYTEST_USAGE_ERROR = 4
NO_TESTS = 5
FIXTURE_BROKEN = 6
"""The preflight found a fixture broken (named, one line each; nothing was judged), or one broke mid-run."""
TARGET_UNREACHABLE = 7
"""EP_BASE_URL cannot be reached at all (no connection); nothing was sent."""
STORE_UNAVAILABLE = 8
"""Requests still failed after their retries (503s, dropped connections), or the clean-up could not remove what
the run made: what they would have shown was not judged, and no claim was broken."""
KIT_FAILED = 9
"""An error inside the kit (a hook, Hypothesis, schemathesis, the engine), not an answer of the store."""

MEANINGS: dict[int, str] = {
    OK: "every claim held (answers left unjudged and scenarios run again, if any, are listed in the report)",
    CLAIM_BROKEN: "a claim broke: the store (or the vendor's contract) changed; the report names it",
    INTERRUPTED: "interrupted, or a setting the command cannot run with",
    PYTEST_USAGE_ERROR: "a pytest usage error (an argument passed to pytest)",
    NO_TESTS: "no test was selected (-k, -m)",
    FIXTURE_BROKEN: "a fixture is broken (named, one line each): the preflight stopped the run before anything was "
    "judged, or one broke mid-run",
    TARGET_UNREACHABLE: "EP_BASE_URL cannot be reached; nothing was sent",
    STORE_UNAVAILABLE: "the store was unavailable (requests failed after their retries, or the clean-up left "
    "associations, each listed with the curl that removes it); no claim broke",
    KIT_FAILED: "the kit failed, not the store: an error inside the kit (the report says what reproduces it)",
}
"""What `--help`, the README and the workflow say of each status."""


def overall(
    *, claim_broken: bool, kit_failed: bool, fixture_broken: bool, unavailable: bool, pytest_status: int
) -> int:
    """The run's status from what it found, in the module's order; pytest's own when it found none of them."""
    if claim_broken:
        return CLAIM_BROKEN
    if kit_failed or pytest_status == PYTEST_INTERNAL_ERROR:
        return KIT_FAILED
    if fixture_broken:
        return FIXTURE_BROKEN
    if pytest_status == CLAIM_BROKEN:
        # pytest counted a failure that recorded no claim: something inside the kit failed.
        return KIT_FAILED
    if pytest_status in (INTERRUPTED, PYTEST_USAGE_ERROR, NO_TESTS):
        return pytest_status  # the run did not finish, or never started: say that first
    if unavailable:
        return STORE_UNAVAILABLE
    return pytest_status
