"""How the suite judges what it sees, whichever layer sent the request.

- Every answer is observed: any token it hands out is masked from now on, it is counted in the
  documented-response table, an association it created or removed goes in the run's ledger, and its status
  and body are a claim (the vendor's, or the mark that left the status out).
- Every schemathesis failure is judged once more against the spec with our assumptions taken out, so it is
  reported as the vendor's contract or as the assumption (mark) it rests on (classify.py), or as no claim at
  all when it comes from what the spec leaves out or cannot express.
- An operation that stops answering is failed once and sent nothing more; a request that still fails after the
  transport's retries skips its test as the store unavailable, and an answer that may be to a repeat of an
  association write (an earlier try may have been applied) is left unjudged, by name (availability.py).
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

import pytest
import requests
import schemathesis
from schemathesis import GenerationMode
from schemathesis.core import NOT_SET
from schemathesis.core.failures import Failure, FailureGroup

from ep_cart_contract.availability import ANSWER_CHANGES_ON_REPEAT, describe_story
from ep_cart_contract.classify import ABSENT, MARK_OF_CHECK, SentRequest
from ep_cart_contract.exchanges import issued_tokens, text_headers
from ep_cart_contract.live_safety import is_valid_cart_id
from ep_cart_contract.observations import Recorded
from ep_cart_contract.redaction import curl
from ep_cart_contract.run import ContractRun
from ep_cart_contract.transport import (
    GAVE_UP,
    MAX_RETRIES,
    MAY_HAVE_BEEN_APPLIED,
    NO_RETRIES,
    RETRIED_STATUSES,
    RetryStory,
    StoreUnavailable,
    backoff,
)
from ep_cart_contract.verdicts import VENDOR, Evidence, Source, decides_the_exit
from ep_cart_spec import ASSOCIATION_PATH, Assumption, cart_id_of


def is_positive(case: schemathesis.Case[Any]) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode == GenerationMode.POSITIVE


def sending(run: ContractRun, method: str, path: str, body: bytes) -> None:
    """A request leaves (the scenarios' client): an association it asks for is noted before its answer comes."""
    if run.table.template_of(path) == ASSOCIATION_PATH:
        cart_id = cart_id_of(path) or ""
        if is_valid_cart_id(cart_id):  # only a valid cart ID can have an association
            run.ledger.sending(method, cart_id, body)


def observe(
    run: ContractRun,
    method: str,
    path: str,
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    request_body: bytes = b"",
    request_curl: Callable[[], str] = str,
    story: RetryStory = NO_RETRIES,
) -> None:
    """Every answer either layer gets: any token it hands out is masked from now on (never what the request
    carried), it is counted in the documented-response table, and an association it created or removed is noted
    in the run's ledger."""
    run.redactor.add(*issued_tokens(path, content))
    template = run.table.template_of(path)
    if template == ASSOCIATION_PATH:
        applied = story.may_answer_a_repeat or status in MAY_HAVE_BEEN_APPLIED
        run.ledger.observe(method, cart_id_of(path) or "", status, request_body, may_have_been_applied=applied)
    if status in RETRIED_STATUSES:
        return  # what the store answered once the retries ran out: its availability (call_case), not its contract
    if story.may_answer_a_repeat and f"{method.upper()} {template}" in ANSWER_CHANGES_ON_REPEAT:
        return  # perhaps the answer to a repeat: neither counted nor judged (judge, ScenarioClient.call say so)
    recorded = run.table.record(method, path, status, headers, content, lambda: run.redactor.scrub(request_curl()))
    if recorded is not None:
        judge_answer(run, method, recorded, status, content, request_curl)
        if status >= 400:
            judge_error_status_type(run, f"{method.upper()} {path}", status, content, request_curl)


def judge_answer(
    run: ContractRun, method: str, recorded: Recorded, status: int, content: bytes, request_curl: Callable[[], str]
) -> None:
    """An answer of a documented operation is a claim: its status is documented, and its body matches."""
    label = f"{method.upper()} {recorded.template}"
    if recorded.documented is None:
        # An undocumented status breaks the vendor's contract, unless one of our decisions is what left it out.
        ruled_out = run.classifier.marks_ruling_out(recorded.template, method.lower(), status)
        sources = [run.verdicts.assumed(mark.id) for mark in ruled_out] or [run.verdicts.vendor("S1, S3")]
        title = f"{label} answers only documented statuses"
    else:
        title = f"{label} {status} matches its documented response"
        sources = [run.verdicts.status_source(recorded.template, method.lower(), status)]
        if recorded.problem is not None:
            # A wrong body or content type breaks the vendor's contract, unless only marked constraints fail.
            sources = [run.verdicts.vendor("openapi.yaml responses")]
            with contextlib.suppress(ValueError):
                blamed = run.classifier.blame_response(recorded.template, method.lower(), status, json.loads(content))
                sources = [run.verdicts.assumed(mark.id) for mark in blamed] or sources
    decided = [source for source in sources if profile_decides(run, source)]
    sources = [source for source in sources if not profile_decides(run, source)]
    if recorded.problem is not None and decided and not sources:
        # Only the store profile's alternatives explain it: the table says so instead of "not conforming".
        run.table.explain(recorded, [source.assumption.id for source in decided if source.assumption is not None])
    evidence = None
    if recorded.problem is not None:
        evidence = Evidence(
            check=f"answer of {label}",
            rule=f"responses/{status}",
            expected=recorded.problem,
            status=status,
            body=run.redactor.scrub(content.decode("utf-8", errors="replace"))[:1000],
            request=run.redactor.scrub(request_curl()),
        )
    for source in sources:
        run.verdicts.record(title, source, holds=recorded.problem is None, evidence=evidence)


ERROR_STATUS_MARK = "error-status-type"
STATUS_TYPES = {str: "string", int: "integer"}


def judge_error_status_type(
    run: ContractRun, line: str, status: int, content: bytes, request_curl: Callable[[], str]
) -> None:
    """An error answer shows which type its `status` has (the vendor's sources give both: the mark
    `error-status-type`). The run notes it, and holds the store to the type its store profile names, if any:
    by default either is taken (the answer's schema is judged by judge_answer)."""
    profile = run.store_profile
    if profile is None:
        return
    try:
        errors = json.loads(content)["errors"]
        kinds = {STATUS_TYPES[type(error["status"])] for error in errors}
    except (ValueError, TypeError, KeyError):
        return  # no error body to read a type from: judge_answer judges the body itself
    if not kinds:
        return  # no error in it (judge_answer judges the empty list)
    for kind in sorted(kinds):
        profile.see_in_every_answer(ERROR_STATUS_MARK, kind, "either", line, status, content, run.redactor)
    expected = profile.expected(ERROR_STATUS_MARK)
    if expected == "either":
        return
    holds = kinds == {expected}
    article = "an" if expected == "integer" else "a"
    evidence = None
    if not holds:
        evidence = Evidence(
            check=f"answer of {line.split('?')[0]}: every error's status is sent as {article} {expected}",
            rule="errors/status",
            expected=f"{ERROR_STATUS_MARK}: {expected}, as {profile.judged_by.source} says; the status was sent "
            f"as {' and '.join(sorted(kinds))}",
            status=status,
            body=run.redactor.scrub(content.decode("utf-8", errors="replace"))[:1000],
            request=run.redactor.scrub(request_curl()),
            profile=profile.judged_by.source,
        )
    title = f"every error's status is sent as {article} {expected}, as the store profile says"
    run.verdicts.record(title, run.verdicts.assumed(ERROR_STATUS_MARK), holds, evidence)


def request_body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    return body if isinstance(body, bytes) else str(body).encode("utf-8")


def operation_label(case: schemathesis.Case[Any]) -> str:
    return f"{case.method.upper()} {case.path}"


def call_case(run: ContractRun, case: schemathesis.Case[Any], send: Callable[[], Any]) -> Any:
    """Send a case, unless its operation stopped answering (the first read timeout fails the operation for good)
    or the store is taken as down. What still fails after the transport's retries skips the test as the store
    unavailable (availability.py), unless the store answers other requests meanwhile: then it is this request's
    answer, judged (a status), or a broken claim (no answer at all)."""
    label = operation_label(case)
    run.exchanges.in_phase(case.meta.phase.name.value if case.meta is not None else None)
    try:
        run.may_send(label)
        response = send()
    except StoreUnavailable as error:
        unavailable(error)
    except (requests.RequestException, TimeoutError) as error:
        record_unanswered_case(run, case, error)
        failed_for_good(run, label, run.failure_after_retries(label, error), case.as_curl_command())
    if response.status_code in RETRIED_STATUSES:
        verdict = run.judge_or_unavailable(label, f"{response.status_code} {GAVE_UP}")
        if verdict is not None:
            unavailable(verdict)
    return response


def record_unanswered_case(run: ContractRun, case: schemathesis.Case[Any], error: BaseException) -> None:
    """A generated request that got no answer, in the run's recording (as requests would have sent it)."""
    try:
        kwargs = case.as_transport_kwargs(base_url=run.started_target_url())
        fields = ("method", "url", "headers", "params", "json", "data")
        request = requests.Request(**{name: kwargs[name] for name in fields if name in kwargs}).prepare()
    except Exception:  # the recording must never be why a run fails
        return
    run.exchanges.add(
        request.method or case.method,
        request.url or "",
        text_headers(request.headers.items()),
        request.body if isinstance(request.body, bytes | str) else None,
        0,
        error=type(error).__name__,
    )


def failed_for_good(run: ContractRun, label: str, failure: str, request_curl: str) -> NoReturn:
    """A request no try of which was answered: the store unavailable (the test is skipped), or, when the store
    answers other requests meanwhile, a broken claim: the store does not answer this request of its operation."""
    verdict = run.judge_or_unavailable(label, failure)
    if verdict is not None:
        unavailable(verdict)
    claim = run.verdicts.record(
        f"{label} answers every request",
        run.verdicts.vendor("S1, S3 document the operation"),
        holds=False,
        evidence=Evidence("every layer", label, "an answer", None, failure, run.redactor.scrub(request_curl)),
    )
    raise AssertionError(f"{claim.title}: {failure}, while the store answered other requests")


def unavailable(error: StoreUnavailable) -> NoReturn:
    """Skip the test: the store did not answer it, which says nothing of the contract (the run's exit status and
    its availability section say the store was unavailable)."""
    pytest.skip(f"the store was unavailable: {error}")


def is_documented(run: ContractRun, case: schemathesis.Case[Any]) -> bool:
    """An operation of openapi.yaml (schemathesis also sends undocumented methods to documented paths)."""
    return case.method.lower() in run.api.document["paths"].get(case.path, {})


def sent_request(case: schemathesis.Case[Any]) -> SentRequest:
    """The case as the classifier judges it again (no request is sent)."""
    return SentRequest(
        path=case.path,
        method=case.method.lower(),
        parameters={"path": case.path_parameters or {}, "header": case.headers or {}, "query": case.query or {}},
        body=ABSENT if case.body is NOT_SET else case.body,
        media_type=case.media_type,
    )


STATUS_CHECKS = frozenset({"status_code_conformance", "positive_data_acceptance"})
"""Schemathesis checks that fail on the answer's status alone."""


def sources_of(run: ContractRun, case: schemathesis.Case[Any], response: Any, failure: Failure) -> list[Source]:
    """What a failure broke: the vendor's contract, the marks of the operation it rests on (see classify.py),
    or nothing at all ([]) when it comes from what openapi.yaml leaves out or cannot express."""
    check = failure.checks[0] if failure.checks else ""
    operation_method = case.operation.method.lower()
    body = None if case.body is NOT_SET else case.body
    has_account = run.ledger.has_account((case.path_parameters or {}).get("cartID"))
    limit = run.classifier.spec_limit(
        check,
        case.path,
        operation_method,
        case.method,
        response.status_code,
        case.headers or {},
        failure,
        body,
        has_account,
    )
    if limit is not None:
        return [run.verdicts.assumed(mark.id) for mark in limit]
    if check in MARK_OF_CHECK:
        return [run.verdicts.assumed(MARK_OF_CHECK[check])]
    marks: list[Assumption] = []
    if check in STATUS_CHECKS and is_documented(run, case):
        # An answer whose status one of our decisions left out (`rules-out`): that decision did not hold.
        marks = run.classifier.marks_ruling_out(case.path, case.method.lower(), response.status_code)
    elif check == "negative_data_rejection" and is_documented(run, case):
        marks = run.classifier.blame_accepted_request(sent_request(case))
    elif check == "response_schema_conformance" and is_documented(run, case):
        with contextlib.suppress(ValueError):
            marks = run.classifier.blame_response(case.path, case.method.lower(), response.status_code, response.json())
    if marks:
        return [run.verdicts.assumed(mark.id) for mark in marks]
    return [run.verdicts.vendor("openapi.yaml, vendor constraints")]


ADMINISTRATOR = "account-token-scopes-administrator"


def profile_decides(run: ContractRun, source: Source, case: schemathesis.Case[Any] | None = None) -> bool:
    """A failure resting on a mark the run's store profile decides otherwise is that alternative at work: the
    store profile's own scenario holds the store to it (expectations.Expectations.alternative), not this check. So
    is a failure on the account token's own marks in a request sent as administrator, where the profile says an
    administrator stays one whatever account token comes with it: such a store does not read that header."""
    profile = run.store_profile
    if source.kind == VENDOR or profile is None or source.assumption is None:
        return False
    if profile.accepts_otherwise(source.assumption.id):
        return True
    if case is None or profile.expected(ADMINISTRATOR) != "administrator":
        return False
    headers: Mapping[str, Any] = case.headers or {}
    bearer = str(headers.get("Authorization", "")).partition(" ")[2].strip()
    return bearer in run.administrator_tokens and source.assumption.id in account_token_marks(run)


def account_token_marks(run: ContractRun) -> set[str]:
    """The marks of the account token's own schema (its length, an empty one)."""
    return set(run.api.marks_under(run.api.document["components"]["schemas"]["AccountToken"]))


def marks_shown(run: ContractRun, case: schemathesis.Case[Any], status: int) -> list[str]:
    """The marks a conforming answer is evidence for: those of the documented response it is (a 401 only for
    its own), and, when it refuses a generated invalid request, those that made the request invalid. A 5xx
    shows nothing, and neither does a 401 for anything but itself: the server never judged the request."""
    if not is_documented(run, case):
        return [MARK_OF_CHECK["unsupported_method"]] if status == 405 else []
    path, method = case.path, case.method.lower()
    if status >= 500 or status not in run.api.documented_statuses(path, method):
        return []
    shown = [mark.id for mark in run.classifier.response_marks(path, method, status) if mark.covers]
    if 400 <= status < 500 and status != 401 and not is_positive(case):
        refused = run.classifier.marks_a_request_breaks(sent_request(case))
        shown += [mark.id for mark in refused if mark.id not in shown]
    return shown


def judge(run: ContractRun, case: schemathesis.Case[Any], response: Any, validate: Callable[[], None]) -> None:
    """Validate with schemathesis's checks; record each failure as the claims it breaks, and raise unless every
    failure is an assumption that EP_ASSUMPTIONS=report only reports, or no claim at all (what the spec
    cannot say, answered the vendor's way)."""
    label = operation_label(case)
    vendor_title = f"schemathesis checks of {label}"
    story = run.availability.story_of(getattr(response, "request", None))
    if story.may_answer_a_repeat and label in ANSWER_CHANGES_ON_REPEAT:
        # An earlier try may have been applied: this may be the answer to the same request again (204 where the
        # first association answers 200). Not judged, and said so; the next cases judge the operation afresh.
        run.availability.leave_unjudged(label, f"answered after {describe_story(story)}")
        return
    try:
        validate_patiently(run, label, validate)
    except FailureGroup as group:
        request = response.request
        request_curl = curl(
            request.method or case.method, request.url or "", request.headers.items(), request_body_bytes(request.body)
        )
        must_raise = False
        notes, remaining = [], []
        for failure in group.exceptions:
            sources = [
                source for source in sources_of(run, case, response, failure) if not profile_decides(run, source, case)
            ]
            if sources:
                remaining.append(failure)
            for source in sources:
                title = vendor_title if source.kind == VENDOR else source.assumption.id  # type: ignore[union-attr]
                claim = run.verdicts.record(
                    title,
                    source,
                    holds=False,
                    evidence=Evidence(
                        check=f"schemathesis {failure.checks[0] if failure.checks else failure.code} on {label}",
                        rule=failure.title,
                        expected=" ".join(failure.message.split())[:400],
                        status=response.status_code,
                        body=run.redactor.scrub(response.content.decode("utf-8", errors="replace"))[:1000],
                        request=run.redactor.scrub(request_curl),
                    ),
                )
                must_raise = must_raise or decides_the_exit(
                    claim.kind, claim.guards_access, run.settings.assumptions_mode
                )
                notes.append(f"{failure.title}: {source.label}")
        if not remaining:
            passed(run, case, response.status_code, vendor_title)
            return
        if must_raise:
            reduced = group if len(remaining) == len(group.exceptions) else type(group)(remaining, group.message)
            for note in notes:
                reduced.add_note(note)
            if reduced is group:
                raise
            raise reduced from None
        return
    passed(run, case, response.status_code, vendor_title)


PROBE_STATUS = re.compile(r"got `(\d{3}) ")
"""ignored_auth's message names its probe's answer ("Expected 401 or 403, got `503 Service Unavailable` for ...")."""


def validate_patiently(run: ContractRun, label: str, validate: Callable[[], None]) -> None:
    """Schemathesis's checks, some of which send probes of their own (ignored_auth sends the request again without
    credentials) on a session without the run's retries: a probe answered with a transient status, or whose
    connection failed, is the store unavailable, not a broken claim. The checks run again after the transport's
    wait, as a request is retried; what still fails so skips the test as the store unavailable. A probe's read
    timeout fails the operation for good, as any request's does."""
    last: FailureGroup | None = None
    for attempt in range(1, MAX_RETRIES + 2):
        try:
            validate()
            return
        except (requests.RequestException, TimeoutError) as error:
            failure, last = run.failure_after_retries(label, error), None
        except FailureGroup as group:
            transient = [probe_status(item) in RETRIED_STATUSES for item in group.exceptions]
            if not any(transient):
                raise
            if not all(transient):
                # Real failures beside a probe's transient answer are judged now, as they are (by position:
                # schemathesis's failures compare equal by kind).
                rest = [item for item, passing in zip(group.exceptions, transient, strict=True) if not passing]
                raise type(group)(rest, group.message) from None
            failure, last = f"{probe_status(group.exceptions[0])} {GAVE_UP}", group
        run.availability.retried(f"{label} (a check's probe)")
        if attempt <= MAX_RETRIES:
            time.sleep(backoff(attempt, None))
    verdict = run.judge_or_unavailable(f"{label} (a check's probe)", failure)
    if verdict is not None:
        unavailable(verdict)
    if last is not None:
        raise last  # the store answers other requests: the probe's answer is its answer, judged
    raise AssertionError(f"{label}: a check's probe got no answer ({failure}), while the store answered others")


def probe_status(failure: BaseException) -> int | None:
    if not isinstance(failure, Failure) or "ignored_auth" not in failure.checks:
        return None
    found = PROBE_STATUS.search(failure.message)
    return int(found.group(1)) if found else None


def passed(run: ContractRun, case: schemathesis.Case[Any], status: int, vendor_title: str) -> None:
    """An answer that broke no claim: the vendor's checks held, and so did the marks it shows."""
    run.verdicts.record(vendor_title, run.verdicts.vendor("openapi.yaml, vendor constraints"), holds=True)
    run.verdicts.touch([run.verdicts.assumed(mark) for mark in marks_shown(run, case, status)], vendor_title)
