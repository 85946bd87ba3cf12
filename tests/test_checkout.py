"""`make test` leaves the checkout as it found it: the session's own check can fail, and says what changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.checkout import changes, copy_of_checkout, snapshot

WRITES_INTO_THE_CHECKOUT = """
from tests.paths import ROOT


def test_that_writes_into_the_checkout() -> None:
    (ROOT / "stray.txt").write_text("left behind", encoding="utf-8")
    (ROOT / "LICENSE").write_text("changed", encoding="utf-8")
"""


def test_changes_name_what_was_added_removed_and_changed() -> None:
    before = {"a": "1", "b": "2", "c": "3"}
    after = {"a": "1", "b": "changed", "d": "4"}
    assert changes(before, after) == ["added: d", "removed: c", "changed: b"]
    assert changes(before, dict(before)) == []


@pytest.mark.slow
@pytest.mark.parametrize("ci", [True, False])
def test_a_session_that_writes_into_the_checkout_is_named_and_fails_in_ci(tmp_path: Path, ci: bool) -> None:
    """In a copy of the checkout made a git repository of its own, a test writes into it: under CI the
    session fails naming both files; elsewhere it passes with a warning naming them."""
    repository = copy_of_checkout(tmp_path / "repository")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "copy"]):
        subprocess.run([*git, *command], cwd=repository, check=True, capture_output=True)
    (repository / "tests" / "test_writes.py").write_text(WRITES_INTO_THE_CHECKOUT, encoding="utf-8")
    subprocess.run([*git, "add", "-A"], cwd=repository, check=True)  # the new test is part of the checkout
    before = snapshot(repository)

    env = {name: value for name, value in os.environ.items() if name != "CI"}
    if ci:
        env["CI"] = "true"
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_writes.py"]
    result = subprocess.run(command, cwd=repository, env=env, capture_output=True, text=True, timeout=300)

    assert "1 passed" in result.stdout, result.stdout[-2000:]
    assert "the checkout changed during the run" in result.stdout
    word = "FAILED" if ci else "WARNING"
    assert f"{word}: added: stray.txt" in result.stdout
    assert f"{word}: changed: LICENSE" in result.stdout
    assert (result.returncode != 0) is ci, result.stdout[-2000:]
    assert changes(before, snapshot(repository)) == ["added: stray.txt", "changed: LICENSE"]
