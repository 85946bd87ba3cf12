"""Ctrl-C is not lost in a run of the suite.

Python raises KeyboardInterrupt wherever the main thread is when SIGINT arrives. Inside a garbage-collection
callback (Hypothesis registers one, to time its collections) an exception cannot propagate: Python prints it as
"Exception ignored in ..." and drops it, and the run went on to its end and exited 0, "every claim held", as if
nobody had pressed Ctrl-C (2 of 6 runs interrupted at 20 requests a second; the check was
tests/test_contract_leaves_no_trace.py, which failed now and then). While a session runs the suite, the handler
here records the interrupt as it raises it; the run raises it again at the next request it sends and at the next
test (`raise_if_dropped`), until pytest has seen it (`seen`), after which the clean-up's own requests go out; one
dropped after the last of those still ends the run as interrupted (the plugin reads `pending` as it finishes).
Sessions may nest (a test that runs the suite in-process): the handler stays until the outermost one ends.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

_pending = threading.Event()
"""Set by the handler, cleared once pytest has handled a KeyboardInterrupt."""


def on_sigint(signal_number: int, frame: FrameType | None) -> None:
    _pending.set()
    raise KeyboardInterrupt


_depth = 0
"""Sessions running the suite, nested, that installed the handler."""


def install() -> None:
    """Handle SIGINT as Python does by default, and remember it (from the main thread: only it may; and only over
    Python's own handler, never over one the caller chose, nor where SIGINT is ignored)."""
    global _depth
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) in (signal.default_int_handler, on_sigint):
        signal.signal(signal.SIGINT, on_sigint)
        _depth += 1


def uninstall() -> None:
    """The session that installed the handler ends: the outermost one puts Python's back and forgets the interrupt."""
    global _depth
    if _depth == 0 or threading.current_thread() is not threading.main_thread():
        return
    _depth -= 1
    if _depth == 0:
        if signal.getsignal(signal.SIGINT) is on_sigint:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        _pending.clear()


def pending() -> bool:
    """An interrupt was raised and has not reached pytest."""
    return _pending.is_set()


def raise_if_dropped() -> None:
    """KeyboardInterrupt again, when one was raised and has not reached pytest (it was dropped on its way)."""
    if _pending.is_set():
        raise KeyboardInterrupt


def seen() -> None:
    """pytest has handled the interrupt: the run ends, and its clean-up may send what it must."""
    _pending.clear()
