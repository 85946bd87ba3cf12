"""Which documented responses the suite has seen, and whether each conformed to openapi.yaml.

At the end of a run the pytest plugin prints the table; a documented response never observed fails the run,
since an untested promise in the spec is a gap.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ep_cart_spec import ApiSpec


@dataclass
class Observed:
    count: int = 0
    conforming: int = 0
    problems: list[str] = field(default_factory=list)
    explained: int = 0
    """Answers that do not conform to openapi.yaml's defaults only where the run's store profile says the store
    decides otherwise: the alternative at work, not a broken claim."""
    marks: list[str] = field(default_factory=list)
    """The marks whose alternatives explained them."""


@dataclass(frozen=True)
class ResponseRow:
    """One documented response as the run saw it, with its verdict, worked out here once for every rendering."""

    operation: str
    status: int
    observed: int
    conforming: int
    problems: list[str]
    explained: int = 0
    marks: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if self.observed == 0:
            return "never observed"
        if self.conforming == self.observed:
            return "ok"
        if self.conforming + self.explained == self.observed:
            return f"as the profile says ({', '.join(self.marks)})"
        return "not conforming: " + "; ".join(self.problems)

    def as_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "status": self.status,
            "observed": self.observed,
            "conforming": self.conforming,
            "problems": self.problems,
            "explained_by_profile": self.explained,
            "marks": self.marks,
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class Recorded:
    """What one answer was: its path template, the documented response it matched (None: an undocumented
    status) and why it does not conform (None: it does)."""

    template: str
    documented: DocumentedResponse | None
    problem: str | None


@dataclass(frozen=True)
class DocumentedResponse:
    method: str
    path: str
    status: int
    validator: Any
    """A validator for the JSON body, or None when the response has no body."""

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


class ResponseTable:
    def __init__(self, spec: ApiSpec) -> None:
        self.documented: dict[tuple[str, str, int], DocumentedResponse] = {}
        self._paths: list[tuple[re.Pattern[str], str]] = []
        self.operations: dict[str, set[str]] = {}
        for path in spec.document["paths"]:
            self._paths.append((re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]*", path) + "$"), path))
        for path, method, operation in spec.operations():
            self.operations.setdefault(path, set()).add(method)
            for status, node in operation["responses"].items():
                content = spec.resolve(node).get("content")
                schema = content["application/json"]["schema"] if content else None
                validator = spec.validator(schema) if schema else None
                key = (method, path, int(status))
                self.documented[key] = DocumentedResponse(method, path, int(status), validator)
        self.observed: dict[tuple[str, str, int], Observed] = {key: Observed() for key in self.documented}
        self.undocumented: list[str] = []
        self.excused: Callable[[str, str, int], bool] = lambda method, template, status: False
        """(method, path template, status) -> the run's store profile picks the alternative that answers it, so
        it is not listed as undocumented (set by the run; the claim is judged by the profile's scenario)."""
        self._lock = threading.Lock()

    def template_of(self, url_path: str) -> str | None:
        for pattern, template in self._paths:
            if pattern.match(url_path):
                return template
        return None

    def record(
        self,
        method: str,
        url_path: str,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        curl: Callable[[], str] = str,
    ) -> Recorded | None:
        """Count one answer; None when it is not an answer of a documented operation."""
        template = self.template_of(url_path)
        if template is None:
            return None
        key = (method.lower(), template, status)
        if method.lower() not in self.operations.get(template, set()):
            return None  # an undocumented method; schemathesis's unsupported_method check judges its answer
        documented = self.documented.get(key)
        with self._lock:
            if documented is None:
                if not self.excused(method.lower(), template, status):
                    self.undocumented.append(f"{method.upper()} {template} answered {status}: {curl()}".rstrip(": "))
                return Recorded(template, None, f"status {status} is not documented for {method.upper()} {template}")
            observed = self.observed[key]
            observed.count += 1
            problem = conformance_problem(documented, headers, body)
            if problem is None:
                observed.conforming += 1
            elif len(observed.problems) < 3:
                observed.problems.append(problem)
            return Recorded(template, documented, problem)

    def explain(self, recorded: Recorded, marks: list[str]) -> None:
        """A non-conforming answer that only the store profile's alternatives (`marks`) explain."""
        if recorded.documented is None:
            return
        documented = recorded.documented
        with self._lock:
            observed = self.observed[(documented.method, documented.path, documented.status)]
            observed.explained += 1
            observed.marks.extend(mark for mark in marks if mark not in observed.marks)

    def rows(self) -> list[ResponseRow]:
        with self._lock:
            return [
                ResponseRow(
                    documented.label,
                    documented.status,
                    seen.count,
                    seen.conforming,
                    list(seen.problems),
                    seen.explained,
                    list(seen.marks),
                )
                for key, documented in self.documented.items()
                for seen in (self.observed[key],)
            ]

    def unobserved(self) -> list[DocumentedResponse]:
        return [self.documented[key] for key, seen in self.observed.items() if seen.count == 0]

    def render(self) -> str:
        rows = [("operation", "status", "observed", "conforming", "verdict")]
        rows += [
            (
                row.operation,
                str(row.status),
                str(row.observed),
                str(row.conforming),
                row.verdict.upper()
                if row.verdict == "never observed"
                else row.verdict.replace("not conforming", "NOT CONFORMING"),
            )
            for row in self.rows()
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        lines = []
        for index, row in enumerate(rows):
            cells = [row[column].ljust(widths[column]) for column in range(4)] + [row[4]]
            lines.append("  ".join(cells).rstrip())
            if index == 0:
                lines.append("  ".join("-" * width for width in widths) + "  -------")
        return "\n".join(lines)


def conformance_problem(documented: DocumentedResponse, headers: Mapping[str, str], body: bytes) -> str | None:
    """Why this answer does not match its documented response, or None when it does."""
    if documented.validator is None:
        return f"a {documented.status} must have no body" if body else None
    content_type = headers.get("content-type", "").partition(";")[0].strip()
    if content_type != "application/json":
        return f"content type {content_type or 'missing'!r}, documented application/json"
    try:
        document = json.loads(body)
    except ValueError:
        return "body is not JSON"
    error = next(iter(documented.validator.iter_errors(document)), None)
    if error is not None:
        where = "/".join(str(part) for part in error.instance_path) or "body"
        return f"{where}: {error.message[:120]}"
    return None
