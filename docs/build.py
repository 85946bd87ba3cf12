"""Render openapi.yaml into one self-contained HTML page (`make docs` writes docs/index.html).

The page inlines the Redoc standalone script (from the npm registry's `redoc` package, pinned in the
Makefile) and the spec itself, so opening it fetches nothing from the internet. A section listing every
`x-assumptions` mark (our decisions where the vendor is silent) is added to the description, read from the
same marks the mock and the contract suite use.
"""

from __future__ import annotations

import argparse
import html
import json
import re
from pathlib import Path

from ep_cart_spec import ApiSpec

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ margin: 0; padding: 0; }}</style>
</head>
<body>
<div id="redoc"></div>
<script>{redoc}</script>
<script>
Redoc.init({spec}, {{ expandResponses: "all", jsonSampleExpandLevel: 3, hideDownloadButton: true }},
  document.getElementById("redoc"));
</script>
</body>
</html>
"""


def script_safe(text: str) -> str:
    """Text that cannot end the <script> element it sits in. Only `</script` can (HTML's rule); any other
    `</` is left alone, since rewriting it would change the meaning of regular expressions in the bundle."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


def assumptions_section(api: ApiSpec) -> str:
    """Markdown for the page: each of our decisions, where it is declared and what it covers."""
    lines = [
        "",
        "## Assumptions",
        "",
        "Our decisions where the vendor is silent, as marked in `openapi.yaml` (`x-assumptions`). The contract",
        "suite reports a failure of one of these as an *assumption*, naming the line to change; everything else",
        "it checks is the vendor's contract. A decision that guards who may act for which account fails a run",
        "in every mode.",
        "",
        "| mark | declared at | covers | why |",
        "|---|---|---|---|",
    ]
    for mark in api.assumptions.values():
        covers = ", ".join(f"`{part}`" for part in mark.covers) or "behaviour"
        access = " **Guards account access.**" if mark.guards_access else ""
        lines.append(f"| `{mark.id}` | `{mark.where}` | {covers} | {mark.reason.replace('|', '/')}{access} |")
    return "\n".join(lines) + "\n"


def build(spec_path: Path, redoc_path: Path) -> str:
    api = ApiSpec.load(spec_path)
    spec = dict(api.document)
    spec["info"] = {**spec["info"], "description": spec["info"]["description"] + assumptions_section(api)}
    return TEMPLATE.format(
        title=html.escape(spec["info"]["title"]),
        redoc=script_safe(redoc_path.read_text(encoding="utf-8")),
        spec=script_safe(json.dumps(spec)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", type=Path, required=True)
    parser.add_argument("--redoc", type=Path, required=True, help="redoc.standalone.js")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(build(args.spec, args.redoc), encoding="utf-8")
    print(f"wrote {args.output} ({args.output.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
