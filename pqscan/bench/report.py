"""Render a benchmark result: rich tables for a terminal, JSON (validated by a committed schema).

Both renderers take the JSON document (``BenchRun.to_dict()``), so a stored result attached to
an inventory renders the same way as a fresh one.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

SCHEMA_RESOURCE = "schemas/bench.schema.json"


def bench_schema() -> dict[str, Any]:
    return json.loads(resources.files("pqscan").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8"))


def validate(document: dict[str, Any]) -> list[str]:
    """Schema violations of a bench document (empty when valid). Needs ``jsonschema``."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(bench_schema())
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
            for e in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))]


def render_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def _fmt_us(us: float) -> str:
    if us >= 10_000:
        return f"{us / 1000:,.1f} ms"
    return f"{us:,.1f} µs" if us < 1000 else f"{us:,.0f} µs"


def _fmt_rate(ops: float) -> str:
    return f"{ops:,.0f}" if ops >= 10 else f"{ops:,.2f}"


def results_table(doc: dict[str, Any]) -> Table:
    t = Table(title="Operations (median of repeats)", box=box.SIMPLE_HEAD)
    for col, justify in (("backend", "left"), ("algorithm", "left"), ("operation", "left"), ("µs/op", "right"),
                         ("ops/s", "right"), ("IQR", "right"), ("min – max", "right"), ("check", "left")):
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in doc.get("results", []):
        status = Text("ok", style="green") if r.get("ok") else Text("FAIL", style="bold red")
        ops = r.get("operations") or []
        if not ops:
            t.add_row(r["backend"], r["name"], "-", "-", "-", "-", "-", status)
        for i, op in enumerate(ops):
            t.add_row(
                r["backend"] if i == 0 else "", r["name"] if i == 0 else "", op["label"],
                _fmt_us(op["median_us"]), _fmt_rate(op["ops_per_s"]), _fmt_us(op["iqr_us"]),
                f"{_fmt_us(op['min_us'])} – {_fmt_us(op['max_us'])}", status if i == 0 else "",
            )
    return t


def sizes_table(doc: dict[str, Any]) -> Table:
    t = Table(title="Sizes in bytes (checked against the library and the catalogue)", box=box.SIMPLE_HEAD)
    for col in ("backend", "algorithm", "public key", "secret key", "ciphertext / signature", "sig. max declared",
                "size checks"):
        t.add_column(col, justify="left" if col in ("backend", "algorithm", "size checks") else "right")
    for r in doc.get("results", []):
        s = r.get("sizes") or {}
        if "signature_bytes_max_measured" in s:
            lo, hi = s["signature_bytes_min_measured"], s["signature_bytes_max_measured"]
            wire = str(hi) if lo == hi else f"{lo}–{hi}"
        else:
            wire = str(s.get("ciphertext_bytes", "-"))
        sk = f"{s.get('secret_key_bytes', '-')}" + (f" ({s['secret_key_form']})" if s.get("secret_key_form")
                                                     in ("seed", "DER") else "")
        checks = r.get("size_checks") or []
        bad = [c for c in checks if c["ok"] is False]
        matched = sum(1 for c in checks if c["ok"] is True)
        if bad:
            style = "yellow" if all(c.get("advisory") for c in bad) else "bold red"
            verdict = Text(", ".join(f"{c['field']} {c['measured']}≠{c['reference']} ({c['source']}"
                                     + (", not final" if c.get("advisory") else "") + ")" for c in bad), style=style)
        else:
            verdict = Text(f"{matched} match" if matched else "-", style="green")
        declared = s.get("signature_bytes_declared_max")
        t.add_row(r["backend"], r["name"], str(s.get("public_key_bytes", "-")), sk, wire,
                  "" if declared is None else str(declared), verdict)
    return t


def costs_table(doc: dict[str, Any]) -> Table:
    t = Table(title="Migration cost (time ratio new/old; extra bytes per handshake or signature)",
              box=box.SIMPLE_HEAD)
    for col in ("context", "from", "to", "time ratio", "old µs", "new µs", "extra bytes", "measured by"):
        t.add_column(col, justify="right" if col in ("time ratio", "old µs", "new µs", "extra bytes") else "left")
    for c in doc.get("migration_costs", []):
        by = " + ".join(f"{p['name']}@{p['backend']}" for p in c.get("components", []))
        ratio = c.get("time_ratio")
        t.add_row(c["context"], c.get("from_name", c["from"]), c.get("to_name", c["to"]) + (" *" if c.get("hybrid") else ""),
                  "-" if ratio is None else f"{ratio:.2f}x", _fmt_us(c["from_time_us"]), _fmt_us(c["to_time_us"]),
                  f"{c['extra_bytes']:+,}", by)
    return t


def render_table(doc: dict[str, Any], console: Console, *, show_missing: bool = True) -> None:
    """Every literal goes through ``escape``: rich would take ``[oqs]`` in a hint for markup and drop it.
    ``show_missing``: list the migration costs not shown (only when the run was not narrowed on purpose)."""
    env = doc.get("environment", {})
    libs = ", ".join(f"{k} {v}" for k, v in (env.get("libraries") or {}).items())
    console.print("[bold]pqscan bench[/] " + escape(f"on {env.get('cpu_model', '?')} ({env.get('cpu_count', '?')} "
                  f"cores, {' '.join(env.get('cpu_flags', []))}); {libs}"))
    s = doc.get("settings", {})
    rough = ("; --quick: a rough smoke run, figures vary about 2x between runs" if s.get("quick") else "")
    console.print(escape(f"method: {s.get('repeats')} repeats over {s.get('min_time_s')} s per operation; median, "
                         f"IQR, min–max{rough}"))
    parts: list[Any] = [results_table(doc), sizes_table(doc)]
    if doc.get("migration_costs"):
        parts.append(costs_table(doc))
        parts.append(Text("* hybrid: cost = sum of its components' measured costs. Handshake = keygen + encaps + "
                          "decaps (both peers); signature = sign + verify.", style="dim"))
    console.print(Group(*parts))
    missing = doc.get("migration_costs_missing", [])
    if show_missing:
        for line in missing:
            console.print("[dim]cost not shown: " + escape(line) + "[/]")
    failures = [(r["backend"], r["name"], e) for r in doc.get("results", []) for e in r.get("errors", [])]
    for backend, name, err in failures:
        console.print("[bold red]error[/] " + escape(f"{backend} {name}: {err}"))
    for r in doc.get("results", []):
        for w in r.get("warnings", []):
            console.print("[yellow]warning[/] " + escape(f"{r['backend']} {r['name']}: {w}"))
