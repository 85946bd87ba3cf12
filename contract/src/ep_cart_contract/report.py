"""reports/contract.json and reports/contract.html: one run's verdicts, for machines and for a person.

The page is self-contained (inline CSS, no script, nothing fetched), so it opens offline from a CI artifact.
Everything in it has already been masked; it is masked once more as it is written.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from ep_cart_contract.redaction import Redactor

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


def write_reports(directory: Path, data: dict[str, Any], redactor: Redactor) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path, html_path = directory / "contract.json", directory / "contract.html"
    json_path.write_text(redactor.scrub(json.dumps(data, indent=2)), encoding="utf-8")
    html_path.write_text(redactor.scrub(render_html(data)), encoding="utf-8")
    return json_path, html_path


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def render_html(data: dict[str, Any]) -> str:
    run, verdicts, cleanup = data["run"], data["verdicts"], data["cleanup"]
    claims = verdicts["claims"]
    broken = [claim for claim in claims if claim["broken"]]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>Contract run {esc(run['prefix'])}</title><style>{CSS}</style></head><body>",
        "<h1>Account cart associations: contract run</h1>",
        f"<p class='meta'>Target <code>{esc(run['target'])}</code> · profile <b>{esc(run['profile'])}</b> · "
        f"assumptions mode <b>{esc(run['assumptions_mode'])}</b> · {esc(run['finished_at'])} · "
        f"cart IDs prefixed <code>{esc(run['prefix'])}</code> · exit status <b>{esc(run['exit_status'])}</b></p>",
        "<div class='verdicts'>",
    ]
    for kind, line in zip(("vendor contract", "assumption"), verdicts["summary"], strict=True):
        kind_broken = [claim for claim in broken if claim["kind"] == kind]
        style = "ok" if not kind_broken else ("bad" if kind == "vendor contract" else "warn")
        parts.append(f"<div class='verdict {style}'><b>{esc(line)}</b></div>")
    parts.append("</div>")
    parts += preflight_section(data)

    parts.append("<h2>Failed claims</h2>")
    if not broken:
        parts.append("<p class='fine'>Every claim held.</p>")
    for claim in broken:
        parts.append("<div class='claim'>")
        parts.append(
            f"<span class='tag'>{esc(claim['kind'])}</span> <b>{esc(claim['title'])}</b> "
            f"broken {esc(claim['broken'])} of {esc(claim['checked'])} checks"
        )
        if claim["where"]:
            access = " · guards account access: fails the run in every mode" if claim["guards_access"] else ""
            parts.append(
                f"<p>Our assumption, declared at <code>{esc(claim['where'])}</code>: "
                f"{esc(claim['reason'].rstrip('.'))}{access}."
                " If the store is right, change the spec there.</p>"
            )
        else:
            parts.append(f"<p>Source: {esc(claim['source'])}</p>")
        for evidence in claim["evidence"]:
            answered = evidence["status"] if evidence["status"] is not None else "no answer"
            parts.append(
                f"<p><b>{esc(evidence['check'])}</b><br>spec: {esc(evidence['rule'])}: {esc(evidence['expected'])}"
                f"<br>answered: <b>{esc(answered)}</b></p><pre>{esc(evidence['body'] or '(empty body)')}</pre>"
                f"<pre>{esc(evidence['request'])}</pre>"
            )
        parts.append("</div>")

    profile = data.get("store_profile") or {"judged_by": "defaults", "points": []}
    parts.append(
        f"<h2>Store profile</h2><p>Judged by: <code>{esc(profile['judged_by'])}</code>. What this store showed where "
        "the vendor is silent, written to <code>store-profile.yaml</code> (usable as a profile as it is).</p>"
    )
    parts.append("<table><tr><th>mark</th><th>point</th><th>default</th><th>judged by</th><th>observed</th>")
    parts.append("<th>evidence</th></tr>")
    for point in profile["points"]:
        evidence = point["evidence"]
        shown = (
            f"<code>{esc(evidence['request'])}</code> answered <b>{esc(evidence['status'])}</b>"
            if evidence
            else f"<i>not reached: {esc(point['not_reached'])}</i>"
        )
        differs = " class='never'" if point["observed"] and point["observed"] != point["judged_by"] else ""
        parts.append(
            f"<tr><td><code>{esc(point['mark'])}</code></td><td>{esc(point['point'])}</td>"
            f"<td>{esc(point['default'])}</td><td>{esc(point['judged_by'])}</td>"
            f"<td{differs}>{esc(point['observed'] or '')}</td><td>{shown}</td></tr>"
        )
    parts.append("</table>")

    parts.append("<h2>Documented responses</h2><table><tr><th>operation</th><th>status</th><th>observed</th>")
    parts.append("<th>conforming</th><th>verdict</th></tr>")
    for row in data["responses"]:
        if row["observed"] == 0:
            verdict = "<span class='never'>never observed</span>"
        elif row["conforming"] == row["observed"]:
            verdict = "<span class='fine'>ok</span>"
        else:
            verdict = "<span class='never'>not conforming</span>: " + esc("; ".join(row["problems"]))
        parts.append(
            f"<tr><td>{esc(row['operation'])}</td><td>{esc(row['status'])}</td><td>{esc(row['observed'])}</td>"
            f"<td>{esc(row['conforming'])}</td><td>{verdict}</td></tr>"
        )
    parts.append("</table>")
    if data["undocumented"]:
        parts.append("<h3>Undocumented answers</h3><ul>")
        parts += [f"<li><code>{esc(line)}</code></li>" for line in data["undocumented"]]
        parts.append("</ul>")
    if data["unresponsive"]:
        parts.append("<h3>Operations that stopped answering</h3><ul>")
        parts += [f"<li><code>{esc(label)}</code></li>" for label in data["unresponsive"]]
        parts.append("</ul>")

    parts.append(
        f"<h2>Clean-up</h2><p>Associations created: <b>{esc(cleanup['created'])}</b>, removed: "
        f"<b>{esc(cleanup['removed'])}</b>, left: <b>{esc(len(cleanup['left']))}</b>.</p>"
    )
    if cleanup["left"]:
        parts.append("<table><tr><th>cart ID</th><th>account ID</th><th>why it is left</th></tr>")
        parts += [
            f"<tr><td><code>{esc(left['cart_id'])}</code></td><td><code>{esc(left['account_id'])}</code></td>"
            f"<td>{esc(left['why'])}</td></tr>"
            for left in cleanup["left"]
        ]
        parts.append("</table>")

    held = [claim for claim in claims if not claim["broken"]]
    parts.append(f"<h2>Claims that held ({len(held)})</h2><table><tr><th>kind</th><th>claim</th><th>checks</th></tr>")
    parts += [
        f"<tr><td>{esc(claim['kind'])}</td><td>{esc(claim['title'])}</td><td>{esc(claim['checked'])}</td></tr>"
        for claim in held
    ]
    parts.append("</table></body></html>")
    return "\n".join(parts)


def preflight_section(data: dict[str, Any]) -> list[str]:
    """What the preflight checked before any test, and each broken fixture's line (not a claim: nothing of the
    store's was judged on it)."""
    found = data.get("preflight")
    if found is None:
        return []
    stopped = any(problem["stops"] for problem in found["problems"])
    style = "bad" if stopped else "warn" if found["problems"] else "ok"
    parts = [
        f"<h2>Preflight</h2><p>Each fixture the run leans on, checked before any test ({esc(found['requests'])} "
        f"requests, {esc(found['seconds'])} s). A broken one is named here, never judged as the store's contract."
        + (" <b>The run stopped here: nothing was judged.</b>" if stopped else "")
        + "</p>",
        f"<div class='verdict {style}'><ul>",
    ]
    parts += [f"<li>ok: {esc(line)}</li>" for line in found["checked"]]
    parts += [
        f"<li><b>{'stops the run' if problem['stops'] else 'skips its scenarios'}</b>: {esc(problem['line'])}</li>"
        for problem in found["problems"]
    ]
    tokens = data.get("account_tokens") or {}
    if tokens.get("from_login"):
        parts.append(
            f"<li>account tokens from a member's login: {esc(', '.join(tokens['from_login']))} "
            f"({esc(tokens['logins'])} logins in the run, each renewed before it expires)</li>"
        )
    parts.append("</ul></div>")
    return parts
