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

from ep_cart_contract.client import ScenarioClient, needs  # noqa: E402
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


# --- The scenarios' callers (test_scenarios.py, test_effect.py) -----------------------------------------


@pytest.fixture(scope="module")
def api(contract_base_url: str) -> ScenarioClient:
    return ScenarioClient(contract_base_url)


@pytest.fixture(scope="module")
def admin(api: ScenarioClient) -> str:
    """A client_credentials token: acts as administrator (S2)."""
    return api.token("client_credentials")


@pytest.fixture(scope="module")
def shopper(api: ScenarioClient) -> str:
    """An implicit token: a shopper, who needs an account token to act for an account (S2)."""
    return api.token("implicit")


@pytest.fixture
def account() -> str:
    needs("EP_ACCOUNT_ID", "EP_ACCOUNT_TOKEN")
    return SETTINGS.values["EP_ACCOUNT_ID"]


@pytest.fixture
def other_account() -> str:
    needs("EP_OTHER_ACCOUNT_ID", "EP_OTHER_ACCOUNT_TOKEN")
    return SETTINGS.values["EP_OTHER_ACCOUNT_ID"]
