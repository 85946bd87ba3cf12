"""A bug inside the kit, for a test: loaded into a contract run with `-p tests.faults.hook_that_raises`, it
registers a schemathesis hook that raises on every list request, as a broken hook of the kit's would. The run must
name it as the kit's failure (exit status 9, with what reproduces it), never as a claim about the store."""

from __future__ import annotations

from typing import Any

import schemathesis

from ep_cart_spec import CARTS_PATH


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case[Any], **kwargs: Any) -> None:
    if case.path == CARTS_PATH:
        raise KeyError("a bug in a hook")
