"""Secrets never reach output or reports: every known secret value is masked wherever the suite writes.

Known secrets are the configured ones (client secret, account tokens, passwords) and every token the store hands
out during the run (the token endpoint's, a member's login's), added as they arrive, before they are used. What a
request merely carries is never taken for a secret: generated requests carry any text as their bearer token,
constants of the kit's own code included (Hypothesis draws them), and masking such a value once turned the
target's address `http://127.0.0.1` into `[masked]` in every report.
"""

from __future__ import annotations

import json
import shlex
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

import httpx

from ep_cart_spec import ACCOUNT_TOKEN_HEADER, CUSTOMER_TOKEN_HEADER

MASK = "[masked]"
CREDENTIAL_HEADERS = ("authorization", ACCOUNT_TOKEN_HEADER.lower(), CUSTOMER_TOKEN_HEADER.lower())
"""The headers that carry a credential (the recording names the role of each, exchanges.py)."""
COOKIE_HEADERS = frozenset({"cookie", "set-cookie"})
SENSITIVE_HEADERS = frozenset({*CREDENTIAL_HEADERS, *COOKIE_HEADERS})


class Redactor:
    """A run's secrets (one per run: the plugin, the schemathesis hooks and the scenario client feed it)."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, *values: str | None, shortest: int = 1) -> None:
        """Known secrets (configured ones, tokens the store issued) are masked whatever their length: a short
        password is still a password, and masking a few ordinary letters with it is the lesser harm. Each is masked
        as it is written too: escaped in JSON (a password with `"` or `ü` in a login's body) and percent-encoded
        (in a URL or a form)."""
        with self._lock:
            for value in values:
                if value and len(value) >= shortest:
                    self._secrets.update(written_forms(value))

    def scrub(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text


def written_forms(secret: str) -> set[str]:
    """The secret, and the forms it takes once written: JSON-escaped (`\\u00fc` or as it is), percent-encoded."""
    return {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
    }


def curl_command(request: httpx.Request) -> str:
    """The request as a copy-pasteable curl command, with sensitive headers masked."""
    return curl(request.method, str(request.url), request.headers.items(), request.content)


def curl(method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes | str | None) -> str:
    """Any request (httpx's, requests', schemathesis's) as curl, sensitive headers masked (the run's redactor
    masks its known secrets wherever the command is shown)."""
    parts = ["curl", "-X", method.upper(), url]
    for name, value in headers:
        if name.lower() in {"host", "content-length", "accept-encoding", "connection", "user-agent", "accept"}:
            continue
        shown = MASK if name.lower() in SENSITIVE_HEADERS else value
        parts += ["-H", f"{name}: {shown}"]
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if body:
        parts += ["--data-raw", body]
    return shlex.join(parts)
