"""Real certificates and keys made with ``cryptography`` for tests and the demo lab (fixed dates)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOT_BEFORE = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
NOT_AFTER = datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)


def name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "pqscan test"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: Any


def issue(
    cn: str,
    key: Any,
    issuer: Issued | None = None,
    *,
    ca: bool = False,
    sans: tuple[str, ...] = (),
    code_signing: bool = False,
    serial: int = 1000,
) -> Issued:
    """A certificate for ``key``, signed by ``issuer`` (self-signed when None)."""
    signer_key = issuer.key if issuer else key
    issuer_name = issuer.cert.subject if issuer else name(cn)
    b = (
        x509.CertificateBuilder()
        .subject_name(name(cn))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    if ca:
        b = b.add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
    if code_signing:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
    algorithm = None if isinstance(signer_key, (ed25519.Ed25519PrivateKey, mldsa.MLDSA65PrivateKey,
                                                 mldsa.MLDSA44PrivateKey, mldsa.MLDSA87PrivateKey)) \
        else hashes.SHA256()
    return Issued(b.sign(signer_key, algorithm), key)


def rsa_chain() -> tuple[Issued, Issued, Issued]:
    """root (RSA-4096) -> intermediate (RSA-3072) -> leaf (RSA-2048)."""
    root = issue("Test Root CA", rsa.generate_private_key(65537, 4096), ca=True, serial=1)
    inter = issue("Test Intermediate CA", rsa.generate_private_key(65537, 3072), root, ca=True, serial=2)
    leaf = issue("leaf.example", rsa.generate_private_key(65537, 2048), inter, sans=("leaf.example",), serial=3)
    return root, inter, leaf


def ecdsa_cert(curve: ec.EllipticCurve | None = None) -> Issued:
    return issue("ecdsa.example", ec.generate_private_key(curve or ec.SECP256R1()), sans=("ecdsa.example",))


def ed25519_cert() -> Issued:
    return issue("ed25519.example", ed25519.Ed25519PrivateKey.generate())


def mldsa65_cert(**kw: Any) -> Issued:
    return issue("mldsa65.example", mldsa.MLDSA65PrivateKey.generate(), **kw)


# DER contents of id-ml-dsa-65 (2.16.840.1.101.3.4.3.18, RFC 9881) and two same-length replacements.
MLDSA65_OID_DER = bytes.fromhex("608648016503040312")
SLH_DSA_SHA2_128S_OID_DER = bytes.fromhex("608648016503040314")  # 2.16.840.1.101.3.4.3.20, RFC 9909
PRIVATE_ARC_OID_DER = bytes.fromhex("2b06010401838d1f01")  # 1.3.6.1.4.1.50847.1: in no catalogue


def with_spki_oid(cert: x509.Certificate, replacement: bytes) -> x509.Certificate:
    """The ML-DSA-65 certificate with only its SPKI algorithm OID replaced (signature left as it was)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    data = cert.public_bytes(Encoding.DER)
    # Order in the DER: tbs.signature, tbs.subjectPublicKeyInfo, signatureAlgorithm.
    first = data.index(MLDSA65_OID_DER)
    second = data.index(MLDSA65_OID_DER, first + 1)
    patched = data[:second] + replacement + data[second + len(replacement):]
    return x509.load_der_x509_certificate(patched)


# -- PEM bundles for lab servers (TLS lab, `pqscan demo`) -------------------------------------

# A subject that must come out escaped in every report (HTML, rich markup).
MARKUP_CN = "<script>alert(1)</script> [bold]pwn[/bold]"


def markup_cert() -> Issued:
    """A self-signed ECDSA P-256 certificate whose subject carries HTML and rich markup."""
    return issue(MARKUP_CN, ec.generate_private_key(ec.SECP256R1()), sans=("markup.example",), serial=66)


@dataclass(frozen=True)
class PemBundle:
    """Files a TLS server loads: the chain as sent (leaf first) and the leaf's private key."""

    chain_path: Any  # pathlib.Path
    key_path: Any
    chain: tuple[Issued, ...]

    @property
    def leaf(self) -> Issued:
        return self.chain[0]


def write_bundle(directory: Any, stem: str, chain: tuple[Issued, ...] | list[Issued]) -> PemBundle:
    """Write ``chain`` (leaf first) and the leaf key as PEM. ML-DSA keys must be loaded from files by
    pyOpenSSL (``PKey.from_cryptography_key`` rejects them), so every lab server goes through here."""
    from pathlib import Path

    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    chain_path = directory / f"{stem}-chain.pem"
    key_path = directory / f"{stem}-key.pem"
    chain_path.write_bytes(b"".join(i.cert.public_bytes(Encoding.PEM) for i in chain))
    key_path.write_bytes(chain[0].key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    key_path.chmod(0o600)
    return PemBundle(chain_path, key_path, tuple(chain))


def rsa_chain_leaf_first() -> tuple[Issued, Issued, Issued]:
    """RSA-2048 leaf -> RSA-3072 intermediate -> RSA-4096 root, in the order a server sends them."""
    root, inter, leaf = rsa_chain()
    return leaf, inter, root
