"""The mock's test controls (mock-controls.yaml): reset, seed and read its state, move its clock on, under /_mock/.

Off by default (`--test-controls` or EP_TEST_CONTROLS=1 turns them on; the pytest plugin always does), never
on the vendor's paths, and never in openapi.yaml. Request bodies are validated with mock-controls.yaml's own
schemas, read once at start-up.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ep_cart_mock.answers import Answer, error_answer
from ep_cart_mock.render import timestamp
from ep_cart_mock.rules import AssociationRules
from ep_cart_mock.validation import describe
from ep_cart_spec import ApiSpec

PREFIX = "/_mock"
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def control_routes(
    spec: ApiSpec, rules: AssociationRules, respond: Callable[[Answer], Response]
) -> dict[str, tuple[str, Handler]]:
    """Each control's path, with its method and handler."""
    account_schema = spec.validator(spec.request_schema(f"{PREFIX}/accounts", "post", "application/json"))
    cart_schema = spec.validator(spec.request_schema(f"{PREFIX}/contact-email-carts", "post", "application/json"))
    clock_schema = spec.validator(spec.request_schema(f"{PREFIX}/clock", "post", "application/json"))

    async def read(request: Request, validator: Any) -> Any:
        """The JSON body, or an Answer refusing it."""
        try:
            document = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return error_answer("control-request-invalid", "The body is not JSON.")
        except RecursionError:
            return error_answer("control-request-invalid", "The body is nested too deeply to be a control request.")
        error = next(iter(validator.iter_errors(document)), None)
        if error is not None:
            return error_answer("control-request-invalid", describe(error))
        return document

    async def reset(request: Request) -> Response:
        rules.store.clear()
        rules.reset_fixtures()
        rules.account_tokens.clear()
        return Response(status_code=204)

    async def add_account(request: Request) -> Response:
        document = await read(request, account_schema)
        if isinstance(document, Answer):
            return respond(document)
        account_id, token = str(document["account_id"]).lower(), document["account_token"]
        if rules.accounts.get(token, account_id) != account_id:
            return respond(error_answer("account-token-taken"))
        rules.accounts[token] = account_id
        return respond(Answer(201, {"account_id": account_id, "account_token": token}))

    async def mark_contact_email_cart(request: Request) -> Response:
        document = await read(request, cart_schema)
        if isinstance(document, Answer):
            return respond(document)
        rules.mark_contact_email_cart(document["cart_id"])
        return Response(status_code=204)

    async def advance_clock(request: Request) -> Response:
        document = await read(request, clock_schema)
        if isinstance(document, Answer):
            return respond(document)
        offset, purged = rules.advance_clock(document["advance_seconds"])
        now = timestamp(rules.clock.now())
        return respond(Answer(200, {"advanced_seconds": int(offset), "now": now, "carts_purged": purged}))

    async def state(request: Request) -> Response:
        associations = [
            {"cart_id": cart_id, "account_id": account_id}
            for cart_id, account_id in sorted(rules.store.associations().items())
        ]
        body = {
            "associations": associations,
            "accounts": sorted(set(rules.accounts.values())),
            "contact_email_carts": sorted(rules.contact_email_carts),
        }
        return respond(Answer(200, body))

    return {
        f"{PREFIX}/reset": ("POST", reset),
        f"{PREFIX}/accounts": ("POST", add_account),
        f"{PREFIX}/contact-email-carts": ("POST", mark_contact_email_cart),
        f"{PREFIX}/clock": ("POST", advance_clock),
        f"{PREFIX}/state": ("GET", state),
    }
