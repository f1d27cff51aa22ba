"""One walk feeds every path collector: each file is opened at most once, each byte read once.

The walk (:mod:`pqscan.collect.walk`) lists each folder once. For every file, :func:`dispatch`
asks each active collector whether it wants the file (by name and size, no I/O), opens the file
only if one does, and hands the same :class:`Source` to each in turn; a collector reads as many
bytes as it needs (the certificate reader 8 KB of most files, the code reader all of a source
file) and the bytes already read are shared. Collectors turn a file into results on the spot or
into a :class:`Job` (module-level function + arguments) that the runner executes here or in a
worker process (``jobs`` > 1; the code scanner's parsing), and give deferred results at the end
(cross-file certificate links, dependency findings that need the whole import index).

A collector is anything with the :class:`PathCollector` shape; the table of the built-in ones is
:data:`pqscan.collect.paths.PATH_COLLECTORS`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from pqscan.collect.walk import FileEntry, Skipped, WalkOptions, iter_files, open_regular
from pqscan.model import ErrorKind, ScanResult


class Source:
    """One file, opened on the first read, read progressively; every byte is read at most once."""

    def __init__(self, entry: FileEntry) -> None:
        self.entry = entry
        self._fh: Any = None
        self._data = b""
        self._eof = False
        self._error: OSError | ValueError | None = None
        self.opened = False

    def read(self, limit: int) -> bytes:
        """Up to ``limit + 1`` bytes from the start (one more than asked shows the file is longer).

        Raises the OSError / ValueError of opening it (the same one to every collector that asks)."""
        if self._error is not None:
            raise self._error
        if len(self._data) <= limit and not self._eof:
            try:
                if self._fh is None:
                    self.opened = True
                    self._fh = os.fdopen(open_regular(self.entry.path), "rb")
                more = self._fh.read(limit + 1 - len(self._data))
            except (OSError, ValueError) as exc:
                self._error = exc
                self.close()
                raise
            if len(more) < limit + 1 - len(self._data):
                self._eof = True
                self.close()
            self._data += more
        return self._data[: limit + 1]

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


@dataclass(frozen=True)
class Job:
    """Work a collector leaves for the runner: ``run(*args)`` -> one result (picklable for workers)."""

    run: Callable[..., ScanResult]
    args: tuple[Any, ...]
    target: str
    collector: str
    size: int = 0
    # loads what ``run`` needs (rules, grammars, tables): called once in this process before worker processes
    # are forked, which then inherit it instead of each loading it again. One object per kind of job.
    warm: Callable[[], None] | None = None


Work = ScanResult | Job


class PathCollector(Protocol):
    """What the walk needs from a collector. ``max_bytes``: larger files are skipped (and ``skipped``
    decides whether that is worth a record); ``prune_dirs``: folders this collector never needs."""

    name: str
    max_bytes: int
    prune_dirs: frozenset[str]

    def wants(self, entry: FileEntry) -> bool: ...
    def skipped(self, item: Skipped) -> ScanResult | None: ...
    def take(self, entry: FileEntry, source: Source) -> Iterable[Work]: ...
    def finish(self) -> Iterable[ScanResult]: ...


def skip_result(item: Skipped, collector: str, stage: str = "walk") -> ScanResult:
    result = ScanResult(item.name or item.path.as_posix(), collector)
    result.error(stage, item.kind, item.reason)
    return result


def walk_options_for(walk: WalkOptions, collectors: Sequence[PathCollector]) -> WalkOptions:
    """The one walk: the largest size any collector reads; prune only what no collector needs."""
    prune = frozenset.intersection(*(c.prune_dirs for c in collectors)) if collectors else frozenset()
    return replace(walk, max_bytes=max((c.max_bytes for c in collectors), default=walk.max_bytes),
                   prune_dirs=walk.prune_dirs | prune)


def dispatch(roots: Iterable[str | Path], walk: WalkOptions, collectors: Sequence[PathCollector]) -> Iterator[Work]:
    """Walk once; hand each file to every collector that wants it; then the deferred results."""
    for item in iter_files(roots, walk_options_for(walk, collectors)):
        if isinstance(item, Skipped):
            for c in collectors:
                if (res := c.skipped(item)) is not None:
                    yield res
            continue
        source: Source | None = None
        try:
            for c in collectors:
                if item.size > c.max_bytes:
                    too_large = Skipped(item.path, ErrorKind.TOO_LARGE,
                                        f"{item.size} bytes is over the {c.max_bytes}-byte limit", item.relpath)
                    if (res := c.skipped(too_large)) is not None:
                        yield res
                    continue
                if not c.wants(item):
                    continue
                source = source or Source(item)
                yield from c.take(item, source)
        finally:
            if source is not None:
                source.close()
    for c in collectors:
        yield from c.finish()


def run_batch(batch: list[Work]) -> list[ScanResult]:
    """Run a batch of work in this process (module-level: worker processes call it too)."""
    out = []
    for work in batch:
        if isinstance(work, ScanResult):
            out.append(work)
            continue
        try:
            out.append(work.run(*work.args))
        except Exception as exc:  # noqa: BLE001 - a bug on one file must not end the scan of the others
            res = ScanResult(work.target, work.collector)
            res.error("scan", ErrorKind.INTERNAL, f"{type(exc).__name__}: {exc}")
            out.append(res)
    return out


def run(work: Iterable[Work], jobs: int = 1) -> Iterator[ScanResult]:
    """Execute ``work`` in walk order: here, or on ``jobs`` worker processes (same results, same order)."""
    if jobs <= 1:
        for w in work:
            yield from run_batch([w])
        return
    from pqscan.collect.parallel import ordered_scan

    yield from ordered_scan(work, run_batch, _size, _target, jobs, prepare=_warm)


def _warm(batch: list[Work]) -> None:
    for warm in {id(w.warm): w.warm for w in batch if isinstance(w, Job) and w.warm is not None}.values():
        warm()


def _size(work: Work) -> int:
    return work.size if isinstance(work, Job) else 0


def _target(work: Work) -> str:
    return work.target
