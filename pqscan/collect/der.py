"""A minimal, bounded DER reader: just enough to see what ``cryptography`` will not parse.

``cryptography`` refuses public keys it does not implement (SLH-DSA, composite, draft OIDs) with
``UnsupportedAlgorithm``; the algorithm is still visible in the SubjectPublicKeyInfo. This module
pulls the SPKI out of a TBSCertificate / CSR and reads AlgorithmIdentifier OIDs (X.690 §8.1, §8.19),
never recursing more than a few levels and never reading past the buffer it was given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

TAG_INTEGER = 0x02
TAG_BIT_STRING = 0x03
TAG_OCTET_STRING = 0x04
TAG_OID = 0x06
TAG_SEQUENCE = 0x30
TAG_CONTEXT_0 = 0xA0


class DerError(ValueError):
    """Bytes that are not the DER structure we expected."""


@dataclass(frozen=True)
class Tlv:
    tag: int
    start: int  # offset of the tag byte
    value_start: int
    end: int  # offset after the value

    def value(self, data: bytes) -> bytes:
        return data[self.value_start : self.end]

    def raw(self, data: bytes) -> bytes:
        return data[self.start : self.end]


def read_tlv(data: bytes, offset: int = 0, limit: int | None = None) -> Tlv:
    """One TLV at ``offset``; only low-tag-number form and definite lengths (what DER allows)."""
    end_limit = len(data) if limit is None else min(limit, len(data))
    if offset + 2 > end_limit:
        raise DerError("truncated DER: no room for tag and length")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise DerError("high-tag-number form is not used by the structures read here")
    first = data[offset + 1]
    pos = offset + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise DerError("indefinite or oversized DER length")
        if pos + count > end_limit:
            raise DerError("truncated DER length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > end_limit:
        raise DerError("DER value runs past the end of its container")
    return Tlv(tag, offset, pos, pos + length)


def children(data: bytes, parent: Tlv, max_items: int = 64) -> list[Tlv]:
    """The TLVs directly inside a constructed ``parent``."""
    out: list[Tlv] = []
    pos = parent.value_start
    while pos < parent.end:
        if len(out) >= max_items:
            raise DerError("too many elements in a DER structure")
        tlv = read_tlv(data, pos, parent.end)
        out.append(tlv)
        pos = tlv.end
    return out


def decode_oid(body: bytes) -> str:
    """X.690 §8.19: the dotted form of an OBJECT IDENTIFIER's contents."""
    if not body or len(body) > 128:
        raise DerError("empty or oversized OID")
    arcs: list[int] = []
    value = 0
    for byte in body:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if body[-1] & 0x80:
        raise DerError("truncated OID")
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(a) for a in head + arcs[1:])


def algorithm_identifier_oid(data: bytes, alg_id: Tlv) -> str:
    """The OID of an AlgorithmIdentifier SEQUENCE."""
    if alg_id.tag != TAG_SEQUENCE:
        raise DerError("AlgorithmIdentifier is not a SEQUENCE")
    items = children(data, alg_id, max_items=4)
    if not items or items[0].tag != TAG_OID:
        raise DerError("AlgorithmIdentifier does not start with an OID")
    return decode_oid(items[0].value(data))


def _elements(data: bytes, max_items: int, fits: Callable[[list[Tlv]], bool], error: str) -> list[Tlv]:
    """The elements directly inside the structure ``data`` starts with, when ``fits`` accepts them;
    otherwise ``DerError(error)``."""
    items = children(data, read_tlv(data), max_items=max_items)
    if not fits(items):
        raise DerError(error)
    return items


def _spki_elements(spki: bytes) -> list[Tlv]:
    """(AlgorithmIdentifier, subjectPublicKey BIT STRING) of a DER SubjectPublicKeyInfo."""
    return _elements(spki, 4, lambda items: len(items) == 2 and items[1].tag == TAG_BIT_STRING,
                     "SubjectPublicKeyInfo is not (AlgorithmIdentifier, BIT STRING)")


def spki_algorithm_oid(spki: bytes) -> str:
    """The algorithm OID of a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7)."""
    if read_tlv(spki).tag != TAG_SEQUENCE:
        raise DerError("SubjectPublicKeyInfo is not a SEQUENCE")
    return algorithm_identifier_oid(spki, _spki_elements(spki)[0])


def spki_public_key_bytes(spki: bytes) -> bytes:
    """The subjectPublicKey BIT STRING contents (without the unused-bits byte)."""
    return _spki_elements(spki)[1].value(spki)[1:]


def spki_from_tbs_certificate(tbs: bytes) -> bytes:
    """The SubjectPublicKeyInfo of a DER TBSCertificate (RFC 5280 §4.1)."""
    outer = read_tlv(tbs)
    if outer.tag != TAG_SEQUENCE:
        raise DerError("TBSCertificate is not a SEQUENCE")
    items = children(tbs, outer, max_items=16)
    if items and items[0].tag == TAG_CONTEXT_0:  # [0] EXPLICIT version
        items = items[1:]
    # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
    if len(items) < 6 or items[5].tag != TAG_SEQUENCE:
        raise DerError("TBSCertificate has no SubjectPublicKeyInfo where RFC 5280 puts it")
    return items[5].raw(tbs)


def spki_from_csr_info(info: bytes) -> bytes:
    """The SubjectPublicKeyInfo of a DER CertificationRequestInfo (RFC 2986 §4.1)."""
    # version, subject, subjectPKInfo, [0] attributes
    items = _elements(info, 8, lambda items: len(items) >= 3 and items[2].tag == TAG_SEQUENCE,
                      "CertificationRequestInfo has no SubjectPublicKeyInfo")
    return items[2].raw(info)


def private_key_info_oid(pkcs8: bytes) -> str:
    """The algorithm OID of a DER PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5958 §2)."""
    items = _elements(pkcs8, 8, lambda items: len(items) >= 3 and items[0].tag == TAG_INTEGER,
                      "not a PKCS#8 PrivateKeyInfo")
    return algorithm_identifier_oid(pkcs8, items[1])


def encrypted_private_key_info_oid(data: bytes) -> str:
    """The *encryption* scheme OID of a PKCS#8 EncryptedPrivateKeyInfo (RFC 5958 §3)."""
    items = _elements(data, 4, lambda items: len(items) == 2 and items[1].tag == TAG_OCTET_STRING,
                      "not a PKCS#8 EncryptedPrivateKeyInfo")
    return algorithm_identifier_oid(data, items[0])


def max_iteration_count(data: bytes, *, max_depth: int = 24, max_nodes: int = 4096) -> int:
    """The largest password-hashing iteration count in a PKCS#12 or PKCS#8 structure, 0 if none.

    PKCS#12 MacData ``(DigestInfo, macSalt OCTET STRING, iterations INTEGER)`` (RFC 7292 §4),
    pkcs-12PbeParams ``(salt, iterations)`` (RFC 7292 App. C) and PBKDF2-params
    ``(salt OCTET STRING, iterationCount INTEGER, ...)`` (RFC 8018 §A.2) all put the count right
    after an OCTET STRING salt inside a SEQUENCE: any such INTEGER is taken as a count. OCTET
    STRINGs that hold DER (the PKCS#12 authSafe) are looked into. The file chooses the count and
    OpenSSL runs it before it can say the password is wrong, so callers check it first.
    """
    best = 0
    budget = [max_nodes]

    def _holds_one_sequence(octets: Tlv) -> bool:
        try:
            inner = read_tlv(data, octets.value_start, octets.end)
        except DerError:
            return False
        return inner.tag == TAG_SEQUENCE and inner.end == octets.end

    def walk(start: int, end: int, depth: int) -> None:
        nonlocal best
        pos, prev = start, -1
        while pos < end and budget[0] > 0:
            budget[0] -= 1
            tlv = read_tlv(data, pos, end)
            if tlv.tag == TAG_INTEGER and prev == TAG_OCTET_STRING and 0 < tlv.end - tlv.value_start <= 8:
                best = max(best, int.from_bytes(tlv.value(data), "big"))
            elif depth < max_depth and (tlv.tag & 0x20 or (tlv.tag == TAG_OCTET_STRING and _holds_one_sequence(tlv))):
                walk(tlv.value_start, tlv.end, depth + 1)
            prev, pos = tlv.tag, tlv.end

    try:
        walk(0, len(data), 0)
    except DerError:
        pass
    return best
