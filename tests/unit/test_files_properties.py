"""Property tests (hypothesis) for the DER, X.509 and key-file readers: only documented errors, ever.

The long runs (25,000 examples per property, plus atheris) are outside the suite; these keep a
small sample of the same properties in every run. A failure here prints the input that broke it.
"""

from __future__ import annotations

import base64
import warnings

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pqscan.collect import der
from pqscan.collect.files import FilesOptions
from pqscan.collect.files.collector import scan_file
from pqscan.collect.pubkey import describe_spki
from pqscan.collect.walk import FileEntry
from pqscan.collect.x509 import certificate_to_asset, clear_certificate_cache
from pqscan.lab import pki
from pqscan.model import ErrorKind

FUZZ = settings(max_examples=120, deadline=1000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

_SEED_CERTS = [c.cert.public_bytes(serialization.Encoding.DER) for c in (pki.ecdsa_cert(), *pki.rsa_chain())]
_SEED_SPKI = [ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A real structure with a few byte flips, cuts and insertions: gets past the outer checks."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, max(0, len(data) - 1)))
        op = draw(st.integers(0, 3))
        if op == 0 and data:
            data[i] = draw(st.integers(0, 255))
        elif op == 1:
            del data[i : i + draw(st.integers(1, 32))]
        elif op == 2:
            data[i:i] = draw(st.binary(max_size=16))
        else:
            del data[i:]
    return bytes(data)


DER_INPUTS = st.one_of(st.binary(max_size=300), mutated(_SEED_CERTS + _SEED_SPKI))


@FUZZ
@given(DER_INPUTS)
def test_der_readers_raise_only_der_error(data):
    for read in (der.spki_algorithm_oid, der.spki_from_tbs_certificate, der.spki_from_csr_info,
                 der.private_key_info_oid, der.encrypted_private_key_info_oid, der.spki_public_key_bytes):
        try:
            read(data)
        except der.DerError:
            pass
    # The count is read from the input: 0, or the value of an INTEGER whose content bytes are in it.
    count = der.max_iteration_count(data)
    assert count == 0 or count.to_bytes((count.bit_length() + 7) // 8, "big") in data


@FUZZ
@given(DER_INPUTS)
def test_describe_spki_never_raises(data):
    info = describe_spki(data)
    assert info.spki_sha256


@FUZZ
@given(mutated(_SEED_CERTS))
def test_a_certificate_cryptography_loads_always_becomes_an_asset(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            cert = x509.load_der_x509_certificate(data)
        except (ValueError, x509.InvalidVersion):
            return
        clear_certificate_cache()
        asset, findings = certificate_to_asset(cert, "fuzz", "certs")
    assert asset.id.startswith("cert:sha256:") and len(findings) == 2


_ssh_blob = base64.b64encode(ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
    serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).split()[1])
_TEXT_SEEDS = [
    b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(_SEED_CERTS[0]) + b"-----END CERTIFICATE-----\n",
    b"@cert-authority *.example,10.0.0.1 ssh-ed25519 " + base64.b64decode(_ssh_blob) + b" comment\n",
    b"from=\"10.0.0.0/8\" ssh-ed25519 " + _ssh_blob + b" me@host\n",
    b'{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}',
    b"---- BEGIN SSH2 PUBLIC KEY ----\nComment: x\n" + _ssh_blob + b"\n---- END SSH2 PUBLIC KEY ----\n",
]
_NAMES = ("x.pem", "known_hosts", "authorized_keys", "keys.jwks", "cert.der", "id_ed25519.pub", "store.p12",
          "notes.txt", "trust.jks")


@FUZZ
@given(name=st.sampled_from(_NAMES), data=st.one_of(st.binary(max_size=400), mutated(_TEXT_SEEDS + _SEED_CERTS)))
def test_a_key_file_of_any_content_is_read_or_a_recorded_non_internal_error(tmp_path_factory, name, data):
    directory = tmp_path_factory.mktemp("fuzz", numbered=True)
    path = directory / name
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result, nbytes = scan_file(FileEntry(path, directory, len(data)), FilesOptions(passwords=(b"pw",)))
    assert nbytes == len(data)
    if result is not None:
        assert all(e.kind is not ErrorKind.INTERNAL for e in result.errors), result.errors


@pytest.mark.parametrize("size", [0, 1, 5])
def test_der_length_claiming_four_gigabytes_is_refused_before_any_slice(size):
    data = b"\x30\x84\xff\xff\xff\xff" + b"\x00" * size
    with pytest.raises(der.DerError, match="past the end"):
        der.read_tlv(data)
