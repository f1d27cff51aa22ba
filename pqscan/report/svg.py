"""Small inline-SVG charts for the HTML report: no scripts, no external fetches, all text escaped."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import date

from pqscan.model import Severity
from pqscan.textsafe import clean


def escape(text: str) -> str:
    """HTML-escaped, with control and bidi characters from the inventory made visible first."""
    return html.escape(clean(text))

COLORS: Mapping[str, str] = {"critical": "#a50e0e", "high": "#d9480f", "medium": "#e0a100", "low": "#3b82c4",
                             "info": "#6b7785", "ok": "#2f855a"}


def _text(x: float, y: float, s: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {extra}>{escape(s)}</text>'


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'role="img" aria-label="{escape(label)}">' + "".join(body) + "</svg>")


def gauge(score: int) -> str:
    """A half-ring readiness gauge, 0-100."""
    import math

    score = max(0, min(100, score))
    color = COLORS["ok"] if score >= 80 else COLORS["medium"] if score >= 50 else COLORS["critical"]
    r, cx, cy = 70, 90, 90
    angle = math.pi * (1 - score / 100)
    x, y = cx + r * math.cos(angle), cy - r * math.sin(angle)
    body = [
        f'<path d="M {cx - r} {cy} A {r} {r} 0 0 1 {cx + r} {cy}" fill="none" stroke="#d8dee6" stroke-width="16"/>',
        f'<path d="M {cx - r} {cy} A {r} {r} 0 0 1 {x:.1f} {y:.1f}" fill="none" stroke="{color}" stroke-width="16"/>',
        _text(cx, cy - 8, str(score), "middle", 'style="font-size:34px;font-weight:700"'),
        _text(cx, cy + 14, "readiness / 100", "middle", 'style="fill:#5b6470"'),
    ]
    return _svg(180, 110, body, f"readiness score {score} out of 100").replace('width="100%"', 'width="200"', 1)


def stacked_bars(rows: Mapping[str, Mapping[Severity, int]], label: str) -> str:
    """Horizontal stacked bars: one row per category, segments by severity."""
    order = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]
    names = sorted(rows, key=lambda k: -sum(rows[k].values()))
    if not names:
        return _svg(400, 40, [_text(10, 25, "no findings")], label)
    top = max(sum(rows[n].values()) for n in names) or 1
    left, width, bar_h, gap = 130, 300, 18, 8
    height = 30 + len(names) * (bar_h + gap)
    body: list[str] = []
    for i, name in enumerate(names):
        y = 10 + i * (bar_h + gap)
        body.append(_text(left - 6, y + 13, name, "end"))
        x = float(left)
        for sev in order:
            n = rows[name].get(sev, 0)
            if not n:
                continue
            w = width * n / top
            body.append(f'<rect x="{x:.1f}" y="{y}" width="{max(w, 1):.1f}" height="{bar_h}" '
                        f'fill="{COLORS[sev.value]}"><title>{escape(f"{name}: {n} {sev.value}")}</title></rect>')
            x += w
        body.append(_text(x + 4, y + 13, str(sum(rows[name].values()))))
    ly = height - 12
    for j, sev in enumerate(order):
        body.append(f'<rect x="{left + j * 72}" y="{ly - 9}" width="10" height="10" fill="{COLORS[sev.value]}"/>')
        body.append(_text(left + j * 72 + 14, ly, sev.value))
    return _svg(left + width + 60, height, body, label)


def timeline(points: Sequence[tuple[date, str, int]], today: date, label: str) -> str:
    """Deadlines on a year axis: one lane per profile, circle size by findings due."""
    if not points:
        return _svg(400, 40, [_text(10, 25, "no deadlines in the selected profiles")], label)
    years = [p[0].year for p in points] + [today.year]
    y0, y1 = min(years), max(years) + 1
    lanes = sorted({p[1] for p in points})
    left, width, lane_h = 130, 420, 34
    height = 46 + lane_h * len(lanes)

    def xpos(d: date) -> float:
        return left + width * ((d.year + (d.timetuple().tm_yday - 1) / 366) - y0) / max(1, y1 - y0)

    body = [f'<line x1="{left}" y1="{height - 24}" x2="{left + width}" y2="{height - 24}" stroke="#5b6470"/>']
    for year in range(y0, y1 + 1):
        x = xpos(date(year, 1, 1))
        body.append(f'<line x1="{x:.1f}" y1="{height - 28}" x2="{x:.1f}" y2="{height - 20}" stroke="#5b6470"/>')
        body.append(_text(x, height - 6, str(year), "middle"))
    tx = xpos(today)
    body.append(f'<line x1="{tx:.1f}" y1="4" x2="{tx:.1f}" y2="{height - 24}" stroke="#a50e0e" stroke-dasharray="4 3"/>')
    body.append(_text(tx + 3, 12, "today", extra='style="fill:#a50e0e"'))
    top = max(p[2] for p in points) or 1
    for i, lane in enumerate(lanes):
        y = 30 + i * lane_h
        body.append(_text(left - 6, y + 4, lane, "end"))
        for d, profile, n in points:
            if profile != lane:
                continue
            r = 4 + 10 * (n / top) ** 0.5
            color = COLORS["critical"] if d <= today else COLORS["high"]
            body.append(f'<circle cx="{xpos(d):.1f}" cy="{y}" r="{r:.1f}" fill="{color}" fill-opacity="0.75">'
                        f'<title>{escape(f"{profile}: {n} finding(s) due {d.isoformat()}")}</title></circle>')
            body.append(_text(xpos(d), y - r - 2, str(n), "middle", extra='class="count"'))
    return _svg(left + width + 30, height, body, label)


def column_bars(values: Sequence[tuple[str, int]], label: str, color: str = "#3b82c4") -> str:
    """Vertical bars (e.g. steps per migration wave)."""
    if not values:
        return _svg(400, 40, [_text(10, 25, "no migration plan")], label)
    top = max(v for _, v in values) or 1
    bar_w, gap, h = 46, 18, 150
    width = max(420, 40 + len(values) * (bar_w + gap))
    body: list[str] = []
    for i, (name, v) in enumerate(values):
        x = 30 + i * (bar_w + gap)
        bh = (h - 44) * v / top
        body.append(f'<rect x="{x}" y="{h - bh - 20:.1f}" width="{bar_w}" height="{bh:.1f}" fill="{color}">'
                    f'<title>{escape(f"{name}: {v}")}</title></rect>')
        body.append(_text(x + bar_w / 2, h - bh - 24, str(v), "middle"))
        body.append(_text(x + bar_w / 2, h - 5, name, "middle"))
    return _svg(width, h, body, label)


def dependency_graph(nodes: Sequence[tuple[str, str, str]], edges: Sequence[tuple[str, str]], label: str) -> str:
    """Layered drawing of a small DAG. nodes: (id, label, severity); edges: (dependant, dependency).

    Layers are longest-path depths from the dependencies, so what must move first is on the left.
    """
    if not nodes:
        return _svg(400, 40, [_text(10, 25, "no dependencies among the top risks")], label)
    ids = [n[0] for n in nodes]
    present = set(ids)
    deps: dict[str, list[str]] = {i: [] for i in ids}
    for a, b in edges:
        if a in present and b in present and a != b:
            deps[a].append(b)
    depth: dict[str, int] = {}

    def layer(n: str, stack: frozenset[str] = frozenset()) -> int:
        if n in depth:
            return depth[n]
        if n in stack:
            return 0  # cycle: stop
        d = 1 + max((layer(m, stack | {n}) for m in deps[n]), default=-1)
        depth[n] = d
        return d

    for n in ids:
        layer(n)
    columns: dict[int, list[str]] = {}
    for n in ids:
        columns.setdefault(depth[n], []).append(n)
    col_w, row_h, box_w, box_h = 230, 44, 200, 30
    rows = max(len(c) for c in columns.values())
    width, height = 20 + col_w * len(columns), 20 + row_h * rows
    pos = {n: (10 + col_w * d, 10 + row_h * i) for d, col in columns.items() for i, n in enumerate(col)}
    info = {n[0]: n for n in nodes}
    body = ['<defs><marker id="arr" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
            'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#5b6470"/></marker></defs>']
    for a, bs in deps.items():
        for b in bs:
            (xa, ya), (xb, yb) = pos[a], pos[b]
            body.append(f'<line x1="{xb + box_w}" y1="{yb + box_h / 2}" x2="{xa}" y2="{ya + box_h / 2}" '
                        f'stroke="#5b6470" marker-end="url(#arr)"/>')
    for n, (x, y) in pos.items():
        _, text, sev = info[n]
        short = text if len(text) <= 30 else text[:29] + "…"
        body.append(f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="5" fill="#fff" '
                    f'stroke="{COLORS.get(sev, "#5b6470")}" stroke-width="2"><title>{escape(text)}</title></rect>')
        body.append(_text(x + 8, y + 19, short))
    return _svg(width, height, body, label)
