"""reports/contract.json and reports/contract.html: one run's verdicts, for machines and for a person.

The page is self-contained (inline CSS, no script, nothing fetched), so it opens offline from a CI artifact. It is
rendered from templates/contract.html with autoescaping, from the run's one results model (results.py).
Everything in it has already been masked; it is masked once more as it is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import jinja2

from ep_cart_contract.redaction import Redactor
from ep_cart_contract.results import RunResults

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #1d2430; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #d5dae2; }
.meta { color: #4a5567; } code, pre { font: 12px/1.4 ui-monospace, monospace; }
pre { white-space: pre-wrap; word-break: break-all; background: #f4f6f9; padding: .5rem; margin: .3rem 0; }
table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #d5dae2; padding: .3rem .5rem; }
th { background: #eef1f5; text-align: left; }
.verdicts { display: flex; gap: 1rem; } .verdict { flex: 1; border-radius: 6px; padding: .8rem 1rem; }
.ok { background: #e5f5ea; border: 1px solid #7cc192; } .bad { background: #fbe7e7; border: 1px solid #e08a8a; }
.warn { background: #fff4de; border: 1px solid #e6b95c; }
.claim { border: 1px solid #d5dae2; border-radius: 6px; padding: .6rem .8rem; margin: .6rem 0; }
.tag { display: inline-block; border-radius: 4px; padding: 0 .4rem; font-size: 12px; background: #eef1f5; }
.never { color: #a33; font-weight: 600; } .fine { color: #1f7a3a; }
"""


ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("ep_cart_contract", "templates"),
    autoescape=True,  # every value is text from the run: a body's `<script>` is shown, never run
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def write_reports(directory: Path, results: RunResults, redactor: Redactor) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path, html_path = directory / "contract.json", directory / "contract.html"
    document = {key: value for key, value in results.as_json().items() if key != "written"}  # known only after
    json_path.write_text(redactor.scrub(json.dumps(document, indent=2)), encoding="utf-8")
    html_path.write_text(redactor.scrub(render_html(results)), encoding="utf-8")
    return json_path, html_path


def render_html(results: RunResults) -> str:
    """The report page, from templates/contract.html (autoescaped), for the one results model."""
    broken_kinds = {claim["kind"] for claim in results.failed_claims}
    styles = {
        "vendor contract": "bad" if "vendor contract" in broken_kinds else "ok",
        "assumption": "warn" if "assumption" in broken_kinds else "ok",
    }
    lines = list(zip(("vendor contract", "assumption"), results.verdicts["summary"], strict=True))
    return ENVIRONMENT.get_template("contract.html").render(
        r=results, css=CSS, verdict_lines=lines, verdict_style=styles
    )
