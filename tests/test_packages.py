"""The kit's packages and their edges: the spec package is a leaf that the mock and the suite both import, the
two never import each other, every package takes the spec's version, and the suite's pytest plugin is
registered (not re-exported by a conftest), with one run per session."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import grimp
import pytest

from ep_cart_contract import cli, plugin
from ep_cart_contract.run import ContractRun, active_run
from ep_cart_spec import load
from tests.paths import ROOT

pytest_plugins = ["pytester"]

IMPORT_RULES = 4
"""The contracts of pyproject.toml's [tool.importlinter]: the spec package a leaf, the mock and the suite never
importing each other, no part importing the tests, no import circle in any package (imports for type checking
included)."""


def lint_imports(cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`lint-imports` (import-linter) with the pyproject.toml of `cwd`, leaving no cache behind."""
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_kit_keeps_its_import_rules() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"Contracts: {IMPORT_RULES} kept, 0 broken." in result.stdout


def test_a_broken_import_rule_is_named(tmp_path: Path) -> None:
    """The check can fail: the same rules over packages that break each (the engine importing the mock, the spec
    importing the engine, a module of the kit importing the tests, two engine modules importing each other, and two
    of the mock's) are each named, with the import that breaks it; an import for type checking only makes a circle
    too."""
    rules = (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("# The import rules of the kit's parts", 1)[1]
    (tmp_path / "pyproject.toml").write_text("#" + rules, encoding="utf-8")
    modules = {
        "ep_cart_spec/__init__.py": "import ep_cart_contract.run\n",
        "ep_cart_mock/__init__.py": "",
        "ep_cart_mock/rules.py": "from ep_cart_mock import table\n",
        "ep_cart_mock/table.py": "from ep_cart_mock import rules\n",
        "ep_cart_associations_client/__init__.py": "",
        "tests/__init__.py": "",
        "ep_cart_contract/__init__.py": "",
        "ep_cart_contract/run.py": "from ep_cart_contract import preflight\n",
        "ep_cart_contract/preflight.py": "from ep_cart_contract import run\n",
        "ep_cart_contract/tokens.py": (
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from ep_cart_contract import ledger\n"
        ),
        "ep_cart_contract/ledger.py": "from ep_cart_contract import tokens\n",
        "ep_cart_contract/target.py": "import json\n\nfrom ep_cart_mock import app\nfrom tests import conftest\n",
    }
    for name, text in modules.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = lint_imports(tmp_path, {**os.environ, "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"Contracts: 0 kept, {IMPORT_RULES} broken." in result.stdout, result.stdout[-3000:]
    report = " ".join(result.stdout.split())
    for crossing in (
        "ep_cart_spec -> ep_cart_contract.run",
        "ep_cart_contract.target -> ep_cart_mock",
        "ep_cart_contract.target -> tests",
        ".run -> .preflight",
        ".tokens -> .ledger",
        "are allowed in ep_cart_mock",
    ):
        assert crossing in report, (crossing, result.stdout[-3000:])


def askers_of_the_run_of_the_moment(package: Path) -> list[str]:
    """The modules of the engine that name `active_run`, except the module that defines it."""
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "run.py" and path.parent == package:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        names |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
        if "active_run" in names:
            found.append(path.relative_to(package).as_posix())
    return found


def test_only_the_hooks_ask_for_the_run_of_the_moment(tmp_path: Path) -> None:
    """The run is handed to each part; the schemathesis hooks, which have no other way to reach it, ask for it in
    one place (hooks.the_run). The check can fail: a module that asks too is named."""
    package = ROOT / "contract" / "src" / "ep_cart_contract"
    assert askers_of_the_run_of_the_moment(package) == ["hooks.py"]
    (tmp_path / "run.py").write_text("def active_run(): ...\n", encoding="utf-8")
    (tmp_path / "judging.py").write_text("from ep_cart_contract.run import active_run\n", encoding="utf-8")
    assert askers_of_the_run_of_the_moment(tmp_path) == ["judging.py"]


@pytest.mark.parametrize("package", ["ep_cart_mock", "ep_cart_contract"])
def test_the_mock_and_the_suite_read_the_spec_through_its_package(package: str) -> None:
    graph = grimp.build_graph(package, "ep_cart_spec", cache_dir=None)
    assert graph.direct_import_exists(importer=package, imported="ep_cart_spec", as_packages=True)


def project(path: Path) -> dict[str, object]:
    document: dict[str, object] = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    return document


def test_every_package_takes_the_specs_version() -> None:
    """openapi.yaml's info.version is every package's (the spec's through hatch, the others written down), and
    each part requires the others at that same version."""
    version = load().document["info"]["version"]
    for pyproject in (ROOT / "mock" / "pyproject.toml", ROOT / "contract" / "pyproject.toml"):
        described = project(pyproject)
        assert described["version"] == version, f"{pyproject.relative_to(ROOT)}: version is not {version}"
        extras: dict[str, list[str]] = described.get("optional-dependencies", {})  # type: ignore[assignment]
        dependencies: list[str] = described.get("dependencies", [])  # type: ignore[assignment]
        requirements = dependencies + [requirement for listed in extras.values() for requirement in listed]
        kit_pins = [requirement for requirement in requirements if requirement.startswith("ep-cart-")]
        assert kit_pins, pyproject
        for requirement in kit_pins:
            assert requirement.endswith(f"=={version}"), f"{pyproject.relative_to(ROOT)}: {requirement}"
    assert project(ROOT / "generated" / "pyproject.toml")["version"] == version
    assert "version" in project(ROOT / "pyproject.toml")["dynamic"]  # type: ignore[operator]


# --- The suite's pytest plugin --------------------------------------------------------------------------


def test_the_plugin_is_registered_by_its_entry_point() -> None:
    registered = {entry.name: entry.value for entry in entry_points(group="pytest11")}
    assert registered["ep_cart_contract"] == "ep_cart_contract.plugin"
    suite = ROOT / "contract" / "src" / "ep_cart_contract" / "suite"
    assert not list(suite.rglob("conftest.py")), "the suite's hooks and fixtures are the plugin's, in no conftest"


def test_a_hook_added_to_the_plugin_runs_without_any_conftest(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    def pytest_report_header(config: pytest.Config) -> str:
        return "a hook added to ep_cart_contract.plugin ran"

    monkeypatch.setattr(plugin, "pytest_report_header", pytest_report_header, raising=False)
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "a hook added to ep_cart_contract.plugin ran" in result.stdout.str()


TWO_RUNS = """
from pathlib import Path

from ep_cart_contract.verdicts import vendor

SEEN = Path("runs.txt")


def test_this_run_starts_with_nothing_of_another(contract_run):
    earlier = SEEN.read_text().split() if SEEN.exists() else []
    assert contract_run.settings.run_prefix not in earlier
    assert contract_run.verdicts.claims == {}
    assert not contract_run.ledger.open()
    for token in earlier:
        assert contract_run.redactor.scrub(token) == token, "a token of another run is no secret of this one"
    body = b'{"data": [{"id": "0f9e7a52-3c7d-4b8e-9a51-6c2d1e4f8a01", "type": "account"}]}'
    contract_run.ledger.observe("POST", contract_run.settings.run_prefix + "-cart", 200, body)
    contract_run.verdicts.record("a claim of this run", vendor("S1"), holds=False)
    contract_run.redactor.add(contract_run.settings.run_prefix)
    assert contract_run.ledger.open() and contract_run.verdicts.broken()
    SEEN.write_text(" ".join([*earlier, contract_run.settings.run_prefix]))


def test_one_run_per_session(contract_run):
    from ep_cart_contract.run import active_run

    assert active_run() is contract_run
"""


def test_two_runs_in_one_process_keep_separate_verdicts_ledgers_and_tokens(pytester: pytest.Pytester) -> None:
    """Two pytest sessions in this process, each recording a broken claim, an association and a secret: the
    second sees none of the first's."""
    pytester.makepyfile(test_runs=TWO_RUNS)
    for _ in range(2):
        pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)
    prefixes = (pytester.path / "runs.txt").read_text().split()
    assert len(prefixes) == 2
    assert prefixes[0] != prefixes[1]


def test_a_session_inside_another_has_its_own_run_and_gives_the_outer_one_back(
    pytester: pytest.Pytester, contract_run: ContractRun
) -> None:
    """pytester's in-process sessions run inside this one (as the tests above do): the outer session's run, the
    one its suite records into, is the run of the moment again when the inner session ends."""
    outer = contract_run.settings.run_prefix
    pytester.makepyfile(
        test_inner=f"def test_inner(contract_run):\n    assert contract_run.settings.run_prefix != {outer!r}\n"
    )
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert active_run() is contract_run


# --- The command's refusals -----------------------------------------------------------------------------


def test_without_a_server_or_the_mock_the_command_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    assert cli.main([]) == 2
    error = capsys.readouterr().err
    assert "pip install 'ep-cart-contract[mock]'" in error
    assert "--base-url" in error


def test_an_unusable_setting_stops_the_command_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EP_BASE_URL", "")  # restored after the test: the command sets it from --base-url
    assert cli.main(["--base-url", "http://127.0.0.1:9"]) == 2
    assert "EP_CLIENT_ID is required with EP_BASE_URL" in capsys.readouterr().err
