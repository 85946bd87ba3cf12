"""ep-cart-mock (`python -m ep_cart_mock`, `make mock`): run the account cart associations mock in the foreground."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from pathlib import Path

from ep_cart_mock.app import LineLog, create_app
from ep_cart_mock.config import DEFAULT_DOCS_PATH, ConfigError, Settings
from ep_cart_mock.server import serve
from ep_cart_spec import DEFAULTS, DESCRIPTIONS, SECRET_VARIABLES, ProfileError


def fixture_lines(environ: dict[str, str]) -> list[str]:
    """The values the mock uses, to copy into curl. A secret set in the environment is never printed."""
    lines = []
    for name, default in DEFAULTS.items():
        value = environ.get(name) or default
        if name in SECRET_VARIABLES and environ.get(name):
            value = "******** (set in the environment)"
        lines.append(f"  {name}={value}")
    return lines


VARIABLES = DESCRIPTIONS
"""What --help says of each variable; tests/mock/test_server.py checks it names every one the mock reads."""


def help_epilog() -> str:
    lines = ["environment variables (unset: the default shown):"]
    for name, default in DEFAULTS.items():
        lines.append(f"  {name:<26} {VARIABLES[name]} (default {default or 'unset'})")
    lines.append(f"  {'EP_TEST_CONTROLS':<26} 1: the same as --test-controls (default off)")
    lines.append(f"  {'EP_STORE_PROFILE':<26} a file: the same as --store-profile (default: openapi.yaml's decisions)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ep-cart-mock",
        description=__doc__,
        epilog=help_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument(
        "--test-controls",
        action="store_true",
        help="serve the test controls under /_mock/ (reset, add an account, mark a contact-email cart, read the "
        "state; see mock-controls.yaml)",
    )
    parser.add_argument(
        "--store-profile",
        type=Path,
        metavar="FILE",
        help="follow a store profile: for each assumption mark it names, answer as that store does (a profile "
        "a contract run wrote, reports/store-profile.yaml, or one written by hand; README: When your store differs)",
    )
    parser.add_argument(
        "--docs",
        type=Path,
        default=DEFAULT_DOCS_PATH,
        help="the page served at /docs (default: the checkout's docs/index.html, built by make docs, else the copy "
        "the installed package carries)",
    )
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    try:
        settings = Settings.from_env()
        settings = dataclasses.replace(settings, docs_path=args.docs)
        if args.test_controls:
            settings = dataclasses.replace(settings, test_controls=True)
        if args.store_profile:
            settings = dataclasses.replace(settings, store_profile=args.store_profile)
        app = create_app(settings, request_log=LineLog(sys.stderr))
    except (ConfigError, ProfileError, OSError) as error:
        print(f"ep-cart-mock: cannot start: {error}", file=sys.stderr)
        return 2

    print("Account cart associations mock, with these values:", flush=True)
    print("\n".join(fixture_lines(dict(os.environ))), flush=True)
    docs = f"http://{args.host}:{args.port}/docs" if settings.docs_path.is_file() else "not built (make docs)"
    print(f"Docs: {docs}   Spec: http://{args.host}:{args.port}/openapi.yaml", flush=True)
    if settings.test_controls:
        print(f"Test controls: http://{args.host}:{args.port}/_mock/ (see mock-controls.yaml)", flush=True)
    if app.rules.profile is not None and settings.store_profile is not None:
        differences = app.rules.profile.differences()
        chosen = ", ".join(f"{mark}: {alternative}" for mark, alternative in differences.items()) or "none"
        print(f"Store profile: {settings.store_profile} (differs from openapi.yaml on: {chosen})", flush=True)
    print("Stop: Ctrl-C", flush=True)
    serve(app, args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
