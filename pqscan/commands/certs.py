"""``pqscan certs PATH...``: certificates, keys and keystores on disk."""

from __future__ import annotations

import json
import sys
import warnings
from collections import Counter
from pathlib import Path

import click

from pqscan.collect.paths import PathScanOptions
from pqscan.commands.cluster import cluster_options
from pqscan.commands.common import (
    OutputFormat,
    format_option,
    make_walk,
    store_option,
    walk_options,
    write_output,
)
from pqscan.commands.streaming import scan_paths_to_inventory
from pqscan.errors import InputError
from pqscan.inventory import Inventory
from pqscan.model import AssetKind

MAX_PASSWORD_FILE_BYTES = 1024 * 1024


def _passwords(given: tuple[str, ...], password_file: Path | None) -> tuple[bytes, ...]:
    out = [p.encode("utf-8") for p in given]
    if password_file is not None:
        try:
            # A bounded read, not stat(): the file may be a pipe (--password-file <(pass show ...)).
            with open(password_file, "rb") as fh:
                raw = fh.read(MAX_PASSWORD_FILE_BYTES + 1)
            if len(raw) > MAX_PASSWORD_FILE_BYTES:
                raise InputError(f"{password_file}: password file larger than 1 MiB")
            lines = raw.decode("utf-8").splitlines()
        except OSError as exc:
            raise InputError(f"{password_file}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise InputError(f"{password_file}: not UTF-8 text (one password per line)") from None
        out.extend(line.encode("utf-8") for line in lines if line)
    return tuple(dict.fromkeys(out))


@click.command("certs", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="PATH...")
@walk_options
@click.option("--password", "passwords", multiple=True, metavar="PW",
              help="Password to try on encrypted keys, PKCS#12 and Java keystores (repeatable).")
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File with one password per line to try.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the inventory here (.json, or .jsonl for one record per line).")
@format_option([OutputFormat.TABLE, OutputFormat.JSON])
@store_option()
@cluster_options()
@click.pass_context
def command(ctx: click.Context, paths: tuple[Path, ...], excludes: tuple[str, ...], max_size: int,
            no_gitignore: bool, follow_symlinks: bool, passwords: tuple[str, ...], password_file: Path | None,
            output: Path | None, output_format: str) -> int:
    """Find certificates, keys and keystores in files and directory trees.

    \b
    Reads PEM (certificates, chains, CSRs, CRLs, PKCS#1/PKCS#8/SEC1/OpenSSH keys), DER, PKCS#7,
    PKCS#12, JKS/JCEKS, OpenSSH public keys, authorized_keys, known_hosts and JWK/JWKS.
    Examples:
      pqscan certs /etc/ssl /etc/ssh ~/.ssh
      pqscan certs ./deploy --exclude 'testdata/' --password changeit -o certs.json
    """
    warnings.filterwarnings("ignore", message="Parsed a serial number", module="pqscan")
    options = PathScanOptions(walk=make_walk(excludes, max_size, no_gitignore, follow_symlinks), collectors=("certs",),
                              passwords=_passwords(passwords, password_file))
    inv = scan_paths_to_inventory(ctx, paths, options, output)
    files_seen = inv.attachments.get("path_scan", {}).get("certs", {}).get("files_seen", 0)
    if OutputFormat(output_format) is OutputFormat.JSON:
        write_output(json.dumps(inv.to_dict(), indent=1, ensure_ascii=False), None)
    else:
        render_table(inv, files_seen)
    return 0


def render_table(inv: Inventory, files_seen: int) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from pqscan.textsafe import clean

    console = Console(file=sys.stdout, highlight=False, width=None if sys.stdout.isatty() else 140)
    rows: Counter[tuple[str, str, str]] = Counter()
    material = (AssetKind.CERTIFICATE, AssetKind.PUBLIC_KEY, AssetKind.PRIVATE_KEY, AssetKind.HOST_KEY,
                AssetKind.CSR, AssetKind.CRL)
    for a in inv.assets.values():
        if a.kind in material:
            attrs = a.attributes
            alg = str(attrs.get("public_key_algorithm") or attrs.get("algorithm") or attrs.get("signature_algorithm")
                      or "?")
            size = str(attrs.get("key_bits") or attrs.get("curve") or "")
            rows[(a.kind.value, alg, size)] += 1
    table = Table(title=f"Key material in {files_seen} file(s)")
    for col in ("kind", "algorithm", "size / curve", "count"):
        table.add_column(col)
    for (kind, alg, size), count in sorted(rows.items(), key=lambda kv: (kv[0][0], -kv[1])):
        table.add_row(escape(clean(kind)), escape(clean(alg)), escape(clean(size)), str(count))
    console.print(table)
    if inv.errors:
        kinds = Counter(e.kind.value for e in inv.errors)
        console.print("errors: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()) +
                      " (details in --format json / the inventory)")
