"""Render an :class:`pqscan.assess.engine.Assessment`: a terminal table (rich) and a JSON document.

Everything that came from a target (certificate subjects, paths, code snippets, raw identifiers)
is untrusted: it goes into rich ``Text`` objects, never into markup strings, so a subject such as
``CN=[bold red]evil`` is shown as written and cannot restyle or hide other output.

The JSON document (``pqscan assess --format json``) is described by
``pqscan/schemas/assessment.schema.json``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pqscan import __version__, jsonout
from pqscan.assess.engine import Assessment, ComplianceStatus, Verdict
from pqscan.inventory import Inventory, now_iso
from pqscan.model import Asset, Finding, Severity
from pqscan.report.terminal import Column
from pqscan.report.terminal import render as render_records
from pqscan.textsafe import clean

ASSESSMENT_SCHEMA_VERSION = "1.1"  # 1.1: readiness, per-finding combined verdict and ownership

SEVERITY_STYLE: Mapping[Severity, str] = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
STATUS_STYLE: Mapping[ComplianceStatus, str] = {
    ComplianceStatus.COMPLIANT: "green",
    ComplianceStatus.DEPRECATED: "yellow",
    ComplianceStatus.DISALLOWED: "red",
    ComplianceStatus.UNKNOWN: "magenta",
}


def _order(assessment: Assessment, findings: list[Finding]) -> list[Finding]:
    def key(f: Finding) -> tuple[int, str, str]:
        w = assessment.worst(f.id)
        deadline = w.deadline.isoformat() if w and w.deadline else "9999"
        return (-assessment.severity(f.id).rank, deadline, f.asset_id)

    return sorted(findings, key=key)


# -- JSON ----------------------------------------------------------------------------------------


def report_dict(inventory: Inventory, assessment: Assessment) -> dict[str, Any]:
    """The assessment joined with the findings it judges: the ``--format json`` document."""
    base = assessment.to_dict()
    combined = base["combined"]
    findings = []
    for f in _order(assessment, inventory.findings):
        asset = inventory.assets.get(f.asset_id)
        worst = assessment.worst(f.id)
        findings.append(
            {
                **f.to_dict(),
                "asset": {"kind": asset.kind.value, "location": asset.location, "name": asset.name}
                if asset is not None else None,
                "severity": assessment.severity(f.id).value,
                "worst": worst.to_dict() if worst else None,
                "verdicts": [v.to_dict() for v in assessment.verdicts.get(f.id, [])],
                **({"combined": {k: v for k, v in combined[f.id].items() if k != "ownership"},
                    "ownership": combined[f.id]["ownership"]} if f.id in combined else {}),
            }
        )
    return {
        "schema_version": ASSESSMENT_SCHEMA_VERSION,
        "kind": "pqscan-assessment",
        "tool": {"name": "pqscan", "version": __version__},
        "generated": now_iso(),
        "today": base["today"],
        "inventory": {
            "schema_version": inventory.schema_version,
            "started": inventory.started,
            "finished": inventory.finished,
            "targets": list(inventory.targets),
            "assets": len(inventory.assets),
            "findings": len(inventory.findings),
        },
        "profiles": base["profiles"],
        "summary": base["summary"],
        "readiness": base["readiness"],
        "matrix": base["matrix"],
        "findings": findings,
        "errors": [e.to_dict() for e in inventory.errors],
    }


def render_json(inventory: Inventory, assessment: Assessment) -> str:
    return jsonout.dumps(report_dict(inventory, assessment))


# -- terminal ------------------------------------------------------------------------------------


def _sev(sev: Severity) -> Text:
    return Text(sev.value, style=SEVERITY_STYLE[sev])


def _statuses(assessment: Assessment, verdicts: list[Verdict], fid: str) -> Text:
    names = {p.id: p.name for p in assessment.profiles}
    out = Text()
    for i, v in enumerate(verdicts):
        if i:
            out.append("\n")
        if len(verdicts) > 1:
            out.append(f"{names.get(v.profile, v.profile)}: ")
        out.append(v.status.value, style=STATUS_STYLE[v.status])
    joint = assessment.combined(fid)
    if joint is not None and len(verdicts) > 1:
        out.append("\nall selected: ", style="bold")
        out.append(joint.status.value, style=STATUS_STYLE[joint.status])
    return out


def _deadline(assessment: Assessment, fid: str) -> Text:
    joint = assessment.combined(fid)
    if joint is None:
        return Text("-")
    return Text(joint.deadline_text({p.id: p.name for p in assessment.profiles}).replace(" (", "\n(", 1))


def _algorithm_and_location(f: Finding, asset: Asset | None) -> tuple[str, str]:
    """The algorithm as shown (an unknown one with the name it was met by) and where, with the line."""
    algorithm = f.algorithm
    if f.parameters.get("raw_identifier") and f.algorithm == "unknown":
        algorithm = f"unknown ({f.parameters['raw_identifier']})"
    location = f.evidence.location or (asset.location if asset else "")
    if f.evidence.line is not None:
        location += f":{f.evidence.line}"
    return algorithm, location


def findings_table(inventory: Inventory, assessment: Assessment) -> Table:
    table = Table(title="Findings", box=box.SIMPLE_HEAVY, show_lines=True, expand=True)
    for col, kw in (("Severity", {"no_wrap": True}), ("Algorithm", {"max_width": 18}), ("Usage", {"max_width": 14}),
                    ("Asset", {"max_width": 20}), ("Location", {"max_width": 22}), ("Profile status", {"max_width": 22}),
                    ("Deadline", {"no_wrap": True}), ("Reason", {"ratio": 1, "min_width": 40})):
        table.add_column(col, **kw)  # type: ignore[arg-type]
    for f in _order(assessment, inventory.findings):
        asset = inventory.assets.get(f.asset_id)
        verdicts = assessment.verdicts.get(f.id, [])
        worst = assessment.worst(f.id)
        algorithm, location = _algorithm_and_location(f, asset)
        flags = []
        if worst and worst.classically_broken:
            flags.append("broken")
        if worst and worst.hndl:
            flags.append("HNDL")
        sev = _sev(assessment.severity(f.id))
        if flags:
            sev.append("\n" + ",".join(flags), style="bold")
        table.add_row(
            sev,
            Text(clean(algorithm)),
            Text(f.usage.value),
            Text(clean(asset.name or asset.id if asset else f.asset_id)
                 + f"\n[{assessment.role(f.id).ownership.label}]"),
            Text(clean(location)),
            _statuses(assessment, verdicts, f.id),
            _deadline(assessment, f.id),
            _reason(assessment, f.id, worst),
        )
    return table


def _reason(assessment: Assessment, fid: str, worst: Verdict | None) -> Text:
    text = Text(clean(worst.reason) if worst else "")  # the reason quotes inventory text (unknown_reason)
    joint = assessment.combined(fid)
    if joint is not None and joint.acceptable and joint.status is not ComplianceStatus.COMPLIANT:
        text.append(f"\nacceptable under every selected profile: {', '.join(joint.acceptable)}", style="green")
    return text


def readiness_table(assessment: Assessment) -> Table:
    table = Table(title="Readiness: share of what you operate already where each profile ends up (docs/risk-model.md)",
                  box=box.SIMPLE_HEAVY)
    for col in ("Profile", "Readiness", "Ready", "Judged", "Binds", "Last verified"):
        table.add_column(col)
    by_id = {p.id: p for p in assessment.profiles}
    rows = assessment.readiness()
    for r in rows:
        prof = by_id.get(r.profile)
        table.add_row(Text(r.name if prof is None else f"{r.name} ({r.profile})", style="bold" if prof is None else ""),
                      Text(r.text()), Text(str(r.ready)), Text(str(r.judged)),
                      Text(prof.binds if prof is not None else "-"),
                      Text(prof.last_verified.isoformat() if prof is not None and prof.last_verified else "-"))
    left = rows[-1].not_operated if rows else {}
    if left:
        table.caption = "not counted (not operated by you): " + ", ".join(f"{n} {k}" for k, n in sorted(left.items()))
    return table


def matrix_table(assessment: Assessment) -> Table:
    table = Table(title=f"Compliance matrix (as of {assessment.today.isoformat()})", box=box.SIMPLE_HEAVY)
    for col in ("Profile", "Compliant", "Deprecated", "Disallowed", "Unknown", "Next deadline", "Worst"):
        table.add_column(col, justify="right" if col in ("Compliant", "Deprecated", "Disallowed", "Unknown") else "left")
    for row in assessment.matrix():
        table.add_row(
            Text(f"{row.name} ({row.profile})"),
            Text(str(row.compliant), style="green" if row.compliant else ""),
            Text(str(row.deprecated), style="yellow" if row.deprecated else ""),
            Text(str(row.disallowed), style="red" if row.disallowed else ""),
            Text(str(row.unknown), style="magenta" if row.unknown else ""),
            Text(row.next_deadline.isoformat() if row.next_deadline else "-"),
            _sev(row.worst_severity) if row.worst_severity else Text("-"),
        )
    return table


def summary_line(inventory: Inventory, assessment: Assessment) -> Text:
    counts = assessment.counts_by_severity()
    text = Text(f"{len(inventory.findings)} findings on {len(inventory.assets)} assets: ")
    parts = [(f"{n} {s.value}", SEVERITY_STYLE[s]) for s, n in counts.items() if n]
    for i, (label, style) in enumerate(parts):
        text.append(label, style=style)
        if i < len(parts) - 1:
            text.append(", ")
    if not parts:
        text.append("none")
    summary = assessment.to_dict()["summary"]
    text.append(f"; {summary['hndl']} harvest-now-decrypt-later, {summary['classically_broken']} classically broken")
    if inventory.errors:
        n = len(inventory.errors)
        text.append(f"; {n} scan error{'s' if n != 1 else ''}", style="yellow")
    return text


_FINDING_COLUMNS = (
    Column("severity", min_width=8, keep=9, whole=True), Column("algorithm", min_width=10, keep=8, whole=True),
    Column("usage", min_width=8, keep=3, detail=True), Column("location", min_width=16, keep=6),
    Column("deadline", min_width=10, keep=7, whole=True), Column("asset", min_width=12, keep=4, detail=True),
    Column("profile status", min_width=12, keep=2, detail=True, tokens=False),
    Column("reason", min_width=20, keep=1, detail=True, tokens=False),
)


def finding_rows(inventory: Inventory, assessment: Assessment) -> tuple[list[list[str]], list[list[str]]]:
    """Plain-text rows (and their styles) of the findings, worst first, for pqscan.report.terminal."""
    rows, styles = [], []
    for f in _order(assessment, inventory.findings):
        asset = inventory.assets.get(f.asset_id)
        worst = assessment.worst(f.id)
        algorithm, location = _algorithm_and_location(f, asset)
        sev = assessment.severity(f.id)
        flags = [x for x, on in (("broken", worst and worst.classically_broken), ("HNDL", worst and worst.hndl)) if on]
        rows.append([" ".join([sev.value.upper(), *flags]), algorithm, f.usage.value, location,
                     _deadline(assessment, f.id).plain,
                     f"{asset.name or asset.id if asset else f.asset_id} [{assessment.role(f.id).ownership.label}]",
                     _statuses(assessment, assessment.verdicts.get(f.id, []), f.id).plain.replace("\n", "; "),
                     _reason(assessment, f.id, worst).plain.replace("\n", "; ")])
        styles.append([sev.value] + [""] * 7)
    return rows, styles


def render_table(inventory: Inventory, assessment: Assessment, *, width: int = 160, color: bool = False,
                 plain: bool = False) -> str:
    """The human report as text: findings (fitted to ``width``, or one record per line when ``plain``),
    compliance matrix, readiness, summary line, scan errors."""
    buf = io.StringIO()
    console = Console(file=buf, width=max(width, 80), force_terminal=color, no_color=not color, highlight=False,
                      emoji=False, markup=False, soft_wrap=False)
    rows, styles = finding_rows(inventory, assessment)
    buf.write("Findings\n")
    buf.write(render_records(_FINDING_COLUMNS, rows, width=width, plain=plain, color=color, styles=styles))
    console.print(matrix_table(assessment))
    console.print(readiness_table(assessment))
    console.print(summary_line(inventory, assessment))
    for err in inventory.errors:
        console.print(Text(clean(f"scan error: {err.target} [{err.stage}] {err.kind.value}: {err.message}"),
                           style="yellow"))
    return buf.getvalue()
