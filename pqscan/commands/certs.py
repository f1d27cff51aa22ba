"""``pqscan certs PATH...``: certificates, keys and keystores on disk."""

from __future__ import annotations

import json
import sys
import warnings
from collections import Counter
from pathlib import Path

import click

from pqscan.collect.files import FilesOptions, scan_files
from pqscan.collect.walk import DEFAULT_MAX_BYTES, WalkOptions
from pqscan.commands.common import OutputFormat, format_option, note, write_output
from pqscan.errors import InputError, UsageError
from pqscan.inventory import Inventory, JsonlWriter, now_iso
from pqscan.model import AssetKind

MAX_PASSWORD_FILE_BYTES = 1024 * 1024
_SIZE_UNITS = {"k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(text: str) -> int:
    """"5M", "512k", "1000" -> bytes."""
    t = text.strip().lower().removesuffix("b")
    mult = _SIZE_UNITS.get(t[-1:], 1)
    number = t[:-1] if t[-1:] in _SIZE_UNITS else t
    try:
        value = int(float(number) * mult)
    except ValueError:
        raise UsageError(f"--max-size {text!r}: expected a size such as 5M, 512k or 100000") from None
    if value <= 0:
        raise UsageError(f"--max-size {text!r}: must be positive")
    return value


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
@click.option("--exclude", "excludes", multiple=True, metavar="PATTERN",
              help="gitignore-style pattern to skip (repeatable), e.g. 'tests/' or '*.bak'.")
@click.option("--max-size", default=str(DEFAULT_MAX_BYTES), show_default=True, metavar="SIZE",
              help="Skip (and record) files larger than this, e.g. 5M.")
@click.option("--password", "passwords", multiple=True, metavar="PW",
              help="Password to try on encrypted keys, PKCS#12 and Java keystores (repeatable).")
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File with one password per line to try.")
@click.option("--no-gitignore", is_flag=True, help="Do not honour .gitignore files in the tree.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the inventory here (.json, or .jsonl for one record per line).")
@format_option([OutputFormat.TABLE, OutputFormat.JSON])
@click.pass_context
def command(ctx: click.Context, paths: tuple[Path, ...], excludes: tuple[str, ...], max_size: str,
            passwords: tuple[str, ...], password_file: Path | None, no_gitignore: bool, output: Path | None,
            output_format: str) -> int:
    """Find certificates, keys and keystores in files and directory trees.

    \b
    Reads PEM (certificates, chains, CSRs, CRLs, PKCS#1/PKCS#8/SEC1/OpenSSH keys), DER, PKCS#7,
    PKCS#12, JKS/JCEKS, OpenSSH public keys, authorized_keys, known_hosts and JWK/JWKS.
    Examples:
      pqscan certs /etc/ssl /etc/ssh ~/.ssh
      pqscan certs ./deploy --exclude 'testdata/' --password changeit -o certs.json
    """
    warnings.filterwarnings("ignore", message="Parsed a serial number", module="pqscan")
    options = FilesOptions(
        walk=WalkOptions(excludes=excludes, max_bytes=parse_size(max_size), use_gitignore=not no_gitignore),
        passwords=_passwords(passwords, password_file),
    )
    scan = scan_files(paths, options)
    inv = Inventory(targets=[str(p) for p in paths])
    for r in scan.results:
        inv.add_result(r)
    for p in paths:
        inv.mark_done(str(p))
    inv.finished = now_iso()
    inv.attachments["certs_scan"] = {"files_seen": scan.files_seen, "files_with_material_or_errors":
                                     scan.files_parsed, "bytes_read": scan.bytes_read}
    if output is not None:
        if output.suffix.lower() == ".jsonl":
            with JsonlWriter(output, targets=inv.targets) as writer:
                for r in scan.results:
                    writer.write_result(r, done=False)
        else:
            inv.save(output)
        note(ctx, f"inventory written to {output}")
    if OutputFormat(output_format) is OutputFormat.JSON:
        write_output(json.dumps(inv.to_dict(), indent=1, ensure_ascii=False), None)
    else:
        render_table(inv, scan.files_seen)
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
