"""TLS cipher suites: found by codepoint, IANA name and OpenSSL name, and split correctly.

Expected rows are transcribed from the IANA TLS Cipher Suites registry (RFC 8446 §B.4, RFC 5246,
RFC 8422, RFC 5288/5289, RFC 7905) and OpenSSL's own names.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from pqscan.algorithms import TLS_SIGNALLING_CIPHER_SUITES, IdKind, catalogue, cipher_suite, get, is_grease, lookup

# (code, IANA name, OpenSSL name or None, kx, auth, cipher, forward_secret)
SUITES = [
    (0x1301, "TLS_AES_128_GCM_SHA256", None, None, None, "AES-128-GCM", True),
    (0x1302, "TLS_AES_256_GCM_SHA384", None, None, None, "AES-256-GCM", True),
    (0x1303, "TLS_CHACHA20_POLY1305_SHA256", None, None, None, "ChaCha20-Poly1305", True),
    (0x1304, "TLS_AES_128_CCM_SHA256", None, None, None, "AES-128-CCM", True),
    (0x1305, "TLS_AES_128_CCM_8_SHA256", None, None, None, "AES-128-CCM8", True),
    (0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDH", "RSA", "AES-128-GCM", True),
    (0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDH", "RSA", "AES-256-GCM", True),
    (0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDH", "ECDSA", "AES-128-GCM", True),
    (0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", "ECDH", "RSA", "ChaCha20-Poly1305", True),
    (0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", "ECDH", "RSA", "AES-128-CBC", True),
    (0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256", "DH", "RSA", "AES-128-GCM", True),
    (0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "DHE-DSS-AES128-SHA", "DH", "DSA", "AES-128-CBC", True),
    (0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", "RSAES-PKCS1", "RSA", "AES-128-CBC", False),
    (0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", "RSAES-PKCS1", "RSA", "AES-128-GCM", False),
    (0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", "RSAES-PKCS1", "RSA", "3DES", False),
    (0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", "RSAES-PKCS1", "RSA", "RC4", False),
    (0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5", "RSAES-PKCS1", "RSA", "RC4", False),
    (0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA", "RSAES-PKCS1", "RSA", "DES", False),
    (0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", "ECDH-RSA-AES128-SHA", "ECDH", "RSA", "AES-128-CBC", False),
    (0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", "DH-RSA-AES128-SHA", "DH", "RSA", "AES-128-CBC", False),
    (0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "ADH-AES128-SHA", "DH", None, "AES-128-CBC", True),
    (0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "AECDH-AES128-SHA", "ECDH", None, "AES-128-CBC", True),
    (0x0002, "TLS_RSA_WITH_NULL_SHA", "NULL-SHA", "RSAES-PKCS1", "RSA", "NULL", False),
    (0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5", "RSAES-PKCS1", "RSA", "RC4", False),
]


@pytest.mark.parametrize(("code", "iana", "ossl", "kx", "auth", "cipher", "fs"), SUITES)
def test_cipher_suite_by_codepoint_splits_into_its_parts(
    code: int, iana: str, ossl: str | None, kx: str | None, auth: str | None, cipher: str, fs: bool
) -> None:
    suite = cipher_suite(code)
    assert suite is not None
    assert (suite.name, suite.key_exchange, suite.authentication, suite.cipher, suite.forward_secret) == (
        iana, kx, auth, cipher, fs)


@pytest.mark.parametrize(("code", "iana"), [(row[0], row[1]) for row in SUITES])
def test_cipher_suite_is_found_by_iana_name_in_any_case(code: int, iana: str) -> None:
    assert cipher_suite(iana).code == code  # type: ignore[union-attr]
    assert cipher_suite(iana.lower()).code == code  # type: ignore[union-attr]


@pytest.mark.parametrize(("code", "ossl"), [(row[0], row[2]) for row in SUITES if row[2]])
def test_cipher_suite_is_found_by_openssl_name(code: int, ossl: str) -> None:
    assert cipher_suite(ossl).code == code  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["0xC02F", "0xc02f", "49199"])
def test_cipher_suite_accepts_a_codepoint_written_as_text(text: str) -> None:
    assert cipher_suite(text).code == 0xC02F  # type: ignore[union-attr]


@pytest.mark.parametrize("unknown", [0x00FF, 0x5600, 0xFFFF, "TLS_MADE_UP_SUITE", "NOT-A-SUITE", ""])
def test_unknown_or_signalling_cipher_suite_comes_back_none(unknown: int | str) -> None:
    assert cipher_suite(unknown) is None


def test_signalling_values_are_named() -> None:
    assert TLS_SIGNALLING_CIPHER_SUITES[0x5600] == "TLS_FALLBACK_SCSV"
    assert TLS_SIGNALLING_CIPHER_SUITES[0x00FF] == "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"


@pytest.mark.parametrize("value", [0x0A0A, 0x1A1A, 0xFAFA])
def test_grease_values_are_recognised(value: int) -> None:
    assert is_grease(value)


@pytest.mark.parametrize("value", [0x11EC, 0x0A0B, 0x1A0A, 0x001D])
def test_real_codepoints_are_not_grease(value: int) -> None:
    assert not is_grease(value)


@pytest.mark.parametrize("code", [0x0004, 0x000A, 0x0009, 0x0002, 0x0003, 0x0034, 0xC018, 0x0000])
def test_rc4_3des_des_null_export_and_anonymous_suites_are_classically_broken(code: int) -> None:
    assert cipher_suite(code).is_classically_broken  # type: ignore[union-attr]


@pytest.mark.parametrize("code", [0x1301, 0x1302, 0xC02F, 0xC030, 0x009C, 0xCCA8])
def test_modern_suites_are_not_classically_broken(code: int) -> None:
    assert not cipher_suite(code).is_classically_broken  # type: ignore[union-attr]


def test_catalogue_holds_at_least_the_sixty_common_suites() -> None:
    assert len(catalogue().suites) >= 60


def test_every_suite_part_is_a_catalogue_algorithm() -> None:
    for suite in catalogue().suites.values():
        for part in (suite.key_exchange, suite.authentication, suite.cipher, suite.mac):
            assert part is None or not get(part).is_unknown, (suite.name, part)


def test_tls13_suites_leave_key_exchange_and_authentication_to_the_handshake() -> None:
    for suite in catalogue().suites.values():
        if suite.protocol == "TLS1.3":
            assert suite.key_exchange is None and suite.authentication is None


def _openssl_suites() -> dict[int, str]:
    binary = shutil.which("openssl")
    if binary is None:
        pytest.skip("no openssl binary on PATH to compare cipher-suite names against")
    out = subprocess.run([binary, "ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
                         capture_output=True, text=True, timeout=20, check=True).stdout
    suites = {}
    for line in out.splitlines():
        fields = line.split()
        hi, lo = fields[0].split(",")
        suites[int(hi, 16) << 8 | int(lo, 16)] = fields[2]
    return suites


def test_openssl_names_agree_with_the_local_openssl_binary() -> None:
    local = _openssl_suites()
    compared = 0
    for code, name in local.items():
        suite = cipher_suite(code)
        if suite is None:
            continue  # SRP and rare PSK suites are not in the catalogue
        compared += 1
        expected = suite.name if suite.protocol == "TLS1.3" else name
        assert expected in (suite.name, *suite.openssl_names), (hex(code), name)
        assert cipher_suite(name).code == code  # type: ignore[union-attr]
    assert compared >= 60


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [(0xC02F, "ECDH"), ("TLS_RSA_WITH_AES_128_CBC_SHA", "RSAES-PKCS1"), ("DHE-RSA-AES128-GCM-SHA256", "DH")],
)
def test_lookup_of_a_tls12_cipher_suite_gives_its_key_exchange(identifier: int | str, expected: str) -> None:
    assert lookup(IdKind.TLS_CIPHER_SUITE, identifier).id == expected


def test_lookup_of_a_tls13_cipher_suite_is_unknown_because_the_group_decides() -> None:
    alg = lookup(IdKind.TLS_CIPHER_SUITE, 0x1301)
    assert alg.is_unknown and alg.raw_identifier == "0x1301"
