"""The store's wording of its errors, learned by the twin check (twin.py) from the answers it compared.

A store words an error its own way: a title and a detail the vendor never gives for most errors (S2 gives five
messages; every other title in openapi.yaml is the kit's own). No alternative of a mark can hold free text, so a
store profile holds it apart, in `texts`, by the rule that gives the error: the name of its example in
openapi.yaml (ep_cart_spec.profiles). The mock then answers that error with the store's words.

Which rule gave an answer is read from the mock's side of the comparison: its error matches one example of the
operation, by its title and detail, by its title alone, or, where the profile moved a documented message to the
detail, by its detail. Where the store worded one rule two ways in one run (a detail that names the request's
own values), only what stayed the same is learned; the rest is listed, and still differs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ep_cart_spec import ApiSpec
from ep_cart_spec.profiles import lost_message

PROFILE_NAME = "twin-profile.yaml"


@dataclass
class Wording:
    """What one twin check learned of the store's wording."""

    texts: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """Rule (example name) -> the store's title and, when it never varied, its detail (None: it sends none)."""
    not_learned: dict[str, list[str]] = field(default_factory=dict)
    """Rule -> why its words were not all learned: the fields (title, detail) the store worded more than one way,
    or a vendor message the words would lose."""
    unknown: int = 0
    """Errors worded otherwise whose rule the mock's answer did not show."""


def rule_of(api: ApiSpec, method: str, template: str, error: Mapping[str, Any]) -> str | None:
    """The example (rule) of the operation whose error the mock's answer is, or None when none or several fit."""
    examples = [example for example in api.error_examples if (example.method, example.path) == (method, template)]
    title, detail = error.get("title"), error.get("detail")
    for fits in (
        lambda example: (example.title, example.detail) == (title, detail),
        lambda example: example.title == title,
        lambda example: example.title == detail,  # a documented message the profile moved to the detail
    ):
        names = {example.name for example in examples if fits(example)}
        if len(names) == 1:
            return names.pop()
        if names:
            return None  # several rules fit: none is learned
    return None


def learn(api: ApiSpec, answers: Iterable[tuple[str, Any, Any]]) -> Wording:
    """From each answer both sides gave with the same status (operation as "METHOD template", the store's errors,
    the mock's), the store's words for the rule the mock's answer shows; what the store worded the same way every
    time is learned, whether or not the mock's words differed. Only an answer of one error on each side is read."""
    seen: dict[str, dict[str, set[str | None]]] = defaultdict(lambda: defaultdict(set))
    differs: set[str] = set()
    wording = Wording()
    for operation, store, mock in answers:
        if not (isinstance(store, list) and isinstance(mock, list) and len(store) == len(mock) == 1):
            continue
        method, _, template = operation.partition(" ")
        rule = rule_of(api, method.lower(), template, mock[0])
        words = {name: store[0].get(name) for name in ("title", "detail")}
        if rule is None:
            if words != {name: mock[0].get(name) for name in words}:
                wording.unknown += 1
            continue
        for name, value in words.items():
            seen[rule][name].add(value if isinstance(value, str) else None)
            if value != mock[0].get(name):
                differs.add(rule)
    for rule in sorted(differs):
        fields = seen[rule]
        once = {name: next(iter(values)) for name, values in fields.items() if len(values) == 1}
        varied = [
            f"its {name} was worded more than one way" for name, values in sorted(fields.items()) if len(values) > 1
        ]
        if varied:
            wording.not_learned[rule] = varied
        if not once.get("title"):
            continue
        text = {name: value for name, value in once.items()}  # a detail of None: the store sends none
        lost = lost_message(api, rule, text)
        if lost is not None:
            wording.not_learned.setdefault(rule, []).append(f"its words would lose the vendor's message {lost!r}")
            continue
        wording.texts[rule] = text
    return wording


def write_profile(directory: Path, given: Path | None, wording: Wording) -> Path:
    """The profile the mock followed (or an empty one), with the learned texts added over any it had."""
    document: dict[str, Any] = {"store-profile": 1}
    if given is not None:
        loaded = yaml.safe_load(given.read_text(encoding="utf-8"))
        document = dict(loaded) if isinstance(loaded, dict) else document
    document["texts"] = {**(document.get("texts") or {}), **wording.texts}
    path = directory / PROFILE_NAME
    header = (
        "# A store profile with the store's wording of its errors (texts), learned by ep-cart-twin-check.\n"
        "# Give it to the mock (make mock STORE_PROFILE=<this file>) and to the next twin check.\n"
    )
    path.write_text(header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100), "utf-8")
    return path
