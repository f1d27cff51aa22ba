"""Key material made by the real tools (ssh-keygen, keytool, openssl) is read correctly."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pqscan.collect.files import FilesOptions, scan_files
from pqscan.model import AssetKind, ErrorKind

pytestmark = pytest.mark.integration


def _run(*cmd: str, cwd: Path) -> None:
    subprocess.run(list(cmd), cwd=cwd, check=True, capture_output=True, timeout=120)


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed")


def _scan(*paths, passwords=()):
    scan = scan_files(paths, FilesOptions(passwords=passwords))
    assets = {a.id: a for r in scan.results for a in r.assets}
    errors = [e for r in scan.results for e in r.errors]
    return assets, errors


def _of(assets, kind):
    return [a for a in assets.values() if a.kind is kind]


# -- ssh-keygen -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sshkeys(tmp_path_factory) -> Path:
    _need("ssh-keygen")
    d = tmp_path_factory.mktemp("sshkeys")
    _run("ssh-keygen", "-q", "-t", "ecdsa", "-b", "521", "-N", "", "-C", "ec@lab", "-f", "id_ecdsa", cwd=d)
    _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "secret pass", "-f", "id_ed25519", cwd=d)
    _run("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", "id_rsa", cwd=d)
    export = subprocess.run(["ssh-keygen", "-e", "-f", "id_ecdsa.pub"], cwd=d, check=True, capture_output=True)
    (d / "rfc4716").mkdir()
    (d / "rfc4716" / "ecdsa_ssh2.pub").write_bytes(export.stdout)
    return d


def _fingerprint(path: Path) -> str:
    out = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(path)], capture_output=True, text=True,
                         check=True)
    return out.stdout.split()[1]


def test_ssh_keygen_keys_match_ssh_keygen_fingerprints(sshkeys):
    assets, errors = _scan(sshkeys / "id_ecdsa", sshkeys / "id_ecdsa.pub", sshkeys / "id_ed25519",
                           sshkeys / "id_ed25519.pub")
    assert errors == []
    fps = {a.attributes["fingerprint_sha256"] for a in assets.values() if "fingerprint_sha256" in a.attributes}
    assert fps == {_fingerprint(sshkeys / "id_ecdsa.pub"), _fingerprint(sshkeys / "id_ed25519.pub")}


def test_passphrase_protected_openssh_key_still_shows_algorithm(sshkeys):
    assets, _ = _scan(sshkeys / "id_ed25519")
    (key,) = _of(assets, AssetKind.PRIVATE_KEY)
    assert key.attributes["algorithm"] == "Ed25519"
    assert key.attributes["encrypted"] is True
    assert key.attributes["encryption_scheme"].startswith("aes256-ctr")


def test_ssh_keygen_pem_rsa_key_has_its_size(sshkeys):
    assets, _ = _scan(sshkeys / "id_rsa")
    (key,) = _of(assets, AssetKind.PRIVATE_KEY)
    assert key.attributes["key_bits"] == 2048


def test_ssh_keygen_rfc4716_export_is_the_same_key(sshkeys):
    assets, errors = _scan(sshkeys / "rfc4716")
    assert errors == []
    (key,) = _of(assets, AssetKind.PUBLIC_KEY)
    assert key.attributes["fingerprint_sha256"] == _fingerprint(sshkeys / "id_ecdsa.pub")
    assert key.attributes["curve"] == "P-521"


# -- keytool ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keystores(tmp_path_factory) -> Path:
    _need("keytool")
    d = tmp_path_factory.mktemp("keystores")
    common = ["-storepass", "changeit", "-keypass", "changeit", "-noprompt", "-validity", "30"]
    _run("keytool", "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname",
         "CN=jks.example", "-storetype", "JKS", "-keystore", "server.jks", *common, cwd=d)
    _run("keytool", "-genkeypair", "-alias", "ec", "-keyalg", "EC", "-groupname", "secp384r1", "-dname",
         "CN=p12.example", "-storetype", "PKCS12", "-keystore", "server.p12", *common, cwd=d)
    _run("keytool", "-genseckey", "-alias", "aes", "-keyalg", "AES", "-keysize", "256", "-storetype", "JCEKS",
         "-keystore", "secrets.jceks", "-storepass", "changeit", "-keypass", "changeit", cwd=d)
    return d


def test_jks_without_password_still_shows_the_certificate_chain(keystores):
    assets, errors = _scan(keystores / "server.jks")
    assert errors == []
    (cert,) = _of(assets, AssetKind.CERTIFICATE)
    assert cert.name == "jks.example" and cert.attributes["key_bits"] == 2048
    store = assets["file:server.jks"]
    assert store.attributes["keystore_type"] == "JKS" and store.attributes["integrity_checked"] is False


def test_jks_with_password_is_integrity_checked_and_key_decrypted(keystores):
    assets, errors = _scan(keystores / "server.jks", passwords=(b"changeit",))
    assert errors == []
    assert assets["file:server.jks"].attributes["integrity_checked"] is True
    (key,) = _of(assets, AssetKind.PRIVATE_KEY)
    assert key.attributes["key_bits"] == 2048 and "encrypted" not in key.attributes


def test_keytool_pkcs12_needs_its_password(keystores):
    _, errors = _scan(keystores / "server.p12")
    assert [e.kind for e in errors] == [ErrorKind.ENCRYPTED]
    assets, errors = _scan(keystores / "server.p12", passwords=(b"changeit",))
    assert errors == []
    (cert,) = _of(assets, AssetKind.CERTIFICATE)
    assert cert.attributes["curve"] == "P-384"


def test_jceks_secret_key_shows_aes_256_with_password(keystores):
    assets, errors = _scan(keystores / "secrets.jceks", passwords=(b"changeit",))
    assert errors == []
    (key,) = _of(assets, AssetKind.PRIVATE_KEY)
    assert key.attributes["secret_key"] is True and key.attributes["key_bits"] == 256


# -- openssl ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openssl_files(tmp_path_factory) -> Path:
    _need("openssl")
    d = tmp_path_factory.mktemp("openssl")
    _run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
         "ec.key", "-out", "ec.crt", "-subj", "/CN=openssl.example", "-days", "2", cwd=d)
    _run("openssl", "pkcs12", "-export", "-in", "ec.crt", "-inkey", "ec.key", "-out", "ec.p12", "-passout",
         "pass:pw", cwd=d)
    _run("openssl", "genpkey", "-algorithm", "ed25519", "-out", "ed.key", cwd=d)
    _run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-aes256", "-pass",
         "pass:pw", "-out", "rsa-enc.key", cwd=d)
    _run("openssl", "x509", "-in", "ec.crt", "-outform", "DER", "-out", "ec.der", cwd=d)
    return d


def test_openssl_certificate_key_pair_is_linked(openssl_files):
    assets, errors = _scan(openssl_files / "ec.crt", openssl_files / "ec.key")
    assert errors == []
    (key,) = _of(assets, AssetKind.PRIVATE_KEY)
    (cert,) = _of(assets, AssetKind.CERTIFICATE)
    assert [r.target for r in key.relations] == [cert.id]


def test_openssl_pkcs12_with_password(openssl_files):
    assets, errors = _scan(openssl_files / "ec.p12", passwords=(b"pw",))
    assert errors == []
    assert len(_of(assets, AssetKind.CERTIFICATE)) == 1 and len(_of(assets, AssetKind.PRIVATE_KEY)) == 1


def test_openssl_encrypted_pkcs8_is_recorded_as_encrypted(openssl_files):
    assets, errors = _scan(openssl_files / "rsa-enc.key")
    assert [e.kind for e in errors] == [ErrorKind.ENCRYPTED]
    (key,) = _of(assets, AssetKind.PRIVATE_KEY)
    assert key.attributes["encryption_scheme"] == "PBES2"


def test_openssl_der_certificate_equals_its_pem_twin(openssl_files):
    assets, _ = _scan(openssl_files / "ec.der", openssl_files / "ec.crt")
    assert len(_of(assets, AssetKind.CERTIFICATE)) == 1  # same DER -> same asset id


def test_openssl_ed25519_key(openssl_files):
    assets, _ = _scan(openssl_files / "ed.key")
    (key,) = _of(assets, AssetKind.PRIVATE_KEY)
    assert key.attributes["public_key_algorithm"] == "Ed25519"
