"""Outside proof of the contract suite: built into wheels (`make dist`), installed in a fresh virtual environment
with no checkout on its path, `ep-cart-contract` runs both layers against the bundled mock it starts from that
environment, and against a faulty server it fails with the same verdicts as `make contract-test`'s command from
the checkout. Loopback only."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import httpx
import pytest

from ep_cart_contract.cli import VARIABLES
from ep_cart_contract.target import serve_on_a_free_port
from tests.conftest import mock_env, stop_process_group
from tests.faults.runs import FIXTURES, start_proxy
from tests.faults.test_suite_catches_faults import EXPECTED_NAMES
from tests.paths import ROOT
from tests.test_readme import UV, run, without_network

pytestmark = pytest.mark.slow  # wheels built and installed, whole runs of the suite

VERDICT_LINES = re.compile(r"^(vendor contract: \d+ claims, \d+ held, \d+ broken|assumptions: .*)$", re.MULTILINE)


@pytest.fixture(scope="module")
def venv(built_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with the kit's four wheels and what they depend on, nothing of the checkout."""
    venv = tmp_path_factory.mktemp("suite-venv") / "venv"
    assert run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    wheels = sorted(str(path) for path in built_dist.glob("*.whl"))
    assert len(wheels) == 4, wheels
    installed = run([str(UV), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *wheels])
    assert installed.returncode == 0, installed.stderr[-2000:]
    return venv


def outside_env(**overrides: str) -> dict[str, str]:
    env = {name: value for name, value in mock_env().items() if name not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return {**env, "PYTHONNOUSERSITE": "1", **overrides}


def broken_claims(report: Path) -> list[str]:
    document = json.loads(report.read_text(encoding="utf-8"))
    return sorted(f"[{claim['kind']}] {claim['title']}" for claim in document["verdicts"]["claims"] if claim["broken"])


def kit_failures(reports: Path) -> str:
    """The whole error of each kit failure the run reported (the output's tail shows only its first line)."""
    report = reports / "contract.json"
    if not report.is_file():
        return ""
    failures = json.loads(report.read_text(encoding="utf-8"))["kit_failures"]
    return "".join(f"\nKIT FAILED: {failure['test']}\n{failure['details']}" for failure in failures)


def test_the_suite_runs_from_its_wheels_against_the_mock_it_starts(venv: Path, tmp_path: Path) -> None:
    project = tmp_path / "team-repository"
    project.mkdir()
    env = outside_env()
    probe = "import ep_cart_contract, sys; print(ep_cart_contract.__file__, sys.path)"
    where = run([str(venv / "bin" / "python"), "-c", probe], project, env)
    assert str(venv) in where.stdout
    assert str(ROOT) not in where.stdout, "the checkout must not be on the environment's path"

    shown = run([str(venv / "bin" / "ep-cart-contract"), "--help"], project, env)
    assert shown.returncode == 0
    for text in (*VARIABLES, "--base-url", "--assumptions", "--profile", "--report-dir"):
        assert text in shown.stdout, f"--help does not name {text}"

    reports = project / "contract-reports"
    # The smoke profile: the default one runs in tests/test_contract_leaves_no_trace.py (from the checkout).
    suite = [str(venv / "bin" / "ep-cart-contract"), "--profile", "smoke", "--report-dir", str(reports)]
    result = run(without_network(suite), project, env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:] + kit_failures(reports)
    assert "test_conformance.py" in result.stdout, "the schemathesis layer ran"
    assert "test_scenarios.py" in result.stdout, "the scenarios ran"
    lines = VERDICT_LINES.findall(result.stdout)
    assert len(lines) == 2, result.stdout[-3000:]
    assert lines[0].endswith(" 0 broken"), lines
    assert "associations created:" in result.stdout
    assert (reports / "contract.json").is_file()
    assert (reports / "contract.html").is_file()
    assert broken_claims(reports / "contract.json") == []
    assert not list(project.glob("reports")), "nothing but the chosen report folder is written"
    # The run's recording replays against a fresh mock from the same wheels: every exchange agrees.
    twin = [str(venv / "bin" / "ep-cart-twin-check"), str(reports / "exchanges.har"), "--report-dir", str(reports)]
    replayed = run(without_network(twin), project, env)
    assert replayed.returncode == 0, replayed.stdout[-3000:] + replayed.stderr[-2000:]
    assert re.search(r"^twin-check: (\d+) of \1 comparable exchanges identical \(100\.0 %\)", replayed.stdout, re.M)


def test_the_installed_mock_serves_the_api_page(venv: Path, tmp_path: Path) -> None:
    """`ep-cart-mock` from the wheels, outside the checkout: `/docs` is the rendered page, which the wheel carries
    (one self-contained file: it works offline), and start-up advertises only what it serves."""
    log = tmp_path / "mock.log"
    process, port, out = serve_on_a_free_port(
        "the installed mock",
        lambda port: [str(venv / "bin" / "ep-cart-mock"), "--port", str(port)],
        outside_env(),
        log,
        cwd=tmp_path,
        new_session=True,
    )
    try:
        page = httpx.get(f"http://127.0.0.1:{port}/docs", timeout=10)
    finally:
        assert stop_process_group(process) == []
        out.close()
    assert page.status_code == 200, page.text[:500]
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "Elastic Path Account Cart Associations" in page.text
    assert "<script src=" not in page.text, "the page fetches nothing"
    started = log.read_text(encoding="utf-8")
    assert f"Docs: http://127.0.0.1:{port}/docs" in started, started


def test_the_suite_from_its_wheels_fails_a_faulty_server_as_make_contract_test_does(venv: Path, tmp_path: Path) -> None:
    """The installed command against one fault (every 200 turned into a 201), in front of a mock of its own
    (ep-cart-mock from the environment): it fails, naming what the checkout's run of the same fault names
    (tests/faults/test_suite_catches_faults.py runs it, `make contract-test`'s command, and checks those names)."""
    upstream, upstream_port, upstream_log = serve_on_a_free_port(
        "the installed mock",
        lambda port: [str(venv / "bin" / "ep-cart-mock"), "--port", str(port)],
        outside_env(**FIXTURES),
        tmp_path / "upstream.log",
    )
    tokens = tmp_path / "tokens.txt"
    proxy, proxy_port, proxy_log = start_proxy(
        "wrong-status", tokens, tmp_path / "proxy.log", mock_env(**FIXTURES), f"http://127.0.0.1:{upstream_port}"
    )
    try:
        result = run(
            [
                str(venv / "bin" / "ep-cart-contract"),
                *("--base-url", f"http://127.0.0.1:{proxy_port}", "--profile", "smoke"),
                *("--report-dir", str(tmp_path / "reports"), "-q"),
            ],
            tmp_path,
            {**outside_env(**FIXTURES), "EP_RATE_LIMIT": "off"},
        )
    finally:
        for process in (proxy, upstream):
            process.terminate()
            process.wait(timeout=10)
        proxy_log.close()
        upstream_log.close()
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    for name in EXPECTED_NAMES["wrong-status"]:
        assert name in result.stdout, name
    # What ran is the checkout's suite: the installed modules are the checkout's, every one of them.
    installed = next(venv.glob("lib/python*/site-packages/ep_cart_contract/suite"))
    checkout = ROOT / "contract" / "src" / "ep_cart_contract" / "suite"
    assert {path.name: path.read_bytes() for path in installed.glob("*.py")} == {
        path.name: path.read_bytes() for path in checkout.glob("*.py")
    }
    assert broken_claims(tmp_path / "reports" / "contract.json"), "the fault breaks claims"
