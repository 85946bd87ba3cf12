"""`python -m ep_cart_spec profile-schema`: print the store profile's JSON Schema (made from openapi.yaml's
marks), for an editor or a check of your own."""

import json
import sys

from ep_cart_spec import load, profile_schema


def main(argv: list[str]) -> int:
    if argv != ["profile-schema"]:
        print("usage: python -m ep_cart_spec profile-schema", file=sys.stderr)
        return 2
    print(json.dumps(profile_schema(load()), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
