"""The mock under hostile input: every case gets a documented 4xx with a JSON error body, never a 5xx or a
traceback, and the server is still healthy afterwards. Raw sockets, so nothing is normalised on the way."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from ep_cart_mock.config import MAX_BODY_BYTES
from ep_cart_mock.table import RULES
from ep_cart_spec import DEFAULTS
from tests.conftest import MockProcess, get_token, mock_env

ACCOUNT = DEFAULTS["EP_ACCOUNT_ID"]
PATH = "/v2/carts/{cart}/relationships/accounts"
VALID_BODY = json.dumps({"data": [{"id": ACCOUNT, "type": "account"}]}).encode()


@dataclass
class Exchange:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Hostile:
    name: str
    rule: str
    """The rule whose answer is expected (its status, and its title)."""
    cart: str = "hostile-cart"
    method: str = "POST"
    body: bytes = VALID_BODY
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    raw_request_line: bytes | None = None
    declared_length: int | None = None
    authenticated: bool = True


def send(port: int, request: bytes) -> Exchange:
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return Exchange(int(lines[0].split(" ")[1]), {k.lower(): v for k, v in headers.items()}, body)


def build(case: Hostile, token: str) -> bytes:
    request_line = case.raw_request_line or f"{case.method} {PATH.format(cart=case.cart)} HTTP/1.1".encode()
    headers = {"Host": "127.0.0.1", "Connection": "close", **case.headers}
    if case.authenticated:
        headers["Authorization"] = f"Bearer {token}"
    headers["Content-Length"] = str(case.declared_length if case.declared_length is not None else len(case.body))
    head = b"".join(f"{name}: {value}\r\n".encode("latin-1") for name, value in headers.items())
    return request_line + b"\r\n" + head + b"\r\n" + case.body


UNSAFE_CHARACTERS = "&$+,/:;=?@#" + " <>[]{}|\\^%~"  # S5's reserved and unsafe characters
CASES = [
    # Bodies.
    Hostile("malformed JSON", "json-malformed", body=b'{"data": [{"id": '),
    Hostile("not JSON", "json-malformed", body=b"<xml>account</xml>"),
    Hostile("wrong content type", "content-type-unsupported", headers={"Content-Type": "text/xml"}),
    Hostile("no content type", "content-type-unsupported", headers={}),
    Hostile("empty body", "body-missing", body=b""),
    Hostile("whitespace body", "body-missing", body=b"   \n "),
    Hostile("JSON null", "body-invalid", body=b"null"),
    Hostile("NaN", "body-invalid", body=b'{"data": NaN}'),
    Hostile("invalid UTF-8", "json-malformed", body=b'{"data": "\xff\xfe"}'),
    Hostile("NUL in a string", "body-invalid", body=b'{"data": [{"id": "\\u0000", "type": "account"}]}'),
    Hostile("deep nesting", "json-malformed", body=b"[" * 30_000 + b"]" * 30_000),
    Hostile("deep nesting inside data", "json-malformed", body=b'{"data": ' + b"[" * 25_000 + b"]" * 25_000 + b"}"),
    Hostile(
        "very long id", "body-invalid", body=json.dumps({"data": [{"id": "x" * 60_000, "type": "account"}]}).encode()
    ),
    Hostile(
        "thousands of entries",
        "more-than-one-account-in-request",
        body=json.dumps({"data": [{"id": "x", "type": "account"}] * 2000}, separators=(",", ":")).encode(),
    ),
    Hostile("body over the limit", "body-too-large", body=b" " * (MAX_BODY_BYTES + 1)),
    Hostile("declared length over the limit", "body-too-large", body=b"{", declared_length=50 * 1024 * 1024),
    # Headers.
    Hostile(
        "very long header value",
        "account-token-unknown",
        headers={"Content-Type": "application/json", "EP-Account-Management-Authentication-Token": "t" * 100_000},
    ),
    Hostile(
        "header with odd bytes",
        "account-token-unknown",
        headers={"Content-Type": "application/json", "EP-Account-Management-Authentication-Token": "\xe9\xff"},
    ),
    Hostile(
        "very long authorization",
        "bearer-token-invalid",
        authenticated=False,
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + "a" * 50_000},
    ),
    # Cart IDs.
    *[Hostile(f"cart ID with {char!r}", "cart-id-unsafe", cart=f"cart%{ord(char):02X}x") for char in UNSAFE_CHARACTERS],
    Hostile("encoded slash", "cart-id-unsafe", cart="a%2Fb"),
    Hostile("dot segment", "cart-id-unsafe", cart="."),
    Hostile("dot-dot segment", "cart-id-unsafe", cart=".."),
    Hostile("unicode, percent-encoded", "cart-id-unsafe", cart="caf%C3%A9"),
    Hostile("invalid UTF-8, percent-encoded", "cart-id-unsafe", cart="%FF%FE"),
    Hostile("empty segment", "cart-id-unsafe", cart=""),
    Hostile("raw slash (two segments)", "cart-id-unsafe", cart="a/b"),
    Hostile("too long", "cart-id-unsafe", cart="c" * 256),
    Hostile("very long", "cart-id-unsafe", cart="c" * 20_000),
    # Not HTTP, or not this API.
    Hostile(
        "raw unicode in the path",
        "http-request-malformed",
        raw_request_line="POST /v2/carts/café/relationships/accounts HTTP/1.1".encode(),
    ),
    Hostile("garbage request line", "http-request-malformed", raw_request_line=b"\x16\x03\x01 hello"),
    Hostile("unknown path", "path-unknown", raw_request_line=b"POST /v2/cart HTTP/1.1"),
    # The vendor's methods this description leaves out (x-vendor-methods-left-out): create, delete a cart.
    Hostile("create a cart", "method-not-allowed", raw_request_line=b"POST /v2/carts HTTP/1.1"),
    Hostile(
        "update a cart with another body",
        "cart-update-invalid",
        raw_request_line=b"PUT /v2/carts/hostile-cart HTTP/1.1",
    ),
    Hostile("delete a cart", "method-not-allowed", raw_request_line=b"DELETE /v2/carts/hostile-cart HTTP/1.1"),
    Hostile("path traversal", "path-unknown", raw_request_line=b"GET /../../etc/passwd HTTP/1.1"),
    *[
        Hostile(f"{method} on the path", "method-not-allowed", method=method)
        for method in ("GET", "PUT", "PATCH", "OPTIONS", "TRACE")
    ],
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockProcess]:
    process = MockProcess(mock_env(), tmp_path_factory.mktemp("hostile") / "mock.log")
    yield process
    process.stop()


@pytest.fixture(scope="module")
def token(server: MockProcess) -> str:
    with httpx.Client(base_url=server.base_url) as http:
        return get_token(http, "client_credentials")


def assert_healthy(server: MockProcess, token: str) -> None:
    cart = f"healthy-{uuid.uuid4().hex}"
    request = build(Hostile("healthy", "association-created", cart=cart), token)
    assert send(server.port, request).status == 200, "the server stopped answering valid requests"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hostile_request_gets_a_documented_json_error(server: MockProcess, token: str, case: Hostile) -> None:
    rule = RULES[case.rule]
    answer = send(server.port, build(case, token))
    assert answer.status == rule.status, answer.body[:300]
    assert answer.headers["content-type"] == "application/json"
    (error,) = json.loads(answer.body)["errors"]
    assert error["title"] == rule.title
    assert_healthy(server, token)


def test_head_gets_405_without_a_body(server: MockProcess, token: str) -> None:
    answer = send(server.port, build(Hostile("HEAD", "method-not-allowed", method="HEAD", body=b""), token))
    assert answer.status == 405
    assert answer.body == b""


def test_truncated_body_leaves_no_traceback_and_a_healthy_server(server: MockProcess, token: str) -> None:
    """The client promises 100 bytes, sends 10 and hangs up."""
    request = build(Hostile("truncated", "json-malformed", body=b'{"data": [', declared_length=100), token)
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        sock.recv(65536)  # the server closes the connection; whatever it says, nobody waits for it
    assert_healthy(server, token)
    assert "Traceback" not in server.log()


def test_no_request_ever_produced_a_traceback_or_a_5xx(server: MockProcess, token: str) -> None:
    for case in CASES[:3]:
        send(server.port, build(case, token))
    log = server.log()
    assert "Traceback" not in log
    statuses = [line.split()[-2] for line in log.splitlines() if line.endswith("ms")]
    assert statuses, "the request log is empty"
    assert not [status for status in statuses if status.startswith("5")]


def test_log_paths_are_escaped_and_short(server: MockProcess, token: str) -> None:
    """Its own requests (it passed only after the tests above, in the same process): a path of 20,000 characters,
    and one with a character out of ASCII."""
    for name in ("very long", "unicode, percent-encoded"):
        send(server.port, build(next(case for case in CASES if case.name == name), token))
    long_lines = [line for line in server.log().splitlines() if len(line) > 400]
    assert not long_lines
    assert "\\u" in server.log() or "\\x" in server.log()  # odd characters are escaped, not written raw
