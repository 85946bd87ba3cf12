"""The kit agrees with itself under every store profile: the bundled mock started with a profile passes the whole
suite judged by that same profile (both layers, the stateful phase, a fixed seed so the run repeats), in the
default mode, and the run writes back the profile it was given. A few profiles cover every alternative a mark
lists: one picks every mark's last alternative at once, and the halves deal out all of them (the rest of the marks
at their defaults), so each alternative is seen beside about half of the defaults, and the last ones beside every
other mark's alternative too; an alternative that another mark's alternative hides from view (an administrator
who never reads the account token) is dealt to a half without it. (It was one profile per alternative: 15 runs.)

This is the property that catches an alternative whose consequences reach a schema filed as the vendor's: the
mock follows the alternative, the suite's claims must follow it too.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from ep_cart_spec import load
from ep_cart_spec.profiles import choosable
from tests.conftest import contract_suite, mock_env
from tests.paths import ROOT

pytestmark = pytest.mark.slow  # whole runs of the contract suite (make test-fast leaves them out)

SEED = "20261202"


ALTERNATIVES = [
    (mark_id, alternative) for mark_id, mark in choosable(load()).items() for alternative, _ in mark.alternatives[1:]
]
"""Every (mark, alternative other than its default) openapi.yaml lists."""


def halves(alternatives: list[tuple[str, str]]) -> list[dict[str, str]]:
    """The alternatives dealt into profiles, in turn, so that no profile picks two alternatives of one mark nor an
    alternative together with one it hides (`unreachable`): two profiles while the spec's marks allow."""
    profiles: list[dict[str, str]] = [{}, {}]
    for index, (mark_id, alternative) in enumerate(alternatives):
        for at in [index % 2, 1 - index % 2, *range(2, len(profiles))]:
            marks = {**profiles[at], mark_id: alternative}
            hidden = (unreachable(marks) & marks.keys()) - {"account-token-length"}  # no store shows a length
            if mark_id not in profiles[at] and not hidden:
                profiles[at] = marks
                break
        else:
            profiles.append({mark_id: alternative})
    return [marks for marks in profiles if marks]


def every_alternative() -> dict[str, dict[str, str]]:
    """Profile name -> its marks: the halves, and one profile that picks every alternative at once (of a mark with
    several, its last)."""
    profiles = {f"half-{number}": marks for number, marks in enumerate(halves(ALTERNATIVES), start=1)}
    profiles["every-alternative"] = dict(ALTERNATIVES)
    return profiles


def unreachable(marks: dict[str, str]) -> set[str]:
    """Points a run may be unable to see, by design: no store issues an account token over 4096 characters to
    offer; and where an administrator never reads the account token, an empty one sent as administrator shows
    nothing of how the store reads it (the scenario then judges the administrator mark alone)."""
    found = {"account-token-length"}
    if marks.get("account-token-scopes-administrator") == "administrator":
        found.add("account-token-empty-refused")
    return found


PROFILES = every_alternative()


@dataclass(frozen=True)
class Run:
    returncode: int
    output: str
    written: dict[str, object]
    """The store profile the run wrote back (reports/store-profile.yaml), its marks' chosen alternatives."""


def run_with(name: str, marks: dict[str, str], folder: Path) -> Run:
    folder.mkdir(parents=True)
    profile = folder / "profile.yaml"
    profile.write_text(yaml.safe_dump({"store-profile": 1, "marks": marks}), encoding="utf-8")
    reports = folder / "reports"
    env = mock_env(EP_CONTRACT_PROFILE="smoke", EP_REPORT_DIR=str(reports), EP_STORE_PROFILE=str(profile))
    result = subprocess.run(
        contract_suite("-q", f"--hypothesis-seed={SEED}"),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    written: dict[str, object] = {}
    observed = reports / "store-profile.yaml"
    if observed.is_file():
        document = yaml.safe_load(observed.read_text(encoding="utf-8"))
        for mark_id, value in (document.get("marks") or {}).items():
            written[mark_id] = value
    return Run(result.returncode, result.stdout + result.stderr, written)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    base = tmp_path_factory.mktemp("self-agreement")
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {
            name: pool.submit(run_with, name, marks, base / name.replace("=", "_")) for name, marks in PROFILES.items()
        }
        yield {name: future.result() for name, future in futures.items()}


def alternative_of(value: object) -> object:
    """A written point's alternative, whether given as a name or as {alternative, evidence} (messages: per one);
    None for a point the run could not reach."""
    if isinstance(value, dict) and "not-reached" in value:
        return None
    if isinstance(value, dict) and "alternative" in value:
        return value["alternative"]
    if isinstance(value, dict):
        return {
            key: alternative_of(item)
            for key, item in value.items()
            if not (isinstance(item, dict) and "not-reached" in item)
        }
    return value


@pytest.mark.parametrize("name", list(PROFILES))
def test_the_mock_following_a_profile_passes_the_suite_judged_by_it(runs: dict[str, Run], name: str) -> None:
    run = runs[name]
    assert run.returncode == 0, run.output[-5000:]
    for mark_id, alternative in PROFILES[name].items():
        written = alternative_of(run.written.get(mark_id))
        if isinstance(written, dict):  # a mark decided per message: each message the run reached
            assert written, mark_id
            assert set(written.values()) == {alternative}, (mark_id, written)
        elif mark_id in unreachable(PROFILES[name]):
            assert written in (alternative, None), (mark_id, run.written.get(mark_id))
        else:
            assert written == alternative, (mark_id, run.written.get(mark_id))


def test_every_alternative_was_seen_written_back_by_a_run_that_picked_it(runs: dict[str, Run]) -> None:
    """Folding the alternatives into three runs must not hide one: each (but the account token's length, which no
    store can show) is written back, as picked, by at least one run."""
    for mark_id, alternative in ALTERNATIVES:
        if mark_id == "account-token-length":
            continue
        seen = [
            name
            for name, marks in PROFILES.items()
            if marks.get(mark_id) == alternative
            and (written := alternative_of(runs[name].written.get(mark_id))) is not None
            and (written == alternative or (isinstance(written, dict) and set(written.values()) == {alternative}))
        ]
        assert seen, f"no run wrote back {mark_id}: {alternative}"
