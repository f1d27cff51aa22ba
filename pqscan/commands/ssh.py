"""``pqscan ssh TARGET...``: KEX, host-key, cipher and MAC algorithms and host keys of SSH servers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pqscan.algorithms import IdKind, lookup
from pqscan.assess.exposure import protects
from pqscan.collect.net.netscan import NetOptions
from pqscan.collect.net.targets import parse_ports, parse_targets
from pqscan.collect.ssh import SshProbeOptions, make_probe
from pqscan.commands.cluster import cluster_options
from pqscan.commands.common import OutputFormat, endpoints_exit, format_option, store_of, store_option
from pqscan.commands.options import RATE, TIMEOUT

# The streaming / resume plumbing is shared with `pqscan tls` (one implementation).
from pqscan.commands.streaming import (
    View,
    emit_inventory,
    print_endpoint_table,
    scan_endpoints_to_inventory,
    view_options,
)
from pqscan.errors import UsageError
from pqscan.inventory import Inventory
from pqscan.model import Asset, AssetKind
from pqscan.report.terminal import Column


@click.command("ssh", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@click.option("--port", "ports", default=None, metavar="LIST", help="Ports for targets without one (default 22), e.g. 22,2222.")
@click.option("--timeout", default=5.0, show_default=True, type=TIMEOUT, help="Connect and read timeout, seconds.")
@click.option("--concurrency", default=128, show_default=True, type=click.IntRange(1, 4096), help="Endpoints scanned at once.")
@click.option("--per-host", default=8, show_default=True, type=click.IntRange(1, 256), help="Simultaneous connections to one host.")
@click.option("--rate", default=None, type=RATE, help="At most this many new connections per second.")
@click.option("--allow-large", is_flag=True, help="Allow CIDR ranges larger than 4096 addresses.")
@click.option("--no-host-keys", is_flag=True, help="Only read KEXINIT; do not fetch each host key (one connection per key type).")
@click.option("--no-gex-probe", is_flag=True,
              help="Do not ask group-exchange (RFC 4419) servers which DH group sizes they hand out (up to 2 connections).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Inventory file: .jsonl is streamed as endpoints finish; .json is written at the end.")
@click.option("--resume", is_flag=True, help="Skip endpoints already finished in --output and append to it.")
@format_option([OutputFormat.TABLE, OutputFormat.JSON])
@store_option()
@view_options
@cluster_options()
@click.pass_context
def command(ctx: click.Context, targets: tuple[str, ...], ports: str | None, timeout: float, concurrency: int,
            per_host: int, rate: float | None, allow_large: bool, no_host_keys: bool, no_gex_probe: bool,
            output: Path | None, resume: bool, output_format: str, profiles: tuple[str, ...],
            show_all: bool) -> int:
    """Probe SSH servers: PQ and classical KEX, host keys, ciphers, MACs, and what OpenSSH 10 would pick.

    \b
    TARGET: host, host:port, [IPv6]:port, ssh://host:port, CIDR, @file
    Examples:
      pqscan ssh git.example.com bastion.example.com:2222
      pqscan ssh 192.0.2.0/24 -o ssh-fleet.jsonl --resume
    """
    endpoints = parse_targets(targets, default_port=22, ports=parse_ports(ports) if ports else None,
                              starttls=None, allow_large=allow_large, scheme="ssh")
    if resume and output is None and store_of(ctx) is None:
        raise UsageError("--resume needs --output or --store (where the scan to resume is)")
    options = NetOptions(connect_timeout=timeout, read_timeout=timeout, concurrency=concurrency,
                         per_host=per_host, rate=rate, collector="ssh")
    probe = make_probe(SshProbeOptions(host_keys=not no_host_keys, gex_moduli=not no_gex_probe))
    inventory = scan_endpoints_to_inventory(ctx, endpoints, probe, options, output, resume)
    emit_inventory(inventory, output_format, render_table, [e.key for e in endpoints], output=output,
                   view=View(profiles, show_all))
    return endpoints_exit(inventory, [e.key for e in endpoints])


# -- presentation -------------------------------------------------------------------------------


def _kex_cells(attrs: dict[str, Any]) -> tuple[list[str], list[str]]:
    from pqscan.collect.ssh.assets import real_kex

    safe: list[str] = []
    classical: list[str] = []
    groups = _gex_summary(attrs.get("gex_groups") or [])
    for name in real_kex(attrs.get("kex_algorithms") or []):
        if name.startswith("diffie-hellman-group-exchange-") and groups:
            name = f"{name} ({groups})"
        (safe if protects(lookup(IdKind.SSH_KEX, name)) else classical).append(name)
    return safe, classical


def _gex_summary(groups: list[dict[str, Any]]) -> str:
    """``DH-1024 accepted, DH-2048`` / ``1024 refused, DH-2048``: the group sizes the server handed out."""
    parts = []
    for g in groups:
        request = str(g.get("request", ""))
        if g.get("outcome") == "accepted":
            parts.append(f"{request}: DH-{g.get('p_bits')}")
        else:
            parts.append(f"{request}: {g.get('outcome')}")
    return ", ".join(parts)


_COLUMNS = (Column("endpoint", min_width=15, keep=9), Column("KEX", min_width=18, detail=True, keep=4, whole=True),
            Column("HNDL", min_width=8, keep=7), Column("host keys", min_width=9, keep=5, whole=True),
            Column("ciphers / MACs", min_width=14, detail=True, keep=2))
_ALL_COLUMNS = (Column("software", min_width=10, detail=True, keep=1),
                Column("OpenSSH 10 gets", min_width=12, detail=True, keep=1))


def _both(attrs: dict[str, Any], prefix: str) -> list[str]:
    """One list of both directions' algorithms (server order, each once)."""
    return list(dict.fromkeys([*(attrs.get(f"{prefix}_server_to_client") or []),
                               *(attrs.get(f"{prefix}_client_to_server") or [])]))


def render_table(inventory: Inventory, keys: list[str], view: View = View()) -> None:
    columns = (*_COLUMNS, *_ALL_COLUMNS) if view.show_all else _COLUMNS

    def row(asset: Asset, inv: Inventory) -> list[str]:
        return _cells(asset, inv, view.show_all)[: len(columns)]

    print_endpoint_table(inventory, keys, title="SSH endpoints", kind=AssetKind.SSH_ENDPOINT, row=row,
                         columns=columns, view=view)


def _cells(asset: Asset, inventory: Inventory, show_all: bool) -> list[str]:
    """endpoint, KEX (PQ first), HNDL, host keys, ciphers / MACs; then (--all) software, OpenSSH 10's pick."""
    attrs = dict(asset.attributes)
    safe, classical = _kex_cells(attrs)
    negotiated = (attrs.get("openssh10_negotiated") or {}).get("kex")
    if negotiated is None:
        hndl = "no common KEX"
    elif protects(lookup(IdKind.SSH_KEX, negotiated)):
        hndl = "PQ" + ("\n+fallback" if classical else "")
    else:
        hndl = "EXPOSED"
    host_keys = []
    for rel in asset.relations:
        key = inventory.assets.get(rel.target)
        if key is not None and key.kind is AssetKind.HOST_KEY:
            ka = key.attributes
            size = ka.get("key_bits") if ka.get("algorithm") in ("RSA", "DSA") else None
            host_keys.append(f"{ka.get('algorithm')} {size or ''}".strip())
    limit = None if show_all else 4
    shown = classical[:limit] + ([f"(+{len(classical) - 4} more)"] if limit and len(classical) > limit else [])
    kex = [*safe, *shown]
    ciphers = _both(attrs, "encryption_algorithms")
    macs = _both(attrs, "mac_algorithms")
    sym = ciphers[:limit] + ([f"(+{len(ciphers) - 4} ciphers)"] if limit and len(ciphers) > limit else [])
    sym += [f"MAC {m}" for m in macs[:limit]] + ([f"(+{len(macs) - 4} MACs)"] if limit and len(macs) > limit else [])
    software = str(attrs.get("banner", "")).removeprefix("SSH-2.0-")
    return [asset.id, "\n".join(kex) or "-", hndl, "\n".join(host_keys) or "-", "\n".join(sym) or "-",
            software, str(negotiated or "-")]
