"""The README's runnable commands work as printed (blocks after a `<!-- runnable ... -->` marker).

Each block runs in bash against a mock on a free port: the only change made to it is the port.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import ROOT, MockProcess, mock_env

RUNNABLE = re.compile(r"<!-- runnable: against the mock -->\n```sh\n(.*?)```", re.DOTALL)


def runnable_blocks() -> list[str]:
    return RUNNABLE.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def test_readme_has_runnable_blocks() -> None:
    assert runnable_blocks()


@pytest.mark.parametrize("block", runnable_blocks())
def test_readme_block_runs_against_the_mock(block: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    server = MockProcess(mock_env(), tmp_path_factory.mktemp("readme") / "mock.log")
    try:
        script = block.replace("http://127.0.0.1:8000", server.base_url)
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    statuses = re.findall(r"HTTP/1.1 (\d{3})", result.stdout)
    assert statuses == ["200", "204"], result.stdout
