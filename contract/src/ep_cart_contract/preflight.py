"""Before any test, each fixture the run leans on is checked, with reads only, so a broken fixture is named as one
and never judged as the store breaking its contract.

What expires or goes missing on a live store: the application keys (revoked), an account token (24 hours, S7),
the member's login (a changed password), and the two accounts (the same one given twice). Each problem is one
line: the variable, what the store showed, what to do. A problem with a fixture every run needs stops the run
before any test (exit status exits.FIXTURE_BROKEN). The contact-email cart is no such fixture: the run makes its
own (expectations.contact_email_cart); EP_CONTACT_EMAIL_CART_ID, when set, is used while it still carries a
contact email (carts expire after seven days, and reading an expired cart ID makes a new, empty one, S3), and
the line says when it no longer does. A store that does not answer (after the retries) blames no fixture: it
stops the run as unavailable (exits.STORE_UNAVAILABLE). The bundled mock gets the same checks, which must pass.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import requests

from ep_cart_contract.availability import NOT_SENT
from ep_cart_contract.logins import TOKEN_VARIABLES, credentials_hint, member_for
from ep_cart_contract.run import ContractRun
from ep_cart_contract.tokens import FixtureProblem, account_token, bearer_token
from ep_cart_contract.transport import OperationUnresponsive, StoreUnavailable
from ep_cart_spec import ACCOUNT_TOKEN_HEADER, CARTS_PATH, association


@dataclass(frozen=True)
class Problem:
    variable: str
    line: str
    """"EP_ACCOUNT_TOKEN: the store refuses it (401): ...": what was seen and what to do. Every problem stops the
    run before any test (the one fixture only some scenarios needed, the contact-email cart, the run now makes)."""
    unavailable: bool = False
    """The store did not answer (after the retries): no fixture is to blame."""


@dataclass
class Preflight:
    checked: list[str] = field(default_factory=list)
    """What was checked and held, one line each."""
    problems: list[Problem] = field(default_factory=list)
    contact_email_cart: str | None = None
    """EP_CONTACT_EMAIL_CART_ID, when it is set and still carries a contact email: the `422` scenarios run on it
    (otherwise on a cart the run makes itself)."""
    requests: int = 0
    seconds: float = 0.0

    @property
    def unavailable(self) -> bool:
        return any(problem.unavailable for problem in self.problems)

    def as_json(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            # Each problem once: one member's refused login is the problem of both account tokens.
            "problems": [
                {
                    "variable": problem.variable,
                    "variables": [other.variable for other in self.problems if other.line == problem.line],
                    "line": problem.line,
                    "unavailable": problem.unavailable,
                }
                for problem in {problem.line: problem for problem in reversed(self.problems)}.values()
            ][::-1],
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "unavailable": self.unavailable,
        }


def preflight(run: ContractRun, base_url: str) -> Preflight:
    """Check every fixture the run will lean on; never raises for a broken one."""
    result = Preflight()
    started = time.perf_counter()
    hooks = run.token_session.hooks["response"]

    def count(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        result.requests += 1  # the run's own requests (tokens, logins) and the checks' reads alike

    hooks.append(count)
    try:
        check(run, base_url, result)
    except (StoreUnavailable, OperationUnresponsive) as error:
        # Not a fixture: the store did not answer. Nothing can be checked, and no variable is to blame.
        result.problems = [problem for problem in result.problems if problem.unavailable]
        failed = [
            f"{item['operation']}: {item['failure']} ({item['requests']} requests)"
            for item in run.availability.as_json()["failed"]
            if not item["failure"].startswith(NOT_SENT)
        ] or [str(error)]
        line = f"EP_BASE_URL: the store is unavailable, no fixture is to blame: {'; '.join(failed)}"
        result.problems.append(Problem("EP_BASE_URL", line, unavailable=True))
    finally:
        hooks.remove(count)
        result.seconds = time.perf_counter() - started
    return result


def check(run: ContractRun, base_url: str, result: Preflight) -> None:
    values = run.settings.values
    try:
        administrator = bearer_token(run, base_url)
        shopper = bearer_token(run, base_url, "implicit")
    except StoreUnavailable:
        raise
    except RuntimeError as error:
        result.problems.append(Problem("EP_CLIENT_ID", f"EP_CLIENT_ID, EP_CLIENT_SECRET: {error}"))
        return  # nothing else can be checked without a bearer token
    result.checked.append("EP_CLIENT_ID, EP_CLIENT_SECRET: both grants answer a token")

    account, other = values.get("EP_ACCOUNT_ID", ""), values.get("EP_OTHER_ACCOUNT_ID", "")
    if account and other and account.lower() == other.lower():
        result.problems.append(
            Problem(
                "EP_OTHER_ACCOUNT_ID",
                f"EP_OTHER_ACCOUNT_ID: the same account as EP_ACCOUNT_ID ({account}); set a second account",
            )
        )
    static = [values.get(name) for name in TOKEN_VARIABLES if member_for(name, values) is None]
    if len(static) == 2 and static[0] and static[0] == static[1]:
        result.problems.append(
            Problem(
                "EP_OTHER_ACCOUNT_TOKEN",
                "EP_OTHER_ACCOUNT_TOKEN: the same token as EP_ACCOUNT_TOKEN; set the second account's",
            )
        )

    for variable in TOKEN_VARIABLES:
        account_id = values.get("EP_ACCOUNT_ID" if variable == "EP_ACCOUNT_TOKEN" else "EP_OTHER_ACCOUNT_ID")
        try:
            token = account_token(run, variable, base_url)
        except FixtureProblem as problem:
            result.problems.append(Problem(variable, str(problem)))
            continue
        if token is None or not account_id:
            continue  # not configured: the scenarios that need it skip, naming it
        check_account_token(run, base_url, shopper, variable, token, account_id, result)

    cart = values.get("EP_CONTACT_EMAIL_CART_ID")
    if cart:
        response = run.send("GET", f"{base_url}/v2/carts/{cart}", headers={"Authorization": f"Bearer {administrator}"})
        email = contact_email(response)
        if response.status_code != 200:
            seen = f"reading cart {cart} answered {response.status_code}"
        elif not email:
            # Carts expire after seven days, and reading an expired cart ID makes a new, empty cart (S3).
            seen = f"cart {cart} carries no contact email (any more: carts expire after seven days, S3)"
        else:
            result.checked.append(f"EP_CONTACT_EMAIL_CART_ID: cart {cart} carries a contact email")
            result.contact_email_cart = cart
            return
        # An optional override: the run makes a contact-email cart of its own instead, and checks everything.
        result.checked.append(f"EP_CONTACT_EMAIL_CART_ID: {seen}; the run makes a contact-email cart of its own")


def check_account_token(
    run: ContractRun, base_url: str, shopper: str, variable: str, token: str, account_id: str, result: Preflight
) -> None:
    """The account's list answers 200 to its token, and every cart it lists that names accounts names this one."""
    response = run.send(
        "GET",
        f"{base_url}{CARTS_PATH}",
        params={"page[limit]": "100"},
        headers={"Authorization": f"Bearer {shopper}", ACCOUNT_TOKEN_HEADER: token},
    )
    member = member_for(variable, run.settings.values)
    origin = f"the token {member.username_variable}'s login gave" if member else "it"
    if response.status_code in (401, 403):
        hint = (
            "log in again by hand to see why"
            if member
            else f"account tokens last 24 hours; set {credentials_hint(variable)} so the run gets fresh ones"
        )
        result.problems.append(
            Problem(variable, f"{variable}: the store refuses {origin} ({response.status_code}): {hint}")
        )
        return
    if response.status_code != 200:
        result.problems.append(
            Problem(
                variable,
                f"{variable}: listing the account's carts with {origin} answered {response.status_code}, not 200",
            )
        )
        return
    for cart in carts_of(response):
        named = accounts_named(cart)
        if named and account_id.lower() not in named:
            result.problems.append(
                Problem(
                    variable,
                    f"{variable}: its list holds cart {cart.get('id')} of account {', '.join(sorted(named))}, not "
                    f"{'EP_ACCOUNT_ID' if variable == 'EP_ACCOUNT_TOKEN' else 'EP_OTHER_ACCOUNT_ID'}={account_id}: "
                    "it is another account's token",
                )
            )
            return
    source = f"from {member.username_variable}'s login" if member else "as set"
    result.checked.append(f"{variable} ({source}): the account's list answers 200, scoped to {account_id}")


def contact_email(response: requests.Response) -> str | None:
    try:
        email = response.json()["data"]["contact"]["email"]
    except (ValueError, KeyError, TypeError):
        return None
    return email if isinstance(email, str) and email else None


def carts_of(response: requests.Response) -> list[dict[str, Any]]:
    try:
        carts = response.json()["data"]
    except (ValueError, KeyError, TypeError):
        return []
    return [cart for cart in carts if isinstance(cart, dict)] if isinstance(carts, list) else []


def accounts_named(cart: dict[str, Any]) -> set[str]:
    try:
        entries = cart["relationships"][association().name]["data"] or []
    except (KeyError, TypeError):
        return set()
    return {str(entry.get("id")).lower() for entry in entries if isinstance(entry, dict) and entry.get("id")}
