"""Markdown report for tickets and wikis: the executive summary and the top of every table.

Target text is escaped for Markdown table cells (``|``, backticks, HTML ``<``/``>``, newlines), so a
certificate subject cannot break the table or inject markup when the wiki renders it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pqscan.inventory import Inventory
from pqscan.model import Severity
from pqscan.report.summary import SEVERITY_ORDER, summarize
from pqscan.textsafe import clean

TOP_FINDINGS = 50
TOP_STEPS = 25


def md_escape(value: Any) -> str:
    text = "" if value is None else " ".join(str(value).split())  # newlines and tabs -> one space
    text = clean(text).replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
    text = text.replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*").replace("_", "\\_")
    text = text.replace("[", "\\[").replace("]", "\\]")
    return " ".join(text.split())


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return out


def _get(step: Any, name: str, default: Any = "") -> Any:
    return step.get(name, default) if isinstance(step, Mapping) else getattr(step, name, default)


def _readiness(s: Any) -> list[str]:
    if not s.readiness_by_profile:
        return []
    by_id = {p.id: p for p in s.profiles}
    out = ["", "## Readiness per profile", "",
           "Share of the findings on what you operate that each profile already accepts with no date attached "
           "(formula: docs/risk-model.md).", ""]
    out += _table(["profile", "readiness", "ready", "judged", "binds", "last verified"],
                  [[r.name, r.text(), r.ready, r.judged, getattr(by_id.get(r.profile), "binds", "") or "—",
                    getattr(getattr(by_id.get(r.profile), "last_verified", None), "isoformat", lambda: "—")()]
                   for r in s.readiness_by_profile])
    return out


_LIST_TITLES = {"vendor-managed": "Track your vendors", "expired": "Remove or renew (expired)",
                "test-material": "Test material (information only)", "third-party": "Third-party code"}


def _not_operated(s: Any, plan: Any | None) -> list[str]:
    out: list[str] = []
    for ownership, ids in s.not_operated.items():
        out += ["", f"## {_LIST_TITLES.get(ownership, ownership)} ({len(ids)} assets, not migration steps)", ""]
        out += [f"- `{md_escape(a)}`" for a in ids[:TOP_STEPS]]
        if len(ids) > TOP_STEPS:
            out.append(f"- … {len(ids) - TOP_STEPS} more in the JSON report")
    return out


def _what_first_by_when(s: Any, inventory: Inventory, today: date) -> list[str]:
    """The same three answers as the HTML report's first screen (pqscan.report.firstscreen)."""
    from pqscan.report.firstscreen import first_steps, next_deadlines

    out: list[str] = []
    steps = first_steps(s, inventory)
    if steps:
        out += ["", "## What first", ""]
        out += _table(["#", "step", "asset", "where", "owner", "due"],
                      [[st.order, st.title, st.what, st.where or "—", st.owner or "—", st.deadline] for st in steps])
    deadlines = next_deadlines(s, today)
    if deadlines:
        out += ["", "## By when", ""]
        out += _table(["profile", "next deadline", "findings due", "due later"],
                      [[d.profile, d.date.isoformat(), d.findings, d.later] for d in deadlines])
    return out


def render_markdown(inventory: Inventory, assessment: Any, plan: Any | None = None,
                    bench: Mapping[str, Any] | None = None, *, progress: Any | None = None) -> str:
    s = summarize(inventory, assessment, plan, bench if bench is not None else inventory.attachments.get("bench"))
    safe, total_kx = s.quantum_safe_kx_endpoints
    lines = [
        "# Post-quantum readiness report",
        "",
        f"**Readiness: {s.readiness_text}** (all selected profiles, over what you operate) · "
        + " · ".join(f"{s.by_severity.get(sev, 0)} {sev.value}" for sev in SEVERITY_ORDER)
        + f" · {len(inventory.assets)} assets · {len(inventory.errors)} scan errors",
        "",
        f"- Profiles: {', '.join(getattr(p, 'name', str(p)) for p in s.profiles) or '—'}",
        f"- Endpoints offering PQ or hybrid key exchange: {safe} of {total_kx}",
        f"- Assets exposed to harvest-now-decrypt-later today: {len(s.hndl_split[0])} with no PQ option, "
        f"{len(s.hndl_split[1])} offering PQ but still accepting classical key exchange",
        f"- Scanned: {md_escape(inventory.started)}",
        *_what_first_by_when(s, inventory, getattr(assessment, "today", date.today())),
        "",
        "## Compliance matrix",
        "",
    ]
    statuses = ["compliant", "deprecated", "disallowed", "unknown"]
    lines += _table(["profile", *statuses, "next deadline"],
                    [[m["profile"], *[m["counts"].get(st, 0) for st in statuses],
                      m["next_deadline"].isoformat() if isinstance(m["next_deadline"], date) else "—"]
                     for m in s.matrix])
    lines += _readiness(s)
    lines += _not_operated(s, plan)
    steps = list(getattr(plan, "steps", []) or []) if plan is not None else []
    if steps:
        lines += ["", "## Migration plan (first steps)", ""]
        lines += _table(["#", "wave", "asset", "what to do", "risk", "deadline"],
                        [[_get(st, "order"), _get(st, "wave"), _get(st, "title") or _get(st, "asset_id"),
                          _get(st, "action"), f"{float(_get(st, 'risk', 0) or 0):.1f}", _get(st, "deadline") or "—"]
                         for st in steps[:TOP_STEPS]])
        if len(steps) > TOP_STEPS:
            lines.append(f"\n… {len(steps) - TOP_STEPS} more steps in the JSON/HTML report.")
    costs = (s.bench or {}).get("migration_costs") or []
    if costs:
        lines += ["", "## Measured cost of the replacements", ""]
        lines += _table(["current", "replacement", "context", "time ratio", "extra bytes"],
                        [[c.get("from"), c.get("to"), c.get("context"),
                          f"{c['time_ratio']:.2f}x" if isinstance(c.get("time_ratio"), (int, float)) else "—",
                          c.get("extra_bytes", "—")] for c in costs])
    if progress is not None:
        from pqscan.report.progress import progress_markdown

        lines += progress_markdown(progress)
    lines += ["", f"## Findings (top {min(TOP_FINDINGS, len(s.rows))} of {len(s.rows)})", ""]
    lines += _table(["severity", "algorithm", "usage", "asset", "owner", "location", "all selected", "earliest deadline",
                     "acceptable under all", "reason"],
                    [[r.severity.value, r.finding.algorithm, r.finding.usage.value, r.asset_name, r.ownership,
                      r.finding.evidence.location + (f":{r.finding.evidence.line}" if r.finding.evidence.line else ""),
                      r.combined_status or r.status, r.deadline_text, ", ".join(r.acceptable) or "—",
                      r.reason] for r in s.rows[:TOP_FINDINGS] if r.severity is not Severity.INFO or len(s.rows) < TOP_FINDINGS])
    if inventory.errors:
        lines += ["", f"## Scan errors ({len(inventory.errors)})", ""]
        lines += _table(["kind", "target", "stage", "message"],
                        [[e.kind.value, e.target, e.stage, e.message] for e in inventory.errors[:TOP_FINDINGS]])
    return "\n".join(lines) + "\n"
