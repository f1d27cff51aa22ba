"""``pqscan tls TARGET...``: probe TLS endpoints for PQ key exchange and collect their certificates."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pqscan.collect.net.targets import STARTTLS_PROTOCOLS, parse_ports, parse_targets
from pqscan.commands import streaming
from pqscan.errors import UsageError
from pqscan.inventory import Inventory
from pqscan.model import Asset, AssetKind
from pqscan.report.terminal import Column

if TYPE_CHECKING:
    from pqscan.collect.tls.groups import GroupKind


@click.command("tls", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@click.option("--port", "ports", default=None, metavar="LIST", help="Ports for targets without one, e.g. 443,8443,9000-9010.")
@click.option("--sni", default=None, metavar="NAME", help="Server name to send instead of the target's host name.")
@click.option("--starttls", default="auto", show_default=True,
              type=click.Choice(["auto", "none", *sorted(STARTTLS_PROTOCOLS)]),
              help="Upgrade plaintext protocols first; auto = by well-known port (25, 587, 143, 110, 21, 389, 5432, 5222).")
@streaming.network_options
@click.option("--no-suites", is_flag=True,
              help="Skip the TLS 1.2/1.1/1.0 accepted-suite enumeration (one connection per accepted suite "
                   "and version); one probe per version instead.")
@streaming.inventory_options(endpoints=True)
@click.pass_context
def command(ctx: click.Context, targets: tuple[str, ...], ports: str | None, sni: str | None, starttls: str,
            timeout: float, concurrency: int, per_host: int, rate: float | None, allow_large: bool,
            no_suites: bool, output: Path | None, resume: bool, output_format: str, profiles: tuple[str, ...],
            show_all: bool) -> int:
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

    def load_probe() -> Any:  # imported while the first connections are dialled
        from pqscan.collect.tls.collector import scan_tls_endpoint

        return functools.partial(scan_tls_endpoint, suites=not no_suites)

    return streaming.scan_endpoints_command(ctx, endpoints, load_probe, "tls", timeout=timeout, concurrency=concurrency,
                                            per_host=per_host, rate=rate, output=output, resume=resume,
                                            output_format=output_format, render_table=render_table,
                                            view=streaming.View(profiles, show_all))


# -- presentation -------------------------------------------------------------------------------
# Plain text cells (pqscan.report.terminal cleans and fits them); several values one per line.

_COLUMNS = (Column("endpoint", min_width=15, keep=9), Column("PQ groups", min_width=14, detail=True, keep=4, whole=True),
            Column("HNDL", min_width=8, keep=7), Column("certificate", min_width=12, keep=5))
_ALL_COLUMNS = (Column("protocols", min_width=8, detail=True, keep=2), Column("negotiated", min_width=10, detail=True),
                Column("classical groups", min_width=10, detail=True),
                Column("PQ preferred", min_width=10, tokens=False, detail=True))


def _groups_cell(attrs: dict[str, Any], kinds: set[GroupKind]) -> str:
    from pqscan.collect.tls.groups import BY_CODE

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
            names.append(name + ("" if verdict == "supported" else f" ({verdict})"))
    return "\n".join(names) or "-"


def _hndl(attrs: dict[str, Any]) -> str:
    """Harvest-now-decrypt-later exposure at a glance: the one exposure judgement over the offered groups."""
    from pqscan.algorithms import IdKind, lookup
    from pqscan.assess.exposure import Harvest, offered

    groups = attrs.get("groups") or {}
    supported = [int(str(i.get("code")), 16) for i in groups.values() if i.get("verdict") == "supported"]
    negotiated = (attrs.get("negotiated") or {}).get("group")
    if not supported and not negotiated:
        return "unknown"
    verdict = offered((lookup(IdKind.TLS_GROUP, c) for c in supported),
                      classical_too=bool(attrs.get("protocols", {}).get("TLS1.2")))
    if verdict is not Harvest.FALLBACK and verdict is not Harvest.PROTECTED:
        return "EXPOSED"
    return "PQ" + ("\n+fallback" if verdict is Harvest.FALLBACK else "")


def render_table(inventory: Inventory, keys: list[str], view: streaming.View = streaming.View()) -> None:
    columns = (*_COLUMNS, *_ALL_COLUMNS) if view.show_all else _COLUMNS

    def row(asset: Asset, inv: Inventory) -> list[str]:
        cells = _cells(asset, inv)
        return cells[: len(columns)]

    streaming.print_endpoint_table(inventory, keys, title="TLS endpoints", kind=AssetKind.TLS_ENDPOINT,
                                   row=row, columns=columns, view=view)


def _suites_cell(attrs: dict[str, Any]) -> str:
    """'7 suites <= TLS 1.2' and what is weak among them (3DES, RC4, NULL, DH-1024, RSA kx)."""
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
    return f"\n{len(names)} suites <= TLS 1.2" + (f"\nweak: {', '.join(weak)}" if weak else "")


def _cells(asset: Asset, inventory: Inventory) -> list[str]:
    """endpoint, PQ groups, HNDL, certificate, then (--all) protocols, negotiated, classical groups, preference."""
    from pqscan.collect.tls.groups import GroupKind

    attrs = dict(asset.attributes)
    protocols = "\n".join(k for k, v in (attrs.get("protocols") or {}).items() if v) or "-"
    protocols += _suites_cell(attrs)
    neg = attrs.get("negotiated") or {}
    negotiated = "\n".join(x for x in (str(neg.get("protocol") or ""), str(neg.get("group") or ""),
                                       str(neg.get("cipher") or "")) if x) or "-"
    pref = attrs.get("preference") or {}
    upgrade = (attrs.get("hrr_upgrade") or {}).get("forces_pq")
    split = (attrs.get("split_client_hello") or {}).get("tolerant")
    pref_cell = (str(pref.get("verdict", "-")) + ("\nforces PQ via HRR" if upgrade else "")
                 + ("\ndrops split hello (tldr.fail)" if split is False else ""))
    leaf = "-"
    for rel in asset.relations:
        cert = inventory.assets.get(rel.target)
        if cert is not None:
            ca = cert.attributes
            algo = ca.get("public_key_algorithm") or ca.get("key_algorithm") or ""
            leaf = f"{cert.name}\n{algo} {ca.get('key_bits') or ca.get('curve') or ''}".strip()
    return [asset.id, _groups_cell(attrs, {GroupKind.HYBRID, GroupKind.PQ, GroupKind.PRESTANDARD}), _hndl(attrs), leaf,
            protocols, negotiated, _groups_cell(attrs, {GroupKind.CLASSICAL}), pref_cell]
