"""The README and the guides in docs/ cannot drift from the code: every shell and Python block in them is either
run here, or says why not. Blocks run "against the mock" talk to a mock started on a free port (the only change
made to them is that port); blocks run "in the repository" run from the root of a copy of the checkout (they
write: `make generate`, `make contract-test`), so `make test` leaves the checkout as it found it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ep_cart_contract import cli, exits
from ep_cart_spec import DEFAULTS, FIXTURE_VARIABLES, ApiSpec
from tests.checkout import copy_of_checkout
from tests.conftest import MockProcess, mock_env
from tests.paths import ROOT

BLOCK = re.compile(r"(?:<!-- (?P<marker>[^>]*) -->\n)?```(?P<language>sh|python)\n(?P<code>.*?)```", re.DOTALL)
RUNNABLE = {"runnable: against the mock", "runnable: in the repository", "runnable python: against the mock"}
CONSUMER = "consumer project: "
"""A file of the consumer project in docs/in-your-project.md, run from the built wheels in a fresh environment."""


WALKTHROUGH = "docs/mock.md"
"""The guide that holds the curl walkthrough, whose blocks answer in the order its text promises."""


@dataclass(frozen=True)
class Block:
    file: str
    """The page, relative to the repository's root: README.md, docs/mock.md, ..."""
    marker: str
    language: str
    code: str
    line: int


def pages(root: Path = ROOT) -> list[str]:
    """The README and every guide in docs/: the pages whose blocks are run, or say why not."""
    return ["README.md", *sorted(f"docs/{path.name}" for path in (root / "docs").glob("*.md"))]


def blocks_of(name: str, text: str) -> list[Block]:
    return [
        Block(name, match["marker"] or "", match["language"], match["code"], text.count("\n", 0, match.start()) + 1)
        for match in BLOCK.finditer(text)
    ]


def page_blocks(root: Path = ROOT) -> list[Block]:
    return [block for name in pages(root) for block in blocks_of(name, (root / name).read_text(encoding="utf-8"))]


def runnable(marker: str, page: str | None = None) -> list[Block]:
    return [block for block in page_blocks() if block.marker == marker and page in (None, block.file)]


def block_id(block: Block) -> str:
    return f"{block.file.replace('/', '-')}-line-{block.line}"


def unexplained(blocks: list[Block]) -> list[str]:
    """Where a block is neither run nor says why not: "docs/mock.md line 40"."""
    return [
        f"{block.file} line {block.line}"
        for block in blocks
        if not (block.marker in RUNNABLE or block.marker.startswith(("not run by the tests: ", CONSUMER)))
    ]


def test_every_block_is_run_or_says_why_not() -> None:
    assert pages()[0] == "README.md"
    assert len(pages()) > 1, "no guide in docs/: the check would read the README alone"
    missing = unexplained(page_blocks())
    assert not missing, f"mark each block runnable, or say why it is not run: {missing}"
    assert runnable("runnable: against the mock")
    assert runnable("runnable: in the repository")


def test_a_block_that_neither_runs_nor_says_why_is_named_with_its_page(tmp_path: Path) -> None:
    """The check reads the guides too, and names the page and line of an unmarked block."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("<!-- runnable: in the repository -->\n```sh\nmake help\n```\n", "utf-8")
    (tmp_path / "docs" / "guide.md").write_text("# A guide\n\n```sh\nmake mock\n```\n", encoding="utf-8")
    assert pages(tmp_path) == ["README.md", "docs/guide.md"]
    assert unexplained(page_blocks(tmp_path)) == ["docs/guide.md line 3"]


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
    """On a fresh mock, exactly the statuses the walkthrough's text (docs/mock.md) promises."""
    blocks = [block for block in runnable("runnable: against the mock", WALKTHROUGH) if "curl" in block.code]
    assert len(blocks) == 3, f"{WALKTHROUGH} holds the walkthrough's three curl blocks"
    server = MockProcess(mock_env(), tmp_path / "mock.log")
    try:
        statuses, outputs = [], []
        for block in blocks:
            script = block.code.replace("http://127.0.0.1:8000", server.base_url)
            result = run(["bash", "-euo", "pipefail", "-c", script], cwd=ROOT)
            statuses.append(re.findall(r"HTTP/1.1 (\d{3})", result.stdout))
            outputs.append(result.stdout)
    finally:
        server.stop()
    assert statuses == [["200", "204"], ["403", "200"], ["200", "200"]]
    decoder = json.JSONDecoder()
    cart, carts = [
        decoder.raw_decode(outputs[2], at.start())[0] for at in re.finditer(r'^\{"data"', outputs[2], re.MULTILINE)
    ]
    account = {"id": "0f9e7a52-3c7d-4b8e-9a51-6c2d1e4f8a01", "type": "account"}
    assert cart["data"]["id"] == "shopper-cart"
    assert cart["data"]["relationships"]["accounts"]["data"] == [account]
    assert [entry["id"] for entry in carts["data"]] == ["shopper-cart", "my-first-cart"]  # newest first
    assert carts["meta"]["results"]["total"] == 2


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout, where the README's verbs may write."""
    return copy_of_checkout(tmp_path_factory.mktemp("readme") / "repository")


@pytest.mark.slow
@pytest.mark.parametrize("block", runnable("runnable: in the repository"), ids=block_id)
def test_shell_block_runs_in_the_repository(block: Block, repository: Path) -> None:
    env = {name: value for name, value in os.environ.items() if name != "EP_BASE_URL"}
    # `make contract-test` as written, with fewer examples (make's PROFILE, from the environment): what the block
    # shows is the verb and its reports; the default profile runs in this same session (the suite's modules).
    env["PROFILE"] = "smoke"
    result = run(["bash", "-euo", "pipefail", "-c", block.code], cwd=repository, env=env)
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
        "EP_SEED",
        "EP_TEST_CONTROLS",
    }
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    configuration = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert "](docs/configuration.md)" in (ROOT / "README.md").read_text(encoding="utf-8"), "the README links it"
    for name in variables:
        assert re.search(rf"^{name}=", example, re.MULTILINE), f".env.example lacks {name}"
        assert re.search(rf"^\| `{name}` \|", configuration, re.MULTILINE), (
            f"the configuration table (docs/configuration.md) lacks {name}"
        )


def test_readme_lists_every_make_target() -> None:
    """The README's table lists every target in brief, and docs/verbs.md, which it links, in full."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = re.findall(r"^([a-z-]+):.*## ", makefile, re.MULTILINE)
    assert targets, "no target found in the Makefile: this check would hold vacuously"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    verbs = (ROOT / "docs" / "verbs.md").read_text(encoding="utf-8")
    assert "](docs/verbs.md)" in readme, "the README links the verbs in full"
    for target in targets:
        assert f"| `make {target}` |" in readme, f"the README's table of verbs lacks make {target}"
        assert f"| `make {target}` |" in verbs, f"docs/verbs.md does not document make {target}"


# --- docs/in-your-project.md: the consumer project, from the wheels, outside the checkout ----------------------

UV = ROOT / ".tools" / "bin" / "uv"
"""make's pinned uv (every make target installs it first)."""


def consumer_project() -> dict[str, str]:
    return {
        block.marker.removeprefix(CONSUMER): block.code for block in page_blocks() if block.marker.startswith(CONSUMER)
    }


def without_network(command: list[str]) -> list[str]:
    """The command in a network namespace of its own with only loopback up, where this machine allows it
    (root and util-linux's unshare): then "no network" is not a claim but a fact of the run."""
    probe = ["unshare", "-n", "sh", "-c", "ip link set lo up"]
    if shutil.which("unshare") and shutil.which("ip") and subprocess.run(probe, capture_output=True).returncode == 0:
        return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command]
    return command


@pytest.mark.slow
def test_consumer_project_runs_from_the_wheels_alone(tmp_path: Path, built_dist: Path) -> None:
    files = consumer_project()
    assert sorted(files) == ["cart_sync.py", "test_cart_sync.py"]

    dist = built_dist
    packages = ["ep_cart_associations_client", "ep_cart_contract", "ep_cart_mock", "ep_cart_spec"]
    assert sorted(path.name.split("-")[0] for path in dist.glob("*.tar.gz")) == packages, "an sdist of each"
    assert sorted(path.name.split("-")[0] for path in dist.glob("*.whl")) == packages, "a wheel of each"
    version = ApiSpec.load(ROOT / "openapi.yaml").document["info"]["version"]
    built = [*dist.glob("*.whl"), *dist.glob("*.tar.gz")]
    assert all(f"-{version}" in path.name for path in built), "each takes openapi.yaml's version"
    # The mock, the spec it reads and the client its fixtures hand out: not the contract suite.
    wheels = sorted(str(path) for path in dist.glob("*.whl") if not path.name.startswith("ep_cart_contract"))

    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    assert run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    # Only the two wheels and pytest, and what they depend on (from the package index, or uv's cache).
    pytest_pin = f"pytest=={pytest.__version__}"
    installed = run([str(UV), "pip", "install", "--quiet", "--python", str(python), *wheels, pytest_pin])
    assert installed.returncode == 0, installed.stderr[-2000:]

    project = tmp_path / "storefront"
    project.mkdir()
    for name, code in files.items():
        (project / name).write_text(code, encoding="utf-8")
    env = {name: value for name, value in mock_env().items() if name not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["PYTHONNOUSERSITE"] = "1"

    where = run(
        [str(python), "-c", "import ep_cart_mock, sys; print(ep_cart_mock.__file__); print(sys.path)"], project, env
    )
    assert str(venv) in where.stdout.splitlines()[0], where.stdout
    assert str(ROOT) not in where.stdout, "the checkout must not be on the consumer's path"
    assert str(dist.parent) not in where.stdout, "nor the copy the wheels were built in"

    result = run(without_network([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]), project, env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout

    command_help = run([str(venv / "bin" / "ep-cart-mock"), "--help"], project, env)
    assert command_help.returncode == 0
    for name in [*DEFAULTS, "EP_TEST_CONTROLS"]:
        assert name in command_help.stdout, f"ep-cart-mock --help does not list {name}"
    assert "--test-controls" in command_help.stdout


def test_every_exit_status_is_documented_where_a_nightly_reader_looks() -> None:
    """exits.py is the one place; the README's table, `--help` and the example workflow say each of the kit's own."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    workflow = (ROOT / ".github" / "workflows" / "contract.yml").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| ([\d, ]+) \| (.+) \|$", readme, re.MULTILINE))
    documented = {int(status) for statuses in rows for status in statuses.split(",")}
    assert documented == set(exits.MEANINGS), documented
    help_text = cli.parser().format_help()
    for status, meaning in exits.MEANINGS.items():
        assert f"  {status}  {meaning}" in help_text
    for status in (exits.CLAIM_BROKEN, *range(exits.FIXTURE_BROKEN, exits.KIT_FAILED + 1)):
        assert re.search(rf"\b{status} (a|the|EP_BASE_URL)\b", workflow), (
            f"the workflow does not say what {status} means"
        )


def test_the_example_workflow_runs_what_ci_runs() -> None:
    """The shipped workflow runs .ci/run itself, and .ci/run requires every optional tool its tests use."""
    workflow = (ROOT / ".github" / "workflows" / "contract.yml").read_text(encoding="utf-8")
    assert "run: bash .ci/run" in workflow
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    required = set(re.findall(r"\bCI_REQUIRE_[A-Z]+\b", script))
    read_by_tests = {
        name
        for path in (ROOT / "tests").rglob("test_*.py")
        for name in re.findall(r"\bCI_REQUIRE_[A-Z]+\b", path.read_text(encoding="utf-8"))
    }
    assert read_by_tests, "no test reads a CI_REQUIRE_ switch: this check would hold vacuously"
    assert read_by_tests <= required, f"switches the tests read that CI never sets: {read_by_tests - required}"
