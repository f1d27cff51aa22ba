"""The liboqs backend: every KEM and (stateless) signature scheme the installed liboqs enables.

liboqs is reached through liboqs-python, loaded by :func:`pqscan.bench.oqs_detect.load_oqs` (never a
bare ``import oqs``). The timed calls go straight to liboqs' C API (``OQS_KEM_keypair`` ...) through
the library handle liboqs-python loaded, with output buffers allocated per call as the wrapper
does, but without its per-call input copies, so the figures measure liboqs rather than Python
object churn (the benchmark in ``benchmarks/bench_pqc.py`` compares them with liboqs' own C tools).
Names are the ones the installed liboqs reports (``ML-KEM-768``, ``SLH_DSA_PURE_SHA2_128S``) and
map to the catalogue through ``lookup(IdKind.LIBOQS, name)``.
"""

from __future__ import annotations

import ctypes as ct
from functools import partial
from typing import Any

from pqscan.algorithms import IdKind
from pqscan.bench.backends import Availability, BenchCase, DeclaredSizes, Family, Kind, catalogue_id
from pqscan.bench.oqs_detect import load_oqs

_OQS_SUCCESS = 0


class _OqsKem:
    def __init__(self, oqs: Any, name: str) -> None:
        self._wrapper = oqs.KeyEncapsulation(name)  # owns the OQS_KEM*, freed with it
        self._kem = self._wrapper._kem
        lib = oqs.native()
        self._keypair, self._encaps, self._decaps = lib.OQS_KEM_keypair, lib.OQS_KEM_encaps, lib.OQS_KEM_decaps
        d = self._wrapper.details
        self.pk_len, self.sk_len = int(d["length_public_key"]), int(d["length_secret_key"])
        self.ct_len, self.ss_len = int(d["length_ciphertext"]), int(d["length_shared_secret"])

    def keypair(self) -> tuple[Any, Any]:
        pk, sk = ct.create_string_buffer(self.pk_len), ct.create_string_buffer(self.sk_len)
        if self._keypair(self._kem, pk, sk) != _OQS_SUCCESS:
            raise RuntimeError("OQS_KEM_keypair failed")
        return pk, sk

    def encaps(self, public: Any) -> tuple[bytes, bytes]:
        c, ss = ct.create_string_buffer(self.ct_len), ct.create_string_buffer(self.ss_len)
        if self._encaps(self._kem, c, ss, public) != _OQS_SUCCESS:
            raise RuntimeError("OQS_KEM_encaps failed")
        return c.raw, ss.raw

    def decaps(self, secret: Any, ciphertext: bytes) -> bytes:
        ss = ct.create_string_buffer(self.ss_len)
        if self._decaps(self._kem, ss, ciphertext, secret) != _OQS_SUCCESS:
            raise RuntimeError("OQS_KEM_decaps failed")
        return ss.raw

    def public_bytes(self, public: Any) -> bytes:
        return bytes(public.raw)

    def secret_bytes(self, secret: Any) -> bytes:
        return bytes(secret.raw)


class _OqsSig:
    def __init__(self, oqs: Any, name: str) -> None:
        self._wrapper = oqs.Signature(name)
        self._sig = self._wrapper._sig
        lib = oqs.native()
        self._keypair, self._sign, self._verify = lib.OQS_SIG_keypair, lib.OQS_SIG_sign, lib.OQS_SIG_verify
        d = self._wrapper.details
        self.pk_len, self.sk_len = int(d["length_public_key"]), int(d["length_secret_key"])
        self.sig_len = int(d["length_signature"])

    def keypair(self) -> tuple[Any, Any]:
        pk, sk = ct.create_string_buffer(self.pk_len), ct.create_string_buffer(self.sk_len)
        if self._keypair(self._sig, pk, sk) != _OQS_SUCCESS:
            raise RuntimeError("OQS_SIG_keypair failed")
        return pk, sk

    def sign(self, secret: Any, message: bytes) -> bytes:
        out = ct.create_string_buffer(self.sig_len)
        n = ct.c_size_t(self.sig_len)
        if self._sign(self._sig, out, ct.byref(n), message, ct.c_size_t(len(message)), secret) != _OQS_SUCCESS:
            raise RuntimeError("OQS_SIG_sign failed")
        return out.raw[: n.value]

    def verify(self, public: Any, message: bytes, signature: bytes) -> bool:
        rv = self._verify(self._sig, message, ct.c_size_t(len(message)), signature,
                          ct.c_size_t(len(signature)), public)
        return bool(rv == _OQS_SUCCESS)

    def public_bytes(self, public: Any) -> bytes:
        return bytes(public.raw)

    def secret_bytes(self, secret: Any) -> bytes:
        return bytes(secret.raw)


class LiboqsBackend:
    name = "liboqs"

    def availability(self) -> Availability:
        oqs, status = load_oqs()
        if oqs is None:
            return Availability(False, status.reason)
        details = {"liboqs": status.liboqs_version or "?", "liboqs-python": status.liboqs_python_version or "?",
                   "library": status.library_path or "?"}
        note = status.reason + ("; " + "; ".join(status.warnings) if status.warnings else "")
        return Availability(True, note, status.liboqs_version, details)

    def cases(self) -> list[BenchCase]:
        oqs, _status = load_oqs()
        if oqs is None:
            return []
        out: list[BenchCase] = []
        for name in oqs.get_enabled_kem_mechanisms():
            try:
                d = oqs.KeyEncapsulation(name).details
            except Exception:  # a mechanism the wrapper cannot instantiate: leave it out
                continue
            out.append(BenchCase(
                self.name, name, catalogue_id(name, kind=IdKind.LIBOQS) or catalogue_id(name),
                Family.KEM, Kind.KEM, factory=partial(_OqsKem, oqs, name),
                parameters={"claimed_nist_level": int(d["claimed_nist_level"])},
                declared=DeclaredSizes(int(d["length_public_key"]), int(d["length_secret_key"]),
                                       int(d["length_ciphertext"]), None, int(d["length_shared_secret"])),
            ))
        for name in oqs.get_enabled_sig_mechanisms():
            try:
                d = oqs.Signature(name).details
            except Exception:
                continue
            out.append(BenchCase(
                self.name, name, catalogue_id(name, kind=IdKind.LIBOQS) or catalogue_id(name),
                Family.SIG, Kind.SIGNATURE, factory=partial(_OqsSig, oqs, name),
                parameters={"claimed_nist_level": int(d["claimed_nist_level"])},
                declared=DeclaredSizes(int(d["length_public_key"]), int(d["length_secret_key"]), None,
                                       int(d["length_signature"])),
                notes="message is the external mu (64 bytes)" if d.get("is_extmu") else "",
            ))
        return out
