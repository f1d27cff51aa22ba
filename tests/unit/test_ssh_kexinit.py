"""SSH wire format: identification lines, packets, KEXINIT name-lists, negotiation, key blobs."""

from __future__ import annotations

import struct

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from pqscan.collect.ssh import kexinit_client, wire
from pqscan.collect.ssh.assets import endpoint_result, is_pseudo
from pqscan.collect.ssh.keys import fingerprint_sha256, key_type_for, parse_public_key_blob
from pqscan.collect.ssh.openssh import OPENSSH_10_CLIENT_KEX, openssh10_negotiation
from pqscan.model import AssetKind, RelationKind, Usage

SERVER_LISTS = dict(
    kex=("sntrup761x25519-sha512@openssh.com", "curve25519-sha256", "ecdh-sha2-nistp256",
         "kex-strict-s-v00@openssh.com"),
    host_keys=("rsa-sha2-512", "rsa-sha2-256", "ssh-ed25519"),
    ciphers=("chacha20-poly1305@openssh.com", "aes256-ctr"),
    macs=("hmac-sha2-256-etm@openssh.com", "hmac-sha2-256"),
)


def _kexinit(**over: tuple[str, ...]) -> wire.KexInit:
    lists = {**SERVER_LISTS, **over}
    return wire.parse_kexinit(wire.build_kexinit(lists["kex"], lists["host_keys"], lists["ciphers"], lists["macs"]))


def test_kexinit_round_trip_keeps_all_ten_name_lists_in_order():
    k = _kexinit()
    assert k.kex_algorithms == SERVER_LISTS["kex"]
    assert k.server_host_key_algorithms == SERVER_LISTS["host_keys"]
    assert k.encryption_algorithms_client_to_server == SERVER_LISTS["ciphers"]
    assert k.mac_algorithms_server_to_client == SERVER_LISTS["macs"]
    assert k.compression_algorithms_client_to_server == ("none",)
    assert k.languages_server_to_client == ()
    assert len(k.lists()) == 10


def test_kexinit_with_wrong_message_number_is_rejected():
    payload = bytearray(wire.build_kexinit(("a",), ("b",), ("c",), ("d",)))
    payload[0] = 21
    with pytest.raises(wire.SshProtocolError, match="expected SSH_MSG_KEXINIT"):
        wire.parse_kexinit(bytes(payload))


def test_truncated_kexinit_is_rejected():
    payload = wire.build_kexinit(("a",), ("b",), ("c",), ("d",))
    with pytest.raises(wire.SshProtocolError):
        wire.parse_kexinit(payload[:30])


def test_name_list_with_control_characters_is_rejected():
    payload = bytes([20]) + bytes(16) + wire.string(b"curve\x00bad") + b"".join(wire.name_list([]) for _ in range(9))
    with pytest.raises(wire.SshProtocolError, match="control"):
        wire.parse_kexinit(payload + b"\x00" + bytes(4))


def test_identification_line_is_split_into_software_and_comments():
    ident = wire.parse_identification(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", ("hello",))
    assert (ident.proto_version, ident.software, ident.comments) == ("2.0", "OpenSSH_9.2p1", "Debian-2+deb12u3")
    assert (ident.product, ident.version) == ("OpenSSH", "9.2p1")
    assert ident.pre_banner == ("hello",)


def test_ssh1_only_server_is_rejected():
    with pytest.raises(wire.SshProtocolError, match="1.5"):
        wire.parse_identification(b"SSH-1.5-OldServer\r\n")


def test_identification_line_over_255_bytes_is_rejected():
    with pytest.raises(wire.SshProtocolError, match="255"):
        wire.parse_identification(b"SSH-2.0-" + b"x" * 300 + b"\r\n")


def test_packet_encoding_pads_to_block_size_and_decodes_back():
    pkt = wire.encode_packet(b"\x14hello")
    assert len(pkt) % 8 == 0
    length = wire.packet_length(pkt[:4])
    assert wire.packet_payload(pkt[4 : 4 + length]) == b"\x14hello"


def test_oversized_packet_length_is_refused_before_reading():
    with pytest.raises(wire.SshProtocolError, match="over"):
        wire.packet_length(struct.pack(">I", 0xFFFFFFF0))


def test_negotiation_takes_the_first_client_algorithm_the_server_supports():
    assert wire.negotiate(("a", "b", "c"), ("c", "b")) == "b"
    assert wire.negotiate(("a",), ("b",)) is None


def test_openssh10_client_prefers_mlkem768x25519():
    assert OPENSSH_10_CLIENT_KEX[0] == "mlkem768x25519-sha256"


def test_openssh10_negotiates_sntrup_with_a_server_offering_it_after_curve25519():
    k = _kexinit(kex=("curve25519-sha256", "sntrup761x25519-sha512@openssh.com"))
    assert openssh10_negotiation(k).kex == "sntrup761x25519-sha512@openssh.com"


def test_openssh10_negotiates_curve25519_with_a_classical_server():
    k = _kexinit(kex=("ecdh-sha2-nistp256", "curve25519-sha256"))
    n = openssh10_negotiation(k)
    assert n.kex == "curve25519-sha256"
    assert n.host_key == "ssh-ed25519"
    assert n.cipher == "chacha20-poly1305@openssh.com"
    assert n.mac is None  # chacha20-poly1305 is AEAD


def test_openssh10_finds_no_kex_with_a_legacy_only_server():
    assert openssh10_negotiation(_kexinit(kex=("diffie-hellman-group1-sha1",))).kex is None


def test_strict_kex_and_ext_info_markers_are_pseudo_algorithms():
    assert is_pseudo("kex-strict-s-v00@openssh.com")
    assert is_pseudo("ext-info-c")
    assert not is_pseudo("curve25519-sha256")


def _blob(public_key) -> bytes:
    line = public_key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    import base64

    return base64.b64decode(line.split()[1])


def test_rsa_host_key_blob_gives_rsa_and_its_modulus_size():
    key = parse_public_key_blob(_blob(rsa.generate_private_key(65537, 3072).public_key()))
    assert (key.key_type, key.algorithm.id, key.key_bits) == ("ssh-rsa", "RSA", 3072)


def test_ecdsa_host_key_blob_gives_curve():
    key = parse_public_key_blob(_blob(ec.generate_private_key(ec.SECP256R1()).public_key()))
    assert key.key_type == "ecdsa-sha2-nistp256"
    assert key.curve == "P-256"


def test_fingerprint_is_ssh_keygen_style_unpadded_base64_sha256():
    blob = _blob(ed25519.Ed25519PrivateKey.generate().public_key())
    fp = fingerprint_sha256(blob)
    assert fp.startswith("SHA256:") and not fp.endswith("=") and len(fp) == 7 + 43


def test_mldsa_host_key_blob_is_named_by_its_ssh_type():
    key = parse_public_key_blob(wire.string(b"ssh-mldsa-65") + wire.string(b"\x01" * 1952))
    assert key.key_type == "ssh-mldsa-65"
    assert key.algorithm.id == "ML-DSA-65"


def test_unknown_key_type_keeps_its_name_as_raw_identifier():
    key = parse_public_key_blob(wire.string(b"x-vendor-key@example.com") + wire.string(b"\x01" * 32))
    assert key.algorithm.is_unknown
    assert key.parameters()["raw_identifier"] == "x-vendor-key@example.com"


def test_garbage_key_blob_is_a_protocol_error():
    with pytest.raises(wire.SshProtocolError):
        parse_public_key_blob(b"\xff\xff\xff\xff")


def test_rsa_sha2_signature_names_share_the_ssh_rsa_key():
    assert key_type_for("rsa-sha2-512") == key_type_for("rsa-sha2-256") == "ssh-rsa"


def test_endpoint_result_has_findings_per_offered_algorithm_and_skips_markers():
    k = _kexinit()
    ident = wire.parse_identification(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    host_key = parse_public_key_blob(_blob(ed25519.Ed25519PrivateKey.generate().public_key()))
    res = endpoint_result("ssh://127.0.0.1:22", "127.0.0.1:22", ident, k, [host_key])
    kex = [f.parameters["ssh_name"] for f in res.findings if f.usage is Usage.KEY_EXCHANGE]
    assert kex == ["sntrup761x25519-sha512@openssh.com", "curve25519-sha256", "ecdh-sha2-nistp256"]
    assert len([f for f in res.findings if f.usage is Usage.SYMMETRIC]) == 2
    assert len([f for f in res.findings if f.usage is Usage.MAC]) == 2
    endpoint = next(a for a in res.assets if a.kind is AssetKind.SSH_ENDPOINT)
    kinds = {r.kind for r in endpoint.relations}
    assert kinds == {RelationKind.RUNS, RelationKind.HAS_HOST_KEY}
    assert endpoint.attributes["openssh10_negotiated"]["kex"] == "sntrup761x25519-sha512@openssh.com"


def _ssh_signature(sig_type: bytes, sig: bytes) -> bytes:
    return wire.string(sig_type) + wire.string(sig)


def test_ed25519_kex_signature_verifies_only_over_the_signed_hash():
    from pqscan.collect.ssh.verify import verify_signature

    key = ed25519.Ed25519PrivateKey.generate()
    blob = _blob(key.public_key())
    sig = _ssh_signature(b"ssh-ed25519", key.sign(b"H" * 32))
    assert verify_signature(blob, sig, b"H" * 32) is True
    assert verify_signature(blob, sig, b"X" * 32) is False


def test_ecdsa_kex_signature_in_ssh_encoding_verifies():
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    from pqscan.collect.ssh.verify import verify_signature

    key = ec.generate_private_key(ec.SECP384R1())
    r, s = decode_dss_signature(key.sign(b"hash", ec.ECDSA(hashes.SHA384())))
    sig = _ssh_signature(b"ecdsa-sha2-nistp384", wire.mpint(r) + wire.mpint(s))
    assert verify_signature(_blob(key.public_key()), sig, b"hash") is True


def test_unknown_host_key_type_signature_is_not_judged():
    from pqscan.collect.ssh.verify import verify_signature

    blob = wire.string(b"ssh-mldsa-65") + wire.string(b"\x01" * 1952)
    assert verify_signature(blob, _ssh_signature(b"ssh-mldsa-65", b"\x00" * 3309), b"h") is None


@pytest.mark.parametrize("kex", ["curve25519-sha256", "ecdh-sha2-nistp384", "mlkem768x25519-sha256",
                                 "sntrup761x25519-sha512@openssh.com", "diffie-hellman-group14-sha256"])
def test_client_share_is_made_once_per_process_and_reused_by_every_connection(kex):
    # Nothing is ever derived from it (no NEWKEYS), so one key pair per method serves the whole scan.
    assert kexinit_client.start_kex(kex).payload == kexinit_client.start_kex(kex).payload
