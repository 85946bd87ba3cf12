"""The run's own requests, outside what either layer checks: bearer tokens, and the clean-up's deletes."""

from __future__ import annotations

from collections.abc import Callable

import requests

from ep_cart_contract.ledger import Association
from ep_cart_contract.run import ContractRun
from ep_cart_spec import ASSOCIATION_PATH, TOKEN_PATH


def bearer_token(run: ContractRun, base_url: str, grant_type: str = "client_credentials") -> str:
    """A token of the grant (`client_credentials`: an administrator's; `implicit`: a shopper's, S2, S6),
    registered for masking before it is ever used."""
    settings = run.settings
    url = f"{base_url}{TOKEN_PATH}"
    form = {"grant_type": grant_type, "client_id": settings.values.get("EP_CLIENT_ID", "")}
    if grant_type == "client_credentials":
        form["client_secret"] = settings.values.get("EP_CLIENT_SECRET", "")
    label = f"POST {TOKEN_PATH}"
    if label in run.unresponsive:
        raise run.unresponsive.fail(label)
    try:
        response = run.token_session.post(url, data=form, timeout=settings.request_timeout)
    except requests.exceptions.Timeout:
        # A store that takes connections and never answers: one clear line, not a stack of retries.
        run.unresponsive.mark(label, settings.request_timeout)
        raise run.unresponsive.fail(label) from None
    if response.status_code != 200:
        raise RuntimeError(
            f"{url} answered {response.status_code} to a {grant_type} token request: check EP_CLIENT_ID"
            + (" and EP_CLIENT_SECRET" if grant_type == "client_credentials" else "")
        )
    token: str = response.json()["access_token"]
    run.redactor.add(token)
    if grant_type == "client_credentials":
        run.administrator_tokens.add(token)
    return token


def delete_as_administrator(run: ContractRun, base_url: str) -> Callable[[Association], str | None]:
    """How the run removes an association it left: DELETE as administrator, with the body as it was sent."""
    token: list[str] = []

    def delete(association: Association) -> str | None:
        label = f"DELETE {ASSOCIATION_PATH}"
        if label in run.unresponsive:
            return f"{label} stopped answering during the run"
        try:
            if not token:
                token.append(bearer_token(run, base_url))
            response = run.token_session.delete(
                f"{base_url}/v2/carts/{association.cart_id}/relationships/accounts",
                json={"data": [{"id": association.account_id, "type": "account"}]},
                headers={"Authorization": f"Bearer {token[0]}"},
                timeout=run.settings.request_timeout,
            )
        except (requests.RequestException, RuntimeError) as error:
            return run.redactor.scrub(f"the delete failed: {error}")
        # 404: nothing to remove (a store that answers so for a missing association, the mark's alternative).
        if response.status_code not in (204, 404):
            return run.redactor.scrub(f"the delete answered {response.status_code}: {response.text[:200]}")
        return None

    return delete
