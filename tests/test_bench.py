"""`make bench`'s own arithmetic: the targets it reports as met or not, and how its profile groups the mock's
time. The measurements themselves are not run here (tests never depend on wall-clock time)."""

from __future__ import annotations

import asyncio
import cProfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from bench.run import profile_groups, targets
from ep_cart_mock.app import create_app
from ep_cart_mock.config import Settings
from ep_cart_spec import DEFAULTS


def figures(rps: float, p99_ms: float) -> dict[str, Any]:
    return {"rps": {"median": rps}, "p99_ms": {"median": p99_ms}}


def load(mock: tuple[float, float], reads: tuple[float, float]) -> dict[str, Any]:
    """The mock's figures against a Prism at 1,000 requests/s and a p99 of 100 ms on both mixes."""
    return {
        "mock": {"associations": figures(*mock), "reads": figures(*reads)},
        "prism": {"associations": figures(1000, 100), "reads": figures(1000, 100)},
    }


def verdicts(results: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    return {name: (measured, met) for name, measured, met in targets(results)}


def test_the_mock_s_targets_are_five_times_prism_s_throughput_and_a_tenth_of_its_p99_on_both_mixes() -> None:
    met = verdicts({"load": load(mock=(5000, 10), reads=(5000, 10))})
    assert met == {
        "association mix: mock throughput >= 5x Prism's": ("5.00x", True),
        "association mix: mock p99 <= 1/10 of Prism's": ("0.10x", True),
        "read mix: mock throughput >= 5x Prism's": ("5.00x", True),
        "read mix: mock p99 <= 1/10 of Prism's": ("0.10x", True),
    }


def test_a_target_missed_on_one_mix_is_reported_on_that_mix_only() -> None:
    met = verdicts({"load": load(mock=(6000, 5), reads=(4900, 10.5))})
    assert [name for name, (_, ok) in met.items() if not ok] == [
        "read mix: mock throughput >= 5x Prism's",
        "read mix: mock p99 <= 1/10 of Prism's",
    ]


def test_the_profile_groups_the_mock_s_time_by_part_and_leaves_start_up_out(tmp_path: Path) -> None:
    """A real profile: the mock's app created (start-up: the spec read, validators built) and then sent a few
    associations and reads in-process."""
    profile = cProfile.Profile()

    async def requests() -> None:
        app = create_app(replace(Settings.from_env({}), test_controls=True))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench.test") as http:
            form = {"grant_type": "client_credentials", "client_id": DEFAULTS["EP_CLIENT_ID"]}
            form["client_secret"] = DEFAULTS["EP_CLIENT_SECRET"]
            token = (await http.post("/oauth/access_token", data=form)).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            body = {"data": [{"id": DEFAULTS["EP_ACCOUNT_ID"], "type": "account"}]}
            for index in range(50):
                await http.post(f"/v2/carts/p-{index}/relationships/accounts", json=body, headers=headers)
                await http.get(f"/v2/carts/p-{index}", headers=headers)

    profile.runcall(asyncio.run, requests())
    path = tmp_path / "profile.pstats"
    profile.dump_stats(path)
    shares = profile_groups(path)
    assert "start-up" not in shares
    assert abs(sum(shares.values()) - 1) < 1e-9
    for part in ("rules", "HTTP layer (MockApp)", "store", "JSON encoding and decoding", "validation (jsonschema-rs)"):
        assert shares[part] > 0, part


def test_a_store_profile_that_costs_more_than_5_percent_is_reported_on_its_mix() -> None:
    results = {"load": load(mock=(6000, 5), reads=(6000, 5))}
    for mix in ("associations", "reads"):
        results["load"]["mock"][mix]["rps_in_turn"] = [6000, 7000, 5000]
    results["load"]["mock with profile"] = {
        # Ratios taken in turn: 0.94, 0.94, 0.96 (median 0.94); and 0.96, 0.96, 1.0 (median 0.96).
        "associations": {**figures(5650, 5), "rps_in_turn": [5640, 6580, 4800]},
        "reads": {**figures(5750, 5), "rps_in_turn": [5760, 6720, 5000]},
    }
    met = verdicts(results)
    assert met["association mix: a store profile keeps >= 95% of it"] == ("0.94x", False)
    assert met["read mix: a store profile keeps >= 95% of it"] == ("0.96x", True)
