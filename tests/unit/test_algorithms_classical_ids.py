"""Classical identifiers a collector meets map to the right canonical algorithm (one row per identifier).

Expected values are transcribed from the registries / RFCs named above each table.
"""

from __future__ import annotations

import pytest

from pqscan.algorithms import IdKind, lookup

# RFC 8446 §4.2.3 SignatureScheme (plus RFC 8734 brainpool and the TLS 1.2 legacy pairs).
TLS_SIGNATURE_SCHEMES = [
    (0x0401, "RSASSA-PKCS1-SHA256"),  # rsa_pkcs1_sha256
    (0x0501, "RSASSA-PKCS1-SHA384"),
    (0x0601, "RSASSA-PKCS1-SHA512"),
    (0x0403, "ECDSA-P256"),  # ecdsa_secp256r1_sha256
    (0x0503, "ECDSA-P384"),
    (0x0603, "ECDSA-P521"),
    (0x0804, "RSASSA-PSS-SHA256"),  # rsa_pss_rsae_sha256
    (0x0805, "RSASSA-PSS-SHA384"),
    (0x0806, "RSASSA-PSS-SHA512"),
    (0x0807, "Ed25519"),
    (0x0808, "Ed448"),
    (0x0809, "RSASSA-PSS-SHA256"),  # rsa_pss_pss_sha256
    (0x080A, "RSASSA-PSS-SHA384"),
    (0x080B, "RSASSA-PSS-SHA512"),
    (0x0201, "RSASSA-PKCS1-SHA1"),  # rsa_pkcs1_sha1
    (0x0203, "ECDSA-SHA1"),  # ecdsa_sha1
    (0x0202, "DSA-SHA1"),
    (0x081A, "ECDSA-brainpoolP256r1"),
    (0x081B, "ECDSA-brainpoolP384r1"),
    (0x081C, "ECDSA-brainpoolP512r1"),
]

# RFC 8422 §5.1.1, RFC 8446 §4.2.7, RFC 7919 §2, RFC 8734.
TLS_CLASSICAL_GROUPS = [
    (0x0013, "ECDH-P192"),
    (0x0015, "ECDH-P224"),
    (0x0016, "ECDH-secp256k1"),
    (0x001E, "X448"),
    (0x001F, "ECDH-brainpoolP256r1"),
    (0x0020, "ECDH-brainpoolP384r1"),
    (0x0021, "ECDH-brainpoolP512r1"),
    (0x0100, "FFDHE2048"),
    (0x0101, "FFDHE3072"),
    (0x0102, "FFDHE4096"),
    (0x0103, "FFDHE6144"),
    (0x0104, "FFDHE8192"),
]

# RFC 8017 App. C, RFC 3279, RFC 5480, RFC 5758, RFC 8410, RFC 5639, RFC 5754, NIST CSOR.
CERTIFICATE_OIDS = [
    ("1.2.840.113549.1.1.1", "RSA"),  # rsaEncryption
    ("1.2.840.113549.1.1.7", "RSAES-OAEP"),
    ("1.2.840.113549.1.1.2", "RSASSA-PKCS1-MD2"),
    ("1.2.840.113549.1.1.4", "RSASSA-PKCS1-MD5"),
    ("1.2.840.113549.1.1.14", "RSASSA-PKCS1-SHA224"),
    ("1.2.840.10045.2.1", "ECDSA"),  # id-ecPublicKey
    ("1.2.840.10045.4.1", "ECDSA-SHA1"),
    ("1.2.840.10045.4.3.1", "ECDSA-SHA224"),
    ("1.2.840.10040.4.1", "DSA"),
    ("1.2.840.10040.4.3", "DSA-SHA1"),
    ("2.16.840.1.101.3.4.3.2", "DSA-SHA256"),
    ("1.2.840.10046.2.1", "DH"),  # dhpublicnumber
    ("1.3.101.110", "X25519"),
    ("1.3.101.111", "X448"),
    ("1.2.840.10045.3.1.7", "ECDSA-P256"),  # prime256v1 named curve
    ("1.3.132.0.34", "ECDSA-P384"),
    ("1.3.132.0.35", "ECDSA-P521"),
    ("1.3.132.0.33", "ECDSA-P224"),
    ("1.3.132.0.10", "ECDSA-secp256k1"),
    ("1.3.36.3.3.2.8.1.1.7", "ECDSA-brainpoolP256r1"),
    ("1.3.36.3.3.2.8.1.1.11", "ECDSA-brainpoolP384r1"),
    ("1.3.36.3.3.2.8.1.1.13", "ECDSA-brainpoolP512r1"),
    ("1.2.840.113549.2.5", "MD5"),
    ("1.3.14.3.2.26", "SHA-1"),
    ("2.16.840.1.101.3.4.2.4", "SHA-224"),
    ("2.16.840.1.101.3.4.2.1", "SHA-256"),
    ("2.16.840.1.101.3.4.2.2", "SHA-384"),
    ("2.16.840.1.101.3.4.2.3", "SHA-512"),
    ("2.16.840.1.101.3.4.2.8", "SHA3-256"),
    ("2.16.840.1.101.3.4.1.2", "AES-128-CBC"),
    ("2.16.840.1.101.3.4.1.46", "AES-256-GCM"),
    ("1.2.840.113549.3.7", "3DES"),  # des-ede3-cbc
    ("1.2.840.113549.2.9", "HMAC-SHA256"),
]

# RFC 4253 §6.3/§6.4, RFC 4344, RFC 6668, RFC 5647, OpenSSH PROTOCOL.
SSH_CIPHERS = [
    ("aes128-ctr", "AES-128-CTR"),
    ("aes192-ctr", "AES-192-CTR"),
    ("aes256-ctr", "AES-256-CTR"),
    ("aes128-gcm@openssh.com", "AES-128-GCM"),
    ("aes256-gcm@openssh.com", "AES-256-GCM"),
    ("chacha20-poly1305@openssh.com", "ChaCha20-Poly1305"),
    ("aes128-cbc", "AES-128-CBC"),
    ("aes256-cbc", "AES-256-CBC"),
    ("3des-cbc", "3DES"),
    ("blowfish-cbc", "Blowfish"),
    ("arcfour", "RC4"),
    ("arcfour256", "RC4"),
    ("cast128-cbc", "CAST5"),
    ("none", "NULL"),
]
SSH_MACS = [
    ("hmac-sha1", "HMAC-SHA1"),
    ("hmac-sha1-96", "HMAC-SHA1"),
    ("hmac-md5", "HMAC-MD5"),
    ("hmac-md5-96", "HMAC-MD5"),
    ("hmac-sha2-256", "HMAC-SHA256"),
    ("hmac-sha2-512", "HMAC-SHA512"),
    ("hmac-sha2-256-etm@openssh.com", "HMAC-SHA256"),
    ("hmac-sha2-512-etm@openssh.com", "HMAC-SHA512"),
    ("hmac-sha1-etm@openssh.com", "HMAC-SHA1"),
    ("umac-64@openssh.com", "UMAC-64"),
    ("umac-128@openssh.com", "UMAC-128"),
    ("umac-128-etm@openssh.com", "UMAC-128"),
    ("none", "NULL"),
]
SSH_KEX_CLASSICAL = [
    ("diffie-hellman-group1-sha1", "diffie-hellman-group1-sha1"),
    ("diffie-hellman-group-exchange-sha256", "diffie-hellman-group-exchange-sha256"),
    ("diffie-hellman-group-exchange-sha1", "diffie-hellman-group-exchange-sha1"),
    ("curve448-sha512", "X448"),
]
SSH_HOST_KEYS_CLASSICAL = [
    ("ecdsa-sha2-nistp384", "ECDSA-P384"),
    ("ecdsa-sha2-nistp521", "ECDSA-P521"),
    ("ssh-ed448", "Ed448"),
    ("sk-ssh-ed25519@openssh.com", "Ed25519"),
    ("sk-ecdsa-sha2-nistp256@openssh.com", "ECDSA-P256"),
    ("ssh-ed25519-cert-v01@openssh.com", "Ed25519"),
    ("rsa-sha2-512-cert-v01@openssh.com", "RSASSA-PKCS1-SHA512"),
    ("ssh-rsa-cert-v01@openssh.com", "RSASSA-PKCS1-SHA1"),
]

# RFC 7518 §3.1/§4.1/§5.1, RFC 8037, RFC 8812, RFC 9864.
JOSE_ALGS = [
    ("RS256", "RSASSA-PKCS1-SHA256"),
    ("RS384", "RSASSA-PKCS1-SHA384"),
    ("RS512", "RSASSA-PKCS1-SHA512"),
    ("PS256", "RSASSA-PSS-SHA256"),
    ("PS384", "RSASSA-PSS-SHA384"),
    ("PS512", "RSASSA-PSS-SHA512"),
    ("ES256", "ECDSA-P256"),
    ("ES384", "ECDSA-P384"),
    ("ES512", "ECDSA-P521"),
    ("ES256K", "ECDSA-secp256k1"),
    ("EdDSA", "EdDSA"),
    ("Ed25519", "Ed25519"),
    ("HS256", "HMAC-SHA256"),
    ("HS384", "HMAC-SHA384"),
    ("HS512", "HMAC-SHA512"),
    ("RSA1_5", "RSAES-PKCS1"),
    ("RSA-OAEP", "RSAES-OAEP"),
    ("RSA-OAEP-256", "RSAES-OAEP-SHA256"),
    ("ECDH-ES", "ECDH-ES"),
    ("ECDH-ES+A128KW", "ECDH-ES"),
    ("ECDH-ES+A256KW", "ECDH-ES"),
    ("A128KW", "AES-128-KW"),
    ("A256KW", "AES-256-KW"),
    ("dir", "dir"),
    ("A128GCM", "AES-128-GCM"),
    ("A256GCM", "AES-256-GCM"),
    ("A128CBC-HS256", "AES-128-CBC-HMAC-SHA256"),
    ("A256CBC-HS512", "AES-256-CBC-HMAC-SHA512"),
    ("none", "NULL"),
]
# RFC 9053, RFC 8230, RFC 8812.
COSE_ALGS = [
    (-7, "ECDSA-P256"),
    (-35, "ECDSA-P384"),
    (-36, "ECDSA-P521"),
    (-8, "EdDSA"),
    (-37, "RSASSA-PSS-SHA256"),
    (-38, "RSASSA-PSS-SHA384"),
    (-39, "RSASSA-PSS-SHA512"),
    (-257, "RSASSA-PKCS1-SHA256"),
    (-258, "RSASSA-PKCS1-SHA384"),
    (-259, "RSASSA-PKCS1-SHA512"),
    (-47, "ECDSA-secp256k1"),
    (5, "HMAC-SHA256"),
    (6, "HMAC-SHA384"),
    (7, "HMAC-SHA512"),
    (1, "AES-128-GCM"),
    (3, "AES-256-GCM"),
    (24, "ChaCha20-Poly1305"),
]

# OpenSSL short names, JCA standard names, Go / Node names.
LIBRARY_NAMES = [
    ("prime256v1", "ECDH-P256"),
    ("secp256r1", "ECDH-P256"),
    ("secp384r1", "ECDH-P384"),
    ("secp521r1", "ECDH-P521"),
    ("aes-256-gcm", "AES-256-GCM"),
    ("aes-128-cbc", "AES-128-CBC"),
    ("aes128", "AES-128-CBC"),
    ("des-ede3-cbc", "3DES"),
    ("DESede", "3DES"),
    ("rc4", "RC4"),
    ("sha256", "SHA-256"),
    ("SHA-256", "SHA-256"),
    ("md5", "MD5"),
    ("sha1", "SHA-1"),
    ("chacha20-poly1305", "ChaCha20-Poly1305"),
    ("SHA256withRSA", "RSASSA-PKCS1-SHA256"),
    ("SHA1withRSA", "RSASSA-PKCS1-SHA1"),
    ("MD5withRSA", "RSASSA-PKCS1-MD5"),
    ("SHA256withECDSA", "ECDSA-SHA256"),
    ("SHA256withRSA/PSS", "RSASSA-PSS-SHA256"),
    ("Ed25519", "Ed25519"),
    ("XDH", "ECDH"),
    ("X25519", "X25519"),
    ("ML-KEM", "ML-KEM"),
    ("ML-DSA", "ML-DSA"),
    ("ML-KEM-768", "ML-KEM-768"),
    ("PBKDF2WithHmacSHA256", "PBKDF2-HMAC-SHA256"),
    ("HmacSHA256", "HMAC-SHA256"),
    ("AES/GCM/NoPadding", "AES-GCM"),
    ("AES/ECB/PKCS5Padding", "AES-ECB"),
    ("RSA/ECB/PKCS1Padding", "RSAES-PKCS1"),
    ("EC", "ECDSA"),
    ("DSA", "DSA"),
    ("DH", "DH"),
    ("RSA", "RSA"),
    ("ssh-rsa", "RSA"),  # as a key-blob format name: just an RSA key
    ("sha256WithRSAEncryption", "RSASSA-PKCS1-SHA256"),
    ("rsa_pss_rsae_sha256", "RSASSA-PSS-SHA256"),
    ("ecdsa_secp384r1_sha384", "ECDSA-P384"),
    ("XMSS^MT", "XMSSMT"),
    ("Falcon-512", "FN-DSA-512"),
    ("brainpoolP384r1", "ECDH-brainpoolP384r1"),
    # OpenSSL sigalgs list forms
    ("RSA+SHA256", "RSASSA-PKCS1-SHA256"),
    ("RSA-PSS+SHA384", "RSASSA-PSS-SHA384"),
    ("ECDSA+SHA1", "ECDSA-SHA1"),
    # Go crypto/tls and crypto/x509 constant names
    ("CurveP384", "ECDH-P384"),
    ("PKCS1WithSHA256", "RSASSA-PKCS1-SHA256"),
    ("PSSWithSHA256", "RSASSA-PSS-SHA256"),
    ("ECDSAWithP256AndSHA256", "ECDSA-P256"),
    ("ECDSAWithSHA384", "ECDSA-SHA384"),
    ("PureEd25519", "Ed25519"),
    # pyca/cryptography and .NET class names
    ("SECP256R1", "ECDH-P256"),
    ("AESGCM", "AES-GCM"),
    ("ARC4", "RC4"),
    ("TripleDES", "3DES"),
    ("MLKem", "ML-KEM"),
    ("SlhDsa", "SLH-DSA"),
]

LIBOQS_NAMES = [
    ("ML-KEM-512", "ML-KEM-512"),
    ("ML-KEM-1024", "ML-KEM-1024"),
    ("ML-DSA-44", "ML-DSA-44"),
    ("ML-DSA-87", "ML-DSA-87"),
    ("Falcon-512", "FN-DSA-512"),
    ("Falcon-1024", "FN-DSA-1024"),
    ("SLH_DSA_PURE_SHAKE_256S", "SLH-DSA-SHAKE-256s"),
    ("HQC-3", "HQC-192"),
    ("HQC-5", "HQC-256"),
    ("HQC-128", "HQC-128"),
    ("FrodoKEM-640-AES", "FrodoKEM-640-AES"),
    ("FrodoKEM-1344-SHAKE", "FrodoKEM-1344-SHAKE"),
    ("Classic-McEliece-6688128", "Classic-McEliece-6688128"),
    ("Classic-McEliece-6688128f", "Classic-McEliece-6688128"),
    ("BIKE-L1", "BIKE-L1"),
    ("sntrup761", "sntrup761"),
    ("Kyber768", "Kyber768"),
    ("MAYO-1", "MAYO-1"),
    ("XMSS-SHA2_10_256", "XMSS-SHA2_10_256"),
]


@pytest.mark.parametrize(("code", "expected"), TLS_SIGNATURE_SCHEMES)
def test_tls_signature_scheme_maps_to_its_algorithm(code: int, expected: str) -> None:
    assert lookup(IdKind.TLS_SIGNATURE_SCHEME, code).id == expected


@pytest.mark.parametrize(("code", "expected"), TLS_CLASSICAL_GROUPS)
def test_classical_tls_group_maps_to_its_algorithm(code: int, expected: str) -> None:
    assert lookup(IdKind.TLS_GROUP, code).id == expected


@pytest.mark.parametrize(("oid", "expected"), CERTIFICATE_OIDS)
def test_certificate_oid_maps_to_its_algorithm(oid: str, expected: str) -> None:
    assert lookup(IdKind.OID, oid).id == expected


@pytest.mark.parametrize(("name", "expected"), SSH_CIPHERS)
def test_ssh_cipher_maps_to_its_algorithm(name: str, expected: str) -> None:
    assert lookup(IdKind.SSH_CIPHER, name).id == expected


@pytest.mark.parametrize(("name", "expected"), SSH_MACS)
def test_ssh_mac_maps_to_its_algorithm(name: str, expected: str) -> None:
    assert lookup(IdKind.SSH_MAC, name).id == expected


@pytest.mark.parametrize(("name", "expected"), SSH_KEX_CLASSICAL)
def test_classical_ssh_kex_maps_to_its_algorithm(name: str, expected: str) -> None:
    assert lookup(IdKind.SSH_KEX, name).id == expected


@pytest.mark.parametrize(("name", "expected"), SSH_HOST_KEYS_CLASSICAL)
def test_classical_ssh_host_key_maps_to_its_algorithm(name: str, expected: str) -> None:
    assert lookup(IdKind.SSH_HOST_KEY, name).id == expected


@pytest.mark.parametrize(("alg", "expected"), JOSE_ALGS)
def test_jose_alg_maps_to_its_algorithm(alg: str, expected: str) -> None:
    assert lookup(IdKind.JOSE, alg).id == expected


@pytest.mark.parametrize(("value", "expected"), COSE_ALGS)
def test_cose_alg_maps_to_its_algorithm(value: int, expected: str) -> None:
    assert lookup(IdKind.COSE, value).id == expected


@pytest.mark.parametrize(("name", "expected"), LIBRARY_NAMES)
def test_library_name_maps_to_its_algorithm(name: str, expected: str) -> None:
    assert lookup(IdKind.NAME, name).id == expected


@pytest.mark.parametrize(("name", "expected"), LIBOQS_NAMES)
def test_liboqs_algorithm_name_maps_to_its_algorithm(name: str, expected: str) -> None:
    assert lookup(IdKind.LIBOQS, name).id == expected


# standards.md §1C: broken today, whatever the quantum timeline.
@pytest.mark.parametrize(
    ("kind", "identifier"),
    [
        (IdKind.OID, "1.2.840.113549.1.1.4"),  # md5WithRSAEncryption
        (IdKind.OID, "1.2.840.113549.1.1.5"),  # sha1WithRSAEncryption
        (IdKind.OID, "1.2.840.10045.4.1"),  # ecdsa-with-SHA1
        (IdKind.TLS_SIGNATURE_SCHEME, 0x0201),
        (IdKind.SSH_HOST_KEY, "ssh-rsa"),
        (IdKind.SSH_HOST_KEY, "ssh-dss"),
        (IdKind.SSH_CIPHER, "arcfour"),
        (IdKind.SSH_CIPHER, "3des-cbc"),
        (IdKind.SSH_CIPHER, "none"),
        (IdKind.SSH_KEX, "diffie-hellman-group1-sha1"),
        (IdKind.NAME, "DES"),
        (IdKind.NAME, "MD5"),
        (IdKind.NAME, "SHA-1"),
        (IdKind.NAME, "DSA"),
        (IdKind.JOSE, "none"),
        (IdKind.TLS_GROUP, 0x0013),  # secp192r1
    ],
)
def test_classically_broken_identifiers_are_flagged(kind: IdKind, identifier: str | int) -> None:
    assert lookup(kind, identifier).classically_broken


@pytest.mark.parametrize(
    ("kind", "identifier"),
    [
        (IdKind.OID, "1.2.840.113549.1.1.11"),
        (IdKind.SSH_HOST_KEY, "rsa-sha2-256"),
        (IdKind.SSH_MAC, "hmac-sha1"),  # HMAC-SHA1 is not broken
        (IdKind.NAME, "AES-128-GCM"),
        (IdKind.NAME, "SHA-256"),
        (IdKind.TLS_GROUP, 0x001D),
    ],
)
def test_sound_classical_identifiers_are_not_flagged_broken(kind: IdKind, identifier: str | int) -> None:
    assert not lookup(kind, identifier).classically_broken
