"""SSH public key blobs (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709, PROTOCOL.certkeys): what key is it?

Shared by the SSH scanner (host keys from KEX replies) and the files scanner (``.pub`` files,
``authorized_keys``, ``known_hosts``, OpenSSH private keys). A key's id is
``key:sha256:<hex of SHA-256 over the blob>`` -- the same digest ``ssh-keygen -l`` prints as
``SHA256:<base64>`` -- so a host key seen on a server and the same key in a ``known_hosts`` file
are one asset. When ``cryptography`` can load the key, the SPKI digest is recorded too
(``spki_sha256``), which links it to certificates and PEM keys of the same key pair.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization

from pqscan.algorithms import Algorithm, IdKind, lookup
from pqscan.collect.pubkey import describe_spki, spki_of
from pqscan.collect.ssh.wire import Reader, SshProtocolError
from pqscan.model import Asset, AssetKind, Evidence, Finding, Usage
from pqscan.textsafe import clean

MAX_BLOB = 16384
CERT_SUFFIX = "-cert-v01@openssh.com"

# Host-key *signature* algorithm name -> the key type whose blob it uses (RFC 8332 §3 for rsa-sha2-*).
_SIG_TO_KEY_TYPE = {
    "rsa-sha2-256": "ssh-rsa",
    "rsa-sha2-512": "ssh-rsa",
    "rsa-sha2-256-cert-v01@openssh.com": "ssh-rsa-cert-v01@openssh.com",
    "rsa-sha2-512-cert-v01@openssh.com": "ssh-rsa-cert-v01@openssh.com",
}

# RFC 5656 §6.1 / §10.1: curve identifier in an ecdsa blob -> curve name.
_ECDSA_CURVES = {"nistp256": "P-256", "nistp384": "P-384", "nistp521": "P-521"}


def key_type_for(host_key_algorithm: str) -> str:
    """The key type behind a host-key algorithm name (``rsa-sha2-512`` -> ``ssh-rsa``)."""
    return _SIG_TO_KEY_TYPE.get(host_key_algorithm, host_key_algorithm)


def fingerprint_sha256(blob: bytes) -> str:
    """``SHA256:<unpadded base64>``, as ``ssh-keygen -l -E sha256`` prints it."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class SshPublicKey:
    key_type: str  # type string inside the blob: "ssh-rsa", "ecdsa-sha2-nistp256", "ssh-ed25519" ...
    blob: bytes
    algorithm: Algorithm
    key_bits: int | None = None
    curve: str | None = None
    certificate: bool = False
    spki_sha256: str | None = None
    note: str = ""
    signature_verified: bool | None = None  # host keys: the KEX signature checked with this key
    certificate_info: Mapping[str, Any] = field(default_factory=dict)  # OpenSSH certificates only

    @property
    def sha256_hex(self) -> str:
        return hashlib.sha256(self.blob).hexdigest()

    @property
    def asset_id(self) -> str:
        return f"key:sha256:{self.sha256_hex}"

    @property
    def fingerprint(self) -> str:
        return fingerprint_sha256(self.blob)

    def _size(self) -> dict[str, Any]:
        """Key size and curve where known: the finding's parameters and the asset's attributes carry the same."""
        known = (("key_bits", self.key_bits), ("curve", self.curve))
        return {name: value for name, value in known if value not in (None, "")}

    def parameters(self) -> dict[str, Any]:
        p: dict[str, Any] = {"ssh_key_type": self.key_type, **self._size()}
        if self.algorithm.is_unknown:
            p["raw_identifier"] = self.key_type
            p["unknown_reason"] = self.note or "SSH key type not in the catalogue"
        return p

    def attributes(self) -> dict[str, Any]:
        a: dict[str, Any] = {"algorithm": self.algorithm.id, "ssh_key_type": self.key_type,
                             "fingerprint_sha256": self.fingerprint, **self._size()}
        if self.certificate:
            a["openssh_certificate"] = True
            if self.certificate_info:
                a["certificate"] = dict(self.certificate_info)
        if self.spki_sha256:
            a["spki_sha256"] = self.spki_sha256
        if self.note:
            a["parse_notes"] = [self.note]
        if self.signature_verified is not None:
            a["kex_signature_verified"] = self.signature_verified
        return a


def _base_type(key_type: str) -> str:
    return key_type[: -len(CERT_SUFFIX)] if key_type.endswith(CERT_SUFFIX) else key_type


def parse_public_key_blob(blob: bytes) -> SshPublicKey:
    """Describe an SSH public key blob; unknown types keep their type string. Raises SshProtocolError."""
    if len(blob) > MAX_BLOB:
        raise SshProtocolError(f"public key blob of {len(blob)} bytes is over the {MAX_BLOB}-byte limit")
    r = Reader(blob)
    try:
        key_type = r.string(256).decode("ascii")
    except UnicodeDecodeError:
        raise SshProtocolError("key type is not ASCII") from None
    if not key_type or not key_type.isprintable():
        raise SshProtocolError("empty or unprintable key type")
    is_cert = key_type.endswith(CERT_SUFFIX)
    base = _base_type(key_type)
    # Load through cryptography when it can: exact size and an SPKI that matches PEM and X.509.
    spki_info = None
    cert_info: dict[str, Any] = {}
    try:
        line = key_type.encode() + b" " + base64.b64encode(blob)
        if is_cert:
            identity = serialization.load_ssh_public_identity(line)
            public = identity.public_key()  # type: ignore[union-attr]
            cert_info = _certificate_info(identity)
        else:
            public = serialization.load_ssh_public_key(line)
        spki_info = describe_spki(spki_of(public))
    except Exception:  # noqa: BLE001 - unsupported or malformed: fall back to the type string
        spki_info = None
    bits, curve = _manual_size(base, blob, is_cert)
    if spki_info is not None and not spki_info.algorithm.is_unknown:
        alg = spki_info.algorithm
        bits = spki_info.key_bits if spki_info.key_bits is not None else bits
        curve = spki_info.curve or curve
        return SshPublicKey(key_type, blob, alg, bits, curve, is_cert, spki_info.spki_sha256,
                            certificate_info=cert_info)
    alg = lookup(IdKind.SSH_HOST_KEY, base)
    note = "" if not alg.is_unknown else f"SSH key type {base!r} is not in the catalogue"
    return SshPublicKey(key_type, blob, alg, bits, curve or alg.curve, is_cert,
                        spki_info.spki_sha256 if spki_info else None, note, certificate_info=cert_info)


def _certificate_info(cert: Any) -> dict[str, Any]:
    """OpenSSH certificate fields (PROTOCOL.certkeys): who signed it, for whom, until when."""
    from datetime import UTC, datetime

    def when(ts: int) -> str | None:
        if ts >= 2**63 or ts <= 0:  # "forever" / "always" in OpenSSH's encoding
            return None
        return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None).isoformat() + "Z"

    ca_blob = base64.b64decode(cert.signature_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).split()[1])
    info: dict[str, Any] = {
        "cert_type": "host" if int(cert.type.value) == 2 else "user",
        "key_id": clean(cert.key_id.decode("utf-8", "replace")[:200]),
        "principals": [clean(p.decode("utf-8", "replace")[:200]) for p in cert.valid_principals][:50],
        "ca_fingerprint_sha256": fingerprint_sha256(ca_blob),
    }
    for name, ts in (("valid_after", cert.valid_after), ("valid_before", cert.valid_before)):
        value = when(int(ts))
        if value:
            info[name] = value
    return info


def _manual_size(base: str, blob: bytes, is_cert: bool) -> tuple[int | None, str | None]:
    """Key size / curve read straight from the blob, for keys cryptography did not load."""
    try:
        r = Reader(blob)
        r.string(256)
        if is_cert:
            r.string(256)  # nonce
        if base == "ssh-rsa":
            if is_cert:  # certificate order: e, n (PROTOCOL.certkeys)
                r.mpint()
                return r.mpint().bit_length(), None
            r.mpint()
            return r.mpint().bit_length(), None
        if base == "ssh-dss":
            return r.mpint().bit_length(), None
        if base.startswith(("ecdsa-sha2-", "sk-ecdsa-sha2-")):
            curve_id = clean(r.string(64).decode("ascii", "replace"))
            return None, _ECDSA_CURVES.get(curve_id, curve_id)
    except SshProtocolError:
        return None, None
    return None, None


def host_key_asset(
    key: SshPublicKey, location: str, collector: str, *, kind: AssetKind = AssetKind.HOST_KEY,
    usage: Usage = Usage.AUTHENTICATION, name: str = "", attributes: dict[str, Any] | None = None,
    evidence: Evidence | None = None,
) -> tuple[Asset, Finding]:
    attrs = {**key.attributes(), **(attributes or {})}
    asset = Asset(key.asset_id, kind, location, name or f"{key.key_type} {key.fingerprint}", attrs)
    ev = evidence or Evidence(location=location, symbol=key.key_type, detail=key.fingerprint)
    return asset, Finding(key.asset_id, key.algorithm.id, usage, collector, key.parameters(), ev)
