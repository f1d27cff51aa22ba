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
from pathlib import Path
from typing import Any

from pqscan.algorithms import IdKind
from pqscan.collect.config.common import Emitter
from pqscan.model import Confidence, Usage

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


def parse_ssh_config(em: Emitter, text: str, client: bool, root: Path | None = None) -> None:
    em.attributes["role"] = "client" if client else "server"
    seen_in_context: set[tuple[str, str]] = set()
    context = ""
    for lineno, raw in enumerate(text.splitlines(), 1):
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
            em.attributes.setdefault("includes_not_followed", []).append(value)
            continue
        if key == "hostkey":
            _host_key(em, value, lineno, context, root)
            continue
        if key not in _KINDS:
            continue
        # sshd/ssh use the first value obtained for a keyword (per Match/Host context).
        if (context, key) in seen_in_context:
            continue
        seen_in_context.add((context, key))
        kind, usage, symbol = _KINDS[key]
        algs, modifier = apply_modifier(value, OPENSSH_9_2_DEFAULTS[key])
        extra: dict[str, Any] = {"modifier": modifier or None, "defaults": DEFAULTS_SOURCE if modifier else None,
                 "context": context or None}
        for pos, name in enumerate(algs):
            em.add(name, usage, lineno, symbol, kind=kind, preference=pos, **extra)


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
