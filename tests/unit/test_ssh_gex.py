"""Diffie-Hellman group exchange (RFC 4419): message encoding, group checks, exchange hash."""

from __future__ import annotations

import hashlib
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from pqscan.collect.ssh import gex, kexinit_client, wire
from pqscan.collect.ssh.verify import verify_signature
from pqscan.collect.ssh.wire import mpint, string
from pqscan.lab.ssh_server import modp_prime

P2048 = modp_prime(2048)


def _group(p: int, g: int) -> bytes:
    return bytes([gex.MSG_KEX_DH_GEX_GROUP]) + mpint(p) + mpint(g)


def test_request_is_message_34_with_min_n_max_as_uint32():
    assert gex.GexRequest(1024, 2048, 8192).payload() == b"\x22" + struct.pack(">III", 1024, 2048, 8192)


def test_modp_prime_2048_is_rfc3526_group14_as_paramiko_ships_it():
    from paramiko.kex_group14 import KexGroup14SHA256

    assert P2048 == KexGroup14SHA256.P


def test_group_exchange_methods_are_startable_for_host_keys():
    assert kexinit_client.pick_kex(("diffie-hellman-group-exchange-sha1",)) == "diffie-hellman-group-exchange-sha1"
    start = kexinit_client.start_kex("diffie-hellman-group-exchange-sha256")
    assert isinstance(start, gex.GexStart) and start.payload == gex.HOST_KEY_REQUEST.payload()


@pytest.mark.parametrize(("p", "g", "match"), [
    (1 << 99999 | 1, 2, "100000 bits is over"),
    ((1 << 8192) + 1, 2, "8193 bits is over"),
    (1, 0, "not a usable"),
    (P2048 + 1, 2, "not a usable"),  # even
    (P2048, 0, "generator"),
    (P2048, 1, "generator"),
    (P2048, P2048 - 1, "generator"),
    (-P2048, 2, "negative"),
], ids=["p-100000-bits", "p-8193-bits", "p-1-g-0", "p-even", "g-0", "g-1", "g-p-minus-1", "p-negative"])
def test_absurd_groups_are_protocol_errors(p, g, match):
    with pytest.raises(wire.SshProtocolError, match=match):
        gex.parse_group(_group(p, g))


def test_private_exponent_is_random_in_range_and_made_once_per_group():
    gex.share_for.cache_clear()
    starts = [gex.GexStart("diffie-hellman-group-exchange-sha256") for _ in range(3)]
    inits = {start.on_group(_group(P2048, 2)) for start in starts}
    assert len(inits) == 1  # one e for every exchange that gets this group: one 2048-bit pow, not three
    x = starts[0]._x
    assert 1 < x < (P2048 - 1) // 2 and x.bit_length() <= gex.PRIVATE_EXPONENT_BITS
    other = gex.GexStart("diffie-hellman-group-exchange-sha256")
    other.on_group(_group(P2048, 5))
    assert other._x != x  # another group, another share
    gex.share_for.cache_clear()
    again = gex.GexStart("diffie-hellman-group-exchange-sha256")
    again.on_group(_group(P2048, 2))
    assert again._x != x  # random, not a constant


def _server_reply(start: gex.GexStart, init: bytes, key: ed25519.Ed25519PrivateKey, hash_fn) -> bytes:
    """What a server computes (RFC 4419 §3), written independently of GexStart.read_reply."""
    e = wire.Reader(init[1:]).mpint()
    y = 0x1234567890ABCDEF1234567890ABCDEF
    f = pow(2, y, P2048)
    k = pow(e, y, P2048)
    k_s = string(b"ssh-ed25519") + string(key.public_key().public_bytes_raw())
    h = hash_fn(string(b"SSH-2.0-c") + string(b"SSH-2.0-s") + string(b"ic") + string(b"is") + string(k_s)
                + struct.pack(">III", 2048, 2048, 8192) + mpint(P2048) + mpint(2) + mpint(e) + mpint(f)
                + mpint(k)).digest()
    sig = string(b"ssh-ed25519") + string(key.sign(h))
    return bytes([gex.MSG_KEX_DH_GEX_REPLY]) + string(k_s) + mpint(f) + string(sig)


@pytest.mark.parametrize(("name", "hash_fn"), [("diffie-hellman-group-exchange-sha256", hashlib.sha256),
                                               ("diffie-hellman-group-exchange-sha1", hashlib.sha1)])
def test_exchange_hash_matches_rfc4419_so_the_signature_verifies(name, hash_fn):
    key = ed25519.Ed25519PrivateKey.generate()
    start = gex.GexStart(name)
    init = start.on_group(_group(P2048, 2))
    reply = start.read_reply(_server_reply(start, init, key, hash_fn), b"SSH-2.0-c", b"SSH-2.0-s", b"ic", b"is")
    assert reply.exchange_hash is not None and len(reply.exchange_hash) == hash_fn().digest_size
    assert verify_signature(reply.host_key_blob, reply.signature, reply.exchange_hash) is True


def test_reply_with_f_out_of_range_is_a_protocol_error():
    start = gex.GexStart("diffie-hellman-group-exchange-sha256")
    start.on_group(_group(P2048, 2))
    reply = bytes([gex.MSG_KEX_DH_GEX_REPLY]) + string(b"k") + mpint(P2048 - 1) + string(b"sig")
    with pytest.raises(wire.SshProtocolError, match="out of range"):
        start.read_reply(reply, b"c", b"s", b"ic", b"is")


def test_weakest_group_ignores_refusals_and_errors():
    obs = [gex.GexObservation(gex.LEGACY_REQUEST, gex.GexOutcome.REFUSED),
           gex.GexObservation(gex.HOST_KEY_REQUEST, gex.GexOutcome.ACCEPTED, 3072)]
    assert gex.weakest_group_bits(obs) == 3072
    assert gex.weakest_group_bits(obs[:1]) is None


def test_group_size_goes_on_every_offered_gex_method_with_the_method_it_was_probed_with():
    from pqscan.collect.ssh.assets import endpoint_result

    ident = wire.parse_identification(b"SSH-2.0-OpenSSH_9.2p1\r\n")
    server = wire.parse_kexinit(wire.build_kexinit(
        ("curve25519-sha256", "diffie-hellman-group-exchange-sha256", "diffie-hellman-group-exchange-sha1"),
        ("ssh-ed25519",), ("aes128-ctr",), ("hmac-sha2-256",)))
    obs = (gex.GexObservation(gex.LEGACY_REQUEST, gex.GexOutcome.ACCEPTED, 1024),
           gex.GexObservation(gex.HOST_KEY_REQUEST, gex.GexOutcome.ACCEPTED, 2048))
    result = endpoint_result("ssh://h:22", "h:22", ident, server, (), None, obs,
                             "diffie-hellman-group-exchange-sha256")
    by_name = {f.parameters["ssh_name"]: f.parameters for f in result.findings if f.evidence.symbol == "kex_algorithms"}
    assert "key_bits" not in by_name["curve25519-sha256"]
    for name in ("diffie-hellman-group-exchange-sha256", "diffie-hellman-group-exchange-sha1"):
        assert by_name[name]["key_bits"] == 1024
        assert by_name[name]["gex_probed_with"] == "diffie-hellman-group-exchange-sha256"
