"""A pytest plugin for one test (tests/test_contract_leaves_no_trace.py): after the suite's last test, a Ctrl-C
that Python drops (as it does inside a garbage-collection callback), after the last request and test that would
raise it again."""

from __future__ import annotations

import contextlib
import signal

import pytest

from ep_cart_contract import interrupts


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if nextitem is None:
        with contextlib.suppress(KeyboardInterrupt):  # dropped
            interrupts.on_sigint(signal.SIGINT, None)
