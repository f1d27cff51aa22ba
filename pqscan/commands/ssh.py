"""``pqscan ssh TARGET...``: KEX, host-key, cipher and MAC algorithms and host keys of SSH servers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pqscan.algorithms import IdKind, lookup
from pqscan.assess.exposure import protects
from pqscan.collect.net.targets import parse_ports, parse_targets
from pqscan.commands import streaming
from pqscan.inventory import Inventory
from pqscan.model import Asset, AssetKind
from pqscan.report.terminal import Column


@click.command("ssh", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@click.option("--port", "ports", default=None, metavar="LIST", help="Ports for targets without one (default 22), e.g. 22,2222.")
@streaming.network_options
@click.option("--no-host-keys", is_flag=True, help="Only read KEXINIT; do not fetch each host key (one connection per key type).")
@click.option("--no-gex-probe", is_flag=True,
              help="Do not ask group-exchange (RFC 4419) servers which DH group sizes they hand out (up to 2 connections).")
@streaming.inventory_options(endpoints=True)
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

    def load_probe() -> Any:  # imported while the first connections are dialled
        from pqscan.collect.ssh import SshProbeOptions, make_probe

        return make_probe(SshProbeOptions(host_keys=not no_host_keys, gex_moduli=not no_gex_probe))

    return streaming.scan_endpoints_command(ctx, endpoints, load_probe, "ssh", timeout=timeout, concurrency=concurrency,
                                            per_host=per_host, rate=rate, output=output, resume=resume,
                                            output_format=output_format, render_table=render_table,
                                            view=streaming.View(profiles, show_all))


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


def render_table(inventory: Inventory, keys: list[str], view: streaming.View = streaming.View()) -> None:
    columns = (*_COLUMNS, *_ALL_COLUMNS) if view.show_all else _COLUMNS

    def row(asset: Asset, inv: Inventory) -> list[str]:
        return _cells(asset, inv, view.show_all)[: len(columns)]

    streaming.print_endpoint_table(inventory, keys, title="SSH endpoints", kind=AssetKind.SSH_ENDPOINT,
                                   row=row, columns=columns, view=view)


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
