"""Source-code collector: which crypto APIs code calls, with which algorithm, size and use.

Python is read with the standard :mod:`ast`; Java, Go, JavaScript/TypeScript, C/C++, Rust and C#
with tree-sitter grammars shipped in their wheels. Scanned code is parsed, never imported or run.
Detection rules are data (``pqscan/data/code_rules/*.toml``).
"""

from __future__ import annotations

from pqscan.collect.code.scanner import COLLECTOR, CodeScanOptions, scan_paths, scan_source

__all__ = ["COLLECTOR", "CodeScanOptions", "scan_paths", "scan_source"]
