"""OpenSSH key files: private keys (``openssh-key-v1``), ``.pub`` lines, ``authorized_keys``,
``known_hosts`` (hashed or not) and RFC 4716 ``SSH2 PUBLIC KEY`` blocks.

A public key line is recognised by content, not by position: the first token pair
``<type> <base64>`` whose blob carries the same type string. Whatever precedes it is the
``authorized_keys`` options or the ``known_hosts`` host patterns (sshd(8) AUTHORIZED_KEYS FILE
FORMAT, SSH_KNOWN_HOSTS FILE FORMAT). The OpenSSH private key format keeps its public keys in
clear (PROTOCOL.key), so an encrypted private key still shows its algorithm and size.
"""

from __future__ import annotations

import base64
import binascii
import re

from pqscan.collect.files.context import FileContext
from pqscan.collect.ssh.keys import SshPublicKey, parse_public_key_blob
from pqscan.collect.ssh.wire import Reader, SshProtocolError
from pqscan.model import AssetKind, ErrorKind, Usage
from pqscan.textsafe import clean

MAX_LINES = 100_000
OPENSSH_KEY_MAGIC = b"openssh-key-v1\0"
_B64_RE = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
_TYPE_RE = re.compile(r"^[a-z0-9][a-z0-9@._+-]{2,80}$")
_RFC4716_RE = re.compile(rb"---- BEGIN SSH2 PUBLIC KEY ----\r?\n(.*?)---- END SSH2 PUBLIC KEY ----", re.DOTALL)

# File names that are lists of public keys (besides *.pub).
AUTHORIZED_KEYS_NAMES = {"authorized_keys", "authorized_keys2"}
KNOWN_HOSTS_NAMES = {"known_hosts", "known_hosts2", "ssh_known_hosts", "ssh_known_hosts2"}


def _key_at(tokens: list[str], i: int) -> SshPublicKey | None:
    if not _TYPE_RE.match(tokens[i]) or i + 1 >= len(tokens) or not _B64_RE.match(tokens[i + 1]):
        return None
    try:
        blob = base64.b64decode(tokens[i + 1], validate=True)
        key = parse_public_key_blob(blob)
    except (binascii.Error, ValueError, SshProtocolError):
        return None
    return key if key.key_type == tokens[i] else None


def parse_key_line(line: str) -> tuple[str, SshPublicKey, str] | None:
    """(what precedes the key, key, comment) for a line holding an SSH public key, else None."""
    tokens = line.split()
    for i in range(min(len(tokens) - 1, 64)):
        key = _key_at(tokens, i)
        if key is not None:
            prefix = line[: line.find(tokens[i] + " " + tokens[i + 1])].strip() if i else ""
            return clean(prefix), key, clean(" ".join(tokens[i + 2 :])[:200])
    return None


_KEY_LINE_MARKERS = (b"ssh-", b"ecdsa-sha2-", b"sk-", b"|1|")


def looks_like_key_lines(head: bytes) -> bool:
    # Cheap bytes test first: most files scanned hold none of the markers a key token starts with.
    if not any(marker in head for marker in _KEY_LINE_MARKERS):
        return False
    text = head.decode("utf-8", "replace")
    return any(t.startswith(("ssh-", "ecdsa-sha2-", "sk-", "|1|")) for t in text.split()[:4096])


def read_key_lines(ctx: FileContext, data: bytes, mode: str) -> int:
    """``mode``: "authorized_keys", "known_hosts" or "pub". Returns the number of keys found."""
    found = 0
    bad: list[int] = []
    text = data.decode("utf-8", "replace")
    for lineno, line in enumerate(text.splitlines()[:MAX_LINES], 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parsed = parse_key_line(stripped)
        if parsed is None:
            bad.append(lineno)
            continue
        prefix, key, comment = parsed
        found += 1
        if mode == "known_hosts":
            _known_host(ctx, prefix, key, comment, lineno)
        else:
            extra: dict[str, object] = {"line": lineno}
            if comment:
                extra["comment"] = comment
            if prefix:
                extra["options"] = prefix[:500]
            host = mode == "pub" and ctx.path.name.startswith("ssh_host_")
            ctx.add_ssh_key(key, kind=AssetKind.HOST_KEY if host else AssetKind.PUBLIC_KEY,
                            usage=Usage.AUTHENTICATION, source=mode, line=lineno, extra=extra)
    if found:
        ctx.formats.append(mode if mode != "pub" else "openssh-public-key")
    if bad and (mode != "pub" or not found):
        shown = ", ".join(map(str, bad[:10])) + (" ..." if len(bad) > 10 else "")
        ctx.error(f"parse-{mode}", ErrorKind.MALFORMED, f"no readable SSH public key on line(s) {shown}")
    return found


def _known_host(ctx: FileContext, prefix: str, key: SshPublicKey, comment: str, lineno: int) -> None:
    parts = prefix.split()
    marker = parts[0] if parts and parts[0].startswith("@") else ""
    hosts_field = parts[1] if marker and len(parts) > 1 else (parts[0] if parts else "")
    extra: dict[str, object] = {"line": lineno}
    if marker:
        extra["marker"] = marker
    if hosts_field.startswith("|1|"):
        extra["hashed_hosts"] = True  # HashKnownHosts: the host name is not recoverable
    else:
        extra["hosts"] = hosts_field.split(",")[:50]
    if comment:
        extra["comment"] = comment
    ctx.add_ssh_key(key, kind=AssetKind.HOST_KEY, usage=Usage.AUTHENTICATION, source="known_hosts",
                    line=lineno, extra=extra)


def read_rfc4716(ctx: FileContext, data: bytes) -> int:
    found = 0
    for m in _RFC4716_RE.finditer(data):
        lines = m.group(1).decode("ascii", "replace").splitlines()
        body, continued = [], False
        for line in lines:
            if continued or ":" in line:  # header lines, possibly continued with a trailing backslash
                continued = line.endswith("\\")
                continue
            body.append(line.strip())
        try:
            key = parse_public_key_blob(base64.b64decode("".join(body), validate=True))
        except (binascii.Error, ValueError, SshProtocolError) as exc:
            ctx.error("parse-rfc4716", ErrorKind.MALFORMED, f"SSH2 PUBLIC KEY block: {exc}")
            continue
        found += 1
        ctx.add_ssh_key(key, kind=AssetKind.PUBLIC_KEY, usage=Usage.AUTHENTICATION, source="rfc4716")
    if found:
        ctx.formats.append("rfc4716-public-key")
    return found


def read_openssh_private_key(ctx: FileContext, block: bytes, line: int) -> None:
    """The public keys of an ``openssh-key-v1`` private key, encrypted or not."""
    body = b"".join(block.splitlines()[1:-1])
    try:
        raw = base64.b64decode(body, validate=False)
        if not raw.startswith(OPENSSH_KEY_MAGIC):
            raise SshProtocolError("missing openssh-key-v1 magic")
        r = Reader(raw[len(OPENSSH_KEY_MAGIC) :])
        cipher = r.string(64).decode("ascii", "replace")
        kdf = r.string(64).decode("ascii", "replace")
        r.string(1024)  # kdf options
        count = r.uint32()
        if count > 64:
            raise SshProtocolError(f"{count} keys in one file")
        blobs = [r.string() for _ in range(count)]
    except (binascii.Error, ValueError, SshProtocolError) as exc:
        ctx.error("parse-openssh-private-key", ErrorKind.MALFORMED, f"line {line}: {exc}")
        return
    encrypted = cipher != "none"
    for blob in blobs:
        try:
            key = parse_public_key_blob(blob)
        except SshProtocolError as exc:
            ctx.error("parse-openssh-private-key", ErrorKind.MALFORMED, f"line {line}: public key: {exc}")
            continue
        extra: dict[str, object] = {"encrypted": encrypted}
        if encrypted:
            extra["encryption_scheme"] = f"{cipher} ({kdf})"
        ctx.add_ssh_key(key, kind=AssetKind.PRIVATE_KEY, usage=Usage.AUTHENTICATION, source="openssh-private-key",
                        line=line, extra=extra)
