"""Store profiles: which alternative of each assumption mark a store uses, where the vendor is silent.

openapi.yaml lists, in a mark's `alternatives`, the ways a store may decide that point, ours (the default)
first. A profile is a small YAML document naming, per mark, the alternative a store uses; a mark it leaves out
keeps the default:

    store-profile: 1
    marks:
      page-limit-above-100-refused: clamped
      error-message-in-title:            # a mark decided per message: one alternative, or one per message
        more-than-one-account: detail

A mark's (or a message's) value may also be `{alternative: ID, evidence: {...}}`, what a run observed, or
`{not-reached: WHY}`, a point the run could not see (the default stands), so that a profile a run wrote can be
used as it is. The profile's JSON Schema (`profile_schema`) is derived from the marks; nothing here lists them.

A profile may also hold `texts`: the store's own wording of an error, by the name of its example in openapi.yaml
(the rule that gives it), as `ep-cart-twin-check` learns it from a run's recording:

    texts:
      page-invalid: {title: Bad Request, detail: page limit must be at most 100}

The mock then answers that error with the store's title (and detail, when one is given). Wording is no claim:
the contract suite judges no text by it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from ep_cart_spec.document import ApiSpec, Assumption

FORMAT = 1
"""The `store-profile` version this package reads and writes."""


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file, what is wrong and the valid choices."""


def choosable(spec: ApiSpec) -> dict[str, Assumption]:
    """The marks a profile can decide: those that list alternatives, by id, in the spec's order."""
    return {mark_id: mark for mark_id, mark in spec.assumptions.items() if mark.alternatives}


def profile_schema(spec: ApiSpec) -> dict[str, Any]:
    """The JSON Schema of a profile, made from the marks' alternatives."""

    def value_of(alternatives: list[str]) -> dict[str, Any]:
        return {
            "oneOf": [
                {"enum": alternatives},
                {
                    "type": "object",
                    "properties": {"alternative": {"enum": alternatives}, "evidence": {"type": "object"}},
                    "required": ["alternative"],
                    "additionalProperties": False,
                },
                {
                    "type": "object",
                    "properties": {"not-reached": {"type": "string"}},
                    "required": ["not-reached"],
                    "additionalProperties": False,
                },
            ]
        }

    marks: dict[str, Any] = {}
    for mark_id, mark in choosable(spec).items():
        alternatives = [key for key, _ in mark.alternatives]
        if mark.messages:
            per_message = {
                "type": "object",
                "properties": {message: value_of(alternatives) for message, _ in mark.messages},
                "additionalProperties": False,
            }
            marks[mark_id] = {"oneOf": [value_of(alternatives), per_message]}
        else:
            marks[mark_id] = value_of(alternatives)
    text = {
        "type": "object",
        "properties": {"title": {"type": "string", "minLength": 1}, "detail": {"type": ["string", "null"]}},
        "required": ["title"],
        "additionalProperties": False,
    }
    rules = sorted({example.name for example in spec.error_examples})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Store profile",
        "description": "Which alternative of each assumption mark of openapi.yaml a store uses.",
        "type": "object",
        "properties": {
            "store-profile": {"const": FORMAT},
            "store": {"type": "object", "description": "Where and when a run observed it (written by a run)."},
            "marks": {"type": "object", "properties": marks, "additionalProperties": False},
            "texts": {
                "type": "object",
                "description": "The store's wording of an error, by its example's name (ep-cart-twin-check learns it).",
                "propertyNames": {"enum": rules},
                "additionalProperties": text,
            },
        },
        "required": ["store-profile"],
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class StoreProfile:
    """A store's alternative for every choosable mark (and message), the defaults filled in."""

    choices: Mapping[str, str]
    """Mark id -> alternative, for every mark that lists alternatives and is decided once."""
    messages: Mapping[str, str]
    """Message id -> alternative, for every message of a mark decided per message."""
    defaults: Mapping[str, str]
    """The same keys (marks and messages) -> the default alternative."""
    source: str
    """The file it was read from, or "defaults"."""
    texts: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    """Error example name (the rule) -> the store's `title` and, when given, `detail` for it (null: none)."""

    def alternative(self, mark_id: str) -> str:
        return self.choices[mark_id]

    def message(self, message_id: str) -> str:
        return self.messages[message_id]

    def differences(self) -> dict[str, str]:
        """Every mark or message whose alternative is not the default, in the spec's order."""
        chosen = {**self.choices, **self.messages}
        return {key: value for key, value in chosen.items() if value != self.defaults[key]}


def default_profile(spec: ApiSpec) -> StoreProfile:
    """The profile of a store that decides every point as openapi.yaml does (the bundled mock's)."""
    choices: dict[str, str] = {}
    messages: dict[str, str] = {}
    for mark_id, mark in choosable(spec).items():
        assert mark.default is not None
        if mark.messages:
            messages.update((message, mark.default) for message, _ in mark.messages)
        else:
            choices[mark_id] = mark.default
    return StoreProfile(choices, messages, {**choices, **messages}, "defaults")


def chosen(value: Any) -> str | None:
    """The alternative a mark's (or message's) value names; None for `not-reached`."""
    if isinstance(value, dict):
        return None if "not-reached" in value else str(value["alternative"])
    return str(value)


def normalized(value: Any) -> Any:
    """YAML reads `token-request-refused-with-400: 401` as a number: alternatives are names, so make it one."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return {key: normalized(item) if key != "evidence" else item for key, item in value.items()}
    return value


def parse_profile(document: Any, spec: ApiSpec, source: str) -> StoreProfile:
    """A profile from its parsed YAML. Unknown marks, messages and alternatives are named with the valid ones;
    anything else the schema refuses is named by where it is."""
    marks = choosable(spec)
    if not isinstance(document, dict):
        raise ProfileError(f"{source}: a store profile is a mapping (store-profile: {FORMAT}, marks: ...)")
    document = {**document, "marks": normalized(document.get("marks") or {})}
    given = document["marks"]
    for mark_id, value in given.items() if isinstance(given, dict) else ():
        mark = marks.get(str(mark_id))
        if mark is None:
            known = " (it lists no alternatives)" if str(mark_id) in spec.assumptions else ""
            raise ProfileError(f"{source}: unknown mark {mark_id!r}{known}; a profile can decide: {', '.join(marks)}")
        valid = [key for key, _ in mark.alternatives]
        items = {mark_id: value}
        if mark.messages and is_per_message(value):
            known_messages = [message for message, _ in mark.messages]
            for message in value:
                if message not in known_messages:
                    raise ProfileError(
                        f"{source}: {mark_id}: unknown message {message!r}; its messages: {', '.join(known_messages)}"
                    )
            items = value
        for key, item in items.items():
            name = item.get("alternative") if isinstance(item, dict) else item
            if isinstance(name, str) and name not in valid:
                raise ProfileError(
                    f"{source}: {key}: unknown alternative {name!r}; its alternatives: {', '.join(valid)}"
                )
    texts = document.get("texts")
    rules = sorted({example.name for example in spec.error_examples})
    for name in texts if isinstance(texts, dict) else ():
        if name not in rules:
            raise ProfileError(f"{source}: texts: unknown error {name!r}; openapi.yaml's errors: {', '.join(rules)}")
    for name, text in texts.items() if isinstance(texts, dict) else ():
        lost = lost_message(spec, name, text) if isinstance(text, dict) else None
        if lost is not None:
            raise ProfileError(
                f"{source}: texts: {name} would lose the vendor's message {lost!r} (S2): give it as its title or detail"
            )
    errors = list(jsonschema_rs.validator_for(profile_schema(spec)).iter_errors(document))
    if errors:
        error = errors[0]
        path = [str(part) for part in error.instance_path]
        hint = ""
        if len(path) >= 2 and path[0] == "marks" and path[1] in marks:
            names = ", ".join(key for key, _ in marks[path[1]].alternatives)
            hint = f" (a mark takes one of its alternatives: {names}; or {{alternative: ...}} or {{not-reached: ...}})"
        raise ProfileError(f"{source}: {'/'.join(path) or 'the document'}: {error.message}{hint}")
    profile = default_profile(spec)
    choices, messages = dict(profile.choices), dict(profile.messages)
    for mark_id, value in given.items():
        mark = marks[mark_id]
        if mark.messages:
            per_message = value if is_per_message(value) else {message: value for message, _ in mark.messages}
            for message, item in per_message.items():
                messages[message] = chosen(item) or messages[message]
        else:
            choices[mark_id] = chosen(value) or choices[mark_id]
    texts = {str(name): dict(text) for name, text in (document.get("texts") or {}).items()}
    return StoreProfile(choices, messages, profile.defaults, source, texts)


def normalized_message(text: str | None) -> str:
    """Case, surrounding white space and trailing punctuation do not matter when matching a vendor message."""
    return (text or "").strip().rstrip(".!;:,").strip().casefold()


def lost_message(spec: ApiSpec, name: str, text: Mapping[str, Any]) -> str | None:
    """The vendor's message (S2, a `decided-per-message` text) the error `name` carries that these words would
    lose, being in neither their title nor their detail; None when it carries none, or they keep it."""
    messages = {message for mark in spec.assumptions.values() for _, message in mark.messages}
    for example in spec.error_examples:
        if example.name == name and example.title in messages:
            fields = [normalized_message(str(text.get(key) or "")) for key in ("title", "detail")]
            if not any(normalized_message(example.title) in field for field in fields):
                return example.title
    return None


def is_per_message(value: Any) -> bool:
    """A mark decided per message given as {message: alternative, ...}, not one value for all its messages."""
    return isinstance(value, dict) and not {"alternative", "not-reached"} & set(value)


def read_profile(path: Path, spec: ApiSpec) -> StoreProfile:
    """The profile in `path`; ProfileError (never another exception) when it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProfileError(f"{path}: cannot be read ({error})") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ProfileError(f"{path}: not YAML ({' '.join(str(error).split())})") from None
    return parse_profile(document, spec, str(path))
