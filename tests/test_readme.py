"""The README cannot drift from the code: every shell and Python block in it is either run here, or says
why not. Blocks run "against the mock" talk to a mock started on a free port (the only change made to them
is that port); blocks run "in the repository" run from its root."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ep_cart_contract.settings import FIXTURE_VARIABLES
from ep_cart_mock.config import DEFAULTS
from tests.conftest import MockProcess, mock_env
from tests.paths import ROOT

BLOCK = re.compile(r"(?:<!-- (?P<marker>[^>]*) -->\n)?```(?P<language>sh|python)\n(?P<code>.*?)```", re.DOTALL)
RUNNABLE = {"runnable: against the mock", "runnable: in the repository", "runnable python: against the mock"}


@dataclass(frozen=True)
class Block:
    marker: str
    language: str
    code: str
    line: int


def readme_blocks() -> list[Block]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [
        Block(match["marker"] or "", match["language"], match["code"], text.count("\n", 0, match.start()) + 1)
        for match in BLOCK.finditer(text)
    ]


def runnable(marker: str) -> list[Block]:
    return [block for block in readme_blocks() if block.marker == marker]


def block_id(block: Block) -> str:
    return f"line-{block.line}"


def test_every_block_is_run_or_says_why_not() -> None:
    for block in readme_blocks():
        assert block.marker in RUNNABLE or block.marker.startswith("not run by the tests: "), (
            f"README line {block.line}: mark the block runnable, or say why it is not run"
        )
    assert runnable("runnable: against the mock")
    assert runnable("runnable: in the repository")


@pytest.fixture(scope="module")
def readme_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockProcess]:
    server = MockProcess(mock_env(), tmp_path_factory.mktemp("readme") / "mock.log")
    yield server
    server.stop()


def run(command: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=cwd, env=env)


@pytest.mark.parametrize("block", runnable("runnable: against the mock"), ids=block_id)
def test_shell_block_runs_against_the_mock(block: Block, readme_mock: MockProcess) -> None:
    script = block.code.replace("http://127.0.0.1:8000", readme_mock.base_url)
    result = run(["bash", "-euo", "pipefail", "-c", script], cwd=ROOT)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    statuses = re.findall(r"HTTP/1.1 (\d{3})", result.stdout)
    if "curl" in block.code and "-i" in block.code:
        assert statuses, result.stdout[-2000:]
        assert not [status for status in statuses if status.startswith("5")]
    if "st run" in block.code:
        assert "No issues found" in result.stdout, result.stdout[-3000:]


def test_walkthrough_answers_as_the_readme_says(tmp_path: Path) -> None:
    """On a fresh mock, exactly the statuses the README's text promises."""
    first, second = [block for block in runnable("runnable: against the mock") if "curl" in block.code]
    server = MockProcess(mock_env(), tmp_path / "mock.log")
    try:
        statuses = []
        for block in (first, second):
            script = block.code.replace("http://127.0.0.1:8000", server.base_url)
            result = run(["bash", "-euo", "pipefail", "-c", script], cwd=ROOT)
            statuses.append(re.findall(r"HTTP/1.1 (\d{3})", result.stdout))
    finally:
        server.stop()
    assert statuses == [["200", "204"], ["403", "200"]]


@pytest.mark.parametrize("block", runnable("runnable: in the repository"), ids=block_id)
def test_shell_block_runs_in_the_repository(block: Block) -> None:
    env = {name: value for name, value in os.environ.items() if name != "EP_BASE_URL"}
    result = run(["bash", "-euo", "pipefail", "-c", block.code], cwd=ROOT, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.parametrize("block", runnable("runnable python: against the mock"), ids=block_id)
def test_python_block_runs_against_the_mock(block: Block, readme_mock: MockProcess) -> None:
    code = block.code.replace("http://127.0.0.1:8000", readme_mock.base_url)
    result = run([sys.executable, "-c", code], cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [
        "first associated: 0f9e7a52-3c7d-4b8e-9a51-6c2d1e4f8a01",
        "second already associated",
    ]


def test_env_example_and_readme_list_every_variable() -> None:
    variables = {
        *DEFAULTS,
        *FIXTURE_VARIABLES,
        "EP_BASE_URL",
        "EP_CONTRACT_PROFILE",
        "EP_RATE_LIMIT",
        "EP_REQUEST_TIMEOUT",
        "EP_ASSUMPTIONS",
        "EP_REPORT_DIR",
        "EP_TEST_CONTROLS",
    }
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in variables:
        assert re.search(rf"^{name}=", example, re.MULTILINE), f".env.example lacks {name}"
        assert f"`{name}`" in readme, f"the README's configuration table lacks {name}"


def test_readme_lists_every_make_target() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = re.findall(r"^([a-z-]+):.*## ", makefile, re.MULTILINE)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in targets:
        assert f"`make {target}" in readme, f"the README does not document make {target}"
