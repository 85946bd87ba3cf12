"""`make soak`, in a short form: two nights a day apart against one long-lived mock, as a nightly job meets a store
(member credentials only, no static token, no pre-made cart). Whatever a night did not check fails the soak, even
when every claim held. Before the run made its own contact-email cart, every night skipped the two contact-email
scenarios (they needed a cart with a contact email, which a nightly job cannot keep: carts last seven days, S3),
and this test failed; now every night checks them on a cart it makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import soak

pytestmark = pytest.mark.slow  # whole runs of the contract suite (make test-fast leaves them out)


def test_two_nights_a_day_apart_renew_their_tokens_check_everything_and_leave_nothing(tmp_path: Path) -> None:
    result = soak.soak(2, tmp_path, "smoke")
    assert [night.number for night in result.nights] == [1, 2], result.text
    for night in result.nights:
        assert night.exit_status == 0, result.text  # every claim held
        assert night.logins >= 1, result.text  # no static token: each night's account tokens come from a login
        assert night.left == 0, result.text
        assert night.skipped == [], result.text  # the contact-email scenarios among them
    assert result.left_on_store == 0
    assert result.green
    assert result.text.endswith("soak: 2 nights, every one green, nothing skipped, nothing left")
