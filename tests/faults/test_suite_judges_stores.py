"""The contract suite judges a store that answers otherwise than the mock rightly: a server of independent
decisions (broken assumptions, never the vendor's contract; passing when judged by its profile), stores that refuse
unknown or some carts, a team's store with a real cart, stores that are slow, rate-limited, unavailable now and
then or for good, a 500, and an error inside the kit itself. The runs: tests/faults/runs.py.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import yaml

from ep_cart_contract import twin
from ep_cart_contract.live_safety import is_safe_cart_id
from ep_cart_contract.wording import PROFILE_NAME
from ep_cart_spec import ASSOCIATION_PATH, load, read_profile
from tests.faults.kit_error import NOTE
from tests.faults.proxy import REAL_CART
from tests.faults.runs import (
    CANARIES,
    FIXTURES,
    INDEPENDENT_PROFILE,
    FaultRuns,
    RunKey,
    assert_no_secret_leaked,
    broken,
    fault_runs,
    verdicts,
)
from tests.faults.test_live_fixtures import junit_outcomes
from tests.test_docs_browser import chromium, run_chromium, visible_text

__all__ = ["chromium", "fault_runs"]  # fixtures: the docs page's browser, the module's runs

pytestmark = pytest.mark.slow  # whole runs of the contract suite (make test-fast leaves them out)

# The independent server's decisions, each the other way from ours: the marks it must be reported under.
INDEPENDENT_DIFFERENCES = {
    "error-message-in-title",  # the documented message as the detail, under a generic title
    "account-id-is-a-uuid",  # any string is an account ID
    "account-token-empty-refused",  # an empty account-token header is no header
    "account-token-length",  # an administrator's account token is not read at all, nor its length
    "account-token-scopes-administrator",  # an administrator stays one with an account token
    "token-request-refused-with-400",  # every refused token request is a 401
    "shopper-token-refused-with-403",  # a list request with no shopper token is a 400
    "page-out-of-range-refused-with-400",  # a page[limit] over 100 is cut to 100
    "delete-of-a-missing-association-answers-204",  # deleting an association that does not exist is a 404
}
# It also advertises the vendor's cart methods the spec leaves out (Allow: GET, PUT, DELETE), which breaks no
# claim at all: the vendor has them (S3).


def test_independent_server_breaks_only_assumptions_and_fails_by_default(fault_runs: FaultRuns) -> None:
    run = fault_runs[RunKey("independent", "fail")]
    data = verdicts(run)
    assert run.returncode == 1, run.output[-3000:]
    assert not broken(data, "vendor contract"), [claim["title"] for claim in broken(data, "vendor contract")]
    assert {claim["title"] for claim in broken(data, "assumption")} == INDEPENDENT_DIFFERENCES
    assert "vendor contract:" in run.output
    assert ", 0 broken" in run.output
    for claim in broken(data, "assumption"):
        assert claim["where"].startswith("openapi.yaml:"), claim
        assert f"to change: {claim['where']}" in run.output
        assert claim["evidence"], f"{claim['title']} broke with no evidence"
    assert_no_secret_leaked(run)


def test_an_operation_that_never_answers_fails_once_and_the_run_ends(fault_runs: FaultRuns) -> None:
    """The proxy never answers DELETE: the first timeout fails the operation, which is sent nothing more, and
    the run ends with both verdicts in under two minutes (EP_REQUEST_TIMEOUT stays at its 30 s default)."""
    run = fault_runs[RunKey("delete-never-answers")]
    assert run.returncode == 1, run.output[-3000:]
    assert run.seconds < 120, f"the run took {run.seconds:.0f} s"
    assert f"DELETE {ASSOCIATION_PATH} did not answer within 30 s" in run.output
    assert f"FAILED: DELETE {ASSOCIATION_PATH} stopped answering" in run.output
    assert "vendor contract:" in run.output
    assert "assumptions:" in run.output
    data = verdicts(run)
    assert data["unresponsive"] == [f"DELETE {ASSOCIATION_PATH}"]
    assert data["cleanup"]["left"], "what the run could not delete is listed"
    assert run.stats["DELETE"] <= 3, f"DELETE was sent {run.stats['DELETE']} times after it stopped answering"


def test_a_live_run_touches_no_real_cart_and_sends_no_vendor_method_left_out(fault_runs: FaultRuns) -> None:
    """A store that already holds a team's real cart, associated with the configured account and listed by
    GET /v2/carts, and that has the vendor's POST /v2/carts and DELETE /v2/carts/{cartID} (S3): after a whole
    run, nothing was sent to the real cart, neither method was called, and its association holds. PUT
    /v2/carts/{cartID}, which the spec describes, reached the run's own carts only, the contact-email cart the
    run made (no EP_CONTACT_EMAIL_CART_ID is set) among them, and the 422 scenarios ran on it."""
    run = fault_runs[RunKey("team-store")]
    assert run.returncode == 0, run.output[-3000:]
    sent = (run.folder / "tokens.txt.requests").read_text(encoding="utf-8").splitlines()
    assert f"LISTED {REAL_CART}" in sent, "the run never saw the real cart: the proof would prove nothing"
    requests = [line for line in sent if not line.startswith("LISTED ")]
    assert len(requests) > 500, f"only {len(requests)} requests: not a whole run"
    # The real cart is the one its ID addresses: a path segment that decodes to it. The run's own carts may
    # carry the ID after their prefix (schemathesis reuses IDs it saw listed; the guard prefixes them).
    touched = [
        line
        for line in requests
        if REAL_CART in [urllib.parse.unquote(part) for part in line.split(" ", 1)[1].split("?")[0].split("/")]
    ]
    assert not touched, f"requests that reached the real cart: {touched[:5]}"
    left_out = [
        line
        for line in requests
        if line.split("?")[0] == "POST /v2/carts" or (re.fullmatch(r"DELETE /v2/carts/[^/?]*(\?.*)?", line) is not None)
    ]
    assert not left_out, f"vendor methods the spec leaves out were sent: {left_out[:5]}"
    # Updates of a cart ID that could name a real cart (safe characters only, S5; any other addresses none).
    updated = [
        urllib.parse.unquote(match.group(1))
        for line in requests
        if (match := re.fullmatch(r"PUT /v2/carts/([^/?]*)(\?.*)?", line)) is not None
    ]
    prefix = verdicts(run)["run"]["prefix"]
    addressed = [cart for cart in updated if is_safe_cart_id(cart)]
    assert addressed, "no PUT /v2/carts/{cartID} was sent: the run made no contact-email cart"
    assert all(cart.startswith(f"{prefix}-") for cart in addressed), [c for c in addressed if prefix not in c][:5]
    assert any(cart.startswith(f"{prefix}-contact-email-") for cart in addressed), addressed[:5]
    outcomes = junit_outcomes(run.folder, run.folder / "junit.xml")
    for method in ("POST", "DELETE"):
        assert outcomes[f"test_cart_with_a_contact_email_returns_422[{method}]"] == "passed", outcomes
    assert outcomes["test_contact_email_on_a_cart_with_an_account_is_refused"] == "passed", outcomes
    # The upstream store, read after the run: the real cart is still associated with the account.
    real = {"cart_id": REAL_CART, "account_id": FIXTURES["EP_ACCOUNT_ID"]}
    assert real in run.upstream_state["associations"], run.upstream_state["associations"][:5]


def test_rate_limited_answers_are_retried_not_reported(fault_runs: FaultRuns) -> None:
    """Every first request is answered 429 with Retry-After: 0; the suite retries and passes, and no 429 reaches
    the verdicts or the table."""
    run = fault_runs[RunKey("rate-limited")]
    refused = [line for line in (run.folder / "tokens.txt.429").read_text().splitlines() if line]
    # The proof that the server did refuse: the token endpoint, associations and both reads, each at least once.
    assert {line.split(" ")[1].split("/")[1] for line in refused} >= {"oauth", "v2"}, refused[:10]
    assert any(line.startswith("POST /v2/carts/") and line.endswith("/relationships/accounts") for line in refused)
    assert run.returncode == 0, run.output[-3000:]
    report = json.loads(run.report.read_text(encoding="utf-8"))
    assert not any("429" in line for line in report["undocumented"]), report["undocumented"][:5]
    assert_no_secret_leaked(run)


def test_report_page_shows_both_verdicts_offline(fault_runs: FaultRuns, chromium: str, tmp_path: Path) -> None:
    """reports/contract.html of the independent server's run, opened in headless Chromium with every other
    host blocked: both verdicts, each failed assumption with its evidence and line, the response matrix, the
    run's target, profile and prefix, and no secret. A screenshot is saved beside the page."""
    run = fault_runs[RunKey("independent", "fail")]
    data = verdicts(run)
    page = run.report.with_suffix(".html")
    html_text = page.read_text(encoding="utf-8")
    assert not re.search(r"<(script|img|iframe|link)\b", html_text, re.IGNORECASE), "the page must load nothing"

    result = run_chromium(chromium, tmp_path / "profile", "--dump-dom", page.as_uri())
    text = visible_text(result.stdout)
    for line in data["verdicts"]["summary"]:
        assert line in text, f"the verdict {line!r} is not on the page"
    for claim in broken(data, "assumption"):
        assert claim["title"] in text
        assert claim["where"] in text
    assert "curl -X POST" in text, "the evidence shows each request as curl"
    for row in data["responses"]:
        assert f"{row['operation']} {row['status']} {row['observed']}" in text
    assert data["run"]["prefix"] in text
    assert "profile smoke" in text
    assert "Associations created:" in text
    for secret in [value for name, value in CANARIES.items() if name != "EP_CLIENT_ID"] + run.bearer_tokens:
        assert secret not in html_text
        assert secret not in run.report.read_text(encoding="utf-8")

    shot = page.with_suffix(".png")
    run_chromium(chromium, tmp_path / "profile-shot", "--window-size=1300,2200", f"--screenshot={shot}", page.as_uri())
    assert shot.is_file(), "no screenshot was saved"
    assert shot.stat().st_size > 30_000, "the screenshot is blank"


# --- Store profiles (issue 18): what a run saw, and a run judged by a profile ---------------------------


def test_a_run_writes_the_alternatives_the_independent_server_showed(fault_runs: FaultRuns) -> None:
    """Judged by the defaults, the run writes reports/store-profile.yaml: every point where the independent
    server decides otherwise is named with the server's alternative and its evidence."""
    run = fault_runs[RunKey("independent", "fail")]
    written = run.folder / "reports" / "store-profile.yaml"
    profile = read_profile(written, load())  # usable as a profile as it is
    messages = [message for message, _ in load().assumptions["error-message-in-title"].messages]
    expected = {mark: value for mark, value in INDEPENDENT_PROFILE.items() if mark != "error-message-in-title"}
    expected |= {message: "detail" for message in messages}
    assert profile.differences() == expected
    document = yaml.safe_load(written.read_text(encoding="utf-8"))
    token = document["marks"]["token-request-refused-with-400"]
    assert token["alternative"] == "401"
    assert token["evidence"]["request"] == "POST /oauth/access_token"
    assert token["evidence"]["status"] == 401
    assert "not-reached" in document["marks"]["account-token-length"]
    assert document["store"]["target"].startswith("127.0.0.1:")
    points = verdicts(run)["store_profile"]["points"]
    shown = {point["point"]: point["observed"] for point in points if point["observed"] is not None}
    assert {key: value for key, value in shown.items() if value != points_default(points, key)} == expected
    assert "Store profile" in (run.folder / "reports" / "contract.html").read_text(encoding="utf-8")


def test_the_independent_server_passes_when_judged_by_its_profile(fault_runs: FaultRuns) -> None:
    """The same server, judged by its own profile in the default mode (EP_ASSUMPTIONS=fail): nothing broken."""
    run = fault_runs[RunKey("independent", "fail", "independent")]
    data = verdicts(run)
    assert run.returncode == 0, run.output[-4000:]
    assert not broken(data, "vendor contract")
    assert not broken(data, "assumption"), [claim["title"] for claim in broken(data, "assumption")]
    assert data["store_profile"]["judged_by"].endswith("independent.yaml")


def test_a_server_off_its_profile_on_one_point_fails_on_that_point_named(fault_runs: FaultRuns) -> None:
    """The profile keeps the default 400 for a refused token request; the server answers 401: the run fails on
    that mark alone, naming the profile's alternative and what the server showed."""
    run = fault_runs[RunKey("independent", "fail", "independent-but-token")]
    data = verdicts(run)
    assert run.returncode == 1, run.output[-4000:]
    assert not broken(data, "vendor contract")
    assert {claim["title"] for claim in broken(data, "assumption")} == {"token-request-refused-with-400"}
    assert "token-request-refused-with-400: 400, as " in run.output, run.output[-4000:]
    assert "independent-but-token.yaml says; the store showed 401" in run.output
    # The failure names the profile file beside the spec's line: either may be the edit to make.
    assert re.search(r"or, if the store is right and the profile is not: \S*independent-but-token\.yaml", run.output)


def points_default(points: list[dict[str, Any]], key: str) -> str:
    return next(str(point["default"]) for point in points if point["point"] == key)


# --- Carts nobody has read (new-cart-id-is-a-new-cart) ----------------------------------------------------------


def test_a_store_that_refuses_unknown_carts_passes_report_mode_naming_only_that_mark(fault_runs: FaultRuns) -> None:
    """404 to a POST on a cart it has never seen, every documented fact kept: the scenarios read their carts
    first, so only the one that asks the open question (and generated requests to unread IDs) meet the 404."""
    run = fault_runs[RunKey("unknown-cart-post-404", "report")]
    data = verdicts(run)
    assert run.returncode == 0, run.output[-4000:]
    assert not broken(data, "vendor contract"), [claim["title"] for claim in broken(data, "vendor contract")]
    assert {claim["title"] for claim in broken(data, "assumption")} == {"new-cart-id-is-a-new-cart"}
    # Report mode: the scenario whose assumption did not hold ends as an expected failure, and the JUnit report
    # carries both verdicts. (A store that differs on many marks at once is judged in fail mode above: each is an
    # assumption, none the vendor's, and report mode's exit status reads only the vendor's contract.)
    assert "xfailed" in run.output, "scenarios whose assumption did not hold end as expected failures"
    assert 'name="verdict.vendor-contract"' in run.junit
    assert 'name="verdict.assumptions"' in run.junit
    assert "1 did not hold" in run.junit
    assert_no_secret_leaked(run)


def test_a_store_that_refuses_unknown_carts_passes_judged_by_a_profile_that_says_so(fault_runs: FaultRuns) -> None:
    run = fault_runs[RunKey("unknown-cart-post-404", "fail", "unknown-carts-404")]
    data = verdicts(run)
    assert run.returncode == 0, run.output[-4000:]
    assert [claim["title"] for claim in data["verdicts"]["claims"] if claim["broken"]] == []
    written = yaml.safe_load((run.folder / "reports" / "store-profile.yaml").read_text(encoding="utf-8"))
    assert written["marks"]["new-cart-id-is-a-new-cart"]["alternative"] == "404"


def test_a_store_that_refuses_some_carts_fails_even_in_report_mode_naming_the_read_fact(fault_runs: FaultRuns) -> None:
    """404 to association requests on some cart IDs whether or not they exist: on a cart the run read first,
    that breaks S3's read fact, the vendor's contract, so the run fails even when assumptions are only reported
    (and so in the default mode, which fails on more)."""
    run = fault_runs[RunKey("some-carts-404", "report")]
    data = verdicts(run)
    assert run.returncode == 1, run.output[-4000:]
    sources = [claim["source"] for claim in broken(data, "vendor contract")]
    assert any("reading a cart ID makes the cart" in source for source in sources), sources


def test_a_store_unavailable_now_and_then_passes_with_nothing_left_and_no_claim(fault_runs: FaultRuns) -> None:
    """One request in 25 fails: answered 503, or its connection closed without an answer, before or after the
    store applied it. Each is retried; an answer that may be to a repeat is not judged as the first (the scenario
    runs again on new carts); the run passes in the default mode (so in `report` too, which fails on fewer), no
    claim broken, nothing left on the store."""
    run = fault_runs[RunKey("unavailable-now-and-then", "fail")]
    failed = (run.folder / "tokens.txt.unavailable").read_text(encoding="utf-8").splitlines()
    kinds = {line.split(" ")[0] + (" after" if line.startswith("dropped after") else "") for line in failed}
    assert kinds == {"503", "dropped", "dropped after"}, failed[:10]  # the proof the store did fail, each way
    assert run.returncode == 0, run.output[-5000:]
    data = verdicts(run)
    assert [claim["title"] for claim in data["verdicts"]["claims"] if claim["broken"]] == []
    # Counted where the kit's transport retried (schemathesis resends its checks' own probes uncounted).
    assert data["availability"]["retries"] >= len(failed) // 2, data["availability"]
    assert data["availability"]["failed"] == []
    assert data["cleanup"]["left"] == []
    prefix = data["run"]["prefix"]
    left = [item for item in run.upstream_state["associations"] if item["cart_id"].startswith(prefix)]
    assert left == [], left[:5]
    assert "the store's availability (not its contract)" in run.output
    assert_no_secret_leaked(run)


def test_a_store_down_for_good_is_unavailable_not_a_claim_nor_a_credentials_problem(fault_runs: FaultRuns) -> None:
    """Every request answered 503: the run stops before any test with the unavailable exit status, in a few
    tries' time; it blames no fixture (no "check EP_CLIENT_ID"), prints no traceback, judges nothing."""
    run = fault_runs[RunKey("down")]
    assert run.returncode == 8, run.output[-3000:]
    for unwanted in ("Traceback", "ERROR collecting", "check EP_CLIENT_ID", "[vendor contract]", "INTERNALERROR"):
        assert unwanted not in run.output, run.output[-3000:]
    assert "STOPS THE RUN: EP_BASE_URL: the store is unavailable, no fixture is to blame" in run.output
    assert "503 after 5 tries" in run.output
    assert run.output.count("the store is unavailable, no fixture is to blame") == 1, run.output[-3000:]
    data = verdicts(run)
    assert data["availability"]["unavailable"] is True
    assert data["run"]["exit_status"] == 8
    assert not [claim for claim in data["verdicts"]["claims"] if claim["broken"]]
    assert run.seconds < 120, f"a store down for good took {run.seconds:.0f} s to name"


def test_a_500_on_a_valid_request_is_a_broken_claim_not_unavailability(fault_runs: FaultRuns) -> None:
    """The store erred on requests the spec accepts (a read of the run's own cart answered 500): not retried, and
    a claim broken, exit status 1."""
    run = fault_runs[RunKey("500-on-valid")]
    assert run.returncode == 1, run.output[-3000:]
    data = verdicts(run)
    assert any(line.startswith("GET /v2/carts/{cartID} answered 500") for line in data["undocumented"])
    assert broken(data, "vendor contract")
    assert data["availability"]["failed"] == []


def test_an_error_inside_the_kit_is_named_as_the_kits_not_the_stores(fault_runs: FaultRuns) -> None:
    """A hook that raises (tests/faults/hook_that_raises.py) in front of a store that keeps its contract: exit
    status 9, "the kit failed, not the store", the error and the command that reproduces it with the run's seed;
    no claim broken."""
    run = fault_runs[RunKey("none", "kit-error")]
    assert run.returncode == 9, run.output[-3000:]
    data = verdicts(run)
    assert not [claim for claim in data["verdicts"]["claims"] if claim["broken"]]
    assert data["kit_failures"], data
    failure = data["kit_failures"][0]
    assert "KeyError" in failure["error"]
    assert "a bug in a hook" in failure["error"]
    assert NOTE in failure["details"], "the whole error, with the notes Hypothesis adds, is kept"
    assert NOTE in run.report.with_suffix(".html").read_text(encoding="utf-8"), "and shown on the page"
    assert_no_secret_leaked(run)
    seed = data["run"]["seed"]
    assert seed
    assert f"--seed {seed} -k test_operation_conforms_to_the_spec" in failure["reproduce"]
    assert "the kit failed, not the store" in run.output


# --- The mock as a twin of these stores (issue 31): each run's recording replayed against the mock ---------------


def twin_check(recording: Path, folder: Path, *options: str) -> tuple[int, dict[str, Any]]:
    status = twin.main([str(recording), "--report-dir", str(folder), *options])
    report: dict[str, Any] = json.loads((folder / "twin-check.json").read_text(encoding="utf-8"))
    return status, report


def differing(report: dict[str, Any]) -> set[tuple[str, int, str, str]]:
    """(operation, the store's status, aspect, the mock's value) of every difference."""
    return {
        (difference["operation"], difference["store"]["status"], aspect["aspect"], json.dumps(aspect["mock"]))
        for difference in report["differences"]
        for aspect in difference["aspects"]
    }


def test_the_mock_replaying_the_independent_server_names_its_choices_and_follows_the_learned_ones(
    fault_runs: FaultRuns, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Replayed against the mock as openapi.yaml describes it, the independent server's run differs where the
    server decided otherwise; against the mock following the profile the same run learned, only the errors'
    wording differs (their status's type too, without the mark that learned it); that replay learns the server's
    wording, and the mock given it answers every exchange as the server did."""
    reports = fault_runs[RunKey("independent", "fail")].folder / "reports"
    status, defaults = twin_check(reports / "exchanges.har", tmp_path / "defaults")
    assert status == twin.DIFFER
    found = differing(defaults)
    assert ("POST /oauth/access_token", 401, "status", "400") in found  # token-request-refused-with-400
    assert ("GET /v2/carts", 200, "status", "400") in found  # page-limit-above-100-refused: clamped here
    assert any(aspect == "errors" for _, _, aspect, _ in found)  # error-message-in-title: a generic title here
    status, learned = twin_check(
        reports / "exchanges.har", tmp_path / "learned", "--store-profile", str(reports / "store-profile.yaml")
    )
    assert {aspect for _, _, aspect, _ in differing(learned)} <= {"errors"}, learned["differences"][:3]
    assert learned["summary"]["comparable"] >= 0.95 * learned["summary"]["exchanges"] > 300
    assert learned["summary"]["identical"] > defaults["summary"]["identical"]
    assert "twin-check: " in capsys.readouterr().out
    wording = learned["wording"]["learned"]
    assert wording["shopper-token-required"] == {"title": "Bad Request", "detail": "Shopper token required"}, wording
    status, worded = twin_check(
        reports / "exchanges.har", tmp_path / "worded", "--store-profile", str(tmp_path / "learned" / PROFILE_NAME)
    )
    assert status == twin.AGREE, worded["differences"][:3]
    assert worded["summary"]["identical"] == worded["summary"]["comparable"] == learned["summary"]["comparable"]


def test_the_mock_given_the_learned_profile_refuses_unknown_carts_as_that_store_does(
    fault_runs: FaultRuns, tmp_path: Path
) -> None:
    reports = fault_runs[RunKey("unknown-cart-post-404", "fail", "unknown-carts-404")].folder / "reports"
    status, defaults = twin_check(reports / "exchanges.har", tmp_path / "defaults")
    assert status == twin.DIFFER
    assert ("POST /v2/carts/{cartID}/relationships/accounts", 404, "status", "200") in differing(defaults)
    _, learned = twin_check(
        reports / "exchanges.har", tmp_path / "learned", "--store-profile", str(reports / "store-profile.yaml")
    )
    assert {aspect for _, _, aspect, _ in differing(learned)} <= {"errors"}, learned["differences"][:3]
    # What is left is the store's words for the 404 the alternative adds (its name: the mark's `answers`).
    assert set(learned["wording"]["learned"]) == {"cart-not-found"}, learned["wording"]
    status, worded = twin_check(
        reports / "exchanges.har", tmp_path / "worded", "--store-profile", str(tmp_path / "learned" / PROFILE_NAME)
    )
    assert status == twin.AGREE, worded["differences"][:3]
