"""The progress section (HTML and Markdown) for reports read from a store.

Readiness and exposure over time, and for each upcoming profile deadline a burn-down: how many
findings that deadline makes non-compliant at each scan, the time left, the pace needed to reach
zero by the deadline and the pace so far. Pure functions of :class:`pqscan.store.history.Progress`;
every profile name is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from pqscan.report.svg import COLORS, _svg, _text

MAX_BURNDOWNS = 12


def _pace(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}/week"


def _score(value: int | None) -> str:
    return "n/a" if value is None else f"{value}/100"


def _track(on_track: bool | None) -> str:
    return {True: "on track", False: "behind", None: "not enough history yet"}[on_track]


def line_chart(series: dict[str, list[tuple[str, float]]], label: str, *, ymax: float | None = None) -> str:
    """A small multi-line chart; x is the scan order (dates as labels), every point is labelled with its value."""
    width, height, left, bottom, top = 560, 200, 40, 34, 14
    xs = sorted({d for pts in series.values() for d, _ in pts})
    if not xs:
        return ""
    top_value = ymax if ymax is not None else max((v for pts in series.values() for _, v in pts), default=1) or 1
    step = (width - left - 20) / max(1, len(xs) - 1)

    def px(d: str) -> float:
        return left + xs.index(d) * step

    def py(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / top_value)

    body = [f'<line x1="{left}" y1="{py(0):.1f}" x2="{width - 10}" y2="{py(0):.1f}" stroke="#c5ccd6"/>',
            _text(left - 4, py(top_value) + 4, f"{top_value:g}", "end", 'style="font-size:10px;fill:#5b6470"'),
            _text(left - 4, py(0) + 4, "0", "end", 'style="font-size:10px;fill:#5b6470"')]
    palette = [COLORS["low"], COLORS["high"], COLORS["ok"], COLORS["medium"], COLORS["critical"], COLORS["info"]]
    for i, d in enumerate(xs):
        if len(xs) <= 8 or i in (0, len(xs) - 1) or i % max(1, len(xs) // 6) == 0:
            body.append(_text(px(d), height - 14, d, "middle", 'style="font-size:10px;fill:#5b6470"'))
    for n, (name, pts) in enumerate(series.items()):
        color = palette[n % len(palette)]
        path = " ".join(f"{'M' if i == 0 else 'L'} {px(d):.1f} {py(v):.1f}" for i, (d, v) in enumerate(pts))
        body.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for d, v in pts[-1:] if len(pts) > 8 else pts:
            body.append(f'<circle cx="{px(d):.1f}" cy="{py(v):.1f}" r="3" fill="{color}"/>')
            body.append(_text(px(d), py(v) - 6, f"{v:g}", "middle", f'style="font-size:10px;fill:{color}"'))
        body.append(_text(left + 8 + 150 * n, height - 2, name, "start", f'style="font-size:11px;fill:{color}"'))
    return _svg(width, height, body, label)


def progress_html(progress: Any) -> str:
    scans = progress.scans
    if not scans:
        return ('<section id="progress"><h2>Progress over time</h2><p>The store holds no finished scan with a '
                'summary yet.</p></section>')
    readiness: dict[str, list[tuple[str, float]]] = {"combined": []}
    exposure: dict[str, list[tuple[str, float]]] = {"HNDL-exposed findings": [], "assets with no PQ option": []}
    for _sid, day, summary in scans:
        d = day.isoformat()
        if summary.get("readiness_combined") is not None:
            readiness["combined"].append((d, summary["readiness_combined"]))
        hndl = summary.get("hndl") or {}
        exposure["HNDL-exposed findings"].append((d, hndl.get("findings", 0)))
        if "assets_without_pq" in hndl:
            exposure["assets with no PQ option"].append((d, hndl["assets_without_pq"]))
    rows = []
    for b in progress.burndowns[:MAX_BURNDOWNS]:
        first = b.points[0][1]
        rows.append(f"<tr><td>{escape(b.profile)}</td><td>{b.deadline.isoformat()}</td><td class=num>{first}</td>"
                    f"<td class=num>{b.latest}</td><td class=num>{_pace(b.needed_per_week)}</td>"
                    f"<td class=num>{_pace(b.actual_per_week)}</td><td>{_track(b.on_track)}</td></tr>")
    table = ("<table><thead><tr><th>profile</th><th>deadline</th><th>due at first scan</th><th>due now</th>"
             "<th>pace needed</th><th>pace so far</th><th>status</th></tr></thead><tbody>"
             + "".join(rows) + "</tbody></table>") if rows else "<p>No upcoming deadline has findings due.</p>"
    first, last = scans[0], scans[-1]
    return f"""<section id="progress"><h2>Progress over time</h2>
<p class="explain">{len(scans)} scans from {first[1].isoformat()} to {last[1].isoformat()}. Readiness is the combined
score over the selected profiles at each scan; a burn-down counts the findings each deadline makes non-compliant,
and compares the pace needed to reach zero by the deadline with the pace so far.</p>
<div class="charts"><figure>{line_chart(readiness, "readiness over time", ymax=100)}<figcaption>Readiness (0-100)</figcaption></figure>
<figure>{line_chart(exposure, "harvest-now-decrypt-later exposure over time")}<figcaption>Findings exposed to harvest-now-decrypt-later</figcaption></figure></div>
<h3>Deadline burn-down</h3>
{table}</section>"""


def progress_markdown(progress: Any) -> list[str]:
    from pqscan.report.markdown import md_escape

    lines = ["", "## Progress over time", ""]
    if not progress.scans:
        return [*lines, "The store holds no finished scan with a summary yet."]
    lines += ["| scan | date | findings | readiness | HNDL-exposed findings | exposed assets with no PQ option |",
              "|---|---|---|---|---|---|"]
    for sid, day, summary in progress.scans[-20:]:
        hndl = summary.get("hndl") or {}
        lines.append(f"| {sid} | {day.isoformat()} | {summary.get('findings', 0)} | "
                     f"{_score(summary.get('readiness_combined'))} | {hndl.get('findings', 0)} | "
                     f"{hndl.get('assets_without_pq', '—')} |")
    if progress.burndowns:
        lines += ["", "### Deadline burn-down", "",
                  "| profile | deadline | due at first scan | due now | pace needed | pace so far | status |",
                  "|---|---|---|---|---|---|---|"]
        for b in progress.burndowns[:MAX_BURNDOWNS]:
            lines.append(f"| {md_escape(b.profile)} | {b.deadline.isoformat()} | {b.points[0][1]} | {b.latest} | "
                         f"{_pace(b.needed_per_week)} | {_pace(b.actual_per_week)} | {_track(b.on_track)} |")
    return lines
