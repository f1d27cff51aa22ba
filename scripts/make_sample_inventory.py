#!/usr/bin/env python3
"""Build pqscan/data/sample-inventory.json through the model classes, so it is always schema-valid.

The sample describes a small, made-up estate under the reserved ``.example.test`` names (RFC 6761):
two TLS endpoints (one offering the hybrid X25519MLKEM768, one classical only and still accepting
TLS 1.0), an RSA-2048 leaf certificate issued by an RSA-2048 intermediate and an RSA-4096 root, an SSH endpoint with sntrup761x25519 key exchange
and an RSA host key, two findings in source code (MD5, RSA-2048 key generation), a dependency, an
identifier the catalogue does not know and one scan error. Fingerprints are SHA-256 digests of
labels, not of real certificates: nothing here was measured.

Every algorithm goes through the catalogue lookup a collector would use (TLS codepoint, SSH name,
OID), so the sample follows the catalogue's canonical ids.

    python scripts/make_sample_inventory.py            # rewrite the sample
    python scripts/make_sample_inventory.py --check    # exit 1 if the committed sample is stale
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from pqscan.algorithms import IdKind, get, lookup
from pqscan.inventory import Inventory
from pqscan.model import (
    Asset,
    AssetKind,
    Confidence,
    ErrorKind,
    Evidence,
    Finding,
    Relation,
    RelationKind,
    ScanError,
    Usage,
)

OUTPUT = Path(__file__).resolve().parent.parent / "pqscan" / "data" / "sample-inventory.json"


def fp(label: str) -> str:
    return hashlib.sha256(f"pqscan-sample:{label}".encode()).hexdigest()


def alg_id(kind: IdKind, identifier: str | int) -> str:
    alg = lookup(kind, identifier)
    if alg.is_unknown:
        raise SystemExit(f"catalogue has no {kind.value} {identifier!r}; the sample needs it")
    return alg.id


def cert(label: str, subject: str, issuer: str, key_alg: str, key_bits: int, *, is_ca: bool,
         not_after: str, issued_by: str | None) -> tuple[Asset, str]:
    cid = f"cert:sha256:{fp(label)}"
    attrs: dict[str, Any] = {
        "subject": subject,
        "issuer": issuer,
        "not_before": "2025-01-01T00:00:00Z",
        "not_after": not_after,
        "is_ca": is_ca,
        "self_signed": issued_by is None,
        "public_key_algorithm": key_alg,
        "key_bits": key_bits,
        "signature_algorithm": alg_id(IdKind.OID, "1.2.840.113549.1.1.11"),
        "signature_algorithm_oid": "1.2.840.113549.1.1.11",
        "signature_hash": "SHA-256",
        "sha256_fingerprint": fp(label),
    }
    rels = (Relation(RelationKind.ISSUED_BY, issued_by),) if issued_by else ()
    name = subject.split("CN=", 1)[-1].split(",", 1)[0]
    return Asset(cid, AssetKind.CERTIFICATE, "app.example.test:443", name, attrs, rels), cid


def build() -> Inventory:
    inv = Inventory(
        targets=["app.example.test:443", "legacy.example.test:443", "bastion.example.test:22",
                 "down.example.test:443", "./src", "./requirements.txt"],
        started="2026-11-02T09:00:00Z",
        finished="2026-11-02T09:00:41Z",
    )
    rsa = get("RSA").id
    sha256_rsa = alg_id(IdKind.OID, "1.2.840.113549.1.1.11")

    # -- certificate chain: RSA-2048 leaf -> RSA-2048 intermediate -> RSA-4096 root ----------------
    root, root_id = cert("root", "CN=Example Root CA,O=Example", "CN=Example Root CA,O=Example", rsa, 4096,
                         is_ca=True, not_after="2045-01-01T00:00:00Z", issued_by=None)
    inter, inter_id = cert("intermediate", "CN=Example Issuing CA 1,O=Example", "CN=Example Root CA,O=Example",
                           rsa, 2048, is_ca=True, not_after="2032-01-01T00:00:00Z", issued_by=root_id)
    leaf, leaf_id = cert("leaf", "CN=app.example.test,O=Example", "CN=Example Issuing CA 1,O=Example", rsa, 2048,
                         is_ca=False, not_after="2027-03-01T00:00:00Z", issued_by=inter_id)
    for asset, bits, usage in ((root, 4096, Usage.SIGNATURE), (inter, 2048, Usage.SIGNATURE),
                               (leaf, 2048, Usage.AUTHENTICATION)):
        inv.add_asset(asset)
        ev = Evidence(location="app.example.test:443", symbol="subjectPublicKeyInfo", detail=asset.attributes["subject"])
        inv.add_finding(Finding(asset.id, rsa, usage, "tls", {"key_bits": bits, "oid": "1.2.840.113549.1.1.1"}, ev))
    # Signatures: as the x509 collector records them, the key size only for the self-signed root
    # (for the others it is the issuer's, which pqscan.assess.engine reads from the issued-by relation).
    for asset in (root, inter, leaf):
        ev = Evidence(location="app.example.test:443", symbol="signatureAlgorithm", detail=asset.attributes["subject"])
        params: dict[str, Any] = {"oid": "1.2.840.113549.1.1.11", "hash": "SHA-256"}
        if asset is root:
            params["key_bits"] = 4096
        inv.add_finding(Finding(asset.id, sha256_rsa, Usage.SIGNATURE, "tls", params, ev))

    # -- TLS endpoints -------------------------------------------------------------------------
    hybrid = alg_id(IdKind.TLS_GROUP, 0x11EC)
    x25519 = alg_id(IdKind.TLS_GROUP, 0x001D)
    p256 = alg_id(IdKind.TLS_GROUP, 0x0017)
    aes128 = alg_id(IdKind.NAME, "AES-128-GCM")
    app = Asset("tls://app.example.test:443", AssetKind.TLS_ENDPOINT, "app.example.test:443", "app.example.test",
                {"host": "app.example.test", "port": 443, "sni": "app.example.test", "service": "https",
                 "starttls": None, "protocols": {"TLS1.3": True, "TLS1.2": False, "TLS1.1": False, "TLS1.0": False},
                 "baseline": {"evidence": "HelloRetryRequest selected 0x11EC", "selected_group": "X25519MLKEM768"},
                 "supported_groups": ["X25519MLKEM768", "x25519"]},
                (Relation(RelationKind.PRESENTS, leaf_id),))
    inv.add_asset(app)
    inv.add_finding(Finding(app.id, hybrid, Usage.KEY_EXCHANGE, "tls", {"tls_group": "0x11EC", "group_name": "X25519MLKEM768",
                                                                      "protocol": "TLS1.3"},
                            Evidence(location="app.example.test:443", symbol="supported_groups",
                                     detail="HelloRetryRequest selected 0x11EC")))
    inv.add_finding(Finding(app.id, x25519, Usage.KEY_EXCHANGE, "tls", {"tls_group": "0x001D", "group_name": "x25519",
                                                                      "protocol": "TLS1.3"},
                            Evidence(location="app.example.test:443", symbol="supported_groups",
                                     detail="classical fallback still accepted")))
    inv.add_finding(Finding(app.id, aes128, Usage.SYMMETRIC, "tls", {"cipher_suite": "TLS_AES_128_GCM_SHA256"},
                            Evidence(location="app.example.test:443", symbol="cipher_suite")))

    legacy = Asset("tls://legacy.example.test:443", AssetKind.TLS_ENDPOINT, "legacy.example.test:443",
                   "legacy.example.test",
                   {"host": "legacy.example.test", "port": 443, "sni": "legacy.example.test", "service": "https",
                    "starttls": None, "protocols": {"TLS1.3": False, "TLS1.2": True, "TLS1.1": False, "TLS1.0": True},
                    "baseline": {"evidence": "alert 70 (protocol_version)", "selected_group": None},
                    "supported_groups": []},
                   (Relation(RelationKind.PRESENTS, leaf_id),))
    inv.add_asset(legacy)
    inv.add_finding(Finding(legacy.id, p256, Usage.KEY_EXCHANGE, "tls", {"tls_group": "0x0017", "group_name": "secp256r1",
                                                                        "curve": "P-256", "protocol": "TLS1.2"},
                            Evidence(location="legacy.example.test:443", symbol="supported_groups",
                                     detail="TLS 1.2 ECDHE; no post-quantum group offered")))
    inv.add_finding(Finding(legacy.id, aes128, Usage.SYMMETRIC, "tls",
                            {"cipher_suite": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
                            Evidence(location="legacy.example.test:443", symbol="cipher_suite")))
    # Protocol versions are not catalogue algorithms: the TLS collector records them by name.
    inv.add_finding(Finding(legacy.id, "TLS1.0", Usage.PROTOCOL, "tls", {"protocol": "TLS1.0"},
                            Evidence(location="legacy.example.test:443", symbol="ServerHello.version",
                                     detail="server accepted a TLS 1.0 ClientHello")))
    inv.add_finding(Finding(legacy.id, "unknown", Usage.KEY_EXCHANGE, "tls",
                            {"raw_identifier": "0xFE30", "unknown_reason": "tls-group identifier 0xFE30 is not in the "
                             "pqscan catalogue"},
                            Evidence(location="legacy.example.test:443", symbol="supported_groups",
                                     detail="private-use group accepted by the server"),
                            Confidence.MEDIUM))

    # -- SSH endpoint with a PQ hybrid KEX and an RSA host key ---------------------------------
    sntrup = alg_id(IdKind.SSH_KEX, "sntrup761x25519-sha512@openssh.com")
    host_key_id = f"key:sha256:{fp('ssh-host-key')}"
    host_key = Asset(host_key_id, AssetKind.HOST_KEY, "bastion.example.test:22", "ssh-rsa host key",
                     {"algorithm": rsa, "key_bits": 3072, "ssh_key_type": "ssh-rsa",
                      "endpoint": "ssh://bastion.example.test:22"})
    ssh = Asset("ssh://bastion.example.test:22", AssetKind.SSH_ENDPOINT, "bastion.example.test:22",
                "bastion.example.test", {"banner": "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
                                         "kex_algorithms": ["sntrup761x25519-sha512@openssh.com", "curve25519-sha256"],
                                         "server_host_key_algorithms": ["rsa-sha2-512", "rsa-sha2-256"]},
                (Relation(RelationKind.HAS_HOST_KEY, host_key_id),))
    inv.add_asset(host_key)
    inv.add_asset(ssh)
    inv.add_finding(Finding(ssh.id, sntrup, Usage.KEY_EXCHANGE, "ssh", {"ssh_name": "sntrup761x25519-sha512@openssh.com",
                                                                              "server_preference": 0},
                            Evidence(location="bastion.example.test:22", symbol="kex_algorithms")))
    inv.add_finding(Finding(host_key_id, rsa, Usage.AUTHENTICATION, "ssh", {"key_bits": 3072},
                            Evidence(location="bastion.example.test:22", symbol="server_host_key_algorithms",
                                     detail="rsa-sha2-512")))

    # -- source code and its dependency ---------------------------------------------------------
    dep = Asset("dep:pypi/cryptography@41.0.7", AssetKind.DEPENDENCY, "requirements.txt", "cryptography",
                {"ecosystem": "pypi", "version": "41.0.7"})
    inv.add_asset(dep)
    for path in ("src/legacy/checksum.py", "src/keys.py"):
        inv.add_asset(Asset(f"file:{path}", AssetKind.SOURCE_FILE, path, path.rsplit("/", 1)[-1], {"language": "python"},
                            (Relation(RelationKind.USES, dep.id),)))
    inv.add_finding(Finding("file:src/legacy/checksum.py", get("MD5").id, Usage.HASHING, "code", {},
                            Evidence(location="src/legacy/checksum.py", line=14, column=12, symbol="hashlib.md5",
                                     snippet="digest = hashlib.md5(payload).hexdigest()"),
                            Confidence.MEDIUM))
    inv.add_finding(Finding("file:src/keys.py", rsa, Usage.KEY_GENERATION, "code", {"key_bits": 2048},
                            Evidence(location="src/keys.py", line=8, column=10,
                                     symbol="cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key",
                                     snippet="key = rsa.generate_private_key(public_exponent=65537, key_size=2048)"),
                            Confidence.MEDIUM))

    # -- what could not be scanned ------------------------------------------------------------
    inv.add_error(ScanError("down.example.test:443", "connect", ErrorKind.TIMEOUT, "no answer within 5.0 s", "tls"))
    for target in inv.targets:
        if target != "down.example.test:443":
            inv.mark_done(target)
    return inv


def render() -> str:
    data = build().to_dict()
    data["tool"]["version"] = "sample"  # stable across releases; readers ignore it
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed sample differs")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run scripts/make_sample_inventory.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
