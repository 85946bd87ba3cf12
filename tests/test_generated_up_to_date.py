"""generated/ is exactly what openapi.yaml and the pinned generator produce (the golden-record check)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT


def check_generated(cwd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "-s", "check-generated"], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_committed_client_matches_the_spec() -> None:
    result = check_generated(str(ROOT))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_spec_edit_without_regenerating_fails_with_a_readable_diff(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".tools", ".git", "reports", "*cache*"))
    (copy / ".venv").symlink_to(ROOT / ".venv")
    (copy / ".tools").symlink_to(ROOT / ".tools")
    spec = copy / "openapi.yaml"
    spec.write_text(spec.read_text().replace("Create an account cart association", "Associate an account"))
    result = check_generated(str(copy))
    assert result.returncode != 0
    assert '-    """Create an account cart association' in result.stdout
    assert '+    """Associate an account' in result.stdout
    assert "run 'make generate'" in result.stderr
