"""The report page, from the run's one results model: a fast test of its content, no browser (the page is also
opened in Chromium by tests/faults/test_suite_judges_stores.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from ep_cart_contract.observations import ResponseRow
from ep_cart_contract.report import render_html
from ep_cart_contract.results import Cleanup, RunInfo, RunResults


def claim(kind: str, title: str, *, broken: int, guards_access: bool = False, body: str = "") -> dict[str, Any]:
    evidence = [
        {
            "check": f"seen by {title}",
            "rule": "responses/200",
            "expected": "status 200",
            "status": 500,
            "body": body,
            "request": "curl -X POST http://store/v2/carts/c1/relationships/accounts",
            "profile": "",
        }
    ]
    return {
        "key": f"{kind}:{title}",
        "kind": kind,
        "title": title,
        "source": "vendor contract (S1)" if kind == "vendor contract" else "",
        "where": None if kind == "vendor contract" else "openapi.yaml:100",
        "reason": None if kind == "vendor contract" else "The vendor is silent.",
        "covers": [],
        "guards_access": guards_access,
        "checked": 3,
        "broken": broken,
        "evidence": evidence if broken else [],
    }


def results(mode: str = "report") -> RunResults:
    claims = [
        claim("assumption", "body-too-large", broken=1),
        claim("assumption", "error-message-in-title", broken=2),
        claim(
            "vendor contract",
            "schemathesis checks of POST /v2/carts/{cartID}/relationships/accounts",
            broken=1,
            body='{"errors":[{"title":"<script>alert(1)</script>"}]}',
        ),
        claim("vendor contract", "GET /v2/carts 200 matches its documented response", broken=0),
    ]
    return RunResults(
        run=RunInfo(
            "https://store.example",
            "default",
            mode,
            "ct-1",
            "2026-12-02 12:00:00 UTC",
            True,
            1,
            "a claim broke: the store (or the vendor's contract) changed; the report names it",
            "1234",
        ),
        verdicts={
            "summary": [
                "vendor contract: 2 claims, 1 held, 1 broken",
                "assumptions: 2 checked, 0 held, 2 did not hold",
            ],
            "claims": claims,
        },
        responses=[
            ResponseRow("POST /v2/carts/{cartID}/relationships/accounts", 200, 5, 5, []),
            ResponseRow(
                "GET /v2/carts/{cartID}", 200, 4, 2, ["data/relationships: not a uuid"], 2, ["account-id-is-a-uuid"]
            ),
            ResponseRow("GET /v2/carts", 200, 3, 1, ["meta: wrong"], 1, ["page-limit-above-100-refused"]),
            ResponseRow("DELETE /v2/carts/{cartID}/relationships/accounts", 204, 0, 0, []),
        ],
        undocumented=[],
        store_profile={"judged_by": "defaults", "points": []},
        unresponsive=[],
        preflight={
            "checked": ["EP_CLIENT_ID, EP_CLIENT_SECRET: both grants answer a token"],
            "problems": [],
            "requests": 5,
            "seconds": 0.01,
        },
        account_tokens={"logins": 2, "from_login": ["EP_ACCOUNT_TOKEN"]},
        fixture_skips=[],
        cleanup=Cleanup(3, 3, []),
        availability={
            "unavailable": False,
            "requests": 120,
            "retries": 2,
            "retries_by_operation": {"GET /v2/carts": 2},
            "failed": [],
            "unjudged": [],
            "reruns": [],
        },
        kit_failures=[],
        fixture_failures=[],
    )


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def test_the_claims_that_decide_the_exit_status_come_first() -> None:
    text = visible(render_html(results("report")))
    vendor = text.index("schemathesis checks of POST")
    assert vendor < text.index("body-too-large") < text.index("error-message-in-title")
    assert text.count("only reported (EP_ASSUMPTIONS=report)") == 2
    # In the default mode every broken claim decides it: none is marked as only reported.
    assert "only reported" not in visible(render_html(results("fail")))


def test_an_answer_the_profile_explains_is_shown_as_such_and_one_it_does_not_is_not() -> None:
    text = visible(render_html(results()))
    assert "GET /v2/carts/{cartID} 200 4 2 as the profile says (account-id-is-a-uuid)" in text
    assert "GET /v2/carts 200 3 1 not conforming : meta: wrong" in text
    assert "DELETE /v2/carts/{cartID}/relationships/accounts 204 0 0 never observed" in text
    assert "POST /v2/carts/{cartID}/relationships/accounts 200 5 5 ok" in text


def test_every_value_is_escaped_and_the_page_loads_nothing() -> None:
    page = render_html(results())
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"<(script|img|iframe|link)\b", page, re.IGNORECASE)


def test_the_page_shows_the_verdicts_the_preflight_and_the_clean_up() -> None:
    text = visible(render_html(results()))
    for line in results().verdicts["summary"]:
        assert line in text
    assert "ok: EP_CLIENT_ID, EP_CLIENT_SECRET: both grants answer a token" in text
    assert "account tokens from a member's login: EP_ACCOUNT_TOKEN (2 logins in the run" in text
    assert "Associations created: 3 , removed: 3 , left: 0" in text
    assert "Claims that held (1)" in text
