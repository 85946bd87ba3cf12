"""The mock serves the rendered docs at /docs, and says how to build them when they are missing."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import httpx

from ep_cart_mock.app import create_app
from ep_cart_mock.config import Settings
from ep_cart_mock.table import RULES


def get(settings: Settings, path: str) -> httpx.Response:
    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as http:
            return await http.get(path)

    return asyncio.run(run())


def test_docs_page_is_served_as_html(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_text("<!DOCTYPE html><title>docs</title>", encoding="utf-8")
    response = get(replace(Settings.from_env({}), docs_path=page), "/docs")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == page.read_text(encoding="utf-8")


def test_missing_docs_page_says_how_to_build_it(tmp_path: Path) -> None:
    response = get(replace(Settings.from_env({}), docs_path=tmp_path / "absent.html"), "/docs")
    assert response.status_code == 404
    assert response.json()["errors"][0]["detail"] == RULES["docs-not-built"].detail
