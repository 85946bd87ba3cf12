"""Schemathesis extensions shared by the pytest suite and `st run` (schemathesis.toml names this module).

- Generated cart IDs get the run's prefix, so what the suite creates on a live store is easy to find.
- Generated positive requests are mixed with the real IDs and tokens from the configuration, so success
  paths (200, then 204) are reached as an account and as an administrator, not only errors.
- Every response is recorded for the documented-response table, and every bearer token for masking.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import urlsplit

import schemathesis
from schemathesis import GenerationMode

from ep_cart_contract.observations import ResponseTable
from ep_cart_contract.redaction import REDACTOR
from ep_cart_contract.settings import ContractSettings
from ep_cart_contract.transport import requests_session
from ep_cart_mock.config import DEFAULT_SPEC_PATH as SPEC_PATH
from ep_cart_mock.spec import ASSOCIATION_PATH, TOKEN_PATH, ApiSpec

SETTINGS = ContractSettings.from_env()
API = ApiSpec.load(SPEC_PATH)
TABLE = ResponseTable(API)


@atexit.register
def write_stats() -> None:
    """For make bench: how many responses this process judged, the same count under pytest and `st run`."""
    stats_path = os.environ.get("EP_CONTRACT_STATS")
    if stats_path:
        total = sum(seen.count for seen in TABLE.observed.values()) + len(TABLE.undocumented)
        Path(stats_path).write_text(json.dumps({"responses": total}), encoding="utf-8")


REDACTOR.add(*SETTINGS.secret_values)
_CART_ID_SCHEMA = API.resolve(API.path_parameter_schema(ASSOCIATION_PATH, "cartID"))
CART_ID_MAX_LENGTH: int = _CART_ID_SCHEMA["maxLength"]
_CART_ID = API.validator(_CART_ID_SCHEMA)


def is_valid_cart_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and _CART_ID.is_valid(value)


def prefixed_cart_id(cart_id: str) -> str:
    """A valid cart ID stays valid: the run prefix, then as much of the generated ID as fits."""
    return f"{SETTINGS.run_prefix}-{cart_id}"[:CART_ID_MAX_LENGTH]


def is_positive(case: schemathesis.Case[Any]) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode == GenerationMode.POSITIVE


def pick(case: schemathesis.Case[Any], choices: int) -> int:
    """A stable choice per case (the same case always mixes the same way, so failures reproduce)."""
    digest = hashlib.sha256(repr((case.method, case.body)).encode()).digest()
    return digest[0] % choices


def mix_association(case: schemathesis.Case[Any]) -> None:
    values = SETTINGS.values
    account_ids = [values.get("EP_ACCOUNT_ID"), values.get("EP_OTHER_ACCOUNT_ID")]
    tokens = [values.get("EP_ACCOUNT_TOKEN"), values.get("EP_OTHER_ACCOUNT_TOKEN")]
    choice = pick(case, 4)
    entries = case.body.get("data") if isinstance(case.body, dict) else None
    entry: Any = entries[0] if isinstance(entries, list) and entries and isinstance(entries[0], dict) else None
    if choice in (0, 1) and entry is not None and account_ids[choice] and tokens[choice]:
        # As the account itself: its ID in the body and its token in the header.
        entry["id"] = account_ids[choice]
        case.headers["EP-Account-Management-Authentication-Token"] = tokens[choice]
    elif choice == 2:
        # As an administrator: no account token, so any account goes.
        case.headers.pop("EP-Account-Management-Authentication-Token", None)
    # choice 3: exactly as generated.


def mix_token_request(case: schemathesis.Case[Any]) -> None:
    if not isinstance(case.body, dict) or pick(case, 2):
        return
    case.body["client_id"] = SETTINGS.values.get("EP_CLIENT_ID", case.body.get("client_id"))
    if case.body.get("grant_type") == "client_credentials":
        case.body["client_secret"] = SETTINGS.values.get("EP_CLIENT_SECRET", case.body.get("client_secret"))


TOKEN_REFRESH_SECONDS = 600
"""Well inside the vendor's token lifetime (expires_in 3600, S6); a 401 also triggers a refresh."""
TOKEN_SESSION = requests_session()


@schemathesis.auth(refresh_interval=TOKEN_REFRESH_SECONDS).apply_to(path=ASSOCIATION_PATH)
class ClientCredentialsToken:
    """A bearer token from POST /oauth/access_token with the application keys, cached and refreshed by
    schemathesis; the token is registered for masking before it is ever used."""

    def get(self, case: schemathesis.Case[Any], context: Any) -> str:
        url = f"{case.operation.schema.get_base_url()}{TOKEN_PATH}"
        form = {
            "grant_type": "client_credentials",
            "client_id": SETTINGS.values.get("EP_CLIENT_ID", ""),
            "client_secret": SETTINGS.values.get("EP_CLIENT_SECRET", ""),
        }
        response = TOKEN_SESSION.post(url, data=form, timeout=SETTINGS.request_timeout)
        if response.status_code != 200:
            raise RuntimeError(
                f"{url} answered {response.status_code}, not a token: check EP_CLIENT_ID and EP_CLIENT_SECRET"
            )
        token: str = response.json()["access_token"]
        REDACTOR.add(token)
        return token

    def set(self, case: schemathesis.Case[Any], data: str, context: Any) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case[Any]) -> schemathesis.Case[Any]:
    if not is_positive(case):
        return case
    if case.path == ASSOCIATION_PATH:
        cart_id = case.path_parameters.get("cartID")
        if isinstance(cart_id, str) and SETTINGS.run_prefix in cart_id:
            return case  # filled from an earlier request through a link: keep it as the link made it
        if isinstance(cart_id, str):
            case.path_parameters["cartID"] = prefixed_cart_id(cart_id)
        mix_association(case)
    elif case.path == TOKEN_PATH:
        mix_token_request(case)
    return case


def observe(
    method: str, path: str, status: int, headers: Mapping[str, str], content: bytes, authorization: str | None
) -> None:
    """Every answer either layer gets: the bearer token it was sent with and any token it hands out are
    masked from now on, and it is counted in the documented-response table."""
    REDACTOR.add_authorization(authorization)
    if path == TOKEN_PATH and status == 200:
        with contextlib.suppress(ValueError):
            document = json.loads(content)
            if isinstance(document, dict):
                REDACTOR.add(document.get("access_token"))
    TABLE.record(method, path, status, headers, content)


@schemathesis.hook
def after_call(context: schemathesis.HookContext, case: schemathesis.Case[Any], response: Any) -> None:
    headers = {name: values[0] for name, values in response.headers.items() if values}
    path = urlsplit(response.request.url or "").path
    authorization = response.request.headers.get("Authorization")
    observe(case.method, path, response.status_code, headers, response.content, authorization)
