"""`ep-cart-twin-check` (ep_cart_contract/twin.py) on a recording of a run against the bundled mock: replayed
against a fresh mock it agrees on every exchange, and each way a store could answer otherwise, written into the
recording, is named, with a non-zero exit status.

The recording is the run's reports/exchanges.har (ep_cart_contract/exchanges.py). The independent server's
recordings, replayed with and without the profile the same run learned, are in faults/test_suite_judges_stores.py.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ep_cart_contract import twin
from ep_cart_contract.exchanges import ROLES, Exchanges
from ep_cart_contract.redaction import CREDENTIAL_HEADERS, written_forms
from ep_cart_contract.wording import learn
from ep_cart_spec import SECRET_VARIABLES, load
from tests.conftest import mock_env
from tests.paths import ROOT

pytestmark = pytest.mark.slow  # a whole run of the contract suite (make test-fast leaves it out)

Entry = dict[str, Any]
PAGE_DETAIL = "page[limit] must be a whole number from 1 to 100, page[offset] a whole number from 0."
CART_UPDATE_INVALID = {"status": 400, "title": "Invalid cart update", "detail": "data.contact: not an object"}
TWO_ACCOUNTS = {
    "status": 403,
    "title": "Cannot associate more than one account",
    "detail": "The cart is already associated with another account.",
}


STORE = {
    "EP_CLIENT_ID": "store-client-id-71c3",
    "EP_CLIENT_SECRET": "store-client-secret-9e4a",
    "EP_ACCOUNT_ID": "3c0a9f1e-7b2d-4e8a-9c5f-1d2e3f4a5b6c",
    "EP_OTHER_ACCOUNT_ID": "8e7d6c5b-4a39-4281-b7c6-d5e4f3a2b1c0",
    "EP_PASSWORD_PROFILE_ID": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "EP_ACCOUNT_MEMBER_USERNAME": "first.member@store.example",
    "EP_ACCOUNT_MEMBER_PASSWORD": 'Müller "store" \\ 5d2e',  # written escaped in JSON: masked all the same
    "EP_OTHER_ACCOUNT_MEMBER_USERNAME": "second.member@store.example",
    "EP_OTHER_ACCOUNT_MEMBER_PASSWORD": "store-other-member-password-b81f",
}
"""The recorded store's values, none of them the mock's defaults (the bundled mock the run starts takes them): the
replay must map each to the fresh mock's, members and their passwords included (two members, one per account)."""
MAKE_RUN = ["make", "--no-print-directory", "-C", str(ROOT)]
"""The verbs as docs/live-store.md shows them, with the smoke profile and a reports folder of the test's own (the
checkout is left as it was found)."""


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make contract-test` (a smoke run of the suite against the bundled mock it starts), then `make twin-check`
    with the profile the run learned, as docs/live-store.md shows them."""
    folder = tmp_path_factory.mktemp("recorded") / "reports"
    env = {**mock_env(), "MAKEFLAGS": "", "MAKELEVEL": ""}
    verbs = f"REPORTS={folder}"
    ran = subprocess.run(
        [*MAKE_RUN, "contract-test", "PROFILE=smoke", verbs],
        env={**env, **STORE},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]
    checked = subprocess.run(
        [*MAKE_RUN, "twin-check", f"STORE_PROFILE={folder}/store-profile.yaml", verbs],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-2000:]
    (folder / "twin-check.out").write_text(checked.stdout, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def recording(reports: Path) -> Path:
    return reports / "exchanges.har"


def entries(path: Path) -> list[Entry]:
    entries: list[Entry] = json.loads(path.read_text(encoding="utf-8"))["log"]["entries"]
    return entries


def check(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *options: str
) -> tuple[int, dict[str, Any], str]:
    status = twin.main([str(path), "--report-dir", str(tmp_path / "twin"), *options])
    printed = capsys.readouterr()
    report_path = tmp_path / "twin" / "twin-check.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return status, report, printed.out + printed.err


def test_the_mock_s_own_recording_replays_identically(reports: Path) -> None:
    """`make twin-check` on the run `make contract-test` recorded, the mock following the profile the run learned."""
    report = json.loads((reports / "twin-check.json").read_text(encoding="utf-8"))
    printed = (reports / "twin-check.out").read_text(encoding="utf-8")
    summary = report["summary"]
    assert summary["exchanges"] == len(entries(reports / "exchanges.har")) > 300
    # Every exchange is comparable, but for what a busy machine may make the mock answer after a retry.
    assert summary["identical"] == summary["comparable"] >= 0.95 * summary["exchanges"], summary
    assert summary["differing"] == 0
    assert report["differences"] == []
    assert report["mock_store_profile"] == f"{reports}/store-profile.yaml"
    assert f"{summary['identical']} of {summary['comparable']} comparable exchanges identical (100.0 %)" in printed
    page = (reports / "twin-check.md").read_text(encoding="utf-8")
    assert page.startswith("# Twin check")
    for rule in ("timestamps", "token values", "hosts in links", "carts not of the run"):
        assert f"**{rule}**" in page  # the rules that set volatile values aside are listed
    assert "POST /v2/carts/{cartID}/relationships/accounts" in page


def test_the_recording_names_each_credential_by_role_and_holds_no_secret(recording: Path) -> None:
    text = recording.read_text(encoding="utf-8")
    secrets = [STORE[name] for name in SECRET_VARIABLES if name in STORE]
    assert len(secrets) == 3, "the client secret and both passwords: the check below would prove little"
    for secret in secrets:
        for form in written_forms(secret):  # as it is, escaped in JSON, percent-encoded
            assert form not in text, f"{secret} is in the recording, as {form}"
    recorded = entries(recording)
    roles = {entry["_credentials"][header] for entry in recorded for header in CREDENTIAL_HEADERS}
    assert {"administrator", "implicit", "first account", "second account", "invalid", "none"} <= roles
    assert roles <= {*ROLES, "none"}
    in_bodies = {entry["_credentials"].get("body") for entry in recorded} - {None}
    assert {"application", "member", "other member", "invalid"} <= in_bodies
    # Every credential of the run's is masked where it was carried (the member's login gave the account tokens,
    # so no configured value above would show them), every token the mock handed out too, and each check is named.
    for entry in recorded:
        for header in entry["request"]["headers"]:
            role = entry["_credentials"].get(header["name"].lower(), "none")
            if role not in ("none", "invalid"):
                assert header["value"] in ("[masked]", "Bearer [masked]"), f"a {role} credential is in clear"
        content = entry["response"]["content"]["text"]
        if '"access_token"' in content:
            assert json.loads(content)["access_token"] == "[masked]"
        if entry["request"]["url"].endswith("/v2/account-members/tokens") and entry["response"]["status"] == 201:
            tokens = [login["token"] for login in json.loads(content)["data"]]
            assert tokens, "a login answered with no token: the check below would prove nothing"
            assert set(tokens) == {"[masked]"}
        assert entry["_check"]["test"]
    phases = {entry["_check"].get("phase") for entry in recorded}
    assert {"examples", "coverage", "fuzzing", "stateful"} <= phases
    assert {"preflight", "clean-up"} <= {entry["_check"]["test"] for entry in recorded}


def first(recorded: list[Entry], wanted: Callable[[Entry], bool], taken: set[int]) -> Entry:
    """The first exchange `wanted` that no other change took (each change shows on an exchange of its own)."""
    index = next((index for index, entry in enumerate(recorded) if index not in taken and wanted(entry)), None)
    assert index is not None, "the recording has no such exchange: the change below would prove nothing"
    taken.add(index)
    return recorded[index]


def body(entry: Entry) -> Any:
    return json.loads(entry["response"]["content"]["text"])


def set_body(entry: Entry, document: Any) -> None:
    entry["response"]["content"]["text"] = json.dumps(document)


def is_list(entry: Entry) -> bool:
    return bool(entry["request"]["url"].split("?")[0].endswith("/v2/carts") and entry["response"]["status"] == 200)


def is_422(method: str) -> Callable[[Entry], bool]:
    return lambda entry: entry["response"]["status"] == 422 and entry["request"]["method"] == method


def answers_422(recorded: list[Entry], taken: set[int]) -> None:
    """A store that answers 400 where the mock answers 422 (an association refused on a contact-email cart)."""
    first(recorded, is_422("POST"), taken)["response"]["status"] = 400


def another_title(recorded: list[Entry], taken: set[int]) -> None:
    """A store that words an error its own way, every time: each refused contact email (PUT) has another title."""
    entry = first(recorded, is_422("PUT"), taken)
    while True:
        document = body(entry)
        document["errors"][0]["title"] = "Unprocessable"
        set_body(entry, document)
        if not any(is_422("PUT")(entry) for index, entry in enumerate(recorded) if index not in taken):
            break
        entry = first(recorded, is_422("PUT"), taken)


def another_order(recorded: list[Entry], taken: set[int]) -> None:
    entry = first(recorded, lambda entry: is_list(entry) and len(body(entry)["data"]) >= 2, taken)
    document = body(entry)
    document["data"].reverse()
    set_body(entry, document)


def clamped_page(recorded: list[Entry], taken: set[int]) -> None:
    entry = first(recorded, is_list, taken)
    document = body(entry)
    document["meta"]["page"]["limit"] = 7
    set_body(entry, document)


def another_account(recorded: list[Entry], taken: set[int]) -> None:
    def associated(entry: Entry) -> bool:
        return bool(entry["request"]["url"].endswith("/relationships/accounts") and entry["response"]["status"] == 200)

    entry = first(recorded, associated, taken)
    document = body(entry)
    first_account = document["data"][0]["id"] == STORE["EP_ACCOUNT_ID"]
    document["data"][0]["id"] = STORE["EP_OTHER_ACCOUNT_ID" if first_account else "EP_ACCOUNT_ID"]
    set_body(entry, document)


CHANGES = {
    "status": answers_422,
    "errors": another_title,
    "carts": another_order,
    "page": clamped_page,
    "association": another_account,
}
"""Each way a store could answer otherwise, written into the recording, and the aspect that must name it."""


def test_a_store_that_answered_otherwise_is_named_where_it_differs(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each change on an exchange of its own, replayed once: each exchange named on its aspect, and no other."""
    document = json.loads(recording.read_text(encoding="utf-8"))
    recorded = document["log"]["entries"]
    changed_on: dict[int, str] = {}
    for aspect, change in CHANGES.items():
        taken = set(changed_on)
        change(recorded, taken)
        changed_on |= dict.fromkeys(taken - set(changed_on), aspect)
    changed = tmp_path / "changed.har"
    changed.write_text(json.dumps(document), encoding="utf-8")
    status, report, printed = check(changed, tmp_path, capsys)
    assert status == twin.DIFFER, printed
    found = {
        difference["exchange"]: [item["aspect"] for item in difference["aspects"]]
        for difference in report["differences"]
    }
    assert found == {index: [aspect] for index, aspect in changed_on.items()}
    page = (tmp_path / "twin" / "twin-check.md").read_text()
    for aspect in CHANGES:
        assert f"differing on {aspect}: {list(changed_on.values()).count(aspect)}" in printed
    for difference in report["differences"]:
        assert difference["curl"].startswith("curl -X ")
        assert "127.0.0.1" in difference["curl"]
        assert "Authorization: [masked]" in difference["curl"] or "Authorization" not in difference["curl"]
        assert f"### Exchange {difference['exchange']}" in page
        assert difference["curl"] in page
    # The other title is the store's wording of that error: learned into twin-profile.yaml, by the rule the
    # mock's answer shows (the example's name), and the mock given that profile answers with it.
    assert report["wording"]["learned"] == {
        "contact-email-on-an-account-cart": {
            "title": "Unprocessable",
            "detail": "Registered shopper carts take their email from the shopper's details; remove the account first.",
        }
    }
    assert f"the store's wording of 1 error(s) learned: {tmp_path / 'twin' / 'twin-profile.yaml'}" in printed
    learned = tmp_path / "learned.yaml"
    learned.write_bytes((tmp_path / "twin" / "twin-profile.yaml").read_bytes())
    status, report, printed = check(changed, tmp_path, capsys, "--store-profile", str(learned))
    assert status == twin.DIFFER, printed
    found = {
        difference["exchange"]: [item["aspect"] for item in difference["aspects"]]
        for difference in report["differences"]
    }
    assert found == {index: [aspect] for index, aspect in changed_on.items() if aspect != "errors"}


def test_a_recording_it_cannot_read_or_compare_is_no_fidelity(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.har"
    broken.write_text("{", encoding="utf-8")
    status, _, printed = check(broken, tmp_path, capsys)
    assert status == twin.CANNOT_CHECK
    assert "not a recording of ep-cart-contract" in printed
    document = json.loads(recording.read_text(encoding="utf-8"))
    del document["log"]["entries"][3]["request"]["url"]
    broken.write_text(json.dumps(document), encoding="utf-8")
    status, _, printed = check(broken, tmp_path, capsys)
    assert status == twin.CANNOT_CHECK
    assert "entry 3 is no exchange of a recording (no request with a method and a URL)" in printed
    assert "Traceback" not in printed
    document = json.loads(recording.read_text(encoding="utf-8"))
    document["log"]["entries"] = document["log"]["entries"][:20]
    for entry in document["log"]["entries"]:
        entry["response"]["status"] = 0  # no answer recorded
    unanswered = tmp_path / "unanswered.har"
    unanswered.write_text(json.dumps(document), encoding="utf-8")
    status, report, printed = check(unanswered, tmp_path, capsys)
    assert status == twin.CANNOT_CHECK, printed
    assert report["summary"]["not_comparable_why"] == {"no answer was recorded": report["summary"]["exchanges"]}
    assert "nothing was comparable" in printed


def test_each_exit_status_is_listed_in_help_and_the_guide() -> None:
    help_text = twin.parser().format_help()
    guide = (ROOT / "docs" / "live-store.md").read_text(encoding="utf-8")
    workflow = (ROOT / ".github" / "workflows" / "contract.yml").read_text(encoding="utf-8")
    assert twin.EXIT_MEANINGS, "no exit status: this check would hold vacuously"
    for status, meaning in twin.EXIT_MEANINGS.items():
        assert f"  {status}  {meaning}" in help_text
        assert re.search(rf"^\| {status} \| .+ \|$", guide, re.MULTILINE), (
            f"docs/live-store.md lacks exit status {status}"
        )
    assert "make twin-check STORE_PROFILE=reports/store-profile.yaml" in workflow
    assert "GITHUB_STEP_SUMMARY" in workflow.split("make twin-check", 1)[1].split("- name:", 1)[0]


def test_a_login_s_credentials_and_tokens_are_named_by_the_member_and_the_account() -> None:
    """Two members sharing a password are told apart by their usernames; an account the store names in capitals
    is still the run's account, and the token it hands out a secret whatever the answer's status."""
    shared = {**STORE, "EP_OTHER_ACCOUNT_MEMBER_PASSWORD": STORE["EP_ACCOUNT_MEMBER_PASSWORD"]}
    found: list[str] = []
    recording = Exchanges(shared, on_secret=found.append)

    def login(username: str) -> bytes:
        fields = {"username": username, "password": shared["EP_ACCOUNT_MEMBER_PASSWORD"]}
        return json.dumps({"data": {"type": "account_management_authentication_token", **fields}}).encode()

    url = "http://store.example/v2/account-members/tokens"
    other = shared["EP_OTHER_ACCOUNT_MEMBER_USERNAME"]
    assert recording.body_role(url, login(other), "application/json") == "other member"
    assert recording.body_role(url, login(shared["EP_ACCOUNT_MEMBER_USERNAME"]), "application/json") == "member"
    assert recording.body_role(url, login("somebody@else.example"), "application/json") == "member"  # the password's
    answer = {"data": [{"account_id": shared["EP_OTHER_ACCOUNT_ID"].upper(), "token": "issued-token-1"}]}
    recording.add("POST", url, [], login(other), 201, [], json.dumps(answer).encode())
    headers = [("EP-Account-Management-Authentication-Token", "issued-token-1")]
    recording.add("GET", "http://store.example/v2/carts", headers, b"", 200)
    assert recording.entries[-1].credentials[headers[0][0].lower()] == "second account"
    recording.add("POST", url, [], login(other), 400, [], b'{"data": [{"token": "issued-token-2"}]}')
    assert found == ["issued-token-1", "issued-token-2"]


def test_only_the_wording_a_store_kept_is_learned() -> None:
    """wording.learn: a title the store kept on every answer of a rule is learned with it; a detail it worded two
    ways (one naming the request's own value) is not, and is listed; an error no single example of the operation
    fits is counted apart; a rule the store worded as the mock does is not written at all."""
    mock_page = {"status": 400, "title": "Invalid page", "detail": PAGE_DETAIL}
    mock_email = {"status": 422, "title": "Cannot add a contact email to carts with accounts", "detail": "x"}
    answers = [
        ("GET /v2/carts", [{"status": "400", "title": "Bad Request", "detail": "limit 500"}], [mock_page]),
        ("GET /v2/carts", [{"status": "400", "title": "Bad Request", "detail": "limit -1"}], [mock_page]),
        ("PUT /v2/carts/{cartID}", [mock_email], [mock_email]),
        ("GET /v2/carts", [{"status": 400, "title": "Odd"}], [{"status": 400, "title": "No such example"}]),
        # No detail at all: learned as none (the mock then sends none).
        ("PUT /v2/carts/{cartID}", [{"status": 400, "title": "Bad Request"}], [CART_UPDATE_INVALID]),
        # Words that would lose the vendor's message (S2) are not learned: the suite holds the store to it.
        ("POST /v2/carts/{cartID}/relationships/accounts", [{"status": 403, "title": "Forbidden"}], [TWO_ACCOUNTS]),
    ]
    learned = learn(load(), answers)
    assert learned.texts == {
        "page-invalid": {"title": "Bad Request"},
        "cart-update-invalid": {"title": "Bad Request", "detail": None},
    }
    assert learned.not_learned == {
        "page-invalid": ["its detail was worded more than one way"],
        "cart-associated-with-other-account": [
            "its words would lose the vendor's message 'Cannot associate more than one account'"
        ],
    }
    assert learned.unknown == 1
