"""`python -m ep_cart_mock` (and `make mock`): run the mock server in the foreground."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from ep_cart_mock.app import create_app
from ep_cart_mock.config import DEFAULTS, SECRET_VARIABLES, ConfigError, Settings
from ep_cart_mock.server import serve


def fixture_lines(environ: dict[str, str]) -> list[str]:
    """The values the mock uses, to copy into curl. A secret set in the environment is never printed."""
    lines = []
    for name, default in DEFAULTS.items():
        value = environ.get(name) or default
        if name in SECRET_VARIABLES and environ.get(name):
            value = "******** (set in the environment)"
        lines.append(f"  {name}={value}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ep-cart-mock", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    try:
        app = create_app(Settings.from_env())
    except (ConfigError, OSError) as error:
        print(f"ep-cart-mock: cannot start: {error}", file=sys.stderr)
        return 2

    print("Account cart associations mock, with these values:", flush=True)
    print("\n".join(fixture_lines(dict(os.environ))), flush=True)
    print(f"Docs: http://{args.host}:{args.port}/docs   Spec: http://{args.host}:{args.port}/openapi.yaml", flush=True)
    print("Stop: Ctrl-C", flush=True)
    serve(app, args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
