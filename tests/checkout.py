"""The checkout `make test` runs in, which it must leave exactly as it found it.

Tests that run a verb which writes (`make generate`, `make dist`, `make docs`, `make mock`, a contract run) run
it in `copy_of_checkout()`: the files a clone would hold plus the uncommitted ones, with the checkout's `.venv/`
and `.tools/` linked in (the Makefile uses a linked `.venv/` as it is). `snapshot()` is what tests/conftest.py
compares at the start and the end of a session.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from tests.paths import ROOT

LINKED = (".venv", ".tools")
"""Installed once per checkout; a copy uses the checkout's own."""


def checkout_files(root: Path = ROOT) -> list[str]:
    """Tracked files and untracked, non-ignored ones (what `git status` watches), relative to `root`."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return sorted({name for name in listed.split("\0") if name and (root / name).is_file()})


def is_git_checkout(root: Path = ROOT) -> bool:
    """`root` is the top of a git work tree (not a copy inside some other repository, nor no repository)."""
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True)
    return top.returncode == 0 and top.stdout.strip() == str(root)


def copy_of_checkout(destination: Path, root: Path = ROOT) -> Path:
    """A copy of the checkout's files at `destination`, without .git, with `.venv/` and `.tools/` linked in."""
    destination.mkdir(parents=True, exist_ok=True)
    if is_git_checkout(root):
        for name in checkout_files(root):
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, target)
    else:  # a copy of a copy (a test run inside one): every file but what is installed or built
        shutil.copytree(
            root,
            destination,
            dirs_exist_ok=True,
            symlinks=True,
            ignore=shutil.ignore_patterns(*LINKED, ".git", "reports", "dist", "node_modules", "*cache*"),
        )
    for name in LINKED:
        if (root / name).exists() and not (destination / name).exists():
            (destination / name).symlink_to((root / name).resolve())
    return destination


def snapshot(root: Path = ROOT) -> dict[str, str]:
    """Every file `git status` watches, with a digest of its content."""
    return {name: hashlib.sha256((root / name).read_bytes()).hexdigest() for name in checkout_files(root)}


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What differs between two snapshots, one line a file."""
    lines = [f"added: {name}" for name in sorted(after.keys() - before.keys())]
    lines += [f"removed: {name}" for name in sorted(before.keys() - after.keys())]
    lines += [f"changed: {name}" for name in sorted(before.keys() & after.keys()) if before[name] != after[name]]
    return lines
