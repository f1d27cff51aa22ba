"""Diffie-Hellman group exchange (RFC 4419), client side, far enough to check the host key.

Messages (RFC 4419 §5): SSH_MSG_KEX_DH_GEX_REQUEST (34: uint32 min, n, max), _GROUP (31: mpint p,
mpint g), _INIT (32: mpint e), _REPLY (33: string K_S, mpint f, string signature). The exchange
hash (RFC 4419 §3) is HASH(V_C || V_S || I_C || I_S || K_S || uint32 min || uint32 n || uint32 max ||
mpint p || mpint g || mpint e || mpint f || mpint K), SHA-256 for ``-sha256``, SHA-1 for ``-sha1``.

The group comes from the server and is untrusted: p must be odd and between
:data:`MIN_P_BITS` and :data:`MAX_P_BITS` bits (RFC 4419 §3: at most 8192), g must be in
(1, p-1), f in (1, p-1). The private exponent x is random with 1 < x < (p-1)/2 (RFC 4419 §3) and
:data:`PRIVATE_EXPONENT_BITS` long. RFC 4419 §6.2 sizes x by the key material it protects; pqscan
derives none (it stops at the reply, before NEWKEYS): x only has to give the server a valid e and
us K for checking the host key's signature. So x is short, and one (x, e) per group serves every
exchange of the process that gets the same group (:func:`share_for`): each exchange then costs one
modular exponentiation (K = f^x), not two with a 512-bit exponent.
"""

from __future__ import annotations

import hashlib
import secrets
import struct
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from pqscan.collect.ssh.wire import KexReply, Reader, SshProtocolError, mpint, string

MSG_KEX_DH_GEX_GROUP = 31
MSG_KEX_DH_GEX_INIT = 32
MSG_KEX_DH_GEX_REPLY = 33
MSG_KEX_DH_GEX_REQUEST = 34

# RFC 4419 §3: the server's group is at most 8192 bits. Below 512 bits is no longer a real group.
MAX_P_BITS = 8192
MIN_P_BITS = 512
PRIVATE_EXPONENT_BITS = 64
# Groups whose (x, e) are kept for the scan: servers draw from a few dozen primes per size (moduli(5)).
MAX_CACHED_GROUPS = 256

GEX_METHODS: dict[str, Callable[..., object]] = {
    "diffie-hellman-group-exchange-sha256": hashlib.sha256,
    "diffie-hellman-group-exchange-sha1": hashlib.sha1,
}


@dataclass(frozen=True)
class GexRequest:
    """The sizes a client asks for (RFC 4419 §3): acceptable minimum, preferred, maximum."""

    min: int
    n: int
    max: int

    def payload(self) -> bytes:
        return bytes([MSG_KEX_DH_GEX_REQUEST]) + struct.pack(">III", self.min, self.n, self.max)

    def encoded(self) -> bytes:
        return struct.pack(">III", self.min, self.n, self.max)

    @property
    def label(self) -> str:
        return f"{self.min}/{self.n}/{self.max}"


# What the host-key exchange asks for: OpenSSH's own floor (DH_GRP_MIN 2048) and RFC 4419's ceiling.
HOST_KEY_REQUEST = GexRequest(2048, 2048, 8192)


def _read_mpint(r: Reader, what: str) -> int:
    raw = r.string()  # bounded by the packet (64 KiB); the size is checked after
    if raw and raw[0] & 0x80:
        raise SshProtocolError(f"GEX {what} is negative")
    return int.from_bytes(raw, "big")


def parse_group(payload: bytes) -> tuple[int, int]:
    """(p, g) of a GEX_GROUP message, checked; raises SshProtocolError for anything absurd."""
    r = Reader(payload)
    if r.byte() != MSG_KEX_DH_GEX_GROUP:
        raise SshProtocolError("expected SSH_MSG_KEX_DH_GEX_GROUP (31)")
    p = _read_mpint(r, "prime p")
    g = _read_mpint(r, "generator g")
    bits = p.bit_length()
    if bits > MAX_P_BITS:
        raise SshProtocolError(f"GEX prime p of {bits} bits is over RFC 4419's {MAX_P_BITS}-bit maximum")
    if bits < MIN_P_BITS:
        raise SshProtocolError(f"GEX prime p of {bits} bits is below {MIN_P_BITS}: not a usable Diffie-Hellman modulus")
    if p % 2 == 0:
        raise SshProtocolError(f"GEX prime p of {bits} bits is even: not a usable Diffie-Hellman modulus")
    if not 1 < g < p - 1:
        raise SshProtocolError("GEX generator g is out of range (it must be in (1, p-1))")
    return p, g


def group_bits(payload: bytes) -> int:
    """The size of the prime in a GEX_GROUP message, after the same checks as the exchange."""
    p, _ = parse_group(payload)
    return p.bit_length()


@dataclass
class GexStart:
    """One started group exchange: send ``payload`` (the request), answer the group, read the reply."""

    name: str
    request: GexRequest = HOST_KEY_REQUEST
    reply_msg: int = MSG_KEX_DH_GEX_REPLY
    p: int = 0
    g: int = 0
    _x: int = 0
    _e: int = 0

    @property
    def payload(self) -> bytes:
        return self.request.payload()

    @property
    def p_bits(self) -> int | None:
        return self.p.bit_length() if self.p else None

    def on_group(self, payload: bytes) -> bytes:
        """The GEX_INIT answering the server's GEX_GROUP."""
        self.p, self.g = parse_group(payload)
        self._x, self._e = share_for(self.p, self.g)
        return bytes([MSG_KEX_DH_GEX_INIT]) + mpint(self._e)

    def read_reply(self, payload: bytes, v_c: bytes, v_s: bytes, i_c: bytes, i_s: bytes) -> KexReply:

        if not self.p:
            raise SshProtocolError("GEX reply before the group")
        r = Reader(payload)
        if r.byte() != MSG_KEX_DH_GEX_REPLY:
            raise SshProtocolError("expected SSH_MSG_KEX_DH_GEX_REPLY (33)")
        k_s = r.string()
        f = _read_mpint(r, "server value f")
        sig = r.string()
        if not 1 < f < self.p - 1:
            raise SshProtocolError("DH server value f out of range (it must be in (1, p-1))")
        k = pow(f, self._x, self.p)
        h_in = (string(v_c) + string(v_s) + string(i_c) + string(i_s) + string(k_s) + self.request.encoded()
                + mpint(self.p) + mpint(self.g) + mpint(self._e) + mpint(f) + mpint(k))
        return KexReply(k_s, sig, GEX_METHODS[self.name](h_in).digest())  # type: ignore[attr-defined]


@lru_cache(maxsize=MAX_CACHED_GROUPS)
def share_for(p: int, g: int) -> tuple[int, int]:
    """(x, e = g^x mod p) for this group, made once per process: 1 < x < (p-1)/2, random (RFC 4419 §3)."""
    upper = min(1 << PRIVATE_EXPONENT_BITS, (p - 1) // 2)
    x = 2 + secrets.randbelow(upper - 2)
    return x, pow(g, x, p)


class GexOutcome(StrEnum):
    ACCEPTED = "accepted"  # the server sent a group for this request
    REFUSED = "refused"  # it disconnected or closed instead
    ERROR = "error"  # timeout or a malformed group: recorded as a ScanError too


@dataclass(frozen=True)
class GexObservation:
    """What one GEX request got from the server: the group's size, or why none."""

    request: GexRequest
    outcome: GexOutcome
    p_bits: int | None = None
    detail: str = ""

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"request": self.request.label, "outcome": self.outcome.value}
        if self.p_bits is not None:
            out["p_bits"] = self.p_bits
            if not self.request.min <= self.p_bits <= self.request.max:
                out["outside_requested_range"] = True
        if self.detail:
            out["detail"] = self.detail
        return out


# The modulus probe (ssh-audit does the same): does the server still hand out a 1024-bit group,
# and what does it give a client whose floor is 2048 bits (OpenSSH's DH_GRP_MIN since 7.0)?
LEGACY_REQUEST = GexRequest(1024, 1024, 1024)
MODULUS_PROBE_REQUESTS = (LEGACY_REQUEST, HOST_KEY_REQUEST)


def weakest_group_bits(observations: tuple[GexObservation, ...] | list[GexObservation]) -> int | None:
    """The smallest group the server handed out: what a client asking for it would get."""
    sizes = [o.p_bits for o in observations if o.outcome is GexOutcome.ACCEPTED and o.p_bits]
    return min(sizes) if sizes else None
