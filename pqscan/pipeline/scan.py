"""The front door: any mix of hosts, URLs, CIDRs and paths -> one inventory.

Each target is routed to the collectors that understand it (one table, :data:`PATH_COLLECTORS`):

* an existing file or directory -> certificates/keys, source code, dependencies, configuration;
* ``ssh://host[:port]`` or ``host:22`` -> the SSH scanner;
* everything else (host, host:port, URL, CIDR, ``@file``) -> the TLS scanner (STARTTLS by port).

Paths are walked once for all path collectors (:mod:`pqscan.collect.paths`). Results go through a
:class:`~pqscan.pipeline.session.ScanSession` as each endpoint or file finishes, so an interrupted
scan keeps what it found and ``resume`` skips finished targets. Collectors never raise for a bad
target: failures are ScanErrors in the inventory.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from pqscan.collect.net.netscan import NetOptions
from pqscan.collect.paths import ALL_PATH_COLLECTORS, PathScan, PathScanOptions, check_collectors
from pqscan.collect.walk import WalkOptions
from pqscan.inventory import Inventory
from pqscan.pipeline.session import ScanSession, run_endpoints

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
    path_collectors: tuple[str, ...] = ALL_PATH_COLLECTORS
    ssh_host_keys: bool = True
    ssh_gex_probe: bool = True  # ask DH group-exchange servers which group sizes they hand out (<= 2 connections)
    tls_suites: bool = True  # enumerate accepted TLS <= 1.2 suites (about 6 more connections per endpoint)


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


def scan(
    specs: Sequence[str],
    options: ScanOptions | None = None,
    *,
    session: ScanSession | None = None,
    cluster: Any = None,
) -> Inventory:
    """Run every matching collector over ``specs``; results go through ``session`` (streamed, resumable).

    ``cluster`` (a :class:`pqscan.cluster.Cluster`, ``--cluster``) runs the endpoint probes and the
    per-file jobs on Dask workers instead of here; the inventory is the same.

    Returns the session's inventory, finished (or closed unfinished if the scan was interrupted, and
    the interruption re-raised). Without a session the results are only kept in memory.
    """
    from pqscan.collect.net.targets import parse_targets

    opts = options or ScanOptions()
    check_collectors(opts.path_collectors)
    split = split_targets(specs)
    session = session or ScanSession(list(specs))
    # Parse every network spec before any traffic, so a bad spec fails the run up front.
    tls_endpoints = parse_targets(split.tls, ports=opts.ports or None, sni=opts.sni, starttls=opts.starttls,
                                  allow_large=opts.allow_large) if split.tls else []
    ssh_endpoints = parse_targets(split.ssh, default_port=SSH_PORT, sni=None, starttls="none",
                                  allow_large=opts.allow_large, scheme="ssh") if split.ssh else []
    try:
        scan_paths_into(session, split.paths, opts, cluster)
        run = cluster.run_scan if cluster is not None else None
        if tls_endpoints:
            from pqscan.collect.tls.collector import scan_tls_endpoint

            run_endpoints(session, tls_endpoints, partial(scan_tls_endpoint, suites=opts.tls_suites), opts.net,
                          run=run)
        if ssh_endpoints:
            from pqscan.collect.ssh.probe import SshProbeOptions, make_probe

            run_endpoints(session, ssh_endpoints, make_probe(SshProbeOptions(host_keys=opts.ssh_host_keys,
                                                                             gex_moduli=opts.ssh_gex_probe)),
                          replace(opts.net, collector="ssh"), run=run)
    except BaseException:
        session.close_unfinished()
        raise
    return session.finish()


def path_key(path: Path) -> str:
    return f"path:{path}"


def scan_paths_into(session: ScanSession, paths: Sequence[Path], opts: ScanOptions, cluster: Any = None) -> None:
    """One walk over every path not yet done; each root is marked done when the walk ends."""
    todo = [p for p in paths if path_key(p) not in session.skip_keys]
    if not todo:
        return
    walk = PathScan(todo, PathScanOptions(walk=opts.walk, collectors=opts.path_collectors, passwords=opts.passwords),
                    cluster=cluster)
    for result in walk.results():
        session.take(result, done=False)
    labels = walk.labels()
    if labels:
        session.inventory.attachments.setdefault("roots", {}).update(labels)
    for p in todo:
        session.mark_done(path_key(p))

