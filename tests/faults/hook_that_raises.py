"""A bug inside the kit, for a test: loaded into a contract run with `-p tests.faults.hook_that_raises`, it
registers a schemathesis hook that raises on every list request, as a broken hook of the kit's would. The run must
name it as the kit's failure (exit status 9, with what reproduces it and the whole error, its notes included),
never as a claim about the store. Never import it from a test module: its hook would act in that process."""

from __future__ import annotations

from typing import Any

import schemathesis

from ep_cart_spec import CARTS_PATH
from tests.faults.kit_error import NOTE


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case[Any], **kwargs: Any) -> None:
    if case.path == CARTS_PATH:
        error = KeyError("a bug in a hook")
        # What Hypothesis adds to an error of its own (the steps of a stateful scenario, what differed): the
        # report must keep it, or the next occurrence of a rare kit failure cannot be read.
        error.add_note(NOTE)
        raise error
