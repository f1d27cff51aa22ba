"""Property tests (hypothesis) for the SSH wire parsers: only SshProtocolError, ever.

Server bytes reach these functions after the probe's length checks, so any other exception would
turn a hostile server into an internal error. Long runs live outside the suite (see the issue note).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pqscan.collect.ssh import kexinit_client, wire
from pqscan.collect.ssh.keys import parse_public_key_blob
from pqscan.collect.ssh.verify import verify_signature
from pqscan.collect.ssh.wire import string

FUZZ = settings(max_examples=120, deadline=1000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def _only_protocol_errors(parse, data):  # type: ignore[no-untyped-def]
    try:
        return parse(data)
    except wire.SshProtocolError:
        return None


@FUZZ
@given(st.binary(max_size=300))
def test_identification_and_kexinit_parsers_raise_only_protocol_errors(data):
    _only_protocol_errors(wire.parse_identification, data)
    _only_protocol_errors(wire.parse_identification, b"SSH-2.0-" + data)
    _only_protocol_errors(wire.parse_kexinit, bytes([wire.MSG_KEXINIT]) + data)
    _only_protocol_errors(wire.packet_payload, b"\x04" + data)
    _only_protocol_errors(wire.packet_length, data[:4].ljust(4, b"\x00"))
    assert wire.disconnect_reason(bytes([wire.MSG_DISCONNECT]) + data).startswith("disconnect")


@FUZZ
@given(st.binary(max_size=300))
def test_any_disconnect_text_is_reported_without_control_characters(data):
    text = wire.disconnect_reason(bytes([wire.MSG_DISCONNECT]) + data)
    assert text.isprintable()


@FUZZ
@given(st.binary(max_size=200), st.text(max_size=40))
def test_key_blobs_raise_only_protocol_errors(body, key_type):
    for blob in (body, string(key_type.encode("utf-8", "replace")) + body, string(b"ssh-rsa") + body,
                 string(b"ecdsa-sha2-nistp256") + string(b"nistp256") + body):
        key = _only_protocol_errors(parse_public_key_blob, blob)
        if key is not None:
            assert key.key_type


@FUZZ
@given(st.sampled_from(kexinit_client.STARTABLE_KEX), st.binary(max_size=1200), st.binary(max_size=120),
       st.binary(max_size=120))
def test_key_exchange_replies_raise_only_protocol_errors(kex, value, host_key, sig):
    start = kexinit_client.start_kex(kex)
    head = bytes([wire.MSG_KEX_ECDH_REPLY])
    for payload in (head + value, head + string(host_key) + string(value) + string(sig)):
        reply = _only_protocol_errors(lambda p: start.read_reply(p, b"c", b"s", b"i_c", b"i_s"), payload)
        if reply is not None and reply.exchange_hash is not None:
            assert verify_signature(reply.host_key_blob, reply.signature, reply.exchange_hash) in (True, False, None)
