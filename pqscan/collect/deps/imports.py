"""A cheap scan of first-party source files for the modules they import.

Only import statements are matched (line-anchored patterns per language), so this answers
"does the project's own code import library X, and where" without parsing or executing anything.
It is a hint for prioritising, not proof of use: an import inside a docstring also counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pqscan.collect.walk import read_limited

LANG_BY_SUFFIX = {
    ".py": "python", ".pyi": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "javascript", ".tsx": "javascript", ".mts": "javascript", ".cts": "javascript",
    ".go": "go", ".java": "java", ".kt": "java", ".kts": "java", ".scala": "java",
    ".rs": "rust", ".cs": "csharp",
    ".c": "c", ".h": "c", ".cc": "c", ".cpp": "c", ".cxx": "c", ".hpp": "c",
}
# Vendored / generated trees: their imports are not first-party.
VENDORED_DIRS = frozenset({"vendor", "third_party", "third-party", "thirdparty", "_vendor", "node_modules",
                           "external", "bower_components", "site-packages", "dist", "build", "target"})
MAX_IMPORT_SCAN_BYTES = 1024 * 1024
MAX_LOCATIONS = 5

_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "python": (re.compile(r"^[ \t]*import[ \t]+([\w.]+(?:[ \t]*,[ \t]*[\w.]+)*)", re.M),
               re.compile(r"^[ \t]*from[ \t]+([\w.]+)[ \t]+import\b", re.M)),
    "javascript": (re.compile(r"""\brequire\(\s*['"]([^'"\n]+)['"]\s*\)"""),
                   re.compile(r"""^[ \t]*(?:import|export)\b[^'"\n;]*?(?:\bfrom[ \t]*)?['"]([^'"\n]+)['"]""", re.M),
                   re.compile(r"""\bimport\(\s*['"]([^'"\n]+)['"]\s*\)""")),
    "go": (re.compile(r"""^[ \t]*import[ \t]+(?:[\w.]+[ \t]+)?"([^"\n]+)\"""", re.M),),
    "java": (re.compile(r"^[ \t]*import[ \t]+(?:static[ \t]+)?([\w.]+)", re.M),),
    "rust": (re.compile(r"^[ \t]*(?:pub(?:\([^)]*\))?[ \t]+)?use[ \t]+(?:::)?(\w+)", re.M),
             re.compile(r"^[ \t]*extern[ \t]+crate[ \t]+(\w+)", re.M)),
    "csharp": (re.compile(r"^[ \t]*(?:global[ \t]+)?using[ \t]+(?:static[ \t]+)?([\w.]+)[ \t]*;", re.M),),
    "c": (re.compile(r"""^[ \t]*#[ \t]*include[ \t]*[<"](openssl)/""", re.M),),
}
_GO_BLOCK_RE = re.compile(r"^[ \t]*import[ \t]*\(([^)]*)\)", re.M)
_GO_BLOCK_LINE_RE = re.compile(r"""(?:[\w.]+[ \t]+)?"([^"\n]+)\"""")


@dataclass
class ImportIndex:
    """(language, module) -> up to MAX_LOCATIONS "path:line" places that import it."""

    modules: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def add(self, lang: str, module: str, where: str) -> None:
        places = self.modules.setdefault((lang, module), [])
        if len(places) < MAX_LOCATIONS:
            places.append(where)

    def where_imported(self, imports: Mapping[str, tuple[str, ...]]) -> list[str]:
        """Places importing any of ``imports`` ({language: module prefixes})."""
        out: list[str] = []
        for (lang, module), places in self.modules.items():
            for prefix in imports.get(lang, ()):
                if _matches(lang, module, prefix):
                    out.extend(places)
                    break
        return sorted(set(out))[:MAX_LOCATIONS]


def _matches(lang: str, module: str, prefix: str) -> bool:
    if module == prefix:
        return True
    sep = {"python": ".", "java": ".", "csharp": ".", "javascript": "/", "go": "/"}.get(lang)
    return sep is not None and module.startswith(prefix + sep)


def is_vendored(relpath: str) -> bool:
    parts = relpath.split("/")[:-1]
    return any(p in VENDORED_DIRS for p in parts) or relpath.endswith((".min.js", ".bundle.js"))


def scan_imports(files: Iterable[tuple[Path, str]], index: ImportIndex | None = None) -> ImportIndex:
    """``files`` are (path, relpath) pairs of first-party source files."""
    index = index or ImportIndex()
    for path, rel in files:
        if LANG_BY_SUFFIX.get(path.suffix.lower()) is None or is_vendored(rel):
            continue
        try:
            data = read_limited(path, MAX_IMPORT_SCAN_BYTES)
        except (OSError, ValueError):
            continue  # the code scanner records unreadable files; this is only a hint
        index_source(index, rel, data)
    return index


def index_source(index: ImportIndex, rel: str, data: bytes) -> None:
    """Add one first-party file's imports (its bytes, at most MAX_IMPORT_SCAN_BYTES) to ``index``."""
    lang = LANG_BY_SUFFIX.get(Path(rel).suffix.lower())
    if lang is None:
        return
    text = data.decode("utf-8", "replace")
    for rx in _PATTERNS[lang]:
        for m in rx.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            for module in m.group(1).split(","):
                index.add(lang, module.strip(), f"{rel}:{line}")
    if lang == "go":
        for block in _GO_BLOCK_RE.finditer(text):
            base = text.count("\n", 0, block.start(1)) + 1
            for i, bline in enumerate(block.group(1).splitlines()):
                if gm := _GO_BLOCK_LINE_RE.search(bline.split("//")[0]):
                    index.add("go", gm.group(1), f"{rel}:{base + i}")
