"""The rendered docs work offline: headless Chromium opens /docs from the running mock with every other host
blocked, and every operation (the association, its effect's reads, tokens), every documented status code and
the error schema are on the page.

Needs Debian's `chromium` (`apt-get install chromium`; .ci/run installs it); without it the test is skipped
with that message. The page is built with `make docs` in a copy of the checkout (tests/checkout.py) and served
from there; a screenshot is saved beside it.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ep_cart_spec import ApiSpec
from tests.checkout import copy_of_checkout
from tests.conftest import MockProcess, mock_env
from tests.paths import SPEC_PATH

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Every host but this machine resolves to nothing: the page must not need the internet.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--virtual-time-budget=20000",
    "--enable-logging=stderr",
    "--v=0",
]


def find_chromium() -> str:
    """Chromium, or the test skips saying so; in CI (CI_REQUIRE_CHROMIUM=1, .ci/run) it fails instead."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        reason = "Chromium is not installed: run `apt-get install chromium` (Debian) for the browser test"
        if os.environ.get("CI_REQUIRE_CHROMIUM") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@pytest.fixture(scope="module")
def chromium() -> str:
    return find_chromium()


def test_without_chromium_the_browser_tests_skip_and_fail_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI_REQUIRE_CHROMIUM", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        find_chromium()
    monkeypatch.setenv("CI_REQUIRE_CHROMIUM", "1")
    with pytest.raises(pytest.fail.Exception, match="Chromium is not installed"):
        find_chromium()


@pytest.fixture(scope="module")
def docs_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """docs/index.html as `make docs` builds it, in a copy of the checkout."""
    repository = copy_of_checkout(tmp_path_factory.mktemp("docs") / "repository")
    subprocess.run(["make", "-s", "docs"], cwd=repository, check=True, capture_output=True, timeout=300)
    return repository / "docs" / "index.html"


@pytest.fixture(scope="module")
def docs_server(docs_page: Path) -> Iterator[MockProcess]:
    server = MockProcess(mock_env(), docs_page.parent / "mock.log", ["--docs", str(docs_page)])
    yield server
    server.stop()


def run_chromium(chromium: str, profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def visible_text(dom: str) -> str:
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.DOTALL | re.IGNORECASE)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", dom)).split())


def test_built_page_loads_nothing_from_elsewhere(docs_page: Path) -> None:
    page = re.sub(r"<script>.*?</script>", "", docs_page.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert '<div id="redoc">' in page
    assert not re.search(r"<(script|img|iframe)[^>]+src=", page, re.IGNORECASE)
    assert not re.search(r"<link[^>]+href=", page, re.IGNORECASE)


def test_docs_page_shows_the_whole_api_offline(
    chromium: str, docs_page: Path, docs_server: MockProcess, tmp_path: Path
) -> None:
    url = f"{docs_server.base_url}/docs"
    result = run_chromium(chromium, tmp_path / "profile", "--dump-dom", url)
    assert "Uncaught" not in result.stderr, result.stderr[-2000:]
    text = visible_text(result.stdout)

    api = ApiSpec.load(SPEC_PATH)
    for path, method, operation in api.operations():
        assert operation["summary"] in text, f"{method} {path} is not on the page"
        for status in operation["responses"]:
            assert re.search(rf"\b{status}\b", text), f"{method} {path} {status} is not on the page"
    for field in ("ErrorResponse", "ErrorItem", "errors", "title", "status", "detail", "relationships", "accounts"):
        assert field in text, f"the error schema's {field!r} is not on the page"
    for mark in api.assumptions.values():
        assert f"{mark.id} {mark.where}" in text, f"the assumption {mark.id} is not listed on the page"

    shot = docs_page.with_suffix(".png")
    run_chromium(chromium, tmp_path / "profile-shot", "--window-size=1400,2400", f"--screenshot={shot}", url)
    assert shot.is_file(), "no screenshot was saved"
    assert shot.stat().st_size > 50_000, "the screenshot is blank"
