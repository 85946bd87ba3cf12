"""`python -m bench.profiled_mock STATS [ep-cart-mock arguments]`: the mock's command under cProfile, its
statistics written to STATS when it stops (SIGTERM, as `make bench` stops it). For `make bench`'s profile."""

from __future__ import annotations

import cProfile
import signal
import sys

from ep_cart_mock.__main__ import main

if __name__ == "__main__":
    stats_path, *arguments = sys.argv[1:]
    profile = cProfile.Profile()
    # uvicorn stops gracefully on SIGTERM, then raises it again once its own handler is gone: end with exit 0
    # here, so the statistics below are written.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        code = profile.runcall(main, arguments)
    finally:
        profile.dump_stats(stats_path)
    sys.exit(code)
