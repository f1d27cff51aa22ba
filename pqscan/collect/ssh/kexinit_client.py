"""The client side of one key exchange, just far enough to learn and check the server's host key.

We send the client's KEX value (message 30) and read the reply (message 31: host key K_S, the
server's value, and a signature over the exchange hash H). Where we hold the ephemeral secret we
recompute the shared secret K and H and verify the signature with K_S, which proves the server
holds that host key's private half (RFC 4253 §8, RFC 5656 §4, RFC 8731 §3, RFC 10042). We stop
there: no NEWKEYS, no session keys, no authentication. sntrup761 hybrids are started with a
random public key (the server only encapsulates to it), so their signature cannot be checked.
Diffie-Hellman group exchange (RFC 4419) takes one more round trip: see :mod:`.gex`.

Since no exchange is ever finished, the client's ephemeral share protects nothing: each method's
share is made once per process and reused by every connection (:func:`_share`), so a fleet scan
makes one X25519, ECDH or ML-KEM key pair per method, and Diffie-Hellman one (x, e) per group.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519

from pqscan.collect.ssh.gex import GEX_METHODS, GexRequest, GexStart, share_for
from pqscan.collect.ssh.wire import (
    MSG_KEX_ECDH_INIT,
    MSG_KEX_ECDH_REPLY,
    KexReply,
    Reader,
    SshProtocolError,
    mpint,
    string,
)

# sntrup761 public key size: 1158 bytes (RFC 9941).
SNTRUP761_PUBLIC_KEY_BYTES = 1158
X25519_BYTES = 32


@dataclass
class KexStart:
    """One started key exchange: the payload to send, and how to read the server's reply."""

    name: str
    payload: bytes
    _client_value: bytes
    _shared: Callable[[bytes], bytes] | None  # server value -> K, encoded as H wants it
    _hash: Callable[[bytes], bytes]
    _dh: bool = False  # values are mpints (RFC 4253 §8), not strings
    reply_msg: int = MSG_KEX_ECDH_REPLY

    def read_reply(self, payload: bytes, v_c: bytes, v_s: bytes, i_c: bytes, i_s: bytes) -> KexReply:
        r = Reader(payload)
        r.byte()
        k_s = r.string()
        server_value_raw = r.string() if not self._dh else None
        f = r.mpint() if self._dh else 0
        sig = r.string()
        if self._shared is None:
            return KexReply(k_s, sig, None)
        if self._dh:
            if f <= 0:  # mpints are signed; the server's f must be in (1, p-1) (RFC 4253 §8)
                raise SshProtocolError("DH server value out of range")
            k = self._shared(f.to_bytes((f.bit_length() + 7) // 8 or 1, "big"))
            values = mpint(int.from_bytes(self._client_value, "big")) + mpint(f)
        else:
            assert server_value_raw is not None
            k = self._shared(server_value_raw)
            values = string(self._client_value) + string(server_value_raw)
        h = self._hash(string(v_c) + string(v_s) + string(i_c) + string(i_s) + string(k_s) + values + k)
        return KexReply(k_s, sig, h)


@cache
def _share(kind: str) -> Any:
    """The client's ephemeral private value for ``kind``, made once per process (see the module doc)."""
    if kind == "x25519":
        return x25519.X25519PrivateKey.generate()
    if kind == "mlkem768":
        from cryptography.hazmat.primitives.asymmetric import mlkem

        return mlkem.MLKEM768PrivateKey.generate()
    if kind == "sntrup761":  # random bytes: the server encapsulates to them, nobody decapsulates
        return os.urandom(SNTRUP761_PUBLIC_KEY_BYTES)
    return ec.generate_private_key(_CURVES[kind])


_CURVES: dict[str, ec.EllipticCurve] = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}


def _x25519_start(name: str) -> KexStart:
    priv = _share("x25519")
    q_c = priv.public_key().public_bytes_raw()

    def shared(q_s: bytes) -> bytes:
        if len(q_s) != X25519_BYTES:
            raise SshProtocolError(f"X25519 server value of {len(q_s)} bytes")
        # RFC 8731 §3.1: the X25519 output is the big-endian integer K, encoded as an mpint.
        return mpint(int.from_bytes(priv.exchange(x25519.X25519PublicKey.from_public_bytes(q_s)), "big"))

    return KexStart(name, bytes([MSG_KEX_ECDH_INIT]) + string(q_c), q_c, shared, _sha(hashlib.sha256))


def _ecdh_start(name: str, curve_name: str, hash_fn: Callable[..., object]) -> KexStart:
    curve = _CURVES[curve_name]
    priv = _share(curve_name)
    q_c = priv.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)

    def shared(q_s: bytes) -> bytes:
        try:
            peer = ec.EllipticCurvePublicKey.from_encoded_point(curve, q_s)
        except ValueError as exc:
            raise SshProtocolError(f"bad ECDH server value: {exc}") from None
        return mpint(int.from_bytes(priv.exchange(ec.ECDH(), peer), "big"))  # RFC 5656 §4

    return KexStart(name, bytes([MSG_KEX_ECDH_INIT]) + string(q_c), q_c, shared, _sha(hash_fn))


def _mlkem768_x25519_start(name: str) -> KexStart:
    kem = _share("mlkem768")
    xpriv = _share("x25519")
    # RFC 10042 (draft-ietf-sshm-mlkem-hybrid-kex): C_INIT = ML-KEM-768 encapsulation key || X25519 key.
    c_init = kem.public_key().public_bytes_raw() + xpriv.public_key().public_bytes_raw()

    def shared(s_reply: bytes) -> bytes:
        ct, q_s = s_reply[:-X25519_BYTES], s_reply[-X25519_BYTES:]
        try:
            k_pq = kem.decapsulate(ct)
            k_cl = xpriv.exchange(x25519.X25519PublicKey.from_public_bytes(q_s))
        except ValueError as exc:
            raise SshProtocolError(f"bad hybrid server value: {exc}") from None
        return string(hashlib.sha256(k_pq + k_cl).digest())  # K = HASH(K_PQ || K_CL), sent as a string

    return KexStart(name, bytes([MSG_KEX_ECDH_INIT]) + string(c_init), c_init, shared, _sha(hashlib.sha256))


def _sntrup761_x25519_start(name: str) -> KexStart:
    c_init = _share("sntrup761") + _share("x25519").public_key().public_bytes_raw()
    return KexStart(name, bytes([MSG_KEX_ECDH_INIT]) + string(c_init), c_init, None, _sha(hashlib.sha512))


def _dh_start(name: str, group: str, hash_fn: Callable[..., object]) -> KexStart:
    # RFC 3526 MODP groups as paramiko ships them (group14: 2048-bit, group16: 4096-bit), g = 2.
    if group == "14":
        from paramiko.kex_group14 import KexGroup14SHA256 as G
    else:
        from paramiko.kex_group16 import KexGroup16SHA512 as G  # type: ignore[assignment]
    x, e = share_for(G.P, G.G)  # a short exponent, once per process: see gex's module doc
    e_bytes = e.to_bytes((e.bit_length() + 7) // 8, "big")

    def shared(f_bytes: bytes) -> bytes:
        f = int.from_bytes(f_bytes, "big")
        if not 1 < f < G.P - 1:
            raise SshProtocolError("DH server value out of range")
        return mpint(pow(f, x, G.P))

    return KexStart(name, bytes([MSG_KEX_ECDH_INIT]) + mpint(e), e_bytes, shared, _sha(hash_fn), _dh=True)


def _sha(fn: Callable[..., object]) -> Callable[[bytes], bytes]:
    def digest(data: bytes) -> bytes:
        return fn(data).digest()  # type: ignore[attr-defined, no-any-return]
    return digest


_STARTERS: dict[str, Callable[[], KexStart | GexStart]] = {
    "curve25519-sha256": lambda: _x25519_start("curve25519-sha256"),
    "curve25519-sha256@libssh.org": lambda: _x25519_start("curve25519-sha256@libssh.org"),
    "ecdh-sha2-nistp256": lambda: _ecdh_start("ecdh-sha2-nistp256", "P-256", hashlib.sha256),
    "ecdh-sha2-nistp384": lambda: _ecdh_start("ecdh-sha2-nistp384", "P-384", hashlib.sha384),
    "ecdh-sha2-nistp521": lambda: _ecdh_start("ecdh-sha2-nistp521", "P-521", hashlib.sha512),
    "mlkem768x25519-sha256": lambda: _mlkem768_x25519_start("mlkem768x25519-sha256"),
    "sntrup761x25519-sha512": lambda: _sntrup761_x25519_start("sntrup761x25519-sha512"),
    "sntrup761x25519-sha512@openssh.com": lambda: _sntrup761_x25519_start("sntrup761x25519-sha512@openssh.com"),
    "diffie-hellman-group14-sha256": lambda: _dh_start("diffie-hellman-group14-sha256", "14", hashlib.sha256),
    "diffie-hellman-group14-sha1": lambda: _dh_start("diffie-hellman-group14-sha1", "14", hashlib.sha1),
    "diffie-hellman-group16-sha512": lambda: _dh_start("diffie-hellman-group16-sha512", "16", hashlib.sha512),
    # RFC 4419 group exchange: one more round trip, the group size chosen by the server.
    "diffie-hellman-group-exchange-sha256": lambda: GexStart("diffie-hellman-group-exchange-sha256"),
    "diffie-hellman-group-exchange-sha1": lambda: GexStart("diffie-hellman-group-exchange-sha1"),
}

# Our preference when fetching host keys: cheapest first, verifiable before not.
STARTABLE_KEX: tuple[str, ...] = tuple(_STARTERS)


def pick_kex(server_kex: tuple[str, ...]) -> str | None:
    offered = set(server_kex)
    return next((k for k in STARTABLE_KEX if k in offered), None)


def start_kex(kex: str, gex_request: GexRequest | None = None) -> KexStart | GexStart:
    """A fresh ephemeral key exchange for ``kex`` (one of :data:`STARTABLE_KEX`).

    Group exchange (:class:`~.gex.GexStart`) asks for ``gex_request`` sizes (default 2048/2048/8192).
    """
    if kex in GEX_METHODS and gex_request is not None:
        return GexStart(kex, gex_request)
    return _STARTERS[kex]()
