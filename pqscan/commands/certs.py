"""``pqscan certs PATH...``: certificates, keys and keystores on disk."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from pqscan.collect.paths import PathScanOptions
from pqscan.commands.common import make_walk, walk_options
from pqscan.commands.options import EXISTING_PATH
from pqscan.commands.streaming import View, inventory_options, scan_paths_to_inventory, write_json, write_skip_summary
from pqscan.errors import InputError
from pqscan.inventory import Inventory
from pqscan.model import AssetKind
from pqscan.report.terminal import Column, Terminal

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
@click.argument("paths", nargs=-1, required=True, type=EXISTING_PATH, metavar="PATH...")
@walk_options
@click.option("--password", "passwords", multiple=True, metavar="PW",
              help="Password to try on encrypted keys, PKCS#12 and Java keystores (repeatable).")
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File with one password per line to try.")
@inventory_options(endpoints=False)
@click.pass_context
def command(ctx: click.Context, paths: tuple[Path, ...], excludes: tuple[str, ...], max_size: int,
            no_gitignore: bool, follow_symlinks: bool, passwords: tuple[str, ...], password_file: Path | None,
            output: Path | None, output_format: str, profiles: tuple[str, ...], show_all: bool) -> int:
    """Find certificates, keys and keystores in files and directory trees.

    \b
    Reads PEM (certificates, chains, CSRs, CRLs, PKCS#1/PKCS#8/SEC1/OpenSSH keys), DER, PKCS#7,
    PKCS#12, JKS/JCEKS, OpenSSH public keys, authorized_keys, known_hosts and JWK/JWKS.
    Examples:
      pqscan certs /etc/ssl /etc/ssh ~/.ssh
      pqscan certs ./deploy --exclude 'testdata/' --password changeit -o certs.json
    """
    options = PathScanOptions(walk=make_walk(excludes, max_size, no_gitignore, follow_symlinks), collectors=("certs",),
                              passwords=_passwords(passwords, password_file))
    inv = scan_paths_to_inventory(ctx, paths, options, output)
    files_seen = inv.attachments.get("path_scan", {}).get("certs", {}).get("files_seen", 0)
    if not write_json(inv, output_format, output):
        render_table(inv, files_seen, View(profiles, show_all))
    return 0


_MATERIAL = (AssetKind.CERTIFICATE, AssetKind.PUBLIC_KEY, AssetKind.PRIVATE_KEY, AssetKind.HOST_KEY,
             AssetKind.CSR, AssetKind.CRL)
_COLUMNS = (Column("path", min_width=16, keep=6), Column("subject", min_width=12, keep=3, detail=True),
            Column("key", min_width=10, keep=6, whole=True), Column("signature", min_width=10, keep=5, whole=True),
            Column("expires", min_width=10, keep=7, whole=True), Column("verdict", min_width=8, keep=8, whole=True))
_WEAK = 2  # Severity rank: medium and above are the weak items shown by default


def render_table(inv: Inventory, files_seen: int, view: View = View()) -> None:
    """The weak items (path, subject, key, signature, expiry, verdict under the profile), worst first;
    ``--all`` lists every item. Then one line of counts and one of what was skipped."""
    from pqscan.report.asset_verdicts import style, verdicts

    judged = verdicts(inv, view.profiles)
    several = len(judged.profiles) > 1
    term = Terminal.of(sys.stdout)
    items = []
    for a in inv.assets.values():
        if a.kind not in _MATERIAL:
            continue
        v = judged.asset(a.id)
        if not view.show_all and (v is None or v.severity.rank < _WEAK):
            continue
        attrs = a.attributes
        alg = str(attrs.get("public_key_algorithm") or attrs.get("algorithm") or "?")
        size = attrs.get("key_bits") if not str(alg).startswith(("ECDSA", "Ed", "X25519", "ML-")) else ""
        curve = str(attrs.get("curve") or "")
        if curve and curve.replace("-", "").lower() not in alg.replace("-", "").lower():
            size = f"{size or ''} {curve}".strip()  # a curve the algorithm's name does not already say
        key = f"{alg} {size or ''}".strip()
        subject = str(a.name or "") if a.kind in (AssetKind.CERTIFICATE, AssetKind.CSR) else ""
        expires = str(attrs.get("not_after") or "")[:10] or "-"
        rank = v.severity.rank if v else -1
        items.append((-rank, a.location, subject, [a.location or a.id, subject or "-", key,
                                                   str(attrs.get("signature_algorithm") or "-"), expires,
                                                   v.text(name_profile=several) if v else "no finding"], style(v)))
    items.sort(key=lambda t: (t[0], t[1], t[2]))
    shown = "every item" if view.show_all else "weak items (medium and above)"
    if term.is_tty:
        sys.stdout.write(term.line(f"Key material in {files_seen} file(s): {shown}, verdict under "
                                   f"{', '.join(judged.profiles)}"))
    if items or not term.is_tty:  # on a pipe the header line is there even with no record
        sys.stdout.write(term.table(_COLUMNS, [t[3] for t in items], styles=[[""] * 5 + [t[4]] for t in items]))
    else:
        sys.stdout.write("nothing weak found\n")
    if term.is_tty:
        counts = Counter(a.kind.value for a in inv.assets.values() if a.kind in _MATERIAL)
        sys.stdout.write(term.line("found: " + (", ".join(f"{n} {k}" for k, n in counts.most_common()) or "nothing")
                                   + (f"; {len(items)} shown (--all for every item)" if not view.show_all else "")))
        write_skip_summary(inv)
