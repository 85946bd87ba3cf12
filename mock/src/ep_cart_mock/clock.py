"""The mock's time: the machine's, moved on by a test (the test control `POST /_mock/clock`).

Everything in the mock that expires reads this clock: bearer tokens (an hour, S6), account tokens (24 hours, S7)
and carts (purged seven days after their last change, S3). A test advances it to meet what a store meets over
days (the nightly soak, `make soak`) without waiting for them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Clock:
    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Unix time as the mock sees it."""
        return self._source() + self._offset

    def advance(self, seconds: float) -> float:
        """Move the mock's time on by `seconds` (never back); the total it has been moved on by."""
        if seconds < 0:
            raise ValueError("the mock's clock only moves on")
        with self._lock:
            self._offset += seconds
            return self._offset

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset
