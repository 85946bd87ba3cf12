"""What tests/faults/hook_that_raises.py adds to its error, in a module of its own: importing that hook module would
register its hook in the importing process (the tests' own, where the contract suite is collected too)."""

NOTE = "state.step_one()\nstate.step_two(): the second run stopped drawing earlier"
"""A note as Hypothesis adds one to an error of its own (a stateful scenario's steps, what differed)."""
