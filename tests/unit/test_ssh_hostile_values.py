"""Hostile values inside SSH messages (found by fuzzing): a protocol error or "cannot check", never a crash."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pqscan.collect.ssh import kexinit_client, wire
from pqscan.collect.ssh.keys import parse_public_key_blob
from pqscan.collect.ssh.verify import verify_signature
from pqscan.collect.ssh.wire import mpint, string


@pytest.mark.parametrize("kex", ["diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512"])
@pytest.mark.parametrize("f", [-5, 0])
def test_dh_reply_with_a_non_positive_f_is_a_protocol_error(kex, f):
    start = kexinit_client.start_kex(kex)
    host_key = string(b"ssh-ed25519") + string(b"\x01" * 32)
    reply = bytes([wire.MSG_KEX_ECDH_REPLY]) + string(host_key) + mpint(f) + string(b"sig")
    with pytest.raises(wire.SshProtocolError, match="out of range"):
        start.read_reply(reply, b"SSH-2.0-c", b"SSH-2.0-s", b"i_c", b"i_s")


def _compressed_ecdsa_blob() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    return string(b"ecdsa-sha2-nistp256") + string(b"nistp256") + string(point)


def test_ecdsa_host_key_with_a_compressed_point_cannot_be_checked_rather_than_crashing():
    # cryptography raises NotImplementedError("Need uncompressed point") for these blobs.
    sig = string(b"ecdsa-sha2-nistp256") + string(mpint(1) + mpint(1))
    assert verify_signature(_compressed_ecdsa_blob(), sig, b"\x00" * 32) is None


def test_ecdsa_key_blob_with_a_compressed_point_is_still_described_by_its_type():
    key = parse_public_key_blob(_compressed_ecdsa_blob())
    assert (key.key_type, key.curve) == ("ecdsa-sha2-nistp256", "P-256")


def test_openssh_certificate_fields_are_cleaned_of_control_characters():
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.hazmat.primitives.serialization import SSHCertificateBuilder, SSHCertificateType

    ca = ed25519.Ed25519PrivateKey.generate()
    cert = (SSHCertificateBuilder().public_key(ed25519.Ed25519PrivateKey.generate().public_key())
            .serial(1).type(SSHCertificateType.HOST).key_id(b"id\x1b[2J").valid_principals([b"h\x1b]0;x\x07"])
            .valid_after(0).valid_before(2**64 - 1).sign(ca))
    blob = base64.b64decode(cert.public_bytes().split()[1])
    info = parse_public_key_blob(blob).certificate_info
    assert (info["key_id"], info["principals"]) == ("id\\x1b[2J", ["h\\x1b]0;x\\x07"])


def test_unknown_ecdsa_curve_name_from_a_blob_is_kept_without_control_characters():
    blob = string(b"ecdsa-sha2-nistp256") + string(b"nist\x1b[2J\x07") + string(b"\x04" + b"\x01" * 64)
    assert parse_public_key_blob(blob).curve == "nist\\x1b[2J\\x07"
