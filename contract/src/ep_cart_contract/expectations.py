"""What the scenarios expect of an answer, each expectation a claim with its source: the vendor's (S1..S7) or one
of our assumptions (an openapi.yaml mark). A broken one prints its kind, the request as a curl command (secrets
masked), the answer and, for an assumption, the line of openapi.yaml to change.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from ep_cart_associations_client.models import AccessToken, Cart, CartCollection, CartResponse, ErrorResponse
from ep_cart_associations_client.types import Response, Unset

from ep_cart_contract.redaction import curl_command
from ep_cart_contract.run import ContractRun
from ep_cart_contract.scenario_client import ScenarioClient, explain
from ep_cart_contract.verdicts import Evidence, Source, assumed, decides_the_exit, describe_failure, vendor
from ep_cart_spec import association, cart_id_of, load
from ep_cart_spec.profiles import normalized_message

ASSOCIATION = association()
MESSAGE_MARK = "error-message-in-title"
MESSAGE_IDS = {text: message for message, text in load().assumptions[MESSAGE_MARK].messages}
"""The vendor's documented messages (S2), each a point a store profile decides on its own."""


def current_test() -> str:
    return os.environ.get("PYTEST_CURRENT_TEST", "scenario").split("::")[-1].split(" ")[0]


normalized = normalized_message
"""Case, surrounding white space and trailing punctuation do not matter when matching a vendor message."""


class Expectations:
    """What the scenarios expect of the answers of one run (the suite's `expect` fixture): each expectation a claim
    with its source, recorded in the run's verdicts."""

    def __init__(self, run: ContractRun) -> None:
        self.run = run

    def needs(self, *names: str) -> None:
        """Skip the scenario, naming the variables, when its configuration is missing (a live store). A fixture the
        preflight found broken stops the run before any test, so no scenario meets one here."""
        run = self.run
        settings = run.settings
        missing = settings.missing(*names)
        if missing:
            run.fixture_skips.update(names)
            pytest.skip(f"set {', '.join(missing)} to run this scenario against {settings.base_url}")

    def check(
        self,
        holds: bool,
        what: str,
        source: Source,
        response: Any,
        expected: str,
        *,
        soft: bool = False,
        profile: str = "",
    ) -> None:
        """Record one claim of the current scenario; a broken one fails the test, except that with
        EP_ASSUMPTIONS=report a broken assumption (not guarding account access) is only reported: the scenario
        ends as an expected failure, or, for a `soft` claim, goes on and is reported at its end."""
        run = self.run
        evidence = None
        if not holds:
            request = run.last_request
            evidence = Evidence(
                check=f"{current_test()}: {what}",
                rule=what,
                expected=expected,
                status=int(response.status_code),
                body=run.redactor.scrub(response.content.decode("utf-8", errors="replace"))[:1000],
                request=run.redactor.scrub(curl_command(request)) if request is not None else "",
                profile=profile,
            )
        claim = run.verdicts.record(f"{current_test()}: {what}", source, holds, evidence)
        if evidence is None:
            return
        message = "\n".join(describe_failure(claim, evidence))
        if decides_the_exit(claim.kind, claim.guards_access, run.settings.assumptions_mode):
            pytest.fail(message, pytrace=False)
        if soft:
            run.soft_failures.append(f"{claim.title} ({claim.where})")
            return
        pytest.xfail(message)

    def error(
        self,
        response: Response[Any] | httpx.Response,
        status: int,
        rests_on: Source,
        message: str | None = None,
    ) -> ErrorResponse | None:
        """The documented error answer: the status and an ErrorResponse body (claim resting on `rests_on`); where
        the vendor gives a message, that it appears in an error's title or detail (same source), and that it is
        exactly the title (our assumption `error-message-in-title`, a claim of its own)."""
        parsed = response.parsed if isinstance(response, Response) else None
        if parsed is None and response.status_code == status:
            try:
                parsed = ErrorResponse.from_dict(json.loads(response.content))
            except (ValueError, KeyError, TypeError):
                parsed = None
        holds = response.status_code == status and isinstance(parsed, ErrorResponse) and bool(parsed.errors)
        self.check(
            holds, f"answers {status} with an error body", rests_on, response, f"{status} with {{'errors': [...]}}"
        )
        if not isinstance(parsed, ErrorResponse):
            return None
        if message is not None:
            fields = [normalized(field) for error in parsed.errors for field in (error.title, error.detail or "")]
            self.check(
                any(normalized(message) in field for field in fields),
                f"the message {message!r} is in an error's title or detail",
                rests_on,
                response,
                f"an error whose title or detail says {message!r} (case, spaces and final punctuation aside)",
            )
            in_title = any(error.title == message for error in parsed.errors)
            in_detail = any(normalized(message) in normalized(str(error.detail or "")) for error in parsed.errors)
            placement = "title" if in_title else "detail" if in_detail else None
            point = MESSAGE_IDS.get(message)
            profile = self.run.store_profile
            expected = "title"  # openapi.yaml's decision, unless the run's store profile places this message otherwise
            if point is not None and profile is not None:
                profile.see(point, placement, self.as_httpx(response), self.run.redactor)
                expected = profile.expected(point)
            if expected == "title":
                self.check(
                    in_title,
                    f"the message {message!r} is exactly an error's title",
                    assumed(MESSAGE_MARK),
                    response,
                    f"an error titled exactly {message!r}",
                    soft=True,
                )
            else:
                self.check(
                    placement == expected,
                    f"the message {message!r} is in an error's {expected}, as the store profile says",
                    assumed(MESSAGE_MARK),
                    response,
                    f"the store profile's {point}: {expected} (saw it in the {placement or 'neither field'})",
                    soft=True,
                    profile=profile.judged_by.source if profile is not None else "",
                )
        return parsed

    def as_httpx(self, response: Response[Any] | httpx.Response) -> httpx.Response:
        """The scenario's answer as httpx has it (the generated client's Response keeps no request)."""
        if isinstance(response, httpx.Response):
            return response
        assert self.run.last_response is not None, "no answer recorded yet"
        return self.run.last_response

    def alternative(
        self, mark: str, response: Response[Any] | httpx.Response, shown: str | None, defaults: Callable[[], object]
    ) -> None:
        """A point a store may decide otherwise (`mark` lists alternatives): note the alternative the answer
        showed (`shown`, None for none of them), then hold the store to the run's store profile: the default's
        own checks (`defaults`) where the profile keeps the default, else that the answer shows the profile's."""
        run = self.run
        profile = run.store_profile
        if profile is None:
            defaults()
            return
        profile.see(mark, shown, self.as_httpx(response), run.redactor)
        expected = profile.expected(mark)
        by_file = profile.judged_by.source != "defaults"
        if by_file and (profile.differs(mark) or shown != expected):
            # Judged by a profile file: a point it names is held to it, and a failure says so.
            listed = shown or f"none of its alternatives (status {response.status_code})"
            self.check(
                shown == expected,
                "answers as the store profile says",
                assumed(mark),
                response,
                f"{mark}: {expected}, as {profile.judged_by.source} says; the store showed {listed}",
                profile=profile.judged_by.source,
            )
        if not profile.differs(mark):
            defaults()  # the default's own checks: the status and the error body

    def refusal(
        self, response: Response[Any], statuses: tuple[int, ...], rests_on: Source, status: int, status_rests_on: Source
    ) -> None:
        """A refusal the vendor documents without saying which status it gets: one of `statuses` with an error
        body (claim resting on `rests_on`), and exactly `status` (our assumption `status_rests_on`)."""
        parsed = response.parsed
        refused = response.status_code in statuses and isinstance(parsed, ErrorResponse) and bool(parsed.errors)
        listed = " or ".join(str(code) for code in statuses)
        self.check(
            refused,
            f"refuses with {listed} and an error body",
            rests_on,
            response,
            f"{listed} with {{'errors': [...]}}",
        )
        self.check(
            response.status_code == status, f"refuses with {status}", status_rests_on, response, f"status {status}"
        )

    def cart(self, response: Response[Any], rests_on: Source) -> Cart:
        """A `200` with the cart (claim resting on `rests_on`)."""
        parsed = self.status(response, 200, rests_on)
        assert isinstance(parsed, CartResponse), explain(self.run, response)
        return parsed.data

    def carts(self, response: Response[Any], rests_on: Source) -> CartCollection:
        """A `200` with a page of carts (claim resting on `rests_on`)."""
        parsed = self.status(response, 200, rests_on)
        assert isinstance(parsed, CartCollection), explain(self.run, response)
        return parsed

    def on_a_read_cart(self, response: Response[Any] | httpx.Response) -> bool:
        """The latest request was a POST association with a cart this run has read (so the cart exists, S3). A
        DELETE's 404 is not about the cart: it stays `delete-of-a-missing-association-answers-204`'s alternative."""
        run = self.run
        request = run.last_request
        if request is None or request.method != "POST" or not ASSOCIATION.is_path(request.url.path):
            return False
        return cart_id_of(request.url.path) in run.read_carts

    def status(self, response: Response[Any], status: int, rests_on: Source, *, new_cart: bool = False) -> Any:
        """The documented status (claim resting on `rests_on`). `new_cart`: the cart ID was never used, so a 404
        breaks our assumption that a new cart ID names a new cart, not the vendor's contract; the expected success
        shows that it held; any other answer (a 401, a 5xx, a refusal) shows nothing about it."""
        if new_cart:
            if response.status_code == 404:
                rests_on = assumed(NEW_CART)
            elif response.status_code == status and 200 <= status < 300:
                self.run.verdicts.record("a new cart ID names a new cart", assumed(NEW_CART), holds=True)
        elif response.status_code == 404 and status != 404 and self.on_a_read_cart(response):
            rests_on = vendor(READ_FACT)  # the cart exists: a 404 for it is no decision about unknown carts
        self.check(response.status_code == status, f"answers {status}", rests_on, response, f"status {status}")
        return response.parsed


def issued_token(api: ScenarioClient, grant_type: str) -> str:
    """A bearer token of the grant, from the token endpoint (S6, S4): the scenarios' administrator and shopper."""
    expect = Expectations(api.run)
    secret = api.run.settings.values["EP_CLIENT_SECRET"] if grant_type == "client_credentials" else None
    response = api.token_response(grant_type, client_secret=secret)
    parsed = expect.status(response, 200, vendor("S6, S4"))
    assert isinstance(parsed, AccessToken), explain(api.run, response)
    return parsed.access_token


def cart_accounts(cart: Cart) -> list[str]:
    """The account IDs a cart names in relationships.accounts (none when the relationship is absent)."""
    relationships = cart.relationships
    if not relationships or not relationships.accounts or not relationships.accounts.data:
        return []
    return [str(account.id) for account in relationships.accounts.data]


def cart_contact_email(cart: Cart) -> str | None:
    """The contact email a cart shows in contact.email (None when it shows none)."""
    if isinstance(cart.contact, Unset) or isinstance(cart.contact.email, Unset):
        return None
    return cart.contact.email


NEW_CART = "new-cart-id-is-a-new-cart"
READ_FACT = "S3: reading a cart ID makes the cart, and this run read this one first"


def made_cart(api: ScenarioClient, token: str, purpose: str) -> str:
    """A cart ID of this run, read once so the cart exists (S3: "If a cart ID does not exist, a new cart will be
    automatically created"): a scenario's association then leans on no decision about carts nobody has read,
    which one scenario asks on its own (`new-cart-id-is-a-new-cart`)."""
    expect = Expectations(api.run)
    cart_id = api.new_cart_id(purpose)
    read = api.read_cart(cart_id, token=token)
    # A claim of its own: the scenario's later "answers 200" is about its association, resting on another fact.
    expect.check(
        read.status_code == 200, "reading a new cart ID makes the cart", vendor("S3"), read, "200 with the cart"
    )
    api.run.read_carts.add(cart_id)
    return cart_id


def contact_email_cart(api: ScenarioClient, token: str) -> str:
    """The cart the `422` scenarios run on: EP_CONTACT_EMAIL_CART_ID when it is set and the preflight found it
    still carrying a contact email; otherwise a cart this run makes, once: read (S3), given a contact email with
    PUT (S3: "You can attach an email to carts via the `contact.email` field"), and read back. A run that makes its
    own needs no cart made by hand, and none can expire between nights."""
    expect = Expectations(api.run)
    run = api.run
    if run.contact_email_cart is not None:
        return run.contact_email_cart
    cart_id = made_cart(api, token, "contact-email")
    email = contact_email_of(run.settings.run_prefix)
    source = vendor("S3")
    response = api.update_cart(cart_id, email=email, token=token)
    updated = expect.cart(response, source)
    expect.check(
        cart_contact_email(updated) == email, "an update attaches the contact email it sends", source, response, email
    )
    read = api.read_cart(cart_id, token=token)
    kept = expect.cart(read, source)
    expect.check(
        cart_contact_email(kept) == email, "the cart keeps the contact email attached to it", source, read, email
    )
    run.contact_email_cart = cart_id
    return cart_id


def contact_email_of(run_prefix: str) -> str:
    """The contact email a run attaches: its own, at a domain reserved for examples (no mail can reach it)."""
    return f"{run_prefix}@example.com"
