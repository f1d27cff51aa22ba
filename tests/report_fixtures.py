"""A small estate built through the model classes, shared by the report tests.

It contains a hostile certificate subject (markup and a script) so every format is checked for
escaping, a classical-only endpoint (harvest-now-decrypt-later), a hybrid one, code findings and
a dependency.
"""

from __future__ import annotations

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

HOSTILE = '<script>document.body.setAttribute("data-pwned","1")</script><img src=x onerror="document.body.setAttribute(\'data-pwned\',\'2\')">[bold]|`x`'


def estate() -> Inventory:
    inv = Inventory(targets=["127.0.0.1:8443", "127.0.0.1:9443", "repo/"])
    root = Asset("cert:sha256:" + "a" * 64, AssetKind.CERTIFICATE, "127.0.0.1:8443", name="Example Root CA",
                 attributes={"subject": "CN=Example Root CA", "issuer": "CN=Example Root CA", "is_ca": True,
                             "not_before": "2024-01-01T00:00:00Z", "not_after": "2044-01-01T00:00:00Z"})
    leaf = Asset("cert:sha256:" + "b" * 64, AssetKind.CERTIFICATE, "127.0.0.1:8443", name=HOSTILE,
                 attributes={"subject": f"CN={HOSTILE}", "issuer": "CN=Example Root CA",
                             "not_before": "2025-01-01T00:00:00Z", "not_after": "2027-01-01T00:00:00Z"},
                 relations=(Relation(RelationKind.ISSUED_BY, root.id),))
    classical = Asset("tls://127.0.0.1:8443", AssetKind.TLS_ENDPOINT, "127.0.0.1:8443", name="127.0.0.1:8443",
                      attributes={"negotiated": {"protocol": "TLSv1.3", "cipher": "TLS_AES_128_GCM_SHA256",
                                                 "group": "x25519"},
                                  "supported_groups": ["x25519", "secp256r1"],
                                  "tls12": {"supported": True, "suite": "TLS_RSA_WITH_AES_128_GCM_SHA256"}},
                      relations=(Relation(RelationKind.PRESENTS, leaf.id),))
    hybrid = Asset("tls://127.0.0.1:9443", AssetKind.TLS_ENDPOINT, "127.0.0.1:9443", name="127.0.0.1:9443",
                   attributes={"negotiated": {"protocol": "TLSv1.3", "cipher": "TLS_AES_256_GCM_SHA384",
                                              "group": "X25519MLKEM768"},
                               "supported_groups": ["X25519MLKEM768", "x25519"]},
                   relations=(Relation(RelationKind.PRESENTS, leaf.id),))
    code = Asset("file:repo/app.py", AssetKind.SOURCE_FILE, "repo/app.py", name="repo/app.py",
                 relations=(Relation(RelationKind.USES, "dep:pypi/cryptography@41.0.7"),))
    dep = Asset("dep:pypi/cryptography@41.0.7", AssetKind.DEPENDENCY, "repo/requirements.txt", name="cryptography",
                attributes={"name": "cryptography", "version": "41.0.7", "purl": "pkg:pypi/cryptography@41.0.7"})
    for a in (root, leaf, classical, hybrid, code, dep):
        inv.add_asset(a)
    tls_ev = Evidence("127.0.0.1:8443", symbol="supported_groups", detail="HelloRetryRequest selected the group")
    inv.add_finding(Finding(classical.id, "X25519", Usage.KEY_EXCHANGE, "tls", evidence=tls_ev))
    inv.add_finding(Finding(hybrid.id, "X25519MLKEM768", Usage.KEY_EXCHANGE, "tls",
                            evidence=Evidence("127.0.0.1:9443", symbol="supported_groups")))
    inv.add_finding(Finding(leaf.id, "RSA", Usage.AUTHENTICATION, "tls", parameters={"key_bits": 2048},
                            evidence=Evidence("127.0.0.1:8443", detail=HOSTILE)))
    inv.add_finding(Finding(leaf.id, "RSA-PKCS1-SHA256", Usage.SIGNATURE, "tls",
                            evidence=Evidence("127.0.0.1:8443")))
    inv.add_finding(Finding(root.id, "RSA", Usage.SIGNATURE, "tls", parameters={"key_bits": 4096},
                            evidence=Evidence("127.0.0.1:8443")))
    inv.add_finding(Finding(code.id, "MD5", Usage.HASHING, "code", confidence=Confidence.MEDIUM,
                            evidence=Evidence("repo/app.py", 12, 5, "hashlib.md5", f"hashlib.md5(b'{HOSTILE}')")))
    inv.add_finding(Finding(code.id, "RSA", Usage.KEY_GENERATION, "code", parameters={"key_bits": 1024},
                            evidence=Evidence("repo/app.py", 20, 11, "rsa.generate_private_key",
                                              "rsa.generate_private_key(65537, 1024)")))
    inv.add_error(ScanError("127.0.0.2:443", "connect", ErrorKind.TIMEOUT, f"no answer {HOSTILE}", "tls"))
    inv.finished = "2026-11-25T00:00:00Z"
    return inv
