"""A live store holds a team's real data: the cart IDs a run may write to, and the last word before a request
leaves (no vendor method the spec leaves out, and only this run's carts)."""

from __future__ import annotations

from typing import Any, TypeGuard

from ep_cart_contract.settings import ContractSettings
from ep_cart_spec import ASSOCIATION_PATH, load

_CART_ID_SCHEMA = load().resolve(load().path_parameter_schema(ASSOCIATION_PATH, "cartID"))
CART_ID_MAX_LENGTH: int = _CART_ID_SCHEMA["maxLength"]
_CART_ID = load().validator(_CART_ID_SCHEMA)
VENDOR_METHODS_LEFT_OUT = load().vendor_methods_left_out()
"""Path -> the vendor's methods there that openapi.yaml leaves out: never sent to a live store."""
_SAFE_CART_ID = load().validator({key: _CART_ID_SCHEMA[key] for key in ("type", "pattern", "minLength")})
"""A value that could name a real cart (S5), whatever its length (the spec's limit is an assumption); anything
else cannot address one."""


def is_safe_cart_id(value: object) -> TypeGuard[str]:
    """Made of the characters a cart ID may hold (the spec's pattern): it could name a real cart."""
    return isinstance(value, str) and _SAFE_CART_ID.is_valid(value)


class LiveSafetyError(RuntimeError):
    """A request the suite must never send to a live store; raised before it leaves."""


def is_valid_cart_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and _CART_ID.is_valid(value)


def is_runs_cart_id(cart_id: object, prefix: str) -> TypeGuard[str]:
    """A cart ID of this run (`prefix`: the run's, or a stateful scenario's within it): made by the run, or
    reached through a link from one of its answers."""
    # With the dash: scenario "-s1" must not claim scenario "-s12"'s carts.
    return isinstance(cart_id, str) and cart_id.startswith(f"{prefix}-")


def own_cart_id(cart_id: str, prefix: str) -> str:
    """This run's cart ID in place of `cart_id`, the one place a cart ID gets the run's prefix: one of the run's
    stays as it is; a valid one gets the prefix and stays valid (cut to the limit); a too-long one stays too
    long."""
    if is_runs_cart_id(cart_id, prefix):
        return cart_id
    if is_valid_cart_id(cart_id):
        return f"{prefix}-{cart_id}"[:CART_ID_MAX_LENGTH]
    return f"{prefix}-{cart_id}"


def guard_live_request(
    settings: ContractSettings, method: str, path: str, path_parameters: dict[str, Any] | None
) -> None:
    """Against a live store, the last word before a request leaves: no vendor method left out of the spec,
    and every cart ID that could name a real cart becomes one of this run's (a read of a new cart ID creates
    it, S3; schemathesis reuses IDs seen in earlier answers, the account's real carts among them)."""
    if not settings.live:
        return
    if method.lower() in VENDOR_METHODS_LEFT_OUT.get(path, set()):
        raise LiveSafetyError(f"refusing to send {method.upper()} {path} to a live store: openapi.yaml leaves it out")
    cart_id = (path_parameters or {}).get("cartID")
    if is_safe_cart_id(cart_id):
        assert path_parameters is not None
        path_parameters["cartID"] = own_cart_id(cart_id, settings.run_prefix)
