"""The contract suite's configuration, from the same EP_* variables as the mock.

With EP_BASE_URL unset the suite starts the bundled mock and every unset variable takes the mock's documented
default; with EP_BASE_URL set it checks that server, and each variable must come from the environment.
"""

from __future__ import annotations

import os
import secrets as random_secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ep_cart_contract.logins import TOKEN_VARIABLES, credentials_hint, member_for
from ep_cart_spec import DEFAULTS, FIXTURE_VARIABLES, SECRET_VARIABLES, ProfileError, StoreProfile, load, read_profile

LIVE_DEFAULT_RATE_LIMIT = "10/s"
"""Stays well under the vendor's limits (undocumented; the SDK retries on 429, S4). `EP_RATE_LIMIT=off` lifts it."""

PROFILES: dict[str, dict[str, int]] = {
    # Quick enough for every CI run: a few seconds against the mock.
    "default": {"max_examples": 25, "stateful_scenarios": 25, "stateful_max_steps": 12},
    # Nightly: many more examples and longer stateful scenarios. The scenarios are capped: 500 of up to 50
    # steps would be 25,000 requests, over 40 minutes at a live store's 10 requests a second.
    "thorough": {"max_examples": 500, "stateful_scenarios": 100, "stateful_max_steps": 50},
    # Only for the suite's own tests of faulty servers, which run it many times.
    "smoke": {"max_examples": 8, "stateful_scenarios": 8, "stateful_max_steps": 6},
}


ASSUMPTION_MODES = ("fail", "report")
"""EP_ASSUMPTIONS: "fail" (default) fails the run on any broken claim; "report" lists broken assumptions in the
verdict and fails only on the vendor's contract, or on an assumption about who may act for which account."""
DEFAULT_REPORT_DIR = "reports"
OPTIONAL_OVERRIDES = frozenset({"EP_CONTACT_EMAIL_CART_ID"})
"""Fixtures the run makes itself unless the shell names one: against the mock too, the bundled default is not
taken (the run's own contact-email cart is what gets checked)."""


class ContractConfigError(ValueError):
    """A setting the suite cannot run with; the message names the variable."""


@dataclass(frozen=True)
class ContractSettings:
    base_url: str | None
    values: Mapping[str, str]
    """EP_* fixture variables that are set (all of them against the mock)."""
    profile: str
    rate_limit: str | None
    request_timeout: float
    assumptions_mode: str = "fail"
    report_dir: str = DEFAULT_REPORT_DIR
    """Where reports/contract.json and contract.html go (EP_REPORT_DIR)."""
    store_profile: StoreProfile | None = None
    """EP_STORE_PROFILE's store profile: the alternatives the run holds the store to (None: openapi.yaml's)."""
    seed: int | None = None
    """EP_SEED: the seed of every generated case (schemathesis's and Hypothesis's); None: a random one."""
    run_prefix: str = field(default_factory=lambda: f"ct-{time.strftime('%Y%m%d%H%M%S')}-{random_secrets.token_hex(2)}")
    """Cart IDs the suite creates start with this, unique per run, so they are easy to find and clean up."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ContractSettings:
        env = os.environ if environ is None else environ
        base_url = env.get("EP_BASE_URL", "").strip().rstrip("/") or None
        if base_url is None:
            # The mock's contact-email cart is its own default: the suite makes its own cart unless told otherwise.
            values = {
                name: env.get(name) or DEFAULTS[name]
                for name in FIXTURE_VARIABLES
                if name not in OPTIONAL_OVERRIDES or env.get(name)
            }
        else:
            values = {name: env[name] for name in FIXTURE_VARIABLES if env.get(name)}
            if not base_url.startswith(("http://", "https://")):
                raise ContractConfigError(f"EP_BASE_URL={base_url!r} must start with http:// or https://")
            for name in ("EP_CLIENT_ID", "EP_CLIENT_SECRET"):
                if name not in values:
                    raise ContractConfigError(
                        f"{name} is required with EP_BASE_URL: the suite gets its bearer tokens with it."
                    )

        profile = env.get("EP_CONTRACT_PROFILE", "default")
        if profile not in PROFILES:
            raise ContractConfigError(f"EP_CONTRACT_PROFILE={profile!r}: choose one of {', '.join(PROFILES)}")

        rate_limit = env.get("EP_RATE_LIMIT") or (LIVE_DEFAULT_RATE_LIMIT if base_url else "off")
        try:
            timeout = float(env.get("EP_REQUEST_TIMEOUT", "30"))
        except ValueError:
            timeout = 0
        if timeout <= 0:
            raise ContractConfigError("EP_REQUEST_TIMEOUT must be a positive number of seconds.")
        assumptions_mode = env.get("EP_ASSUMPTIONS") or "fail"
        if assumptions_mode not in ASSUMPTION_MODES:
            raise ContractConfigError(
                f"EP_ASSUMPTIONS={assumptions_mode!r}: choose {' or '.join(ASSUMPTION_MODES)}"
                " (report keeps broken assumptions in the verdict without failing the run)"
            )
        seed = env.get("EP_SEED", "").strip()
        if seed and not seed.isdigit():
            raise ContractConfigError(f"EP_SEED={seed!r} must be a whole number")
        store_profile = None
        if env.get("EP_STORE_PROFILE"):
            try:
                store_profile = read_profile(Path(env["EP_STORE_PROFILE"]).absolute(), load())
            except ProfileError as error:
                raise ContractConfigError(f"EP_STORE_PROFILE: {error}") from None
        return cls(
            store_profile=store_profile,
            base_url=base_url,
            values=values,
            profile=profile,
            rate_limit=None if rate_limit == "off" else rate_limit,
            request_timeout=timeout,
            assumptions_mode=assumptions_mode,
            report_dir=env.get("EP_REPORT_DIR") or DEFAULT_REPORT_DIR,
            seed=int(seed) if seed else None,
        )

    @property
    def live(self) -> bool:
        return self.base_url is not None

    @property
    def max_examples(self) -> int:
        return PROFILES[self.profile]["max_examples"]

    @property
    def stateful_scenarios(self) -> int:
        return PROFILES[self.profile]["stateful_scenarios"]

    @property
    def stateful_max_steps(self) -> int:
        return PROFILES[self.profile]["stateful_max_steps"]

    @property
    def secret_values(self) -> list[str]:
        return [self.values[name] for name in sorted(SECRET_VARIABLES) if self.values.get(name)]

    def missing(self, *names: str) -> list[str]:
        """The variables of `names` that are not set; an account token counts as set when a member's credentials
        give it (logins.member_for), and is then named with them."""
        found = []
        for name in names:
            if self.values.get(name) or (name in TOKEN_VARIABLES and member_for(name, self.values)):
                continue
            found.append(f"{name} (or {credentials_hint(name)})" if name in TOKEN_VARIABLES else name)
        return found
