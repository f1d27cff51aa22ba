"""The client's first key-exchange message, for the KEX methods pqscan can start.

To learn a server's host key we start a key exchange and read the server's reply, whose first
field is the host key blob K_S (RFC 4253 §8, RFC 5656 §4, RFC 8731 §3, RFC 9941, RFC 10042). We
stop there: no shared secret is derived, no session keys, no authentication, so nothing but the
public key is learned and nothing is logged in. Every method below uses message number 30 for
the client's value and 31 for the server's reply.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519

from pqscan.collect.ssh.wire import MSG_KEX_ECDH_INIT, mpint, string

# sntrup761 public key size: 1158 bytes (RFC 9941). The server only encapsulates to it, so a
# random value of the right size is accepted; we never decapsulate.
SNTRUP761_PUBLIC_KEY_BYTES = 1158


def _x25519() -> bytes:
    return x25519.X25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _ecdh(curve: ec.EllipticCurve) -> Callable[[], bytes]:
    def make() -> bytes:
        return ec.generate_private_key(curve).public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return make


def _mlkem768_x25519() -> bytes:
    # RFC 10042 (draft-ietf-sshm-mlkem-hybrid-kex): C_INIT = ML-KEM-768 encapsulation key || X25519 public key.
    from cryptography.hazmat.primitives.asymmetric import mlkem

    ek = mlkem.MLKEM768PrivateKey.generate().public_key().public_bytes_raw()
    return ek + _x25519()


def _sntrup761_x25519() -> bytes:
    return os.urandom(SNTRUP761_PUBLIC_KEY_BYTES) + _x25519()


def _dh(group: str) -> Callable[[], bytes]:
    def make() -> bytes:
        # RFC 3526 MODP groups, as paramiko ships them (group14 = 2048-bit, group16 = 4096-bit), g = 2.
        if group == "14":
            from paramiko.kex_group14 import KexGroup14 as G
        else:
            from paramiko.kex_group16 import KexGroup16 as G  # type: ignore[assignment]
        x = secrets.randbits(512) | 1
        return mpint(pow(G.G, x, G.P))
    return make


_ECDH_LIKE: dict[str, Callable[[], bytes]] = {
    "curve25519-sha256": _x25519,
    "curve25519-sha256@libssh.org": _x25519,
    "ecdh-sha2-nistp256": _ecdh(ec.SECP256R1()),
    "ecdh-sha2-nistp384": _ecdh(ec.SECP384R1()),
    "ecdh-sha2-nistp521": _ecdh(ec.SECP521R1()),
    "mlkem768x25519-sha256": _mlkem768_x25519,
    "sntrup761x25519-sha512": _sntrup761_x25519,
    "sntrup761x25519-sha512@openssh.com": _sntrup761_x25519,
}
_DH: dict[str, Callable[[], bytes]] = {
    "diffie-hellman-group14-sha256": _dh("14"),
    "diffie-hellman-group14-sha1": _dh("14"),
    "diffie-hellman-group16-sha512": _dh("16"),
}

# Our preference when fetching host keys: cheapest first.
STARTABLE_KEX: tuple[str, ...] = (
    "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521", "mlkem768x25519-sha256", "sntrup761x25519-sha512",
    "sntrup761x25519-sha512@openssh.com", "diffie-hellman-group14-sha256", "diffie-hellman-group14-sha1",
    "diffie-hellman-group16-sha512",
)


def pick_kex(server_kex: tuple[str, ...]) -> str | None:
    offered = set(server_kex)
    return next((k for k in STARTABLE_KEX if k in offered), None)


def client_init(kex: str) -> bytes:
    """The payload of the client's message 30 for ``kex`` (one of :data:`STARTABLE_KEX`)."""
    if kex in _ECDH_LIKE:
        return bytes([MSG_KEX_ECDH_INIT]) + string(_ECDH_LIKE[kex]())
    return bytes([MSG_KEX_ECDH_INIT]) + _DH[kex]()
