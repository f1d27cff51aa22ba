"""One place that turns an inventory into every report format: the pipeline's last seam.

``build_report(inventory, fmt, profiles=...)`` assesses, plans (for the formats that show a
plan) and renders. Reports are pure functions of (inventory, assessment, plan, bench); nothing
here rescans anything.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pqscan import jsonout
from pqscan.inventory import Inventory, now_iso
from pqscan.model import SCHEMA_VERSION
from pqscan.report.formats import OutputFormat

REPORT_FORMATS = (OutputFormat.TABLE, OutputFormat.MARKDOWN, OutputFormat.HTML, OutputFormat.JSON,
                  OutputFormat.SARIF, OutputFormat.CBOM)


@dataclass
class ReportInputs:
    inventory: Inventory
    assessment: Any
    plan: Any | None
    bench: dict[str, Any] | None
    graph: Any | None = None  # the migration graph the plan was made from
    progress: Any | None = None  # pqscan.store.history.Progress, for reports read from a store


def prepare(inventory: Inventory, profiles: Sequence[str] = (), *, services: Path | None = None,
            crqc_year: int | None = None, today: date | None = None, with_plan: bool = True) -> ReportInputs:
    from pqscan.assess.engine import assess
    from pqscan.assess.profiles import load_profiles
    from pqscan.graph import load_services

    loaded = load_services(services)  # its ownership overrides apply to the assessment and the plan alike
    assessment = assess(inventory, load_profiles(list(profiles)), today=today,
                        overrides=loaded.ownership_overrides())
    plan = graph = None
    if with_plan:
        from pqscan.graph import DEFAULT_CRQC_YEAR, build_graph, make_plan

        graph = build_graph(inventory, assessment, loaded)
        plan = make_plan(graph, crqc_year=crqc_year or DEFAULT_CRQC_YEAR, today=today)
    bench = inventory.attachments.get("bench")
    return ReportInputs(inventory, assessment, plan, bench if isinstance(bench, dict) else None, graph)


def render(inputs: ReportInputs, fmt: OutputFormat, *, cbom_spec: str = "1.6") -> str:
    inv, assessment, plan, bench = inputs.inventory, inputs.assessment, inputs.plan, inputs.bench
    if fmt is OutputFormat.HTML:
        from pqscan.report.html import render_html

        return render_html(inv, assessment, plan, bench, progress=inputs.progress)
    if fmt is OutputFormat.MARKDOWN:
        from pqscan.report.markdown import render_markdown

        return render_markdown(inv, assessment, plan, bench, progress=inputs.progress)
    if fmt is OutputFormat.CBOM:
        from pqscan.report.cbom import render_cbom

        return render_cbom(inv, spec=cbom_spec)
    if fmt is OutputFormat.SARIF:
        from pqscan.report.sarif import render_sarif

        return json.dumps(render_sarif(inv, assessment), indent=2)
    if fmt is OutputFormat.JSON:
        doc = {
            "schema_version": SCHEMA_VERSION,
            "generated": now_iso(),
            "inventory": inv.to_dict(),
            "assessment": assessment.to_dict(),
            "plan": plan.to_dict() if plan is not None else None,
            "bench": bench,
        }
        if inputs.progress is not None:
            doc["progress"] = inputs.progress.to_dict()
        return jsonout.dumps(doc, depth=3, default=str)
    if fmt is OutputFormat.TABLE:
        from pqscan.report.assessment import render_table

        return render_table(inv, assessment)
    raise ValueError(f"report format {fmt.value!r} is not supported")
