"""DER, PKCS#7, PKCS#12, JWK/JWKS and OpenSSH public-key files (real material from cryptography)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12

from pqscan.collect.files import FilesOptions, scan_files
from pqscan.collect.ssh.keys import fingerprint_sha256
from pqscan.lab import pki
from pqscan.model import AssetKind, ErrorKind, RelationKind, Usage

DER = serialization.Encoding.DER
NOENC = serialization.NoEncryption()


@pytest.fixture(scope="module")
def chain():
    return pki.rsa_chain()


def _scan(*paths, passwords=()):
    scan = scan_files(paths, FilesOptions(passwords=passwords))
    assets = {a.id: a for r in scan.results for a in r.assets}
    findings = [f for r in scan.results for f in r.findings]
    errors = [e for r in scan.results for e in r.errors]
    return assets, findings, errors


def _of(assets, kind):
    return [a for a in assets.values() if a.kind is kind]


def _b64url(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_der_certificate_is_read(tmp_path, chain):
    path = tmp_path / "leaf.cer"
    path.write_bytes(chain[2].cert.public_bytes(DER))
    assets, _, errors = _scan(path)
    assert errors == [] and len(_of(assets, AssetKind.CERTIFICATE)) == 1


def test_der_file_without_extension_is_found_by_its_structure(tmp_path, chain):
    path = tmp_path / "blob"
    path.write_bytes(chain[2].cert.public_bytes(DER))
    assets, _, _ = _scan(path)
    assert len(_of(assets, AssetKind.CERTIFICATE)) == 1


def test_der_pkcs8_private_key_is_read(tmp_path):
    path = tmp_path / "key.der"
    path.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(DER, serialization.PrivateFormat.PKCS8,
                                                                             NOENC))
    assets, _, _ = _scan(path)
    (key,) = _of(assets, AssetKind.PRIVATE_KEY)
    assert key.attributes["curve"] == "P-256"


def test_pkcs7_bundle_yields_every_certificate(tmp_path, chain):
    path = tmp_path / "bundle.p7b"
    path.write_bytes(pkcs7.serialize_certificates([i.cert for i in chain], DER))
    assets, _, errors = _scan(path)
    assert errors == []
    assert len(_of(assets, AssetKind.CERTIFICATE)) == 3


def _p12(chain, password: bytes | None) -> bytes:
    leaf, inter, _ = chain
    enc = serialization.BestAvailableEncryption(password) if password else NOENC
    return pkcs12.serialize_key_and_certificates(b"leaf", leaf.key, leaf.cert, [inter.cert], enc)


def test_pkcs12_without_password_is_read_with_key_and_certificates(tmp_path, chain):
    path = tmp_path / "store.p12"
    path.write_bytes(_p12(chain, None))
    assets, _, errors = _scan(path)
    assert errors == []
    assert len(_of(assets, AssetKind.CERTIFICATE)) == 2
    (key,) = _of(assets, AssetKind.PRIVATE_KEY)
    assert any(r.kind is RelationKind.MATCHES_KEY for r in key.relations)
    assert assets[f"file:{path.name}"].kind is AssetKind.KEYSTORE


def test_pkcs12_with_unknown_password_is_recorded_encrypted(tmp_path, chain):
    path = tmp_path / "store.pfx"
    path.write_bytes(_p12(chain, b"changeit"))
    assets, _, errors = _scan(path, passwords=(b"wrong",))
    assert [e.kind for e in errors] == [ErrorKind.ENCRYPTED]
    store = assets[f"file:{path.name}"]
    assert (store.kind, store.attributes["encrypted"]) == (AssetKind.KEYSTORE, True)


def test_pkcs12_with_given_password_is_opened(tmp_path, chain):
    path = tmp_path / "store.pfx"
    path.write_bytes(_p12(chain, b"changeit"))
    assets, _, errors = _scan(path, passwords=(b"changeit",))
    assert errors == []
    assert len(_of(assets, AssetKind.CERTIFICATE)) == 2


def test_garbage_der_with_key_extension_is_a_recorded_error(tmp_path):
    path = tmp_path / "broken.der"
    path.write_bytes(b"\x30\x82\x01\x00" + os.urandom(256))
    assets, _, errors = _scan(path)
    assert assets == {}
    assert [e.kind for e in errors] == [ErrorKind.MALFORMED]


def test_jwks_with_rsa_ec_and_okp_keys(tmp_path):
    r = rsa.generate_private_key(65537, 2048).public_key().public_numbers()
    e = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
    x = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    jwks = {"keys": [
        {"kty": "RSA", "kid": "r1", "use": "sig", "n": _b64url(r.n), "e": _b64url(r.e)},
        {"kty": "EC", "kid": "e1", "crv": "P-256", "x": _b64url(e.x), "y": _b64url(e.y)},
        {"kty": "OKP", "kid": "o1", "crv": "Ed25519", "x": base64.urlsafe_b64encode(x).rstrip(b"=").decode()},
    ]}
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks))
    assets, findings, errors = _scan(path)
    assert errors == []
    assert sorted(f.algorithm for f in findings) == ["ECDSA-P256", "Ed25519", "RSA"]
    rsa_key = next(a for a in _of(assets, AssetKind.PUBLIC_KEY) if a.attributes.get("kid") == "r1")
    assert rsa_key.attributes["key_bits"] == 2048


def test_jwk_private_key_with_d_is_a_private_key(tmp_path):
    x = ed25519.Ed25519PrivateKey.generate()
    b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64(x.public_key().public_bytes_raw()), "d": b64(x.private_bytes_raw())}
    path = tmp_path / "key.jwk"
    path.write_text(json.dumps(jwk))
    assets, _, _ = _scan(path)
    assert len(_of(assets, AssetKind.PRIVATE_KEY)) == 1


def test_malformed_jwk_member_is_a_recorded_error_and_others_still_read(tmp_path):
    x = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    jwks = {"keys": [{"kty": "RSA", "n": 12}, {"kty": "OKP", "crv": "Ed25519",
                                                "x": base64.urlsafe_b64encode(x).rstrip(b"=").decode()}]}
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks))
    assets, _, errors = _scan(path)
    assert len(_of(assets, AssetKind.PUBLIC_KEY)) == 1
    assert [e.kind for e in errors] == [ErrorKind.MALFORMED]


def _openssh_line(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def test_authorized_keys_with_options_before_the_key(tmp_path):
    k1, k2 = ed25519.Ed25519PrivateKey.generate(), rsa.generate_private_key(65537, 2048)
    path = tmp_path / "authorized_keys"
    path.write_text(
        "# users\n"
        f'command="echo hi; exit",no-pty,from="10.0.0.1" {_openssh_line(k1)} alice@laptop\n'
        f"{_openssh_line(k2)} bob\n"
    )
    assets, findings, errors = _scan(path)
    assert errors == []
    keys = sorted(_of(assets, AssetKind.PUBLIC_KEY), key=lambda a: a.attributes["line"])
    assert keys[0].attributes["options"] == 'command="echo hi; exit",no-pty,from="10.0.0.1"'
    assert keys[0].attributes["comment"] == "alice@laptop"
    assert keys[1].attributes["key_bits"] == 2048
    assert {f.usage for f in findings} == {Usage.AUTHENTICATION}


def test_known_hosts_with_hashed_hosts_and_markers(tmp_path):
    k1, k2 = ec.generate_private_key(ec.SECP256R1()), ed25519.Ed25519PrivateKey.generate()
    salt = os.urandom(20)
    hashed = hmac.new(salt, b"host.example", hashlib.sha1).digest()
    path = tmp_path / "known_hosts"
    path.write_text(
        f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(hashed).decode()} {_openssh_line(k1)}\n"
        f"@cert-authority *.example.com {_openssh_line(k2)}\n"
        "this line is not a key\n"
    )
    assets, _, errors = _scan(path)
    keys = {a.attributes["line"]: a for a in _of(assets, AssetKind.HOST_KEY)}
    assert keys[1].attributes["hashed_hosts"] is True and "hosts" not in keys[1].attributes
    assert keys[2].attributes["marker"] == "@cert-authority"
    assert keys[2].attributes["hosts"] == ["*.example.com"]
    assert [e.kind for e in errors] == [ErrorKind.MALFORMED] and "3" in errors[0].message


def test_pub_file_key_has_ssh_keygen_style_fingerprint(tmp_path):
    key = ed25519.Ed25519PrivateKey.generate()
    line = _openssh_line(key)
    path = tmp_path / "id_ed25519.pub"
    path.write_text(line + " me@host\n")
    assets, _, _ = _scan(path)
    (asset,) = _of(assets, AssetKind.PUBLIC_KEY)
    assert asset.attributes["fingerprint_sha256"] == fingerprint_sha256(base64.b64decode(line.split()[1]))


def test_rfc4716_public_key_block_is_read(tmp_path):
    key = ec.generate_private_key(ec.SECP384R1())
    b64 = _openssh_line(key).split()[1]
    body = "\n".join(b64[i:i + 70] for i in range(0, len(b64), 70))
    path = tmp_path / "key.pub"
    path.write_text(f'---- BEGIN SSH2 PUBLIC KEY ----\nComment: "ecdsa key"\n{body}\n---- END SSH2 PUBLIC KEY ----\n')
    assets, _, errors = _scan(path)
    assert errors == []
    (asset,) = _of(assets, AssetKind.PUBLIC_KEY)
    assert asset.attributes["curve"] == "P-384"
