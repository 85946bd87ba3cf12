"""The run's own requests, outside what either layer checks: bearer tokens, account members' logins for the
account tokens (renewed before they expire, logins.py), and the clean-up's deletes."""

from __future__ import annotations

import time
from collections.abc import Callable

from ep_cart_contract.ledger import Association
from ep_cart_contract.logins import Member, member_for
from ep_cart_contract.run import ContractRun
from ep_cart_contract.transport import OperationUnresponsive, StoreUnavailable
from ep_cart_spec import LOGIN_PATH, TOKEN_PATH, association


class FixtureProblem(RuntimeError):
    """A fixture the run leans on is broken; the message is one line: the variable, what was seen, what to do."""


def bearer_token(run: ContractRun, base_url: str, grant_type: str = "client_credentials") -> str:
    """A token of the grant (`client_credentials`: an administrator's; `implicit`: a shopper's, S2, S6),
    registered for masking before it is ever used. Raises StoreUnavailable when the store does not answer (after
    the retries), FixtureProblem when it refuses the keys or answers without a token."""
    settings = run.settings
    url = f"{base_url}{TOKEN_PATH}"
    form = {"grant_type": grant_type, "client_id": settings.values.get("EP_CLIENT_ID", "")}
    if grant_type == "client_credentials":
        form["client_secret"] = settings.values.get("EP_CLIENT_SECRET", "")
    response = run.send("POST", url, data=form)
    if response.status_code != 200:
        raise FixtureProblem(
            f"{url} answered {response.status_code} to a {grant_type} token request: check EP_CLIENT_ID"
            + (" and EP_CLIENT_SECRET" if grant_type == "client_credentials" else "")
        )
    try:
        token: str = response.json()["access_token"]
        assert isinstance(token, str)
    except (ValueError, KeyError, TypeError, AssertionError):
        raise FixtureProblem(
            f"{url} answered 200 to a {grant_type} token request without an access_token: the run has no token"
        ) from None
    run.redactor.add(token)
    if grant_type == "client_credentials":
        run.administrator_tokens.add(token)
    return token


ASSOCIATION = association()
TOKEN_REFRESH_SECONDS = 600
"""Well inside the vendor's token lifetime (expires_in 3600, S6)."""


def cached_bearer_token(run: ContractRun, base_url: str, grant_type: str = "client_credentials") -> str:
    """The run's token of the grant, fetched once and again every TOKEN_REFRESH_SECONDS (schemathesis's cases use
    it); a failure is not kept, so the next request asks again."""
    key = (base_url, grant_type)
    with run.token_lock:
        cached = run.bearer_tokens.get(key)
        if cached is not None and time.monotonic() - cached[1] < TOKEN_REFRESH_SECONDS:
            return cached[0]
        token = bearer_token(run, base_url, grant_type)
        run.bearer_tokens[key] = (token, time.monotonic())
        return token


def account_token(run: ContractRun, variable: str, base_url: str | None = None) -> str | None:
    """The token to act for EP_ACCOUNT_TOKEN's or EP_OTHER_ACCOUNT_TOKEN's account: from the member's login when
    its credentials are set (logged in on first use, and again before the token nears its end), else the static
    value; None when neither is set. Raises FixtureProblem when the login is refused or names no such account."""
    settings = run.settings
    member = member_for(variable, settings.values)
    if member is None:
        return settings.values.get(variable) or None
    account_id = settings.values.get(member.account_variable)
    if not account_id:
        return None
    token = run.logins.fresh(member, account_id)
    if token is not None:
        return token
    with run.logins.login_lock:
        token = run.logins.fresh(member, account_id)
        if token is None:
            log_in(run, base_url or run.target_url(), member)
            token = run.logins.fresh(member, account_id)
    if token is None:
        named = ", ".join(sorted(run.logins.logins[member.username_variable].tokens)) or "none"
        raise FixtureProblem(
            f"{member.username_variable}: the member's login holds no token for {member.account_variable}="
            f"{account_id} (it names the accounts: {named}); make the member a member of that account"
        )
    return token


def log_in(run: ContractRun, base_url: str, member: Member) -> None:
    """POST /v2/account-members/tokens with the member's password (S7), as a shopper (an implicit bearer token,
    as the vendor's storefront does); every token it answers is masked before it is used."""
    values = run.settings.values
    body = {
        "data": {
            "type": "account_management_authentication_token",
            "authentication_mechanism": "password",
            "password_profile_id": values.get("EP_PASSWORD_PROFILE_ID", ""),
            "username": values.get(member.username_variable, ""),
            "password": values.get(member.password_variable, ""),
        }
    }
    credentials = f"{member.username_variable}, {member.password_variable} and EP_PASSWORD_PROFILE_ID"
    shopper = bearer_token(run, base_url, "implicit")
    logged_in_at = time.time()
    response = run.send("POST", f"{base_url}{LOGIN_PATH}", json=body, headers={"Authorization": f"Bearer {shopper}"})
    if response.status_code != 201:
        raise FixtureProblem(
            f"{member.username_variable}: the store refuses the member's login ({response.status_code}); check "
            f"{credentials}"
        )
    try:
        entries = response.json()["data"]
        assert isinstance(entries, list)
    except (ValueError, KeyError, TypeError, AssertionError):
        raise FixtureProblem(
            f"{member.username_variable}: the login answered 201 without a list of tokens in data"
        ) from None
    run.redactor.add(*(entry.get("token") for entry in entries if isinstance(entry, dict)))
    run.logins.keep(member, [entry for entry in entries if isinstance(entry, dict)], logged_in_at)


def delete_as_administrator(run: ContractRun, base_url: str) -> Callable[[Association], str | None]:
    """How the run removes an association it left: DELETE as administrator, with the body as it was sent, retried
    as every request is (transport.py)."""
    token: list[str] = []

    def delete(association: Association) -> str | None:
        try:
            if not token:
                token.append(bearer_token(run, base_url))
            response = run.send(
                "DELETE",
                base_url + ASSOCIATION.path_of(association.cart_id),
                even_if_down=True,
                json=ASSOCIATION.body([association.member_id]),
                headers={"Authorization": f"Bearer {token[0]}"},
            )
        except (StoreUnavailable, OperationUnresponsive, RuntimeError) as error:
            return run.redactor.scrub(f"the store did not take the delete: {error}")
        # 404: nothing to remove (a store that answers so for a missing association, the mark's alternative).
        if response.status_code not in (204, 404):
            return run.redactor.scrub(f"the delete answered {response.status_code}: {response.text[:200]}")
        return None

    return delete


def clean_up_outside_pytest(run: ContractRun) -> None:
    """A bare `st run`'s clean-up (run.STANDALONE_FINISHERS): what it associated is deleted as administrator."""
    if run.ledger.open() and run.seen_base_url is not None:
        result = run.ledger.clean_up(delete_as_administrator(run, run.seen_base_url))
        for association, why in result.left:
            print(f"LEFT: cart {association.cart_id} {ASSOCIATION.member_type} {association.member_id}: {why}")
