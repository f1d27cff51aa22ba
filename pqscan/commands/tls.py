"""``pqscan tls TARGET...``: probe TLS endpoints for PQ key exchange and collect their certificates."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import click

from pqscan.collect.net.netscan import NetOptions
from pqscan.collect.net.targets import STARTTLS_PROTOCOLS, parse_ports, parse_targets
from pqscan.collect.tls.collector import scan_tls_endpoint
from pqscan.collect.tls.groups import BY_CODE, GroupKind
from pqscan.commands.cluster import cluster_options
from pqscan.commands.common import OutputFormat, format_option, store_of, store_option
from pqscan.commands.streaming import emit_inventory, print_endpoint_table, scan_endpoints_to_inventory
from pqscan.errors import UsageError
from pqscan.inventory import Inventory
from pqscan.model import Asset, AssetKind


@click.command("tls", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@click.option("--port", "ports", default=None, metavar="LIST", help="Ports for targets without one, e.g. 443,8443,9000-9010.")
@click.option("--sni", default=None, metavar="NAME", help="Server name to send instead of the target's host name.")
@click.option("--starttls", default="auto", show_default=True,
              type=click.Choice(["auto", "none", *sorted(STARTTLS_PROTOCOLS)]),
              help="Upgrade plaintext protocols first; auto = by well-known port (25, 587, 143, 110, 21, 389, 5432, 5222).")
@click.option("--timeout", default=5.0, show_default=True, type=click.FloatRange(0.05, 300), help="Connect and read timeout, seconds.")
@click.option("--concurrency", default=128, show_default=True, type=click.IntRange(1, 4096), help="Endpoints scanned at once.")
@click.option("--per-host", default=8, show_default=True, type=click.IntRange(1, 256), help="Simultaneous connections to one host.")
@click.option("--rate", default=None, type=click.FloatRange(0.1, None), help="At most this many new connections per second.")
@click.option("--allow-large", is_flag=True, help="Allow CIDR ranges larger than 4096 addresses.")
@click.option("--no-suites", is_flag=True,
              help="Skip the TLS 1.2/1.1/1.0 accepted-suite enumeration (one connection per accepted suite "
                   "and version); one probe per version instead.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Inventory file: .jsonl is streamed as endpoints finish; .json is written at the end.")
@click.option("--resume", is_flag=True, help="Skip endpoints already finished in --output and append to it.")
@format_option([OutputFormat.TABLE, OutputFormat.JSON])
@store_option()
@cluster_options()
@click.pass_context
def command(ctx: click.Context, targets: tuple[str, ...], ports: str | None, sni: str | None, starttls: str,
            timeout: float, concurrency: int, per_host: int, rate: float | None, allow_large: bool,
            no_suites: bool, output: Path | None, resume: bool, output_format: str) -> int:
    """Probe TLS endpoints: every PQ and classical group, preference, TLS 1.2 key exchange, certificates.

    \b
    TARGET: host, host:port, [IPv6]:port, URL (https://, smtp://, imaps:// ...), CIDR, @file
    Examples:
      pqscan tls example.com mail.example.com:465 smtp://mx.example.com
      pqscan tls 192.0.2.0/24 --port 443,8443 -o fleet.jsonl --resume
    """
    endpoints = parse_targets(targets, ports=parse_ports(ports) if ports else None, sni=sni,
                              starttls=None if starttls == "none" else starttls, allow_large=allow_large)
    if sni is not None:
        try:
            sni.encode("ascii")
        except UnicodeEncodeError:
            raise UsageError(f"--sni {sni!r}: use the ASCII (punycode) form of the name") from None
    if resume and output is None and store_of(ctx) is None:
        raise UsageError("--resume needs --output or --store (where the scan to resume is)")
    options = NetOptions(connect_timeout=timeout, read_timeout=timeout, concurrency=concurrency,
                         per_host=per_host, rate=rate, collector="tls")
    probe = functools.partial(scan_tls_endpoint, suites=not no_suites)
    inventory = scan_endpoints_to_inventory(ctx, endpoints, probe, options, output, resume)
    emit_inventory(inventory, output_format, render_table, [e.key for e in endpoints])
    return 0


# -- presentation -------------------------------------------------------------------------------

_VERDICT_STYLE = {"supported": "green", "rejected": "dim", "no-tls13": "yellow", "inconclusive": "magenta",
                  "protocol-violation": "red"}


def _groups_cell(attrs: dict[str, Any], kinds: set[GroupKind]) -> str:
    from rich.markup import escape

    names = []
    for name, info in (attrs.get("groups") or {}).items():
        try:
            group = BY_CODE.get(int(str(info.get("code")), 16))
        except ValueError:
            group = None
        if group is None or group.kind not in kinds:
            continue
        verdict = str(info.get("verdict"))
        if verdict in ("supported", "inconclusive", "protocol-violation"):
            style = _VERDICT_STYLE.get(verdict, "")
            mark = "" if verdict == "supported" else f" ({verdict})"
            names.append(f"[{style}]{escape(name)}{escape(mark)}[/]")
    return ", ".join(names) or "-"


def _hndl(attrs: dict[str, Any]) -> str:
    """Harvest-now-decrypt-later exposure at a glance: the one exposure judgement over the offered groups."""
    from pqscan.algorithms import IdKind, lookup
    from pqscan.assess.exposure import Harvest, offered

    groups = attrs.get("groups") or {}
    supported = [int(str(i.get("code")), 16) for i in groups.values() if i.get("verdict") == "supported"]
    negotiated = (attrs.get("negotiated") or {}).get("group")
    if not supported and not negotiated:
        return "[yellow]unknown[/]"
    verdict = offered((lookup(IdKind.TLS_GROUP, c) for c in supported),
                      classical_too=bool(attrs.get("protocols", {}).get("TLS1.2")))
    if verdict is not Harvest.FALLBACK and verdict is not Harvest.PROTECTED:
        return "[bold red]EXPOSED[/] (classical only)"
    return "[green]PQ[/]" + (" + [yellow]classical fallback[/]" if verdict is Harvest.FALLBACK else "")


def render_table(inventory: Inventory, keys: list[str]) -> None:
    print_endpoint_table(inventory, keys, title="TLS endpoints", kind=AssetKind.TLS_ENDPOINT, row=_row,
                         columns=("endpoint", "protocols", "negotiated", "PQ groups", "classical groups", "PQ preferred",
                "HNDL", "leaf certificate"))


def _suites_cell(attrs: dict[str, Any]) -> str:
    """'\n7 suites <= TLS 1.2' and, in red, what is weak among them (3DES, RC4, NULL, DH-1024, RSA kx)."""
    from rich.markup import escape

    from pqscan.algorithms import cipher_suite

    enums = attrs.get("tls_suites")
    if not isinstance(enums, dict) or not enums:
        return ""
    names: set[str] = set()
    weak: dict[str, None] = {}
    for enum in enums.values():
        for detail in enum.get("details") or ():
            names.add(str(detail.get("suite")))
            suite = cipher_suite(str(detail.get("suite")))
            if suite is not None and suite.is_classically_broken:
                weak["EXPORT" if suite.export else suite.cipher] = None
            if suite is not None and suite.key_exchange == "RSAES-PKCS1":
                weak["RSA kx"] = None
            bits = detail.get("dh_bits")
            if isinstance(bits, int) and bits < 2048:
                weak[f"DH-{bits}"] = None
    text = f"\n{len(names)} suites <= TLS 1.2"
    return escape(text) + (f"\n[red]{escape(', '.join(weak))}[/]" if weak else "")


def _row(asset: Asset, inventory: Inventory) -> list[str]:
    from rich.markup import escape

    attrs = dict(asset.attributes)
    protocols = escape(", ".join(k for k, v in (attrs.get("protocols") or {}).items() if v) or "-") + _suites_cell(attrs)
    neg = attrs.get("negotiated") or {}
    negotiated = escape(f"{neg.get('protocol', '')} {neg.get('group') or ''}\n{neg.get('cipher', '')}".strip()) or "-"
    pref = attrs.get("preference") or {}
    upgrade = (attrs.get("hrr_upgrade") or {}).get("forces_pq")
    split = (attrs.get("split_client_hello") or {}).get("tolerant")
    pref_cell = (escape(str(pref.get("verdict", "-"))) + ("\nforces PQ via HRR" if upgrade else "")
                 + ("\n[red]drops split hello (tldr.fail)[/]" if split is False else ""))
    leaf = "-"
    for rel in asset.relations:
        cert = inventory.assets.get(rel.target)
        if cert is not None:
            ca = cert.attributes
            algo = ca.get("public_key_algorithm") or ca.get("key_algorithm") or ""
            leaf = escape(f"{cert.name}\n{algo} {ca.get('key_bits') or ca.get('curve') or ''}".strip())
    return [escape(asset.id), protocols, negotiated,
            _groups_cell(attrs, {GroupKind.HYBRID, GroupKind.PQ, GroupKind.PRESTANDARD}),
            _groups_cell(attrs, {GroupKind.CLASSICAL}), pref_cell, _hndl(attrs), leaf]
