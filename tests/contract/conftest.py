"""The contract suite's hooks live in the engine (ep_cart_contract.plugin); this file only plugs them in.

schemathesis.toml reads the EP_* variables; against the mock, unset ones take the mock's defaults.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ep_cart_contract.extensions import SETTINGS

for _name, _value in SETTINGS.values.items():
    os.environ.setdefault(_name, _value)

from ep_cart_contract.plugin import (  # noqa: E402  (the hooks, and the contract_base_url fixture)
    CONTRACT_DIR_KEY,
    contract_base_url,
    pytest_runtest_makereport,
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_unconfigure,
)

__all__ = [
    "contract_base_url",
    "pytest_runtest_makereport",
    "pytest_sessionfinish",
    "pytest_terminal_summary",
    "pytest_unconfigure",
]


def pytest_configure(config: pytest.Config) -> None:
    config.stash[CONTRACT_DIR_KEY] = Path(__file__).parent
