"""The front door: any mix of hosts, URLs, CIDRs and paths -> one inventory.

Each target is routed to the collectors that understand it (one table, :data:`PATH_COLLECTORS`):

* an existing file or directory -> certificates/keys, source code, dependencies, configuration;
* ``ssh://host[:port]`` or ``host:22`` -> the SSH scanner;
* everything else (host, host:port, URL, CIDR, ``@file``) -> the TLS scanner (STARTTLS by port).

Results stream to a JSONL writer as each endpoint or file finishes, so an interrupted scan keeps
what it found and ``resume`` skips finished targets. Collectors never raise for a bad target:
failures are ScanErrors in the inventory.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pqscan.collect.net.netscan import NetOptions
from pqscan.collect.walk import WalkOptions
from pqscan.errors import TargetSpecError
from pqscan.inventory import Inventory, JsonlWriter, now_iso
from pqscan.model import ScanResult

SSH_PORT = 22


@dataclass(frozen=True)
class ScanOptions:
    net: NetOptions = field(default_factory=NetOptions)
    walk: WalkOptions = field(default_factory=WalkOptions)
    ports: tuple[int, ...] = ()
    sni: str | None = None
    starttls: str = "auto"
    allow_large: bool = False
    passwords: tuple[bytes, ...] = ()  # for PKCS#12 / keystores found on disk
    path_collectors: tuple[str, ...] = ("certs", "code", "deps", "config")
    ssh_host_keys: bool = True
    ssh_gex_probe: bool = True  # ask DH group-exchange servers which group sizes they hand out (<= 2 connections)
    tls_suites: bool = True  # enumerate accepted TLS <= 1.2 suites (about 6 more connections per endpoint)
    progress: bool | None = None


@dataclass(frozen=True)
class SplitTargets:
    paths: list[Path]
    tls: list[str]
    ssh: list[str]


def split_targets(specs: Iterable[str]) -> SplitTargets:
    """Route each spec: existing paths, SSH endpoints, TLS endpoints (in the order given)."""
    paths: list[Path] = []
    tls: list[str] = []
    ssh: list[str] = []
    for spec in specs:
        spec = spec.strip()
        if not spec:
            continue
        if "://" not in spec and not spec.startswith("@") and os.path.exists(spec):
            paths.append(Path(spec))
        elif spec.lower().startswith("ssh://") or _explicit_port(spec) == SSH_PORT:
            ssh.append(spec)
        else:
            tls.append(spec)
    return SplitTargets(paths, tls, ssh)


def _explicit_port(spec: str) -> int | None:
    if spec.startswith("["):
        _, _, rest = spec.partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif spec.count(":") == 1 and "/" not in spec:
        port = spec.rsplit(":", 1)[1]
    else:
        return None
    return int(port) if port.isdigit() else None


# -- path collectors: name -> function(paths, options) -> iterator of per-file results ----------------

def _certs(paths: Sequence[Path], o: ScanOptions) -> Iterator[ScanResult]:
    from pqscan.collect.files.collector import FilesOptions, scan_files

    yield from scan_files(paths, FilesOptions(walk=o.walk, passwords=o.passwords)).results


def _code(paths: Sequence[Path], o: ScanOptions) -> Iterator[ScanResult]:
    from pqscan.collect.code import CodeScanOptions, scan_paths

    yield from scan_paths(paths, CodeScanOptions(walk=o.walk))


def _deps(paths: Sequence[Path], o: ScanOptions) -> Iterator[ScanResult]:
    from pqscan.collect import deps

    walk = WalkOptions(o.walk.excludes, max(o.walk.max_bytes, deps.scanner.MAX_MANIFEST_BYTES),
                       o.walk.use_gitignore, o.walk.default_excludes)
    yield from deps.scan_paths(paths, deps.DepsOptions(walk=walk))


def _config(paths: Sequence[Path], o: ScanOptions) -> Iterator[ScanResult]:
    from pqscan.collect import config

    walk = WalkOptions(o.walk.excludes, min(o.walk.max_bytes, config.scanner.MAX_CONFIG_BYTES),
                       o.walk.use_gitignore, o.walk.default_excludes)
    yield from config.scan_paths(paths, config.ConfigOptions(walk=walk))


PATH_COLLECTORS: dict[str, Callable[[Sequence[Path], ScanOptions], Iterator[ScanResult]]] = {
    "certs": _certs,
    "code": _code,
    "deps": _deps,
    "config": _config,
}


def _rebased(asset_id: str, root: Path) -> str:
    if not asset_id.startswith("file:") or root.is_file():
        return asset_id
    rest = asset_id[5:]
    if rest.startswith("/") or rest.startswith(str(root)):
        return asset_id
    return "file:" + (root / rest).as_posix()


def rebase_file_ids(result: ScanResult, root: Path) -> ScanResult:
    """Make root-relative file asset ids (``file:app/x.py``) unique across scanned roots.

    Code and config collectors name files relative to the tree they walk (right for SARIF and
    baselines); in one inventory of several trees the same relative path would collide, so the
    front door prefixes the root as the user named it -- the convention the key-file collector
    uses. Evidence locations stay as the collector wrote them.
    """
    if str(root) in (".", ""):
        return result
    from dataclasses import replace

    from pqscan.model import Relation

    assets = [replace(a, id=_rebased(a.id, root),
                      relations=tuple(Relation(r.kind, _rebased(r.target, root)) for r in a.relations))
              for a in result.assets]
    findings = [replace(f, asset_id=_rebased(f.asset_id, root)) for f in result.findings]
    return ScanResult(result.target, result.collector, assets, findings, result.errors)


def scan(
    specs: Sequence[str],
    options: ScanOptions | None = None,
    *,
    writer: JsonlWriter | None = None,
    skip_keys: frozenset[str] | set[str] = frozenset(),
    on_result: Callable[[ScanResult], None] | None = None,
) -> Inventory:
    """Run every matching collector over ``specs`` into one inventory (and the writer, as it goes)."""
    from pqscan.collect.net.targets import parse_targets

    opts = options or ScanOptions()
    unknown = [c for c in opts.path_collectors if c not in PATH_COLLECTORS]
    if unknown:
        raise TargetSpecError(f"unknown collector(s) {', '.join(unknown)} (choose from {', '.join(PATH_COLLECTORS)})")
    split = split_targets(specs)
    inv = Inventory(targets=list(specs))

    def take(result: ScanResult, *, done: bool) -> None:
        inv.add_result(result)
        if done:
            inv.mark_done(result.target)
        if writer is not None:
            writer.write_result(result, done=done)
        if on_result is not None:
            on_result(result)

    # Parse every network spec before any traffic, so a bad spec fails the run up front.
    tls_endpoints = parse_targets(split.tls, ports=opts.ports or None, sni=opts.sni, starttls=opts.starttls,
                                  allow_large=opts.allow_large) if split.tls else []
    ssh_endpoints = parse_targets(split.ssh, default_port=SSH_PORT, sni=None, starttls="none",
                                  allow_large=opts.allow_large, scheme="ssh") if split.ssh else []

    for path in split.paths:
        key = f"path:{path}"
        if key in skip_keys:
            continue
        for name in opts.path_collectors:
            for result in PATH_COLLECTORS[name]([path], opts):
                take(rebase_file_ids(result, path), done=False)
        inv.mark_done(key)
        if writer is not None:
            writer.write_result(ScanResult(key, "paths"), done=True)

    if tls_endpoints or ssh_endpoints:
        from pqscan.collect.net.netscan import run_scan

        if tls_endpoints:
            from functools import partial

            from pqscan.collect.tls.collector import scan_tls_endpoint

            run_scan(tls_endpoints, partial(scan_tls_endpoint, suites=opts.tls_suites), opts.net, skip_keys=skip_keys,
                     on_result=lambda r: take(r, done=True))
        if ssh_endpoints:
            from dataclasses import replace

            from pqscan.collect.ssh.probe import SshProbeOptions, make_probe

            run_scan(ssh_endpoints, make_probe(SshProbeOptions(host_keys=opts.ssh_host_keys,
                                                              gex_moduli=opts.ssh_gex_probe)),
                     replace(opts.net, collector="ssh"), skip_keys=skip_keys,
                     on_result=lambda r: take(r, done=True))
    inv.finished = now_iso()
    return inv
