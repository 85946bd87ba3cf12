"""The endpoint's description, shared by every part of the kit: the bundled openapi.yaml (and the mock's
mock-controls.yaml), its loader, the names of its paths and headers, its assumption marks, and the EP_*
variables a client of the endpoint needs.

A leaf: it imports no other part of the kit. The mock (ep_cart_mock) and the contract suite (ep_cart_contract)
both read the spec through it, and never import each other. There is exactly one spec: the one this package
ships (in a checkout, the repository's openapi.yaml), which the mock serves and validates with, and the suite
generates its cases from and judges by.

Its modules: `names` (paths, headers, extensions), `document` (ApiSpec: operations, validators, marks),
`profiles` (store profiles: which alternative of each mark a store uses, their schema, reading them),
`variables` (the EP_* fixture variables and the mock's defaults), `relationship` (the association's path, members
and bodies, read from the spec).
"""

import functools
from pathlib import Path

from ep_cart_spec.document import ApiSpec, Assumption, at_pointer, follow_references, pointer_parts, pointer_to, walk
from ep_cart_spec.names import (
    ACCOUNT_TOKEN_HEADER,
    ASSOCIATION_PATH,
    CART_PATH,
    CARTS_PATH,
    CUSTOMER_TOKEN_HEADER,
    HTTP_METHODS,
    LOGIN_PATH,
    MARK,
    RULES_BEYOND_THE_SCHEMA,
    TOKEN_PATH,
    VENDOR_METHODS_LEFT_OUT,
    cart_id_of,
)
from ep_cart_spec.profiles import ProfileError, StoreProfile, default_profile, profile_schema, read_profile
from ep_cart_spec.relationship import Relationship
from ep_cart_spec.variables import DEFAULTS, DESCRIPTIONS, FIXTURE_VARIABLES, SECRET_VARIABLES

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parents[1]
"""The repository, when the package runs from a checkout (src/ep_cart_spec/)."""


def shipped(name: str) -> Path:
    """A spec file: the installed package's copy (the wheel carries it), else the checkout's."""
    return PACKAGE / name if (PACKAGE / name).is_file() else CHECKOUT / name


SPEC_PATH = shipped("openapi.yaml")
"""The one spec of the kit."""
CONTROLS_SPEC_PATH = shipped("mock-controls.yaml")
"""The mock's test controls, described in OpenAPI too."""


@functools.cache
def load() -> ApiSpec:
    """The kit's spec, parsed once per process (read it, never change it)."""
    return ApiSpec.load(SPEC_PATH)


@functools.cache
def association() -> Relationship:
    """The association of an account with a cart, as the kit's spec describes it: its path, its members' type,
    the header that acts for a member, its bodies. The one place product code learns how to spell it."""
    return Relationship.of(load(), ASSOCIATION_PATH)


__all__ = [
    "ACCOUNT_TOKEN_HEADER",
    "ASSOCIATION_PATH",
    "CARTS_PATH",
    "CART_PATH",
    "CONTROLS_SPEC_PATH",
    "CUSTOMER_TOKEN_HEADER",
    "DEFAULTS",
    "DESCRIPTIONS",
    "FIXTURE_VARIABLES",
    "HTTP_METHODS",
    "LOGIN_PATH",
    "MARK",
    "RULES_BEYOND_THE_SCHEMA",
    "SECRET_VARIABLES",
    "SPEC_PATH",
    "TOKEN_PATH",
    "VENDOR_METHODS_LEFT_OUT",
    "ApiSpec",
    "Assumption",
    "ProfileError",
    "Relationship",
    "StoreProfile",
    "association",
    "at_pointer",
    "cart_id_of",
    "default_profile",
    "follow_references",
    "load",
    "pointer_parts",
    "pointer_to",
    "profile_schema",
    "read_profile",
    "walk",
]
