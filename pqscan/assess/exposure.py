"""Harvest-now-decrypt-later: the one place that decides whether a use of an algorithm is exposed.

Traffic (or a stored ciphertext) recorded today can be decrypted once a cryptographically relevant
quantum computer exists when its key was *established* with an algorithm Shor's algorithm breaks
(RSA key transport, (EC)DH, X25519, ...) and no post-quantum or hybrid component protects it.
Signatures are not exposed this way: a forged signature needs the quantum computer at the time of
the forgery, so recorded signatures stay valid (they are judged by the profiles' dates instead).

Three answers for one algorithm use (:class:`Harvest`)::

    usage is key exchange or asymmetric encryption, algorithm not symmetric/hash,
        quantum status broken, nothing PQ offered beside it      -> EXPOSED
        quantum status broken, a PQ/hybrid one offered beside it -> FALLBACK (old peers still exposed)
        quantum status hybrid or resistant                       -> PROTECTED
    anything else (signatures, hashes, ciphers, unknown)         -> NOT_APPLICABLE

Every table, summary, SARIF result, the graph and the CBOM read these functions; nothing else
compares quantum-status strings to decide exposure.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pqscan.algorithms import Algorithm
from pqscan.model import Primitive, QuantumStatus, Usage

# The uses whose secrecy a recording outlives.
HARVEST_USAGES = frozenset({Usage.KEY_EXCHANGE, Usage.ENCRYPTION})
# Primitives that never establish a key, whatever usage a collector gave them.
_NOT_KEY_ESTABLISHMENT = frozenset({
    Primitive.BLOCK_CIPHER, Primitive.STREAM_CIPHER, Primitive.AE, Primitive.MAC, Primitive.DRBG,
    Primitive.HASH, Primitive.XOF, Primitive.KDF,
})
_PROTECTING = frozenset({QuantumStatus.HYBRID, QuantumStatus.RESISTANT})


class Harvest(StrEnum):
    EXPOSED = "exposed"  # recorded today, decrypted later
    FALLBACK = "fallback"  # classical beside a PQ option: peers without PQ support are exposed
    PROTECTED = "protected"  # PQ or hybrid key establishment
    NOT_APPLICABLE = "not-applicable"  # not key establishment

    @property
    def exposed(self) -> bool:
        """True for EXPOSED and FALLBACK: some traffic can be recorded and decrypted later."""
        return self in (Harvest.EXPOSED, Harvest.FALLBACK)


def establishes_keys(alg: Algorithm, usage: Usage) -> bool:
    """This use sets up a key that protects data (key exchange, key transport, asymmetric encryption)."""
    return usage in HARVEST_USAGES and alg.primitive not in _NOT_KEY_ESTABLISHMENT


def protects(alg: Algorithm) -> bool:
    """A key establishment with this algorithm resists a quantum computer (PQ or hybrid)."""
    return alg.quantum_status in _PROTECTING


def harvest(alg: Algorithm, usage: Usage, *, pq_offered: bool = False) -> Harvest:
    """The exposure of one use of one algorithm; ``pq_offered``: the same asset also offers a PQ or
    hybrid key establishment (an endpoint's other group, a config list with a hybrid in it)."""
    if not establishes_keys(alg, usage):
        return Harvest.NOT_APPLICABLE
    if protects(alg):
        return Harvest.PROTECTED
    if alg.quantum_status is QuantumStatus.BROKEN:
        return Harvest.FALLBACK if pq_offered else Harvest.EXPOSED
    return Harvest.NOT_APPLICABLE


def offered(algs: Iterable[Algorithm], *, classical_too: bool = False) -> Harvest:
    """The exposure of an asset that offers these key establishments side by side (a TLS endpoint's
    supported groups, an sshd's KEX list). ``classical_too``: the asset is known to accept some
    classical exchange not listed (TLS 1.2 enabled beside a PQ TLS 1.3 group)."""
    listed = list(algs)
    safe = [a for a in listed if protects(a)]
    if not safe:
        return Harvest.EXPOSED if listed or classical_too else Harvest.NOT_APPLICABLE
    broken = any(a.quantum_status is QuantumStatus.BROKEN for a in listed)
    return Harvest.FALLBACK if broken or classical_too else Harvest.PROTECTED
