"""The inventory document: JSON (finished) and JSONL (streamed while scanning).

JSON shape (schema ``pqscan/schemas/inventory.schema.json``)::

    {"schema_version": "1.0", "tool": {"name": "pqscan", "version": ...},
     "started": ISO-8601, "finished": ISO-8601 | null,
     "targets": [...], "completed_targets": [...],
     "assets": [Asset...], "findings": [Finding...], "errors": [ScanError...],
     "attachments": {"bench": {...}, ...}}

JSONL shape: one record per line, each ``{"type": "header"|"asset"|"finding"|"error"|"done"|"attachment"|"footer", ...}``.
A scan appends a ``done`` record after each target's results, so an interrupted scan keeps everything
before it and ``--resume`` skips the targets marked done. Trailing partial lines (a crash mid-write) are
ignored on load.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pqscan import __version__, jsonout
from pqscan.errors import InputError
from pqscan.model import SCHEMA_VERSION, Asset, Finding, ScanError, ScanResult

# Inventories larger than this are refused rather than read into memory whole.
MAX_INVENTORY_BYTES = 2 * 1024**3
# An inventory is input too (hand-edited, or from someone else): pqscan writes at most ~8 levels of
# nesting, so anything deeper than this is refused before a renderer has to recurse through it.
MAX_NESTING = 64


def parse_json(text: str | bytes, source: str) -> Any:
    """JSON text -> value, or one-line :class:`InputError` for anything hostile: invalid JSON, NaN/Infinity,
    an integer past Python's digit limit, nesting deeper than :data:`MAX_NESTING`."""
    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        value = json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise InputError(f"{source}: JSON nested too deeply (more than {MAX_NESTING} levels)") from None
    except ValueError as exc:  # int-string digit limit, NaN/Infinity
        raise InputError(f"{source}: unacceptable JSON value ({str(exc).split(';')[0]})") from None
    _check_depth(value, source)
    return value


def _check_depth(value: Any, source: str) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_NESTING:
            raise InputError(f"{source}: JSON nested too deeply (more than {MAX_NESTING} levels)")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, (dict, list)))


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Inventory:
    assets: dict[str, Asset] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    completed_targets: list[str] = field(default_factory=list)
    started: str = field(default_factory=now_iso)
    finished: str | None = None
    tool_version: str = __version__
    schema_version: str = SCHEMA_VERSION
    attachments: dict[str, Any] = field(default_factory=dict)
    _finding_ids: set[str] = field(default_factory=set, repr=False)

    # -- building -------------------------------------------------------------------------
    def add_asset(self, asset: Asset) -> None:
        prev = self.assets.get(asset.id)
        self.assets[asset.id] = asset if prev is None else prev.merged_with(asset)

    def add_finding(self, finding: Finding) -> None:
        fid = finding.id
        if fid in self._finding_ids:
            return  # the same observation twice (e.g. one CA in two chains)
        self._finding_ids.add(fid)
        self.findings.append(finding)

    def add_error(self, error: ScanError) -> None:
        self.errors.append(error)

    def add_result(self, result: ScanResult) -> None:
        for a in result.assets:
            self.add_asset(a)
        for f in result.findings:
            self.add_finding(f)
        for e in result.errors:
            self.add_error(e)

    def mark_done(self, target: str) -> None:
        if target not in self.completed_targets:
            self.completed_targets.append(target)

    def merge(self, other: Inventory) -> None:
        """Fold another inventory in; assets dedupe by stable id, findings by finding id."""
        for a in other.assets.values():
            self.add_asset(a)
        for f in other.findings:
            self.add_finding(f)
        self.errors.extend(other.errors)
        for t in other.targets:
            if t not in self.targets:
                self.targets.append(t)
        for t in other.completed_targets:
            self.mark_done(t)
        for k, v in other.attachments.items():
            self.attachments.setdefault(k, v)
        if other.started and other.started < self.started:
            self.started = other.started

    # -- serialising ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "tool": {"name": "pqscan", "version": self.tool_version},
            "started": self.started,
            "finished": self.finished,
            "targets": list(self.targets),
            "completed_targets": list(self.completed_targets),
            "assets": [a.to_dict() for a in sorted(self.assets.values(), key=lambda a: a.id)],
            "findings": [f.to_dict() for f in self.findings],
            "errors": [e.to_dict() for e in self.errors],
            "attachments": self.attachments,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], source: str = "<inventory>") -> Inventory:
        if not isinstance(d, dict):
            raise InputError(f"{source}: not a pqscan inventory (top level is not an object)")
        version = str(d.get("schema_version", ""))
        if not version:
            raise InputError(f"{source}: not a pqscan inventory (no schema_version)")
        if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            raise InputError(
                f"{source}: inventory schema {version} is not supported by this pqscan "
                f"(reads {SCHEMA_VERSION.split('.')[0]}.x); upgrade pqscan"
            )
        if isinstance(d.get("inventory"), dict):  # report -f json, assess -f json, ci --format json
            raise InputError(f"{source}: a pqscan {str(d.get('kind') or 'report').removeprefix('pqscan-')} document, not an inventory "
                             "(pass the inventory it was made from)")
        if not any(key in d for key in ("assets", "findings", "errors", "targets")):
            raise InputError(f"{source}: not a pqscan inventory (no assets, findings, errors or targets)")
        inv = cls(
            started=str(d.get("started") or now_iso()),
            finished=d.get("finished"),
            tool_version=str((d.get("tool") or {}).get("version", "")),
            schema_version=version,
            targets=[str(t) for t in d.get("targets") or []],
            completed_targets=[str(t) for t in d.get("completed_targets") or []],
            attachments=dict(d.get("attachments") or {}),
        )
        try:
            for a in d.get("assets") or []:
                inv.add_asset(Asset.from_dict(a))
            for f in d.get("findings") or []:
                inv.add_finding(Finding.from_dict(f))
            for e in d.get("errors") or []:
                inv.add_error(ScanError.from_dict(e))
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise InputError(f"{source}: malformed inventory record ({type(exc).__name__}: {exc})") from exc
        return inv

    def save(self, path: str | Path) -> None:
        """Write atomically (temp file + rename) so a crash never leaves half a document."""
        from pqscan.outfile import atomic_text

        with atomic_text(path) as fh:
            fh.write(jsonout.dumps(self.to_dict()))
            fh.write("\n")


# -- JSONL streaming ------------------------------------------------------------------------


class JsonlWriter:
    """Append-only JSONL writer, flushed after every record, safe to call from several threads.

    Used while scanning: each target's results are written as soon as the target finishes,
    followed by a ``done`` marker, so Ctrl-C or a crash loses at most the targets in flight.
    """

    def __init__(self, path: str | Path, *, append: bool = False, targets: Iterable[str] = ()) -> None:
        self.path = Path(path)
        existed = append and self.path.exists() and self.path.stat().st_size > 0
        from pqscan.outfile import open_stream

        self._fh: IO[str] = open_stream(self.path, append=append)
        self._lock = threading.Lock()
        if not (existed and self._repair_tail()):
            self._write(
                {
                    "type": "header",
                    "schema_version": SCHEMA_VERSION,
                    "tool": {"name": "pqscan", "version": __version__},
                    "started": now_iso(),
                    "targets": list(targets),
                }
            )

    def _repair_tail(self) -> bool:
        """Cut off a partial last line left by a crash, so records appended after it stay loadable
        (a fragment followed by more lines would be a malformed record). False if nothing is left."""
        size = self.path.stat().st_size
        with open(self.path, "rb+") as fh:
            end = size
            while end > 0:
                start = max(0, end - 65536)
                fh.seek(start)
                chunk = fh.read(end - start)
                if end == size and chunk.endswith(b"\n"):
                    return True
                cut = chunk.rfind(b"\n")
                if cut >= 0:
                    fh.truncate(start + cut + 1)
                    return True
                end = start
            fh.truncate(0)
        return False

    def _write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, default=str)
        with self._lock:
            self._fh.write(line + "\n")
            self._fh.flush()

    def write_result(self, result: ScanResult, *, done: bool = True) -> None:
        with self._lock:
            lines = [json.dumps({"type": "asset", **a.to_dict()}, ensure_ascii=False) for a in result.assets]
            lines += [json.dumps({"type": "finding", **f.to_dict()}, ensure_ascii=False) for f in result.findings]
            lines += [json.dumps({"type": "error", **e.to_dict()}, ensure_ascii=False) for e in result.errors]
            if done:
                lines.append(json.dumps({"type": "done", "target": result.target, "collector": result.collector}))
            if lines:
                self._fh.write("\n".join(lines) + "\n")
                self._fh.flush()

    def write_attachment(self, name: str, value: Any) -> None:
        self._write({"type": "attachment", "name": name, "value": value})

    def close(self, *, finished: bool = True) -> None:
        if finished:
            self._write({"type": "footer", "finished": now_iso()})
        with self._lock:
            self._fh.close()

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.close(finished=exc_type is None)


def _iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | None]]:
    with open(path, encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = parse_json(line, f"{path}:{lineno}")
            except InputError:
                yield lineno, None
                continue
            yield lineno, rec if isinstance(rec, dict) else None


def load_jsonl(path: str | Path) -> Inventory:
    path = Path(path)
    inv = Inventory()
    bad_lines: list[int] = []
    saw_header = False
    records = list(_iter_jsonl(path))
    for idx, (lineno, rec) in enumerate(records):
        if rec is None:
            if idx == len(records) - 1:
                continue  # a partial last line from an interrupted write: ignore it
            bad_lines.append(lineno)
            continue
        kind = rec.pop("type", None)
        try:
            if kind == "header":
                saw_header = True
                version = str(rec.get("schema_version") or SCHEMA_VERSION)
                if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
                    raise InputError(f"{path}: inventory schema {version} is not supported by this pqscan "
                                     f"(reads {SCHEMA_VERSION.split('.')[0]}.x); upgrade pqscan")
                inv.started = str(rec.get("started") or inv.started)
                inv.tool_version = str((rec.get("tool") or {}).get("version", inv.tool_version))
                for t in rec.get("targets") or []:
                    if t not in inv.targets:
                        inv.targets.append(str(t))
            elif kind == "asset":
                inv.add_asset(Asset.from_dict(rec))
            elif kind == "finding":
                inv.add_finding(Finding.from_dict(rec))
            elif kind == "error":
                inv.add_error(ScanError.from_dict(rec))
            elif kind == "done":
                inv.mark_done(str(rec["target"]))
            elif kind == "attachment":
                inv.attachments[str(rec["name"])] = rec.get("value")
            elif kind == "footer":
                inv.finished = rec.get("finished")
            else:
                bad_lines.append(lineno)
        except (KeyError, ValueError, TypeError, AttributeError):
            bad_lines.append(lineno)
    if not saw_header:
        raise InputError(f"{path}: not a pqscan JSONL inventory (no header record)")
    if bad_lines:
        shown = ", ".join(map(str, bad_lines[:5])) + (" ..." if len(bad_lines) > 5 else "")
        raise InputError(f"{path}: malformed JSONL inventory records at line(s) {shown}")
    return inv


def load(path: str | Path) -> Inventory:
    """Load an inventory from JSON or JSONL (detected by content, not by name)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected an inventory file")
    if path.stat().st_size > MAX_INVENTORY_BYTES:
        raise InputError(f"{path}: larger than {MAX_INVENTORY_BYTES // 1024**3} GiB; refusing to load")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    text_head = head.lstrip()
    if b"\0" in head:
        raise InputError(f"{path}: binary file, not a pqscan inventory")
    first_line = text_head.split(b"\n", 1)[0]
    if first_line.startswith(b"{") and b'"type"' in first_line and b'"header"' in first_line:
        return load_jsonl(path)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    return Inventory.from_dict(parse_json(text, str(path)), source=str(path))


def load_many(paths: Iterable[str | Path]) -> Inventory:
    """Load and merge several inventories (dedupe by stable asset id)."""
    merged: Inventory | None = None
    for p in paths:
        inv = load(p)
        if merged is None:
            merged = inv
        else:
            merged.merge(inv)
    if merged is None:
        raise InputError("no inventory given")
    return merged
