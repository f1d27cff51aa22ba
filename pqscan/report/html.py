"""The self-contained HTML report a CISO can read in ten minutes.

One file, no external fetches (inline CSS, inline SVG charts, one inline script), readable on a
laptop and in print. Executive summary first; then charts; then full tables that sort, filter and
page client-side over data embedded as JSON (usable with 100k findings).

Safety: everything from a target (certificate subjects, banners, paths, snippets) is escaped with
``html.escape`` in markup, embedded JSON has ``<``, ``>``, ``&`` and line separators escaped so it
cannot close its ``<script>`` element, the script inserts table cells with ``textContent`` only, and
a Content-Security-Policy allows exactly our one script (by hash) and nothing else — so even a
mistake in escaping could not run injected script.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from importlib import resources
from typing import Any

from pqscan import __version__
from pqscan.inventory import Inventory, now_iso
from pqscan.report import svg
from pqscan.report.firstscreen import TOP_STEPS, FirstStep, first_steps, next_deadlines
from pqscan.report.summary import SEVERITY_ORDER, ReportSummary, summarize
from pqscan.textsafe import clean

PLAN_ROWS = 60
TOP_GRAPH_NODES = 14


def _template(name: str) -> str:
    return resources.files("pqscan").joinpath(f"report/templates/{name}").read_text(encoding="utf-8")


def _json_for_script(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _e(value: Any) -> str:
    return escape("" if value is None else clean(str(value)))


_NUMERIC = re.compile(r"^[\d\s.,:/%×+\-—–]+$|^\d{4}-\d{2}-\d{2}")


def _cell(v: Any) -> str:
    """A table cell; numbers and dates carry class "num" (never wrapped, see report.css)."""
    if isinstance(v, _Raw):
        return f"<td>{v.html}</td>"
    text = _e(v)
    return f'<td class="num">{text}</td>' if _NUMERIC.match(text or "x") else f"<td>{text}</td>"


@dataclass(frozen=True)
class _Raw:
    html: str  # already escaped markup


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], cls: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    klass = f' class="{cls}"' if cls else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _plan_steps(plan: Any) -> list[Any]:
    return list(getattr(plan, "steps", []) or []) if plan is not None else []


def _step(step: Any, name: str, default: Any = "") -> Any:
    if isinstance(step, Mapping):
        return step.get(name, default)
    return getattr(step, name, default)


def _summary_section(s: ReportSummary, inventory: Inventory) -> str:
    safe, total_kx = s.quantum_safe_kx_endpoints
    cards = "".join(
        f'<div class="card {sev.value}"><div class="n">{s.by_severity.get(sev, 0)}</div>'
        f'<div class="l">{sev.value}</div></div>' for sev in SEVERITY_ORDER)
    exposed, fallback = s.hndl_split
    hndl_list = "".join(f"<li><code>{_e(a)}</code></li>" for a in exposed[:10]) + (
        f"<li>… and {len(exposed) - 10} more</li>" if len(exposed) > 10 else "")
    return f"""
<section id="summary"><h2>Severity and exposure</h2>
<div class="cards">{cards}</div>
<p class="explain">Severity is the worst verdict of the selected profiles. Readiness {_e(s.readiness_text)}: the share
of the findings on what you operate that every selected profile already accepts with no date attached (not exposed to
harvest-now-decrypt-later, not broken); trust stores, test material, third-party code and expired certificates are
listed apart and not counted (docs/risk-model.md). {len(s.rows)} findings on {len(inventory.assets)} assets;
{len(inventory.errors)} scan errors recorded.</p>
<div class="cards">
<div class="card high"><div class="n">{len(exposed)}</div><div class="l">assets exposed to harvest-now-decrypt-later today (no PQ option)</div></div>
<div class="card medium"><div class="n">{len(fallback)}</div><div class="l">assets offering PQ but still accepting classical key exchange</div></div>
<div class="card {'info' if safe == total_kx else 'medium'}"><div class="n">{safe} / {total_kx}</div><div class="l">endpoints offering PQ or hybrid key exchange</div></div>
</div>
{'<h3>Exposed to harvest-now-decrypt-later</h3><p class="explain">Key exchange or encryption with an algorithm Shor breaks and no post-quantum option: traffic recorded today can be decrypted once a quantum computer exists.</p><ul>' + hndl_list + '</ul>' if exposed else ''}
</section>"""


def _matrix_section(s: ReportSummary) -> str:
    statuses = ["compliant", "deprecated", "disallowed", "unknown"]
    rows = []
    for m in s.matrix:
        counts = m["counts"]
        nd = m["next_deadline"]
        rows.append([m["profile"], m["title"], *[counts.get(st, 0) for st in statuses],
                     nd.isoformat() if isinstance(nd, date) else "—"])
    return f"""<section id="compliance"><h2>Compliance matrix</h2>
<p class="explain">Findings per profile by status; the next deadline is the earliest date on which something now in use
becomes disallowed (or deprecated) under that profile.</p>
{_table(["profile", "title", *statuses, "next deadline"], rows)}
<h3>Readiness per profile</h3>
<p class="explain">Over what you operate: ready = accepted today with no date attached. "All selected profiles" counts a
finding ready only when every selected profile that covers it does.</p>
{_table(["profile", "readiness", "ready", "judged", "binds", "last verified"], _readiness_rows(s))}
{_not_operated_lists(s)}</section>"""


def _readiness_rows(s: ReportSummary) -> list[list[Any]]:
    by_id = {p.id: p for p in s.profiles}
    rows = []
    for r in s.readiness_by_profile:
        prof = by_id.get(r.profile)
        verified = getattr(prof, "last_verified", None)
        rows.append([r.name, r.text(), r.ready, r.judged, getattr(prof, "binds", "") or "—",
                     verified.isoformat() if verified else "—"])
    return rows


_LIST_TITLES = {"vendor-managed": "Track your vendors", "expired": "Remove or renew (expired)",
                "test-material": "Test material (information only)", "third-party": "Third-party code"}


def _not_operated_lists(s: ReportSummary) -> str:
    parts = []
    for ownership, ids in s.not_operated.items():
        items = "".join(f"<li><code>{_e(a)}</code></li>" for a in ids[:20])
        more = f"<li>… and {len(ids) - 20} more</li>" if len(ids) > 20 else ""
        parts.append(f"<h3>{_e(_LIST_TITLES.get(ownership, ownership))} ({len(ids)}, not migration steps)</h3>"
                     f"<ul>{items}{more}</ul>")
    return "".join(parts)


def _first_screen(s: ReportSummary, inventory: Inventory, today: date, plan_steps: Sequence[FirstStep]) -> str:
    """Three answers side by side, all inside a 1366x768 viewport: how exposed, what first, by when."""
    all_ready = s.readiness_by_profile[-1] if s.readiness_by_profile else None
    basis = (f"{all_ready.ready} of {all_ready.judged} findings on what you operate are already where every "
             f"selected profile wants them" if all_ready is not None and all_ready.judged
             else "nothing you operate was judged")
    left_out = sum(len(v) for v in s.not_operated.values())
    exposed, fallback = s.hndl_split
    exposed_line = (f"{len(exposed)} asset(s) exposed to harvest-now-decrypt-later today"
                    + (f", {len(fallback)} more still accept a classical fallback" if fallback else ""))
    steps = plan_steps[:TOP_STEPS]
    if steps:
        items = "".join(
            f'<li data-step="{st.order}"><div class="st-title">{_e(st.title)}</div>'
            f'<div class="st-meta"><span class="what">{_e(st.what)}</span>'
            + (f' · <span class="where">{_e(st.where)}</span>' if st.where else "")
            + (f' · owner <span class="owner">{_e(st.owner)}</span>' if st.owner else "")
            + f' · <span class="due">due {_e(st.deadline)}</span></div></li>' for st in steps)
        first_html = f'<ol class="top-steps">{items}</ol>'
    else:
        first_html = "<p>No migration step: nothing you operate needs work (or no plan was attached).</p>"
    dls = next_deadlines(s, today)
    if dls:
        dl_rows = "".join(
            f'<tr><td>{_e(d.profile)}</td><td class="num">{_e(d.date.isoformat())}</td>'
            f'<td class="num">{d.findings}</td><td class="num">{d.later}</td></tr>' for d in dls)
        by_when = (f'<table class="deadlines"><thead><tr><th>profile</th><th>next deadline</th><th>findings due</th>'
                   f'<th>due later</th></tr></thead><tbody>{dl_rows}</tbody></table>')
    else:
        by_when = "<p>No upcoming deadline in the selected profiles.</p>"
    return f"""<section id="first-screen" class="first">
<div class="panel" id="how-exposed"><h2>How exposed</h2>
<div class="score-line">{svg.gauge(s.readiness if s.readiness is not None else 0)}
<div><div class="big" id="readiness-score">{_e(s.readiness_text)}</div><div class="basis">readiness: {_e(basis)}.</div></div></div>
<p class="exposed">{_e(exposed_line)}.</p>
<p class="basis">{len(s.rows)} findings on {len(inventory.assets)} assets; {left_out} asset(s) you do not operate
(trust stores, test material, third-party code, expired) listed apart, not counted. <a href="#compliance">Per profile</a>.</p>
</div>
<div class="panel" id="what-first"><h2>What first</h2>{first_html}<p class="basis"><a href="#plan-steps">The whole plan</a></p></div>
<div class="panel" id="by-when"><h2>By when</h2>{by_when}</div>
</section>"""


def _plan_section(s: ReportSummary, steps: Sequence[FirstStep]) -> str:
    """The plan, wave by wave, with a plain reason per step and the Mosca arithmetic one click away."""
    if not steps:
        return '<section id="plan-steps"><h2>Migration plan</h2><p>No migration plan was attached.</p></section>'
    waves = {int(_step(w, "number", 0) or 0): str(_step(w, "name", "")) for w in (_step(s.plan, "waves", []) or [])}
    parts = []
    current = None
    rows: list[list[Any]] = []

    def flush() -> None:
        if rows:
            parts.append(_table(["#", "step", "asset", "owner", "deadline", "why"], rows, "plan"))

    for st in steps[:PLAN_ROWS]:
        if st.wave != current:
            flush()
            rows = []
            current = st.wave
            parts.append(f"<h3>Wave {st.wave}: {_e(waves.get(st.wave, ''))}</h3>")
        why = _e(st.why)
        if st.arithmetic:
            why += ("<details><summary>the arithmetic</summary>" + "<br>".join(_e(a) for a in st.arithmetic)
                    + "</details>")
        asset = _e(st.what) + (f"<br><small>{_e(st.where)}</small>" if st.where else "")
        rows.append([st.order, _Raw(f"{_e(st.title)}<br><small>{_e(st.action)}</small>"), _Raw(asset),
                     st.owner or "—", st.deadline, _Raw(why)])
    flush()
    more = (f'<p class="note">The first {PLAN_ROWS} of {len(steps)} steps are shown here; the full plan is the '
            f'table "Migration plan (all steps)" below.</p>' if len(steps) > PLAN_ROWS else "")
    return f"""<section id="plan-steps"><h2>Migration plan</h2>
<p class="explain">In order: what must move first comes first within a wave. The arithmetic behind each timing
(Mosca: years the data must stay secret + years to migrate, against years to a quantum computer) is one click away.</p>
{''.join(parts)}{more}</section>"""


def _ratio_text(c: Mapping[str, Any]) -> str:
    ratio = c.get("time_ratio")
    if not isinstance(ratio, (int, float)):
        return "—"
    iqr = c.get("time_ratio_iqr")
    if isinstance(iqr, (list, tuple)) and len(iqr) == 2 and all(isinstance(x, (int, float)) for x in iqr):
        return f"{float(ratio):.2f}× ({float(iqr[0]):.2f}–{float(iqr[1]):.2f})"
    return f"{float(ratio):.2f}×"


def _bench_section(s: ReportSummary) -> str:
    bench = s.bench or {}
    costs = bench.get("migration_costs") or []
    if not costs:
        return ('<section id="cost"><h2>Cost of the replacements</h2><p>No benchmark attached '
                '(run <code>pqscan bench --attach INVENTORY</code>).</p></section>')
    settings = bench.get("settings") or {}
    quick = bool(settings.get("quick"))
    rows = [[c.get("from"), c.get("to"), c.get("context"), _ratio_text(c), c.get("extra_bytes", "—")] for c in costs]
    env = bench.get("environment") or {}
    where = ", ".join(f"{k}: {v}" for k, v in list(env.items())[:4] if isinstance(v, (str, int, float)))
    how = (f"{settings.get('repeats', '?')} samples over {settings.get('min_time_s', '?')} s per operation; "
           f"median, with the interquartile range of the ratio in brackets")
    label = "rough: a --quick smoke run (figures vary about 2× between runs)" if quick else "measured"
    return f"""<section id="cost"><h2>Cost of the replacements ({_e(label)})</h2>
<p class="explain">Time ratio = replacement ÷ current algorithm on this machine ({_e(how)}); extra bytes per TLS
handshake or per signature. {_e(where)}</p>
{_table(["current", "replacement", "context", "time ratio (IQR)", "extra bytes"], rows)}</section>"""


def _charts_section(s: ReportSummary, inventory: Inventory, today: date) -> str:
    steps = _plan_steps(s.plan)
    waves = Counter(int(_step(st, "wave", 1) or 1) for st in steps)
    wave_bars = [(f"wave {w}", n) for w, n in sorted(waves.items())]
    return f"""<section id="charts"><h2>At a glance</h2><div class="charts">
<figure><figcaption>Findings by asset kind and severity</figcaption>{svg.stacked_bars(s.by_kind_severity, "findings by asset kind and severity")}</figure>
<figure><figcaption>Profile deadlines (number of findings due on each date)</figcaption>{svg.timeline(s.deadlines, today, "deadlines timeline")}</figure>
<figure><figcaption>Migration waves (steps per wave)</figcaption>{svg.column_bars(wave_bars, "migration waves")}</figure>
</div>{_dependency_table(s, inventory)}</section>"""


def _dependency_table(s: ReportSummary, inventory: Inventory) -> str:
    """The top risks and what each must wait for, as a table a reader can follow (no tiny labels)."""
    steps = _plan_steps(s.plan)
    if not steps:
        return ""
    named = {str(_step(st, "key") or _step(st, "asset_id")): st for st in steps}
    top = sorted(steps, key=lambda st: -float(_step(st, "risk", 0) or 0))[:TOP_GRAPH_NODES]
    rows = []
    for st in sorted(top, key=lambda st: int(_step(st, "order", 0) or 0)):
        deps = [named[d] for d in (_step(st, "depends_on_steps", None) or _step(st, "depends_on", ()) or ())
                if d in named]
        waits = "; ".join(f"#{_step(d, 'order')} {_step(d, 'title')}" for d in deps) or "nothing: can start now"
        rows.append([_step(st, "order"), _step(st, "title") or _step(st, "asset_id"),
                     f"{float(_step(st, 'risk', 0) or 0):.0f}", waits])
    return (f'<h3 id="dependencies">Dependencies among the {len(rows)} riskiest steps</h3>'
            '<p class="explain">Read down: a step can start once the steps it waits for are done.</p>'
            + _table(["#", "step", "risk", "waits for"], rows, "deps"))


def _tables_data(s: ReportSummary, inventory: Inventory) -> tuple[list[dict[str, Any]], str]:
    findings = [[r.severity.value, r.finding.algorithm, r.finding.usage.value, r.quantum_status, r.asset_kind,
                 r.asset_name, r.finding.evidence.location + (f":{r.finding.evidence.line}" if r.finding.evidence.line else ""),
                 r.status, r.deadline.isoformat() if r.deadline else "", r.ownership, r.combined_status,
                 r.deadline_text, ", ".join(r.acceptable), r.reason] for r in s.rows]
    assets = [[a.kind.value, a.id, a.name, a.location] for a in sorted(inventory.assets.values(), key=lambda a: a.id)]
    errors = [[e.kind.value, e.target, e.stage, e.message] for e in inventory.errors]
    plan = [[_step(st, "order"), _step(st, "wave"), _step(st, "title") or _step(st, "asset_id"), _step(st, "action"),
             round(float(_step(st, "risk", 0) or 0), 1), str(_step(st, "deadline") or ""),
             "; ".join(map(str, _step(st, "reasons", []) or []))] for st in _plan_steps(s.plan)]
    specs = [
        {"root": "t-findings", "data": "d-findings", "label": "findings", "prefix": "F-", "severityCol": 0, "sort": 0, "dir": -1,
         "columns": ["severity", "algorithm", "usage", "quantum", "asset kind", "asset", "location", "status",
                     "deadline", "owner", "all selected", "earliest deadline", "acceptable under all", "reason"]},
        {"root": "t-plan", "data": "d-plan", "label": "plan", "prefix": "P-", "sort": 0, "dir": 1,
         "columns": ["#", "wave", "asset", "what to do", "risk", "deadline", "why"]},
        {"root": "t-assets", "data": "d-assets", "label": "assets", "prefix": "A-", "sort": 0, "dir": 1,
         "columns": ["kind", "id", "name", "location"]},
        {"root": "t-errors", "data": "d-errors", "label": "errors", "prefix": "E-", "sort": 0, "dir": 1,
         "columns": ["kind", "target", "stage", "message"]},
    ]
    blobs = "".join(
        f'<script type="application/json" id="{name}">{_json_for_script(_encode_columns(rows))}</script>'
        for name, rows in (("d-findings", findings), ("d-plan", plan), ("d-assets", assets), ("d-errors", errors)))
    return specs, blobs


def _encode_columns(rows: list[list[Any]]) -> dict[str, Any]:
    """Dictionary-encode columns with repeated values (reasons, algorithms, kinds): 100k findings share
    a few hundred distinct reasons, so the page shrinks several-fold. report.js decodes it.

    Column by column, each distinct text cleaned once (control/bidi characters shown, not obeyed)."""
    if not rows:
        return {"dict": [], "rows": []}
    dicts: list[list[str] | None] = []
    columns: list[list[Any]] = []
    for column in zip(*rows, strict=True):
        memo: dict[str, str] = {}
        values = [(memo[v] if v in memo else memo.setdefault(v, clean(v))) if isinstance(v, str) else v
                  for v in column]
        distinct = {v if isinstance(v, str) else "" if v is None else str(v) for v in values}
        if len(distinct) * 4 <= len(values):
            ordered = sorted(distinct)
            index = {v: i for i, v in enumerate(ordered)}
            values = [index[v if isinstance(v, str) else "" if v is None else str(v)] for v in values]
            dicts.append(ordered)
        else:
            dicts.append(None)
        columns.append(values)
    return {"dict": dicts, "rows": [list(r) for r in zip(*columns, strict=True)]}


def _progress_section(progress: Any | None) -> str:
    if progress is None:
        return ""
    from pqscan.report.progress import progress_html

    return progress_html(progress)


def render_html(inventory: Inventory, assessment: Any, plan: Any | None = None,
                bench: Mapping[str, Any] | None = None, *, title: str = "Post-quantum readiness report",
                progress: Any | None = None) -> str:
    s = summarize(inventory, assessment, plan, bench if bench is not None else inventory.attachments.get("bench"))
    today = getattr(assessment, "today", date.today())
    specs, blobs = _tables_data(s, inventory)
    steps = first_steps(s, inventory, limit=None)  # once: the first screen shows the first TOP_STEPS of them
    script = _template("report.js")
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    csp = (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{script_hash}'")
    profiles = ", ".join(getattr(p, "name", str(p)) for p in s.profiles) or "—"
    targets = ", ".join(inventory.targets[:8]) + (f" … (+{len(inventory.targets) - 8})" if len(inventory.targets) > 8 else "")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title><style>{_template("report.css")}</style></head>
<body>
<header><h1>{_e(title)}</h1>
<p>Profiles: {_e(profiles)} · scope: {_e(targets) or "—"} · scanned {_e(inventory.started)} · generated {_e(now_iso())} by pqscan {_e(__version__)}</p></header>
<main>
{_first_screen(s, inventory, today, steps)}
{_summary_section(s, inventory)}
{_plan_section(s, steps)}
{_matrix_section(s)}
{_bench_section(s)}
{_charts_section(s, inventory, today)}
{_progress_section(progress)}
<section id="findings"><h2>All findings</h2><div id="t-findings"></div></section>
<section id="plan"><h2>Migration plan (all steps)</h2><div id="t-plan"></div></section>
<section id="assets"><h2>Assets</h2><div id="t-assets"></div></section>
<section id="errors"><h2>Scan errors</h2><p class="explain">Targets or files that could not be scanned completely, kept so nothing is silently missing.</p><div id="t-errors"></div></section>
</main>
<script type="application/json" id="pqscan-tables">{_json_for_script(specs)}</script>
{blobs}
<script>{script}</script>
</body></html>
"""
