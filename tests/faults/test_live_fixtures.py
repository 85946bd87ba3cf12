"""A live run's fixtures (account tokens, the contact-email cart, the variables themselves) break in the ways a
nightly run meets: expired, purged, unset. Each is the kit's to notice and name, before it judges the store; none
may become a vendor-contract failure or a traceback.

Each test runs the real suite (`ep-cart-contract`) in a subprocess against the bundled mock started as a
"live store" (EP_BASE_URL), with the fixture broken as a store would break it.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ep_cart_spec import DEFAULTS, LOGIN_PATH
from tests.conftest import MockProcess, contract_suite, mock_env, token_form
from tests.paths import ROOT

pytestmark = pytest.mark.slow  # whole runs of the contract suite (make test-fast leaves them out)

APPLICATION = {name: DEFAULTS[name] for name in ("EP_CLIENT_ID", "EP_CLIENT_SECRET")}
ACCOUNTS = {name: DEFAULTS[name] for name in ("EP_ACCOUNT_ID", "EP_OTHER_ACCOUNT_ID")}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MockProcess]:
    server = MockProcess(mock_env(EP_TEST_CONTROLS="1"), tmp_path / "mock.log")
    yield server
    server.stop()


def run_suite(store: MockProcess, tmp_path: Path, *arguments: str, **values: str) -> subprocess.CompletedProcess[str]:
    settings = {"EP_RATE_LIMIT": "off", "EP_CONTRACT_PROFILE": "smoke", **values}
    env = mock_env(EP_BASE_URL=store.base_url, EP_REPORT_DIR=str(tmp_path / "reports"), **settings)
    return subprocess.run(contract_suite(*arguments), cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_unset_token_variables_skip_their_scenarios_with_the_junit_report_written(
    store: MockProcess, tmp_path: Path
) -> None:
    """The README's promise: "a scenario whose variables are missing is skipped with a message naming them",
    with the JUnit report on (ep-cart-contract always writes one); once an INTERNALERROR at the first skip."""
    result = run_suite(
        store,
        tmp_path,
        "-k",
        "test_first_association or test_token_endpoint_issues",
        **APPLICATION,
        **ACCOUNTS,
    )
    output = result.stdout + result.stderr
    assert "INTERNALERROR" not in output, output[-3000:]
    assert result.returncode == 0, output[-3000:]
    junit = ElementTree.parse(tmp_path / "reports" / "contract-junit.xml").getroot()
    skipped = {
        case.get("name"): skip.get("message", "") for case in junit.iter("testcase") for skip in case.findall("skipped")
    }
    assert "test_first_association_returns_200_with_the_account" in skipped, skipped
    assert "EP_ACCOUNT_TOKEN" in skipped["test_first_association_returns_200_with_the_account"]
    passed = [case.get("name") for case in junit.iter("testcase") if not list(case)]
    assert any(name and name.startswith("test_token_endpoint_issues") for name in passed), passed


MEMBER = {
    name: DEFAULTS[name]
    for name in ("EP_PASSWORD_PROFILE_ID", "EP_ACCOUNT_MEMBER_USERNAME", "EP_ACCOUNT_MEMBER_PASSWORD")
}
CONTACT_CART = {"EP_CONTACT_EMAIL_CART_ID": DEFAULTS["EP_CONTACT_EMAIL_CART_ID"]}


def short_lived_store(tmp_path: Path, seconds: int) -> MockProcess:
    """The bundled mock as a store whose account tokens live `seconds` (test controls on, to read its state)."""
    return MockProcess(
        mock_env(EP_TEST_CONTROLS="1", EP_ACCOUNT_TOKEN_TTL_SECONDS=str(seconds)), tmp_path / "short-lived.log"
    )


def junit_outcomes(tmp_path: Path, junit: Path | None = None) -> dict[str, str]:
    """Each test's outcome in the run's JUnit report (`junit`, or the one ep-cart-contract writes in
    tmp_path/reports): passed, skipped (with its message), failed."""
    outcomes = {}
    for case in ElementTree.parse(junit or tmp_path / "reports" / "contract-junit.xml").getroot().iter("testcase"):
        children = list(case)
        skipped = case.find("skipped")
        if skipped is not None:
            outcomes[case.get("name", "")] = f"skipped: {skipped.get('message', '')}"
        else:
            outcomes[case.get("name", "")] = (
                "failed" if any(c.tag in ("failure", "error") for c in children) else "passed"
            )
    return outcomes


def broken_claims(tmp_path: Path) -> list[str]:
    report = json.loads((tmp_path / "reports" / "contract.json").read_text(encoding="utf-8"))
    return [claim["title"] for claim in report["verdicts"]["claims"] if claim["broken"]]


def test_a_run_with_member_credentials_outlasts_15_second_tokens_and_leaves_nothing(tmp_path: Path) -> None:
    """A store whose account tokens live 15 seconds, a run of about 30 (25 requests a second): the run logs in
    again before each token's end, every scenario that acts as an account runs (none skipped), it passes, and
    nothing it associated is left."""
    store = short_lived_store(tmp_path, 15)
    try:
        result = run_suite(
            store, tmp_path, "-q", **APPLICATION, **ACCOUNTS, **MEMBER, **CONTACT_CART, EP_RATE_LIMIT="25/s"
        )
        state = store.state()
    finally:
        store.stop()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    report = json.loads((tmp_path / "reports" / "contract.json").read_text(encoding="utf-8"))
    assert report["account_tokens"]["from_login"] == ["EP_ACCOUNT_TOKEN", "EP_OTHER_ACCOUNT_TOKEN"]
    assert report["account_tokens"]["logins"] >= 2, "the run outlasted a token: it must have logged in again"
    outcomes = junit_outcomes(tmp_path)
    for scenario in (
        "test_shopper_with_the_accounts_token_associates",
        "test_shopper_deletes_own_association",
        "test_after_200_the_accounts_list_holds_the_cart",
        "test_member_login_returns_the_accounts_token_which_lists_its_carts",
    ):
        assert outcomes.get(scenario) == "passed", (scenario, outcomes.get(scenario))
    assert report["cleanup"]["left"] == []
    assert report["cleanup"]["created"] == report["cleanup"]["removed"] > 0
    assert state["associations"] == []
    assert DEFAULTS["EP_ACCOUNT_MEMBER_PASSWORD"] not in output
    assert DEFAULTS["EP_ACCOUNT_MEMBER_PASSWORD"] not in (tmp_path / "reports" / "contract-junit.xml").read_text()


def test_a_static_token_the_store_refuses_as_expired_stops_the_run_in_the_preflight(tmp_path: Path) -> None:
    """The same store, with only static tokens that expired overnight: the run stops before any test, exit
    status 6, naming EP_ACCOUNT_TOKEN and what to do; no claim, of the vendor's or ours, is marked broken."""
    store = short_lived_store(tmp_path, 1)
    try:
        with httpx.Client(base_url=store.base_url, timeout=10) as http:
            shopper = http.post("/oauth/access_token", data=token_form("implicit")).json()["access_token"]
            login = http.post(
                LOGIN_PATH,
                json={
                    "data": {
                        "type": "account_management_authentication_token",
                        "authentication_mechanism": "password",
                        "password_profile_id": MEMBER["EP_PASSWORD_PROFILE_ID"],
                        "username": MEMBER["EP_ACCOUNT_MEMBER_USERNAME"],
                        "password": MEMBER["EP_ACCOUNT_MEMBER_PASSWORD"],
                    }
                },
                headers={"Authorization": f"Bearer {shopper}"},
            ).json()
        expired = {entry["account_id"]: entry["token"] for entry in login["data"]}
        time.sleep(1.2)
        result = run_suite(
            store,
            tmp_path,
            "-q",
            **APPLICATION,
            **ACCOUNTS,
            **CONTACT_CART,
            EP_ACCOUNT_TOKEN=expired[ACCOUNTS["EP_ACCOUNT_ID"]],
            EP_OTHER_ACCOUNT_TOKEN=expired[ACCOUNTS["EP_OTHER_ACCOUNT_ID"]],
        )
    finally:
        store.stop()
    output = result.stdout + result.stderr
    assert result.returncode == 6, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert "INTERNALERROR" not in output, output[-3000:]
    assert (
        "EP_ACCOUNT_TOKEN: the store refuses it (401): account tokens last 24 hours; set EP_ACCOUNT_MEMBER_USERNAME"
        in output
    ), output[-3000:]
    assert "EP_OTHER_ACCOUNT_TOKEN: the store refuses it (401)" in output
    assert "[vendor contract]" not in output
    assert broken_claims(tmp_path) == []
    report = json.loads((tmp_path / "reports" / "contract.json").read_text(encoding="utf-8"))
    assert {problem["variable"] for problem in report["preflight"]["problems"]} == {
        "EP_ACCOUNT_TOKEN",
        "EP_OTHER_ACCOUNT_TOKEN",
    }
    page = (tmp_path / "reports" / "contract.html").read_text(encoding="utf-8")
    assert "The run stopped here: nothing was judged." in page
    assert "EP_ACCOUNT_TOKEN: the store refuses it (401)" in page
    for token in expired.values():
        assert token not in output
        assert token not in page


def test_a_contact_email_cart_without_its_email_gives_way_to_one_the_run_makes(
    store: MockProcess, tmp_path: Path
) -> None:
    """The override's cart expired and reading its ID made a new, empty one (S3): the preflight says so, the run
    makes a contact-email cart of its own, and the two 422 scenarios run on it (before, they were skipped, and a
    green night had not checked the 422 claim)."""
    purged = f"purged-{uuid.uuid4().hex[:12]}"
    result = run_suite(store, tmp_path, "-q", **APPLICATION, **ACCOUNTS, **MEMBER, EP_CONTACT_EMAIL_CART_ID=purged)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    outcomes = junit_outcomes(tmp_path)
    for method in ("POST", "DELETE"):
        assert outcomes[f"test_cart_with_a_contact_email_returns_422[{method}]"] == "passed", outcomes
    assert broken_claims(tmp_path) == []
    report = json.loads((tmp_path / "reports" / "contract.json").read_text(encoding="utf-8"))
    assert report["preflight"]["problems"] == []
    (line,) = [line for line in report["preflight"]["checked"] if line.startswith("EP_CONTACT_EMAIL_CART_ID")]
    assert f"cart {purged} carries no contact email" in line, line
    assert line.endswith("the run makes a contact-email cart of its own"), line
