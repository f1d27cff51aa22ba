"""ClientHello bytes and ServerHello parsing (pqscan.collect.tls.clienthello), without a network."""

from __future__ import annotations

import struct

import pytest

from pqscan.collect.tls import clienthello as ch
from pqscan.collect.tls.groups import GROUPS, X25519MLKEM768


def _extensions(record: bytes) -> dict[int, bytes]:
    assert record[0] == ch.CT_HANDSHAKE and record[5] == ch.HS_CLIENT_HELLO
    body = record[9:]
    pos = 2 + 32
    pos += 1 + body[pos]  # session id
    pos += 2 + struct.unpack("!H", body[pos : pos + 2])[0]  # suites
    pos += 1 + body[pos]  # compression
    (total,) = struct.unpack("!H", body[pos : pos + 2])
    exts, pos, end = {}, pos + 2, pos + 2 + total
    while pos < end:
        code, length = struct.unpack("!HH", body[pos : pos + 4])
        exts[code] = body[pos + 4 : pos + 4 + length]
        pos += 4 + length
    assert pos == end == len(body)
    return exts


def test_hrr_probe_offers_one_group_an_empty_key_share_and_tls13_only() -> None:
    exts = _extensions(ch.build_client_hello(sni="example.com", groups=[0x11EC]))
    assert exts[ch.EXT_SUPPORTED_GROUPS] == b"\x00\x02\x11\xec"
    assert exts[ch.EXT_KEY_SHARE] == b"\x00\x00"  # RFC 8446 §4.2.8: empty client_shares
    assert exts[ch.EXT_SUPPORTED_VERSIONS] == b"\x02\x03\x04"
    assert exts[ch.EXT_SERVER_NAME].endswith(b"example.com")


def test_hrr_probe_fits_in_one_segment() -> None:
    assert len(ch.build_client_hello(sni="a" * 60 + ".example.com", groups=[0x11EC])) < 536  # minimum MSS


def test_key_share_probe_carries_a_1216_byte_x25519mlkem768_share() -> None:
    share = X25519MLKEM768.make_share()  # type: ignore[misc]
    exts = _extensions(ch.build_client_hello(sni=None, groups=[0x11EC], key_shares=[(0x11EC, share)]))
    assert exts[ch.EXT_KEY_SHARE][:6] == struct.pack("!HHH", 1220, 0x11EC, 1216)


@pytest.mark.parametrize("group", [g for g in GROUPS if g.make_share is not None], ids=lambda g: g.name)
def test_generated_client_shares_have_the_standard_length(group) -> None:  # type: ignore[no-untyped-def]
    assert len(group.make_share()) == group.client_share_len


def test_tls12_hello_has_no_supported_versions_and_offers_rsa_suites() -> None:
    record = ch.build_client_hello(sni=None, groups=[0x1D], tls13=False, suites=ch.RSA_KX_SUITES)
    exts = _extensions(record)
    assert ch.EXT_SUPPORTED_VERSIONS not in exts and ch.EXT_KEY_SHARE not in exts
    assert struct.pack("!H", 0x002F) in record


def _server_hello(random: bytes, exts: bytes, version: int = 0x0303) -> bytes:
    return struct.pack("!H", version) + random + b"\x00" + b"\x13\x01\x00" + struct.pack("!H", len(exts)) + exts


def test_hello_retry_request_is_recognised_by_its_random() -> None:
    exts = struct.pack("!HHH", 0x002B, 2, 0x0304) + struct.pack("!HHH", 0x0033, 2, 0x11EC)
    sh = ch.parse_server_hello(_server_hello(ch.HRR_RANDOM, exts))
    assert sh.is_hrr and sh.selected_version == ch.TLS13 and sh.key_share_group == 0x11EC
    assert sh.key_share_length is None


def test_server_hello_share_length_is_read_and_checked_against_the_extension() -> None:
    share = b"\x01" * 1120
    ks = struct.pack("!HH", 0x11EC, len(share)) + share
    exts = struct.pack("!HHH", 0x002B, 2, 0x0304) + struct.pack("!HH", 0x0033, len(ks)) + ks
    sh = ch.parse_server_hello(_server_hello(b"\x00" * 32, exts))
    assert not sh.is_hrr and sh.key_share_length == 1120


@pytest.mark.parametrize("cut", [1, 10, 34, 36, 39, 40, 45])
def test_truncated_server_hello_raises_a_parse_error_not_an_index_error(cut: int) -> None:
    exts = struct.pack("!HHH", 0x002B, 2, 0x0304)
    with pytest.raises(ch.TlsParseError):
        ch.parse_server_hello(_server_hello(b"\x00" * 32, exts)[:cut])


def test_server_key_exchange_names_the_ecdhe_curve_and_dhe_prime_size() -> None:
    assert ch.parse_server_key_exchange(b"\x03\x00\x1d\x20" + b"\x00" * 32, "ECDHE") == {"group": 0x1D}
    prime = b"\xff" * 256
    assert ch.parse_server_key_exchange(struct.pack("!H", 256) + prime, "DHE") == {"dh_bits": 2048}


def test_untrusted_bytes_are_shown_escaped() -> None:
    assert ch.printable(b"HTTP/1.1\r\n\x00") == "HTTP/1.1\\x0d\\x0a\\x00"


def _certificate_message(*ders: bytes) -> bytes:
    listed = b"".join(len(d).to_bytes(3, "big") + d for d in ders)
    return len(listed).to_bytes(3, "big") + listed


def test_leaf_certificate_is_the_first_entry_of_the_certificate_list() -> None:
    assert ch.leaf_certificate(_certificate_message(b"leaf-der", b"intermediate-der")) == b"leaf-der"


def test_empty_certificate_list_has_no_leaf() -> None:
    assert ch.leaf_certificate(_certificate_message()) is None


def test_certificate_entry_longer_than_its_list_is_a_parse_error() -> None:
    body = _certificate_message(b"leaf-der")
    with pytest.raises(ch.TlsParseError):
        ch.leaf_certificate(body[:3] + b"\x00\xff\xff" + body[6:])


def test_legacy_hello_offers_no_ffdhe_groups_so_servers_use_their_own_dh_parameters() -> None:
    from pqscan.collect.tls.probes import LEGACY_GROUPS

    assert not [g for g in LEGACY_GROUPS if 0x0100 <= g <= 0x01FF]
