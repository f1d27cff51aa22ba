"""OpenSSH sshd_config / ssh_config: algorithm lists with the ``+``, ``-`` and ``^`` modifiers.

A list starting with ``+`` appends to the default set, ``-`` removes from it (wildcards allowed),
``^`` puts items at the head (sshd_config(5), "KexAlgorithms"). The defaults below are those of
OpenSSH 9.2p1 as measured on this machine (Debian 12, ``sshd -T -f <config with only a HostKey>``
and ``ssh -G -F /dev/null localhost``, Nov 2026); they match ``KEX_SERVER_KEX`` / ``KEX_DEFAULT_PK_ALG``
/ ``KEX_SERVER_ENCRYPT`` / ``KEX_SERVER_MAC`` in OpenSSH 9.2's ``myproposal.h``. A file deployed on a
different OpenSSH starts from that version's defaults: ``Findings.parameters["defaults"]`` says which
were assumed.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pqscan.algorithms import IdKind
from pqscan.collect.config.common import Emitter
from pqscan.collect.config.openssh_versions import OpenSSH, local_openssh, min_openssh
from pqscan.collect.walk import read_limited
from pqscan.model import Confidence, ErrorKind, Usage

DEFAULTS_SOURCE = "OpenSSH 9.2p1 (Debian 12) defaults"


def _csv(text: str) -> list[str]:
    return text.split(",")


_PK_ALGS = _csv(
    "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
    "ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
    "sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"
    "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,"
    "ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,"
    "rsa-sha2-512,rsa-sha2-256"
)
OPENSSH_9_2_DEFAULTS: dict[str, list[str]] = {
    "kexalgorithms": _csv(
        "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,"
        "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,"
        "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256"
    ),
    "hostkeyalgorithms": _PK_ALGS,
    "pubkeyacceptedalgorithms": _PK_ALGS,
    "hostbasedacceptedalgorithms": _PK_ALGS,
    "casignaturealgorithms": _csv("ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
                              "sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,"
                              "rsa-sha2-256"),
    "ciphers": _csv("chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,"
                "aes256-gcm@openssh.com"),
    "macs": _csv("umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
             "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,"
             "hmac-sha2-256,hmac-sha2-512,hmac-sha1"),
}
# Older spellings accepted by OpenSSH.
_ALIASES = {"pubkeyacceptedkeytypes": "pubkeyacceptedalgorithms", "hostbasedkeytypes": "hostbasedacceptedalgorithms",
            "hostbasedacceptedkeytypes": "hostbasedacceptedalgorithms"}
_KINDS: dict[str, tuple[IdKind, Usage, str]] = {
    "kexalgorithms": (IdKind.SSH_KEX, Usage.KEY_EXCHANGE, "KexAlgorithms"),
    "hostkeyalgorithms": (IdKind.SSH_HOST_KEY, Usage.AUTHENTICATION, "HostKeyAlgorithms"),
    "pubkeyacceptedalgorithms": (IdKind.SSH_HOST_KEY, Usage.AUTHENTICATION, "PubkeyAcceptedAlgorithms"),
    "hostbasedacceptedalgorithms": (IdKind.SSH_HOST_KEY, Usage.AUTHENTICATION, "HostbasedAcceptedAlgorithms"),
    "casignaturealgorithms": (IdKind.SSH_HOST_KEY, Usage.SIGNATURE, "CASignatureAlgorithms"),
    "ciphers": (IdKind.SSH_CIPHER, Usage.SYMMETRIC, "Ciphers"),
    "macs": (IdKind.SSH_MAC, Usage.MAC, "MACs"),
}
# Key type from OpenSSH's conventional file names (ssh_host_<type>_key); the ECDSA curve is not in the name.
_HOSTKEY_FILE_HINTS = (("ed25519", "ssh-ed25519"), ("ecdsa", "ECDSA"), ("rsa", "RSA"), ("dsa", "DSA"))


def apply_modifier(value: str, defaults: list[str]) -> tuple[list[str], str]:
    """The effective list for a directive value, and which modifier produced it ('' when explicit)."""
    value = value.strip()
    if value[:1] in "+-^":
        op, items = value[0], [i for i in value[1:].split(",") if i]
        if op == "+":
            return defaults + [i for i in items if i not in defaults], "+"
        if op == "^":
            return items + [d for d in defaults if d not in items], "^"
        return [d for d in defaults if not any(fnmatch.fnmatchcase(d, pat) for pat in items)], "-"
    return [i for i in value.split(",") if i], ""


MAX_INCLUDE_DEPTH = 16  # OpenSSH's READCONF_MAX_DEPTH
MAX_INCLUDED_FILES = 256
MAX_INCLUDED_BYTES = 1024 * 1024
_MAIN_NAMES = {False: "sshd_config", True: "ssh_config"}


@dataclass(frozen=True)
class Directive:
    """One ``keyword value`` line after ``Include`` expansion, in the order sshd reads it."""

    file: Path
    line: int
    key: str  # lower-case, aliases resolved
    value: str
    context: str  # "" or the Match/Host line in force


@dataclass
class _Expansion:
    directives: list[Directive] = field(default_factory=list)
    followed: list[str] = field(default_factory=list)
    not_followed: list[str] = field(default_factory=list)
    files: int = 0


def _include_targets(pattern: str, base: Path, root: Path | None) -> list[Path] | None:
    """Files an ``Include`` pattern names inside the scanned tree, in sshd's (glob-sorted) order.

    sshd resolves a relative pattern against /etc/ssh; the scanned tree stands in for /etc/ssh
    when the main file sits at its top (``base``), so ``/etc/ssh/x`` and ``x`` both mean ``base/x``.
    None when the pattern points outside what the user named (never read).
    """
    if root is None:
        return None
    if pattern.startswith("/etc/ssh/"):
        rel = pattern[len("/etc/ssh/"):]
    elif pattern.startswith("/"):  # an absolute path is followed only when it lies inside the tree
        prefix = Path("/")
        for part in Path(pattern).parts[1:]:
            if any(c in part for c in "*?["):
                break
            prefix /= part
        try:
            if not prefix.resolve().is_relative_to(root.resolve()):
                return None
        except OSError:
            return None
        base, rel = Path("/"), pattern[1:]
    elif pattern.startswith("~"):
        return None
    else:
        rel = pattern
    if ".." in Path(rel).parts:
        return None
    root_r = root.resolve()
    found = []
    for path in sorted(base.glob(rel)) if any(c in rel for c in "*?[") else [base / rel]:
        try:
            if path.is_file() and path.resolve().is_relative_to(root_r):
                found.append(path)
        except OSError:
            continue
    return found


def expand_includes(path: Path, text: str, root: Path | None, client: bool) -> _Expansion:
    """All directives of ``path`` with its ``Include``s read in place, as sshd/ssh read them."""
    out = _Expansion()
    base = path.parent

    def walk(file: Path, body: str, depth: int, context: str) -> str:
        for lineno, raw in enumerate(body.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"(\S+?)(?:\s*=\s*|\s+)(.*)$", line)
            if not m:
                continue
            key, value = m.group(1).lower(), m.group(2).strip().strip('"')
            key = _ALIASES.get(key, key)
            if key in ("match", "host"):
                context = f"{m.group(1)} {value}"
                continue
            if key == "include":
                for pattern in value.split():
                    targets = _include_targets(pattern, base, root) if depth < MAX_INCLUDE_DEPTH else None
                    if targets is None:
                        out.not_followed.append(pattern)
                        continue
                    out.followed.append(pattern)
                    for target in targets:
                        if out.files >= MAX_INCLUDED_FILES:
                            out.not_followed.append(str(target))
                            continue
                        out.files += 1
                        try:
                            sub = read_limited(target, MAX_INCLUDED_BYTES).decode("utf-8", "replace")
                        except (OSError, ValueError):
                            out.not_followed.append(str(target))
                            continue
                        context = walk(target, sub, depth + 1, context)
                continue
            out.directives.append(Directive(file, lineno, key, value, context))
        return context

    walk(path, text, 0, "")
    return out


def _main_config_for(path: Path, root: Path | None, client: bool) -> Path | None:
    """For a drop-in (sshd_config.d/x.conf), the main file beside its directory, if inside the tree."""
    if root is None or not path.parent.name.endswith("_config.d"):
        return None
    main = path.parent.parent / _MAIN_NAMES[client]
    try:
        return main if main.is_file() and main.resolve().is_relative_to(root.resolve()) else None
    except OSError:
        return None


def _file_of(em: Emitter, root: Path | None) -> Path:
    p = Path(em.relpath)
    if root is None or p.is_absolute():
        return p
    return root / p if root.is_dir() else root


def parse_ssh_config(em: Emitter, text: str, client: bool, root: Path | None = None,
                     openssh: OpenSSH | None = None) -> None:
    """Effective algorithm lists as sshd (or ssh) reads the file: ``Include``s expanded in place,
    the first value of a keyword wins per Match/Host context, and a list naming an algorithm the
    OpenSSH that reads the file does not know makes the whole file fail to load.

    ``openssh`` is that OpenSSH when known (a user-given version); a file under /etc/ssh on this
    machine is read by the local OpenSSH (``ssh -V`` / ``ssh -Q``). Unknown: each algorithm carries
    ``min_openssh``, the first upstream release that knows it.
    """
    em.attributes["role"] = "client" if client else "server"
    path = _file_of(em, root)
    if openssh is None and _is_local_system_file(path):
        openssh = local_openssh()
    main = _main_config_for(path, root, client)
    if main is not None:
        try:
            main_text = read_limited(main, MAX_INCLUDED_BYTES).decode("utf-8", "replace")
        except (OSError, ValueError):
            main = None
    exp = expand_includes(main, main_text, root, client) if main is not None else None
    if exp is None or not any(d.file == path for d in exp.directives):
        exp = expand_includes(path, text, root, client)
        main = None
    else:
        em.attributes["read_through"] = main.name if root is None else _rel(main, root)
    if exp.followed:
        em.attributes["includes_followed"] = exp.followed
    if exp.not_followed:
        em.attributes["includes_not_followed"] = exp.not_followed
    if openssh is not None:
        em.attributes["openssh"] = {"version": openssh.version, "source": openssh.source}

    winners: dict[tuple[str, str], Directive] = {}
    overridden: list[dict[str, Any]] = []
    for d in exp.directives:
        if d.key not in _KINDS:
            continue
        won = winners.setdefault((d.context, d.key), d)
        if won is not d and d.file == path:
            overridden.append({"line": d.line, "keyword": _KINDS[d.key][2], "context": d.context or None,
                               "by": f"{_where(won.file, root)}:{won.line}"})
    if overridden:
        em.attributes["overridden"] = overridden

    refusals = _refusals(exp.directives, openssh, root)
    if refusals:
        for message in refusals:
            em.result.error("parse", ErrorKind.UNSUPPORTED, message)
        em.attributes["refused_by"] = f"OpenSSH {openssh.version}" if openssh else None
        return  # sshd/ssh will not load the file: no list of it is in force

    for d in exp.directives:
        if d.key == "hostkey" and d.file == path:
            _host_key(em, d.value, d.line, d.context, root)
    needed: list[str] = []
    for (context, key), d in winners.items():
        if d.file != path:
            continue  # reported by the included file's own result
        kind, usage, symbol = _KINDS[key]
        algs, modifier = apply_modifier(d.value, OPENSSH_9_2_DEFAULTS[key])
        extra: dict[str, Any] = {"modifier": modifier or None, "defaults": DEFAULTS_SOURCE if modifier else None,
                                 "context": context or None}
        for pos, name in enumerate(algs):
            low = min_openssh(name)
            if low and openssh is None and _v(low) > (7, 0):
                needed.append(low)
            em.add(name, usage, d.line, symbol, kind=kind, preference=pos, min_openssh=low, **extra)
    if needed:
        em.attributes["min_openssh"] = max(needed, key=_v)


def _v(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:2])


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root if root.is_dir() else root.parent).as_posix()
    except ValueError:
        return path.as_posix()


def _where(path: Path, root: Path | None) -> str:
    return _rel(path, root) if root is not None else path.as_posix()


def _is_local_system_file(path: Path) -> bool:
    try:
        return path.resolve().is_relative_to("/etc/ssh")
    except OSError:
        return False


def _refusals(directives: list[Directive], openssh: OpenSSH | None, root: Path | None) -> list[str]:
    """sshd/ssh refuse a file whose list names an algorithm they do not know (``-`` lists are
    patterns and may name anything). Checked only when the reading OpenSSH is known."""
    if openssh is None:
        return []
    out = []
    for d in directives:
        if d.key not in _KINDS or d.value.startswith("-"):
            continue
        names = [n for n in d.value.lstrip("+^").split(",") if n]
        unknown = [n for n in names if openssh.knows(d.key, n) is False]
        if unknown:
            need = ", ".join(f"{n} (OpenSSH >= {min_openssh(n)})" if min_openssh(n) else n for n in unknown)
            out.append(f"{_where(d.file, root)}:{d.line}: OpenSSH {openssh.version} does not know {_KINDS[d.key][2]} "
                       f"{need}: it refuses to load this configuration ({openssh.source})")
    return out


# A key *file's* type names the key, whatever it later signs with: "ssh-rsa" in a .pub is an RSA key
# (usable with rsa-sha2-256/512), not KEXINIT's ssh-rsa host-key algorithm (RSA/SHA-1 signatures).
_KEY_FILE_TYPES = {"ssh-rsa": "RSA", "ssh-dss": "DSA", "RSA": "RSA", "DSA": "DSA", "ECDSA": "ECDSA"}


def _host_key(em: Emitter, path_text: str, lineno: int, context: str, root: Path | None) -> None:
    """A HostKey file: its type from the .pub beside it when that lies inside the scanned tree, else from its name."""
    key_type = None
    key_bits = None
    basis = "file name"
    if root is not None and not Path(path_text).is_absolute():
        pub = root / (path_text + ".pub")
        try:
            if pub.is_file() and pub.resolve().is_relative_to(root.resolve()):
                text = pub.read_text("utf-8", "replace")[:8192]
                key_type = text.split()[0]
                basis = "public key file"
                key_bits = _pub_key_bits(text)
        except (OSError, IndexError):
            key_type = None
    if key_type is None:
        name = Path(path_text).name.lower()
        key_type = next((alg for hint, alg in _HOSTKEY_FILE_HINTS if f"_{hint}_" in f"_{name}_".replace("-", "_")), None)
    em.attributes.setdefault("host_key_files", []).append(path_text)
    if key_type is None:
        em.add(path_text, Usage.AUTHENTICATION, lineno, "HostKey", confidence=Confidence.LOW,
               unknown_reason="host key type not readable from the file name", context=context or None)
        return
    key_name = _KEY_FILE_TYPES.get(key_type)
    em.add(key_name or key_type, Usage.AUTHENTICATION, lineno, "HostKey",
           kind=IdKind.NAME if key_name else IdKind.SSH_HOST_KEY,
           confidence=Confidence.MEDIUM if basis == "public key file" else Confidence.LOW,
           key_file=path_text, basis=basis, context=context or None, key_type=key_type if key_name else None,
           key_bits=key_bits)


def _pub_key_bits(text: str) -> int | None:
    """RSA / DSA modulus size from an OpenSSH public key line; None for other types or a line that does not parse."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import dsa, rsa
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key

    try:
        key = load_ssh_public_key(" ".join(text.split()[:2]).encode())
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
    return key.key_size if isinstance(key, rsa.RSAPublicKey | dsa.DSAPublicKey) else None
