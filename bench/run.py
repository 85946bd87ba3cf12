"""`make bench`: the mock, the contract suite and the generated client, measured against the tools a team
would pick instead, in the same run on the same machine. Writes reports/bench.json and prints a table.

Each figure is the median of several repetitions after a warm-up, with min and max. Targets are reported as
met or not; nothing here fails on time.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import platform
import pstats
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from ep_cart_associations_client import AuthenticatedClient
from ep_cart_associations_client.api.account_cart_associations import create_account_cart_association
from ep_cart_associations_client.models import AccountCartAssociationRequest

from ep_cart_spec import ACCOUNT_TOKEN_HEADER, DEFAULTS, association
from ep_cart_spec import load as load_spec
from ep_cart_spec.profiles import choosable
from tests.conftest import MockProcess, contract_suite, free_port, get_token, mock_env
from tests.paths import ROOT

PRISM = "@stoplight/prism-cli@5.16.0"
LOAD_SCRIPT = ROOT / "bench" / "association_mix.lua"
READ_SCRIPT = ROOT / "bench" / "read_mix.lua"
"""The read-heavy mix: reads of carts and of the account's list next to associations (the effect)."""
CONNECTIONS = 32
ACCOUNT = DEFAULTS["EP_ACCOUNT_ID"]
ACCOUNT_TOKEN = DEFAULTS["EP_ACCOUNT_TOKEN"]
ASSOCIATION = association()
"""The relationship the mixes associate, as the spec spells it: the scripts take its suffix, members' type and
token header as arguments."""
ST = Path(sys.executable).parent / "st"


@dataclass
class Figure:
    """The median of repeated measurements, with their spread."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Figure:
        return cls(statistics.median(values), min(values), max(values))

    def as_dict(self) -> dict[str, float]:
        return {"median": self.median, "min": self.low, "max": self.high}


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- 1. Mock throughput and latency under load, against Prism -------------------------------------------


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk (Debian package) for the load test")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
        found = shutil.which("wrk")
    if not found:
        sys.exit("bench: the load test needs wrk: run `sudo apt-get install wrk` (Debian/Ubuntu), then make bench")
    return found


def run_wrk(
    wrk: str, base_url: str, arguments: list[str], seconds: int, script: Path = LOAD_SCRIPT
) -> dict[str, float]:
    command = [
        wrk,
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        base_url,
        "--",
        *arguments,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    match = re.search(r"^WRK_JSON (.*)$", result.stdout, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk printed no result:\n{result.stdout}\n{result.stderr}")
    raw = json.loads(match.group(1))
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "socket_errors": raw["socket_errors"],
    }


def mix_arguments(mix: str, admin: str, shopper: str = "", account_token: str = "") -> list[str]:
    """The arguments of a mix's wrk script (their order is the script's Usage line): the tokens and the account,
    then the relationship's suffix, members' type (and, for the reads, the header that carries the account's token on
    the account's list of carts)."""
    relationship = [ASSOCIATION.suffix, ASSOCIATION.member_type]
    if mix == "associations":
        return [admin, ACCOUNT, *relationship]
    return [admin, ACCOUNT, shopper, account_token, *relationship, ACCOUNT_TOKEN_HEADER]


def load_figures(
    wrk: str, base_url: str, arguments: list[str], seconds: int, repetitions: int, script: Path = LOAD_SCRIPT
) -> dict[str, Any]:
    run_wrk(wrk, base_url, arguments, 2, script)  # warm-up
    runs = [run_wrk(wrk, base_url, arguments, seconds, script) for _ in range(repetitions)]
    return {
        "rps": Figure.of([run["rps"] for run in runs]).as_dict(),
        "p50_ms": Figure.of([run["p50_ms"] for run in runs]).as_dict(),
        "p99_ms": Figure.of([run["p99_ms"] for run in runs]).as_dict(),
        "socket_errors": sum(int(run["socket_errors"]) for run in runs),
    }


@contextmanager
def our_mock(directory: Path, arguments: list[str] | None = None) -> Iterator[MockProcess]:
    log_name = "mock-with-arguments.log" if arguments else "mock.log"  # two may run side by side
    server = MockProcess(mock_env(), directory / log_name, arguments)
    try:
        yield server
    finally:
        server.stop()


def prism(directory: Path) -> contextlib.AbstractContextManager[str]:
    """Prism mocking the same openapi.yaml (npx starts it as a child: both stop with the process group). Run from
    the bench's folder, not the checkout; the first run downloads Prism from the npm registry."""
    command = ["npx", "--yes", PRISM, "mock", str(ROOT / "openapi.yaml"), "-p", "{port}", "-h", "127.0.0.1"]
    return served("prism", command, directory, cwd=directory, start_within=300)


OTHER_SERVERS: dict[str, list[str]] = {
    # The mock's own app and request log (bench/servers.py) under the other ASGI servers; {port} is filled in.
    # granian 2.8.7: one worker, its single-threaded runtime and a backpressure of one task per connection
    # (the fastest of its settings tried on this machine, BENCHMARKS.md).
    "granian": [
        str(Path(sys.executable).parent / "granian"),
        *("--interface", "asginl", "--factory", "--loop", "uvloop", "--no-ws", "--http", "1"),
        *("--runtime-mode", "st", "--backpressure", str(CONNECTIONS), "--log-level", "warning"),
        *("--port", "{port}", "bench.servers:mock_app"),
    ],
    "hypercorn": [
        str(Path(sys.executable).parent / "hypercorn"),
        *("--worker-class", "uvloop", "--bind", "127.0.0.1:{port}", "bench.servers:mock_app()"),
    ],
}
MALFORMED_HTTP = b"\x16\x03\x01 hello\r\nHost: x\r\n\r\n"
"""A request that is not HTTP at all (a TLS hello's first bytes): the mock answers it with its JSON 400."""


@contextmanager
def served(
    name: str, command: list[str], directory: Path, *, cwd: Path = ROOT, start_within: float = 60
) -> Iterator[str]:
    """A server's process (a group of its own, stopped whole) on a free port ({port} in `command`), ready once it
    answers HTTP at all; its output goes to DIRECTORY/NAME.log."""
    port = free_port()
    log_file = (directory / f"{name}.log").open("wb")
    process = subprocess.Popen(
        [part.replace("{port}", str(port)) for part in command],
        cwd=cwd,
        env={**mock_env(), "PYTHONPATH": str(ROOT)},
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_within
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited: {(directory / f'{name}.log').read_text()[-2000:]}")
            try:
                httpx.get(f"{base_url}/openapi.yaml", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start within {start_within:g} s") from None
                time.sleep(0.1)
        yield base_url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        log_file.close()


def answers_malformed_http_with_json(base_url: str) -> bool:
    """Whether the server gives a request that is not HTTP the mock's JSON error body (the server, not the app,
    answers it: the hostile-input tests require the JSON body)."""
    port = int(base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(MALFORMED_HTTP)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.startswith(b"HTTP/1.1 400") and b"application/json" in head.lower() and b'"errors"' in body


def mix_figures(
    wrk: str, serve: Callable[[], contextlib.AbstractContextManager[str]], seconds: int, repetitions: int, label: str
) -> dict[str, Any]:
    """Both mixes against a server, each on a fresh one (the association mix leaves the account with tens of
    thousands of carts, which the read mix must not inherit)."""
    figures: dict[str, Any] = {}
    for mix, script in (("associations", LOAD_SCRIPT), ("reads", READ_SCRIPT)):
        with serve() as base_url, httpx.Client(base_url=base_url) as http:
            admin, shopper = get_token(http, "client_credentials"), get_token(http, "implicit")
            arguments = mix_arguments(mix, admin, shopper, ACCOUNT_TOKEN)
            log(f"load: {label}, {mix} mix, {repetitions} x {seconds} s at {CONNECTIONS} connections")
            figures[mix] = load_figures(wrk, base_url, arguments, seconds, repetitions, script)
            if "malformed_http_json" not in figures:
                figures["malformed_http_json"] = answers_malformed_http_with_json(base_url)
    return figures


def paired_mix_figures(
    wrk: str, serves: dict[str, Callable[[], contextlib.AbstractContextManager[str]]], seconds: int, repetitions: int
) -> dict[str, dict[str, Any]]:
    """Both mixes against several servers started side by side, their wrk runs taken in turn (A, B, A, B...),
    so the machine's drift hits each alike: for comparisons closer than this machine's noise (a few percent)."""
    figures: dict[str, dict[str, Any]] = {name: {} for name in serves}
    for mix, script in (("associations", LOAD_SCRIPT), ("reads", READ_SCRIPT)):
        with contextlib.ExitStack() as stack:
            targets: dict[str, tuple[str, list[str]]] = {}
            for name, serve in serves.items():
                base_url = stack.enter_context(serve())
                with httpx.Client(base_url=base_url) as http:
                    admin, shopper = get_token(http, "client_credentials"), get_token(http, "implicit")
                arguments = mix_arguments(mix, admin, shopper, ACCOUNT_TOKEN)
                targets[name] = (base_url, arguments)
                run_wrk(wrk, base_url, arguments, 2, script)  # warm-up
            log(f"load: {' and '.join(serves)} in turn, {mix} mix, {repetitions} x {seconds} s each")
            runs: dict[str, list[dict[str, float]]] = {name: [] for name in serves}
            for _ in range(repetitions):
                for name, (base_url, arguments) in targets.items():
                    runs[name].append(run_wrk(wrk, base_url, arguments, seconds, script))
            for name, (base_url, _) in targets.items():
                figures[name][mix] = {
                    "rps": Figure.of([run["rps"] for run in runs[name]]).as_dict(),
                    "p50_ms": Figure.of([run["p50_ms"] for run in runs[name]]).as_dict(),
                    "p99_ms": Figure.of([run["p99_ms"] for run in runs[name]]).as_dict(),
                    "socket_errors": sum(int(run["socket_errors"]) for run in runs[name]),
                    "rps_in_turn": [run["rps"] for run in runs[name]],
                }
                figures[name].setdefault("malformed_http_json", answers_malformed_http_with_json(base_url))
    return figures


@contextmanager
def our_mock_url(directory: Path, arguments: list[str] | None = None) -> Iterator[str]:
    with our_mock(directory, arguments) as server:
        yield server.base_url


def every_alternative_profile(directory: Path) -> Path:
    """A store profile that differs from openapi.yaml on every mark (and message) it can: the most work a
    profile can add to the rules."""
    marks: dict[str, Any] = {}
    for mark_id, mark in choosable(load_spec()).items():
        last = mark.alternatives[-1][0]
        marks[mark_id] = {message: last for message, _ in mark.messages} if mark.messages else last
    path = directory / "every-alternative.yaml"
    path.write_text(yaml.safe_dump({"store-profile": 1, "marks": marks}), encoding="utf-8")
    return path


def measure_load(directory: Path, seconds: int, repetitions: int, servers: bool) -> dict[str, Any]:
    wrk = require_wrk()
    # The mock as it ships, and with a store profile that differs on every mark it can (the profile's cost:
    # a few percent at most, closer than this machine's noise between runs, so the two are measured in turn).
    profiled = ["--store-profile", str(every_alternative_profile(directory))]
    results: dict[str, Any] = paired_mix_figures(
        wrk,
        {"mock": lambda: our_mock_url(directory), "mock with profile": lambda: our_mock_url(directory, profiled)},
        seconds,
        repetitions,
    )
    if servers:
        for name, command in OTHER_SERVERS.items():
            results[name] = mix_figures(
                wrk,
                functools.partial(served, name, command, directory),
                seconds,
                repetitions,
                f"the mock's app on {name}",
            )
    log("load: Prism (started with npx; the first run downloads it)")
    with prism(directory) as prism_url:
        results["prism"] = {
            "associations": load_figures(
                wrk, prism_url, mix_arguments("associations", "any-token"), seconds, repetitions
            ),
            "reads": load_figures(
                wrk,
                prism_url,
                mix_arguments("reads", "any-token", "any-token", "any-account-token"),
                seconds,
                repetitions,
                READ_SCRIPT,
            ),
        }
    return results


# --- 1b. Where the mock's time goes under each mix (cProfile) -----------------------------------------------

STARTUP = ("/yaml/", "ep_cart_spec/", "importlib", "builtins.compile", "re/_", "/starlette/", "/typing.py")
"""What runs while the mock starts (reading the spec, compiling, importing), left out of the shares. Starlette
too: the mixes' requests use only its `Request`, for a base URL worked out once per host."""

RULE_MODULES = ("rules", "table", "answers", "requests", "access", "associations", "reads", "validation", "render")
"""The modules of ep_cart_mock that apply the rules (everything between the HTTP layer and the store)."""

PROFILE_GROUPS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    # (group, test on "file:function" of a pstats entry); the first that matches takes the entry.
    ("start-up", lambda where: any(part in where for part in STARTUP)),
    ("request log", lambda where: "LineLog" in where or "_io.TextIOWrapper" in where or "strftime" in where),
    ("validation (jsonschema-rs)", lambda where: "jsonschema_rs" in where),
    ("JSON encoding and decoding", lambda where: "/json/" in where),
    ("store", lambda where: "ep_cart_mock/store.py" in where or "dataclasses.py" in where),
    ("tokens", lambda where: "ep_cart_mock/tokens.py" in where),
    (
        "rules",
        lambda where: (
            any(f"ep_cart_mock/{name}.py" in where for name in RULE_MODULES)
            or "uuid.py" in where
            or "<string>:__hash__" in where
        ),
    ),
    ("HTTP layer (MockApp)", lambda where: "ep_cart_mock/app.py" in where),
    ("server (uvicorn, httptools)", lambda where: "/uvicorn/" in where or "httptools" in where),
    ("event loop and sockets (uvloop, in C)", lambda where: "asyncio/" in where or "uvloop" in where),
)


def profile_groups(stats_path: Path) -> dict[str, float]:
    """Share of the mock's own time under load (cProfile `tottime`, start-up left out) per group of PROFILE_GROUPS;
    "other" is mostly built-ins called from every part (bytes.join, str.encode, dict.get)."""
    stats = pstats.Stats(str(stats_path))
    totals: dict[str, float] = {}
    for (filename, _, function), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{filename}:{function}"
        group = next((name for name, test in PROFILE_GROUPS if test(where)), "other")
        totals[group] = totals.get(group, 0.0) + tottime
    totals.pop("start-up", None)
    whole = sum(totals.values()) or 1.0
    groups = [name for name, _ in PROFILE_GROUPS if name != "start-up"]
    return {group: totals.get(group, 0.0) / whole for group in [*groups, "other"]}


def measure_profile(directory: Path, seconds: int, keep: Path) -> dict[str, Any]:
    """The mock under cProfile (bench/profiled_mock.py) for one wrk run of each mix; its time grouped by part.
    cProfile slows Python functions more than C code, so the groups in Python read high: compare them with each
    other, not with a run that is not profiled. The statistics are kept in `keep` (bench-profile-MIX.pstats:
    `python -m pstats FILE`, or any viewer of cProfile output)."""
    wrk = require_wrk()
    results: dict[str, Any] = {}
    for mix, script in (("associations", LOAD_SCRIPT), ("reads", READ_SCRIPT)):
        stats_path = directory / f"profile-{mix}.pstats"
        command = [sys.executable, "-m", "bench.profiled_mock", str(stats_path), "--port", "{port}"]
        with served(f"profiled-{mix}", command, directory) as base_url, httpx.Client(base_url=base_url) as http:
            admin, shopper = get_token(http, "client_credentials"), get_token(http, "implicit")
            arguments = mix_arguments(mix, admin, shopper, ACCOUNT_TOKEN)
            log(f"profile: the mock under cProfile, {mix} mix, {seconds} s")
            figures = run_wrk(wrk, base_url, arguments, seconds, script)
        kept = keep / f"bench-profile-{mix}.pstats"
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(stats_path, kept)
        results[mix] = {"rps_profiled": figures["rps"], "shares": profile_groups(stats_path), "statistics": str(kept)}
    return results


# --- 2. Contract-suite cost, against a bare `st run` -------------------------------------------------------


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    return time.perf_counter() - started, result


def measure_suite(directory: Path, repetitions: int) -> dict[str, Any]:
    suite_rates, st_rates, suite_walls, st_walls, suite_cases, st_cases = [], [], [], [], [], []
    for index in range(repetitions):
        stats = directory / f"suite-{index}.json"
        env = {**mock_env(), "EP_CONTRACT_STATS": str(stats), "EP_REPORT_DIR": str(directory / "reports")}
        log(f"suite: make contract-test's default profile, run {index + 1}/{repetitions}")
        wall, result = timed(contract_suite("-q"), env)
        if result.returncode != 0:
            raise RuntimeError(f"the contract suite failed:\n{result.stdout[-3000:]}")
        cases = json.loads(stats.read_text())["responses"]
        suite_walls.append(wall)
        suite_cases.append(cases)
        suite_rates.append(cases / wall)

        log(f"suite: bare st run, same schemathesis.toml, run {index + 1}/{repetitions}")
        st_stats = directory / f"st-{index}.json"
        with our_mock(directory) as server:
            started = time.perf_counter()  # st run needs a server; the suite's wall time includes starting its own
            # A fixed seed, as in the README: schemathesis 4.32.5's stateful controller stops about one bare run
            # in twenty with "No progress can be made from state" (its error, not the server's).
            command = [str(ST), "run", "openapi.yaml", "--url", server.base_url, "--seed", str(index + 1)]
            result = subprocess.run(
                command,
                cwd=ROOT,
                env={**mock_env(), "EP_CONTRACT_STATS": str(st_stats)},
                capture_output=True,
                text=True,
            )
            wall = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(f"st run failed:\n{result.stdout[-3000:]}")
        # Responses judged, counted by the same hook in both runs (st run's own "generated" count leaves out
        # the extra requests its checks send).
        cases = json.loads(st_stats.read_text())["responses"]
        st_walls.append(wall)
        st_cases.append(cases)
        st_rates.append(cases / wall)
    return {
        "suite": {
            "wall_s": Figure.of(suite_walls).as_dict(),
            "cases": Figure.of(suite_cases).as_dict(),
            "cases_per_s": Figure.of(suite_rates).as_dict(),
        },
        "st_run": {
            "wall_s": Figure.of(st_walls).as_dict(),
            "cases": Figure.of(st_cases).as_dict(),
            "cases_per_s": Figure.of(st_rates).as_dict(),
        },
        # Seconds per case of the suite over seconds per case of st run: the overhead for the same work.
        "overhead_ratio": statistics.median(st_rates) / statistics.median(suite_rates),
    }


# --- 3. Generated-client overhead, against plain httpx ------------------------------------------------------


def per_call_seconds(call: Callable[[], int], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - started) / calls


def measure_client(directory: Path, calls: int, blocks: int) -> dict[str, Any]:
    with our_mock(directory) as server, httpx.Client(base_url=server.base_url) as http:
        token = get_token(http, "client_credentials")
        cart = f"client-bench-{uuid.uuid4().hex[:8]}"
        path = ASSOCIATION.path_of(cart)
        body = ASSOCIATION.body([ACCOUNT])
        headers = {"Authorization": f"Bearer {token}"}
        assert http.post(path, json=body, headers=headers).status_code == 200  # later calls all answer 204

        client = AuthenticatedClient(base_url=server.base_url, token=token)
        typed_body = AccountCartAssociationRequest.from_dict(body)

        def generated() -> int:
            return create_account_cart_association.sync_detailed(cart, client=client, body=typed_body).status_code

        def plain() -> int:
            return http.post(path, json=body, headers=headers).status_code

        assert generated() == plain() == 204
        for call in (generated, plain):  # warm-up
            per_call_seconds(call, 200)
        generated_times, plain_times = [], []
        for _ in range(blocks):  # interleaved, so drift hits both alike
            generated_times.append(per_call_seconds(generated, calls // blocks))
            plain_times.append(per_call_seconds(plain, calls // blocks))
    return {
        "calls_each": calls,
        "generated_ms": Figure.of([t * 1000 for t in generated_times]).as_dict(),
        "httpx_ms": Figure.of([t * 1000 for t in plain_times]).as_dict(),
        "overhead_ratio": statistics.median(generated_times) / statistics.median(plain_times),
    }


# --- 4. Set-up cost ---------------------------------------------------------------------------------------


def measure_setup(repetitions: int) -> dict[str, Any]:
    figures = {}
    for target in ("generate", "check-generated"):
        walls = []
        for _ in range(repetitions):
            wall, result = timed(["make", "-s", target])
            if result.returncode != 0:
                raise RuntimeError(f"make {target} failed:\n{result.stdout}{result.stderr}")
            walls.append(wall)
        figures[target] = Figure.of(walls).as_dict()
    return figures


# --- Report -------------------------------------------------------------------------------------------------


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    found = []
    load = results.get("load")
    if load:
        for mix, label in (("associations", "association mix"), ("reads", "read mix")):
            ours, theirs = load["mock"][mix], load["prism"][mix]
            throughput = ours["rps"]["median"] / theirs["rps"]["median"]
            p99 = ours["p99_ms"]["median"] / theirs["p99_ms"]["median"]
            found.append((f"{label}: mock throughput >= 5x Prism's", f"{throughput:.2f}x", throughput >= 5))
            found.append((f"{label}: mock p99 <= 1/10 of Prism's", f"{p99:.2f}x", p99 <= 1 / 10))
            if "mock with profile" in load:
                # The median of the ratios of runs taken side by side in time (each pair meets the same drift).
                pairs = zip(load["mock with profile"][mix]["rps_in_turn"], ours["rps_in_turn"], strict=True)
                kept = statistics.median(profiled / plain for profiled, plain in pairs)
                found.append((f"{label}: a store profile keeps >= 95% of it", f"{kept:.2f}x", kept >= 0.95))
    if "suite" in results:
        ratio = results["suite"]["overhead_ratio"]
        found.append(("suite overhead <= 1.2x bare st run", f"{ratio:.2f}x", ratio <= 1.2))
    if "client" in results:
        ratio = results["client"]["overhead_ratio"]
        found.append(("generated client <= 1.15x plain httpx", f"{ratio:.2f}x", ratio <= 1.15))
    if "setup" in results:
        seconds = results["setup"]["check-generated"]["median"]
        found.append(("make check-generated < 5 s", f"{seconds:.2f} s", seconds < 5))
    return found


def fmt(figure: dict[str, float], unit: str = "", digits: int = 1) -> str:
    return f"{figure['median']:.{digits}f}{unit} ({figure['min']:.{digits}f}-{figure['max']:.{digits}f})"


def table(results: dict[str, Any]) -> str:
    lines = ["measure                                   median (min-max)"]
    if "load" in results:
        load = results["load"]
        for mix in ("associations", "reads"):
            prism_rps, prism_p99 = load["prism"][mix]["rps"]["median"], load["prism"][mix]["p99_ms"]["median"]
            for name, figures in load.items():
                data = figures[mix]
                label = f"{name} {mix[:6]}."
                versus = "" if name == "prism" else f"  {data['rps']['median'] / prism_rps:.2f}x Prism"
                lines.append(f"{label:<26} requests/s      {fmt(data['rps'], digits=0)}{versus}")
                lines.append(f"{label:<26} p50 latency     {fmt(data['p50_ms'], ' ms', 2)}")
                versus = "" if name == "prism" else f"  {data['p99_ms']['median'] / prism_p99:.2f}x Prism"
                lines.append(f"{label:<26} p99 latency     {fmt(data['p99_ms'], ' ms', 2)}{versus}")
        for name, figures in load.items():
            if "malformed_http_json" in figures:
                kept = "yes" if figures["malformed_http_json"] else "NO (the server answers it, without the body)"
                lines.append(f"{name:<18} JSON 400 for a request that is not HTTP: {kept}")
    if "profile" in results:
        for mix, data in results["profile"].items():
            lines.append(f"profile {mix} (cProfile, {data['rps_profiled']:.0f} requests/s profiled), share of time:")
            for group, share in data["shares"].items():
                lines.append(f"  {group:<40} {share * 100:5.1f}%")
    if "suite" in results:
        for name in ("suite", "st_run"):
            data = results["suite"][name]
            lines.append(f"{name:<8} wall time                         {fmt(data['wall_s'], ' s', 2)}")
            lines.append(f"{name:<8} test cases                        {fmt(data['cases'], '', 0)}")
            lines.append(f"{name:<8} cases/s                           {fmt(data['cases_per_s'], '', 1)}")
    if "client" in results:
        lines.append(f"client   generated sync_detailed per call  {fmt(results['client']['generated_ms'], ' ms', 3)}")
        lines.append(f"client   plain httpx per call              {fmt(results['client']['httpx_ms'], ' ms', 3)}")
    if "setup" in results:
        for target, figure in results["setup"].items():
            lines.append(f"setup    make {target:<28} {fmt(figure, ' s', 2)}")
    lines.append("")
    lines.append("target                                    measured   met")
    for name, measured, met in targets(results):
        lines.append(f"{name:<41} {measured:<10} {'yes' if met else 'NO'}")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=["load", "servers", "profile", "suite", "client", "setup"], action="append")
    parser.add_argument("--seconds", type=int, default=8, help="length of each load run")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--calls", type=int, default=3000, help="client calls per variant (at least 2000)")
    parser.add_argument("--output", type=Path, default=ROOT / "reports" / "bench.json")
    args = parser.parse_args(argv)
    wanted = set(args.only or ["load", "servers", "profile", "suite", "client", "setup"])

    results: dict[str, Any] = {"machine": machine(), "command": "make bench"}
    with tempfile.TemporaryDirectory(prefix="bench-") as temporary:
        directory = Path(temporary)
        if wanted & {"load", "servers"}:  # the other servers are compared with the mock and Prism in one run
            results["load"] = measure_load(directory, args.seconds, args.repetitions, "servers" in wanted)
        if "profile" in wanted:
            results["profile"] = measure_profile(directory, args.seconds, args.output.parent)
        if "suite" in wanted:
            results["suite"] = measure_suite(directory, args.repetitions)
        if "client" in wanted:
            results["client"] = measure_client(directory, max(args.calls, 2000), blocks=6)
        if "setup" in wanted:
            results["setup"] = measure_setup(args.repetitions)
    results["targets"] = [
        {"target": name, "measured": measured, "met": met} for name, measured, met in targets(results)
    ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    output = args.output.resolve()
    print(f"\nwrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
