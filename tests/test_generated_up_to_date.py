"""generated/ is exactly what openapi.yaml and the pinned generator produce (the golden-record check), and a
stale generated/ fails where a team would meet it: `make test`, and CI's own entry point, `.ci/run`.

Nothing here regenerates the checkout's generated/: the edits and the runs happen in copies of it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.checkout import copy_of_checkout
from tests.paths import ROOT

SPEC_EDIT = ("Create an account cart association", "Associate an account")
"""An operation summary: the generated client's docstring follows it."""


def check_generated(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "-s", "check-generated"], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_committed_client_matches_the_spec() -> None:
    result = check_generated(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def stale_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout whose spec was edited and whose generated/ was not regenerated."""
    copy = copy_of_checkout(tmp_path_factory.mktemp("stale") / "repository")
    spec = copy / "openapi.yaml"
    text = spec.read_text(encoding="utf-8")
    assert SPEC_EDIT[0] in text
    spec.write_text(text.replace(*SPEC_EDIT), encoding="utf-8")
    return copy


def assert_shows_the_diff(output: str) -> None:
    assert f'-    """{SPEC_EDIT[0]}' in output, output[-3000:]
    assert f'+    """{SPEC_EDIT[1]}' in output, output[-3000:]
    assert "run 'make generate'" in output, output[-3000:]


def test_a_spec_edit_without_regenerating_fails_with_a_readable_diff(stale_copy: Path) -> None:
    result = check_generated(stale_copy)
    assert result.returncode != 0
    assert_shows_the_diff(result.stdout + result.stderr)


@pytest.mark.slow
def test_make_test_fails_on_a_stale_client(stale_copy: Path) -> None:
    """`make test` itself, in the stale copy, with pytest limited to the golden-record test. A make of its own: the
    outer make's variables (`make test PYTEST_ADDOPTS=...` travels in MAKEFLAGS) would override the selection and run
    every test in the copy."""
    outer_make = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
    env = {name: value for name, value in os.environ.items() if name not in outer_make}
    env["PYTEST_ADDOPTS"] = "tests/test_generated_up_to_date.py::test_committed_client_matches_the_spec"
    result = subprocess.run(["make", "test"], cwd=stale_copy, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode != 0, result.stdout[-3000:]
    assert "1 failed" in result.stdout, result.stdout[-3000:]
    assert_shows_the_diff(result.stdout)


@pytest.mark.slow
def test_ci_fails_on_a_stale_client_before_it_runs_the_tests(stale_copy: Path) -> None:
    """CI's entry point checks the golden record first, so a stale client fails it at once, with the diff."""
    env = {**os.environ, "CI": "true"}
    result = subprocess.run(
        ["bash", ".ci/run"],
        cwd=stale_copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert_shows_the_diff(output)
    assert "test session starts" not in output, "CI must stop at the golden record, before make test"
