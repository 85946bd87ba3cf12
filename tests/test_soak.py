"""`make soak`, in a short form: two nights a day apart against one long-lived mock, as a nightly job meets a store
(member credentials only, no static token, no pre-made cart). Whatever a night did not check fails the soak, even
when every claim held: today, the two contact-email scenarios, which need a cart with a contact email that a
nightly job cannot keep (carts last seven days, S3) and the run does not yet make itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import soak

pytestmark = pytest.mark.slow  # whole runs of the contract suite (make test-fast leaves them out)

CONTACT_EMAIL_SCENARIOS = {f"test_cart_with_a_contact_email_returns_422[{method}]" for method in ("POST", "DELETE")}


def test_two_nights_a_day_apart_renew_their_tokens_leave_nothing_and_fail_on_what_they_skipped(tmp_path: Path) -> None:
    result = soak.soak(2, tmp_path, "smoke")
    assert [night.number for night in result.nights] == [1, 2], result.text
    for night in result.nights:
        assert night.exit_status == 0, result.text  # every claim held
        assert night.logins >= 1, result.text  # no static token: each night's account tokens come from a login
        assert night.left == 0, result.text
        assert set(night.skipped) == CONTACT_EMAIL_SCENARIOS, result.text
    assert result.left_on_store == 0
    assert not result.green
    assert result.text.endswith("soak: 2 nights, NOT all green")
