"""Examples paired by name: a request's examples (path, header and query parameters, body) and the response
example they lead to share one name, the documented answer's, so the tools that pair by name serve and test the
right pair. Specmatic's contract test runs from openapi.yaml against the bundled mock, its stub serves the named
examples, and Prism answers `Prefer: example=NAME` with the named response.

What the tools cannot express is listed below with the reason (their limits, not the spec's); each list is
checked, so a tool that learns to express a scenario shows up here. Specmatic runs on Java (Debian's, on this
machine); without it the Specmatic tests skip saying so, and in CI (CI_REQUIRE_JAVA=1, .ci/run) they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from bench.run import PRISM
from ep_cart_spec import ApiSpec, load
from tests.conftest import MockProcess, free_port, mock_env, stop_process_group
from tests.paths import ROOT, SPEC_PATH

SPECMATIC = "specmatic@2.55.1"
SPECMATIC_DIR = ROOT / ".tools" / SPECMATIC.replace("@", "-")
SPECMATIC_JAR = SPECMATIC_DIR / "node_modules" / "specmatic" / "specmatic.jar"

EXAMPLE_STORE = {
    # The bundled mock configured with the values the examples carry: keys, accounts, tokens, the contact-email
    # cart. Against it every named request gets the named answer.
    "EP_CLIENT_ID": "EDvkxnnBLBcRATyLgmYa3cp5UjTBJwZVLOoHRlClb8",
    "EP_CLIENT_SECRET": "yqBa3TvoU1qS3xWfbmpzgqTHAu4SvXEDazKxlXkpeE",
    "EP_ACCOUNT_ID": "deb6b25f-8451-4211-9a22-95610333df23",
    "EP_ACCOUNT_TOKEN": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkZWI2YjI1Zi04NDUxIn0.Tq3wAXu0dI3Gm7kM2eYp",
    "EP_OTHER_ACCOUNT_ID": "7a1c9e30-5b2d-4e8f-9c1a-3d5e7f9b2c4d",
    "EP_OTHER_ACCOUNT_TOKEN": (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3YTFjOWUzMC01YjJkIn0.Vr8kLm2QxN5pB4sT7wYz"
    ),
    "EP_CONTACT_EMAIL_CART_ID": "cart_with_contact_email",
    "EP_PASSWORD_PROFILE_ID": "c2490f06-6d8e-4927-99aa-4bf02b419e96",
    "EP_ACCOUNT_MEMBER_USERNAME": "john.doe",
    "EP_ACCOUNT_MEMBER_PASSWORD": "pa$$word",
}

NOT_PAIRED = {
    # Documented answers whose request no OpenAPI example can carry.
    "bearer-token-missing": "the bearer token is the security scheme's, not a parameter an example can leave out",
    "bearer-token-invalid": "the bearer token is the security scheme's, not a parameter an example can set",
    "bearer-token-expired": "an expired token needs time to pass",
    "account-token-expired": "an expired account token needs time to pass",
    "account-member-login-invalid": "like body-invalid, any body outside the login's schema: no one example is it",
    "body-missing": "an example of a required body cannot be absent",
    "content-type-unsupported": "an example is of the media type it is listed under",
    "body-too-large": "a 64 KiB body is no example to print",
    "json-malformed": "an example is a value, never malformed JSON",
    "body-invalid": "covered by the named refusals of the body (account-type-invalid, data-not-array, ...)",
    "cart-associated-with-other-account": "needs the cart associated with another account first (state)",
    "contact-email-on-an-account-cart": "needs the cart associated with an account first (state)",
}
"""Response examples with no request example of their name, and why."""

SPECMATIC_CANNOT = {
    "data-not-array": "Cannot generate a list from type json object",
}
"""Named pairs Specmatic's contract test cannot send: it builds the request from the schema, and this request
breaks the schema's type."""


@dataclass
class Pair:
    path: str
    method: str
    name: str
    status: int
    response: Any
    path_parameters: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    media_type: str | None = None

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path} {self.status} {self.name}"

    def url_path(self) -> str:
        path = self.path
        for name, value in self.path_parameters.items():
            path = path.replace("{" + name + "}", value)
        return path

    def request(self, base_url: str, extra_headers: dict[str, str] | None = None) -> httpx.Request:
        headers = {**self.headers, **(extra_headers or {})}
        content: bytes | None = None
        if self.body is not None:
            headers["Content-Type"] = self.media_type or "application/json"
            form = self.media_type == "application/x-www-form-urlencoded"
            content = (urlencode(self.body) if form else json.dumps(self.body)).encode()
        if self.path != "/oauth/access_token":
            headers.setdefault("Authorization", "Bearer any-token")
        return httpx.Request(
            self.method.upper(), f"{base_url}{self.url_path()}", params=self.query, headers=headers, content=content
        )


def response_examples(api: ApiSpec, operation: dict[str, Any]) -> dict[str, tuple[int, Any]]:
    found = {}
    for status, node in operation["responses"].items():
        for media in api.resolve(node).get("content", {}).values():
            for name, example in media.get("examples", {}).items():
                found[name] = (int(status), example["value"])
    return found


def request_examples(api: ApiSpec, path: str, method: str) -> tuple[set[str], list[tuple[dict[str, Any], str]]]:
    """The names of the operation's request examples, and its parameters (resolved) with where they go."""
    item = api.document["paths"][path]
    operation = item[method]
    parameters = [
        api.resolve(parameter) for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]
    ]
    names = {name for parameter in parameters for name in parameter.get("examples", {})}
    if "requestBody" in operation:
        for media in api.resolve(operation["requestBody"])["content"].values():
            names |= set(media.get("examples", {}))
    return names, [(parameter, parameter["in"]) for parameter in parameters]


def pairs(api: ApiSpec) -> list[Pair]:
    """Every named pair of the spec: a response example and the request examples of the same name."""
    found = []
    for path, method, operation in api.operations():
        names, parameters = request_examples(api, path, method)
        for name, (status, value) in response_examples(api, operation).items():
            if name not in names:
                continue
            pair = Pair(path, method, name, status, value)
            for parameter, location in parameters:
                example = parameter.get("examples", {}).get(name)
                if example is not None:
                    target = {"path": pair.path_parameters, "header": pair.headers, "query": pair.query}[location]
                    target[parameter["name"]] = str(example["value"])
            if "requestBody" in operation:
                for media_type, media in api.resolve(operation["requestBody"])["content"].items():
                    if name in media.get("examples", {}):
                        pair.body, pair.media_type = media["examples"][name]["value"], media_type
            found.append(pair)
    return found


API = load()
PAIRS = pairs(API)


def test_every_request_example_is_paired_and_every_answer_is_or_says_why() -> None:
    paired_names = {pair.name for pair in PAIRS}
    for path, method, operation in API.operations():
        names, _ = request_examples(API, path, method)
        assert names - paired_names == set(), f"{method.upper()} {path}: request examples with no answer of their name"
        for name in response_examples(API, operation):
            assert name in names or name in NOT_PAIRED or name in paired_names, (
                f"{method.upper()} {path}: the answer {name!r} has no request example of its name, and no reason why"
            )
    assert set(NOT_PAIRED) <= {name for _, _, op in API.operations() for name in response_examples(API, op)}


def test_each_pair_is_whole() -> None:
    """A pair of an operation with a required body has its body, and one with a path parameter has its value."""
    for pair in PAIRS:
        operation = API.operation(pair.path, pair.method)
        if "requestBody" in operation:
            assert pair.body is not None, pair.label
        for name in ("cartID",):
            if "{" + name + "}" in pair.path:
                assert name in pair.path_parameters, pair.label


# --- The tools ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockProcess]:
    server = MockProcess(mock_env(**EXAMPLE_STORE, EP_TEST_CONTROLS="1"), tmp_path_factory.mktemp("mock") / "mock.log")
    yield server
    server.stop()


def java() -> str:
    found = shutil.which("java")
    if found is None:
        reason = "Java is not installed (Debian: default-jre-headless): Specmatic cannot run"
        if os.environ.get("CI_REQUIRE_JAVA") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@pytest.fixture(scope="module")
def specmatic() -> list[str]:
    """`java -jar specmatic.jar`, the jar from the npm registry's package, installed once into .tools/."""
    runtime = java()
    if not SPECMATIC_JAR.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install Specmatic from the npm registry")
        installed = subprocess.run(
            [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(SPECMATIC_DIR), SPECMATIC],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert installed.returncode == 0, installed.stderr[-2000:]
    return [runtime, "-jar", str(SPECMATIC_JAR)]


def implicit_token(base_url: str) -> str:
    form = {"grant_type": "implicit", "client_id": EXAMPLE_STORE["EP_CLIENT_ID"]}
    token: str = httpx.post(f"{base_url}/oauth/access_token", data=form, timeout=10).json()["access_token"]
    return token


@pytest.mark.slow
def test_specmatic_contract_test_passes_against_the_mock(
    specmatic: list[str], example_store: MockProcess, tmp_path: Path
) -> None:
    """Every named pair Specmatic can send gets its documented answer from the mock. The tests come from the
    examples alone: a 204 has no body to carry a response example, so Specmatic's own tests generated for it
    (random requests, expecting 204) are filtered out. One implicit token (Specmatic reads it from the variable
    named after the security scheme) with the account's token in the examples acts as the account."""
    shutil.copy(SPEC_PATH, tmp_path / "openapi.yaml")
    env = {**mock_env(), "bearerAuth": implicit_token(example_store.base_url)}
    command = [*specmatic, "test", "openapi.yaml", "--testBaseURL", example_store.base_url]
    command += ["--filter", "STATUS!='204'", "--junitReportDir", "junit"]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    outcomes: dict[str, list[str]] = {}
    for report in (tmp_path / "junit").glob("*.xml"):
        for case in ElementTree.parse(report).getroot().iter("testcase"):
            name = case.get("name", "")
            if "from the example '" not in name:
                continue
            example = name.split("from the example '")[1].split("'")[0]
            failure = case.find("failure")
            outcomes.setdefault(example, []).append(
                "" if failure is None else (failure.get("message") or "") + (failure.text or "")
            )
    assert outcomes, result.stdout[-3000:]
    expressible = {pair.name for pair in PAIRS} - set(SPECMATIC_CANNOT)
    assert expressible <= set(outcomes), f"not tested by Specmatic: {sorted(expressible - set(outcomes))}"
    failed = {name: messages for name, messages in outcomes.items() if any(messages) and name not in SPECMATIC_CANNOT}
    assert failed == {}, json.dumps(failed, indent=1)[:3000]
    for name, reason in SPECMATIC_CANNOT.items():
        assert all(reason in message for message in outcomes.get(name, [reason])), outcomes.get(name)


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:g} s: {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Any]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(command: list[str], port: int) -> str:
        log = tmp_path / f"server-{port}.log"
        shutil.copy(SPEC_PATH, tmp_path / "openapi.yaml")
        # A session of its own: npx runs Prism as its own child, which terminating npx alone would leave running
        # (a leaked Prism spins a core for the rest of the test session).
        output = log.open("wb")
        process = subprocess.Popen(
            command, cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT, env=mock_env(), start_new_session=True
        )
        processes.append(process)
        base_url = f"http://127.0.0.1:{port}"
        wait_for(f"{base_url}/v2/carts", process, log)
        return base_url

    yield start
    for process in processes:
        assert stop_process_group(process) == [], f"{process.args!r} left processes running"


@pytest.mark.slow
def test_specmatic_stub_serves_the_named_pairs(specmatic: list[str], started: Any) -> None:
    port = free_port()
    base_url = started([*specmatic, "stub", "openapi.yaml", "--port", str(port)], port)
    with httpx.Client(timeout=30) as client:
        for pair in PAIRS:
            answer = client.send(pair.request(base_url))
            if pair.name in SPECMATIC_CANNOT:
                # The stub cannot load this example either: it answers that the request breaks the contract.
                assert answer.status_code == 400, pair.label
                assert "Error from contract" in answer.text, pair.label
                continue
            assert answer.status_code == pair.status, f"{pair.label}: {answer.status_code} {answer.text[:300]}"
            assert answer.json() == pair.response, pair.label


def schema_valid(pair: Pair) -> bool:
    """Whether the pair's request keeps every schema (Prism validates a request before it picks an example)."""
    operation = API.operation(pair.path, pair.method)
    for location, values in (("path", pair.path_parameters), ("header", pair.headers), ("query", pair.query)):
        for name, value in values.items():
            schema = API.parameter_schema(pair.path, pair.method, name, location)
            typed: Any = int(value) if API.resolve(schema).get("type") == "integer" else value
            if not API.validator(schema).is_valid(typed):
                return False
    if pair.body is not None and "requestBody" in operation:
        return bool(
            API.validator(API.request_schema(pair.path, pair.method, pair.media_type or "")).is_valid(pair.body)
        )
    return True


@pytest.mark.slow
def test_prism_answers_prefer_example_with_the_named_pair(started: Any) -> None:
    """Prism picks the response example by name; it first validates the request, so the pairs whose request
    breaks a schema (most refusals) get Prism's own 422 instead: its limit, listed here as it is met."""
    npx = shutil.which("npx")
    if npx is None:
        pytest.fail("npx (Node.js) is needed for Prism")
    port = free_port()
    base_url = started([npx, "--yes", PRISM, "mock", "openapi.yaml", "--port", str(port)], port)
    valid = [pair for pair in PAIRS if schema_valid(pair)]
    assert len(valid) >= 15, [pair.label for pair in valid]
    with httpx.Client(timeout=30) as client:
        for pair in valid:
            prefer = {"Prefer": f"code={pair.status}, example={pair.name}"}
            answer = client.send(pair.request(base_url, prefer))
            assert answer.status_code == pair.status, f"{pair.label}: {answer.status_code} {answer.text[:300]}"
            assert answer.json() == pair.response, pair.label
