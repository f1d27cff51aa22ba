"""Output formats: one enum for every renderer, and the format a file name implies."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pqscan.errors import UsageError


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"
    SARIF = "sarif"
    CBOM = "cbom"
    GITHUB = "github"  # GitHub Actions workflow-command annotations
    DOT = "dot"
    GRAPHML = "graphml"
    MERMAID = "mermaid"


_BY_SUFFIX = (((".html", ".htm"), OutputFormat.HTML), ((".md", ".markdown"), OutputFormat.MARKDOWN),
              ((".sarif", ".sarif.json"), OutputFormat.SARIF), ((".cdx.json", ".cbom.json"), OutputFormat.CBOM),
              ((".json",), OutputFormat.JSON), ((".txt",), OutputFormat.TABLE))


def format_for_path(path: Path) -> OutputFormat:
    """The report format a file name asks for (``--report report.html``)."""
    name = path.name.lower()
    for suffixes, fmt in _BY_SUFFIX:
        if name.endswith(suffixes):
            return fmt
    raise UsageError(f"--report {path}: cannot tell the format from the extension (.html, .md, .json, .sarif, "
                     f".cdx.json)")
