"""The one collector table for paths: ``pqscan scan``, ``pqscan ci``, ``certs`` and ``code`` all use it.

:data:`PATH_COLLECTORS` names every path collector and how to build it from one
:class:`PathScanOptions` (one walk, one set of limits). :class:`PathScan` runs the chosen ones
over one walk (:mod:`pqscan.collect.dispatch`) and keeps their counters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pqscan.collect.dispatch import PathCollector, dispatch, run, run_batch
from pqscan.collect.walk import WalkOptions, root_labels
from pqscan.errors import UsageError
from pqscan.model import ScanResult

if TYPE_CHECKING:
    from pqscan.collect.code.scanner import CodeScanOptions

# Each collector is imported when it is built: a network-only scan (``pqscan tls``, whose session
# imports this module) does not pay for loading the code, dependency and configuration scanners.

ALL_PATH_COLLECTORS = ("certs", "code", "deps", "config")


@dataclass(frozen=True)
class PathScanOptions:
    """One walk's options (excludes, size limit, .gitignore, symlinks) and each collector's own knobs."""

    walk: WalkOptions = field(default_factory=WalkOptions)
    collectors: tuple[str, ...] = ALL_PATH_COLLECTORS
    passwords: tuple[bytes, ...] = ()  # PKCS#12 / keystores / encrypted keys
    code: CodeScanOptions | None = None  # None: the defaults, with this walk's size limit
    jobs: int = 1  # worker processes for the code parser


def _certs(o: PathScanOptions) -> PathCollector:
    from pqscan.collect.files.collector import CertsCollector, FilesOptions

    return CertsCollector(FilesOptions(walk=o.walk, passwords=o.passwords))


def _code(o: PathScanOptions) -> PathCollector:
    from pqscan.collect.code.scanner import CodeCollector, CodeScanOptions

    return CodeCollector(replace(o.code, walk=o.walk) if o.code is not None else CodeScanOptions(walk=o.walk))


def _deps(o: PathScanOptions) -> PathCollector:
    from pqscan.collect.deps.scanner import DepsCollector, DepsOptions

    return DepsCollector(DepsOptions(walk=o.walk))


def _config(o: PathScanOptions) -> PathCollector:
    from pqscan.collect.config.scanner import ConfigCollector, ConfigOptions

    return ConfigCollector(ConfigOptions(walk=o.walk))


PATH_COLLECTORS: dict[str, Callable[[PathScanOptions], PathCollector]] = {
    "certs": _certs,
    "code": _code,
    "deps": _deps,
    "config": _config,
}


def check_collectors(names: Iterable[str]) -> tuple[str, ...]:
    names = tuple(names)
    unknown = [c for c in names if c not in PATH_COLLECTORS]
    if unknown:
        raise UsageError(f"unknown collector(s) {', '.join(unknown)} (choose from {', '.join(PATH_COLLECTORS)})")
    return names


class PathScan:
    """The chosen collectors over one walk of ``roots``; iterate :meth:`results` once."""

    def __init__(self, roots: Sequence[str | Path], options: PathScanOptions | None = None, *,
                 cluster: Any = None) -> None:
        self.roots = list(roots)
        self.options = options or PathScanOptions()
        self.cluster = cluster  # a pqscan.cluster.Cluster (--cluster): the jobs run on its workers
        self.collectors = [PATH_COLLECTORS[n](self.options) for n in check_collectors(self.options.collectors)]

    def results(self) -> Iterator[ScanResult]:
        work = dispatch(self.roots, self.options.walk, self.collectors)
        if self.cluster is not None:
            # The jobs carry the bytes read here, so the workers need not see the files; results
            # made on the spot here (skips, certificates, deferred results) stay here.
            return self.cluster.map_batches(work, run_batch, passthrough=lambda w: isinstance(w, ScanResult))
        jobs = self.options.jobs if any(c.name == "code" for c in self.collectors) else 1
        return run(work, jobs)

    def labels(self) -> dict[str, str]:
        """``{label: absolute root folder}``: the name prefix of each root's files ("" for a single root)
        and where that root is. Names stay root-relative (stable across spellings); this map lets the
        assessment see where the files are (``/etc/ssl/certs`` is a vendor trust store)."""
        import os

        out: dict[str, str] = {}
        for r, label in root_labels(self.roots).items():
            folder = os.path.abspath(r)
            out.setdefault(label.rstrip("/"), folder if os.path.isdir(folder) else os.path.dirname(folder))
        return out

    def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for c in self.collectors:
            s = getattr(c, "stats", None)
            if s is not None:
                out[c.name] = {"files_seen": s.files_seen, "files_with_material_or_errors": s.files_parsed,
                               "bytes_read": s.bytes_read}
        return out
