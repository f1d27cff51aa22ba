"""Binary key material: DER (certificate, CSR, CRL, key, PKCS#7), PKCS#12, Java JKS / JCEKS.

These files contain NUL bytes, so they are chosen by extension or magic before any text-only
binary skip. PKCS#12 is opened with no password, the empty password, then each given password;
when none works the store is recorded as encrypted. JKS/JCEKS (via pyjks) keep certificates in
clear, so their chains are read even without the store password (the integrity check then cannot
be made and the keystore says so).
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from pqscan.collect import der
from pqscan.collect.files import keys
from pqscan.collect.files.context import FileContext
from pqscan.model import AssetKind, ErrorKind
from pqscan.textsafe import clean

JKS_MAGIC = b"\xfe\xed\xfe\xed"
JCEKS_MAGIC = b"\xce\xce\xce\xce"
_DER_ERRORS = (ValueError, der.DerError, UnsupportedAlgorithm, TypeError, x509.InvalidVersion)


def is_der_sequence(data: bytes) -> bool:
    """A single DER SEQUENCE spanning the whole file (how DER certificates, keys and PKCS#12 look)."""
    try:
        tlv = der.read_tlv(data)
    except der.DerError:
        return False
    return tlv.tag == der.TAG_SEQUENCE and tlv.end == len(data)


def _looks_pkcs12(data: bytes) -> bool:
    """PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData OPTIONAL } (RFC 7292 §4)."""
    try:
        outer = der.read_tlv(data)
        items = der.children(data, outer, max_items=4)
    except der.DerError:
        return False
    return bool(items) and items[0].tag == der.TAG_INTEGER and items[0].value(data) == b"\x03"


def read_der(ctx: FileContext, data: bytes) -> bool:
    """Try each DER structure in turn; True when one of them matched."""
    attempts: list[tuple[str, Any]] = [
        ("certificate", lambda: ctx.add_certificate(x509.load_der_x509_certificate(data), "der")),
        ("csr", lambda: ctx.add_csr(x509.load_der_x509_csr(data), "der")),
        ("crl", lambda: ctx.add_crl(x509.load_der_x509_crl(data), "der")),
        ("public-key", lambda: _spki(ctx, data)),
        ("pkcs7", lambda: [ctx.add_certificate(c, "pkcs7") for c in keys.load_pkcs7_der(data)] or None),
    ]
    for name, attempt in attempts:
        try:
            attempt()
        except _DER_ERRORS:
            continue
        ctx.formats.append(f"der-{name}")
        return True
    if _looks_pkcs12(data):
        return read_pkcs12(ctx, data)
    if keys.record_private_key_der(ctx, data, source="der"):
        ctx.formats.append("der-private-key")
        return True
    return False


def _spki(ctx: FileContext, data: bytes) -> None:
    der.spki_algorithm_oid(data)
    serialization.load_der_public_key(data)  # only accept what really is an SPKI
    ctx.add_spki(data, private=False, source="der")


def read_pkcs12(ctx: FileContext, data: bytes) -> bool:
    ctx.file_kind = AssetKind.KEYSTORE
    ctx.formats.append("pkcs12")
    ctx.file_attributes["keystore_type"] = "PKCS12"
    last: Exception | None = None
    costly = keys.kdf_too_costly(data)
    if costly:
        ctx.file_attributes["encrypted"] = True
        ctx.error("parse-pkcs12", ErrorKind.ENCRYPTED, f"PKCS#12 store: {costly}")
        return True
    for password in (None, b"", *ctx.passwords):
        try:
            store = pkcs12.load_pkcs12(data, password)
        except (ValueError, TypeError) as exc:
            last = exc
            continue
        except UnsupportedAlgorithm as exc:
            ctx.error("parse-pkcs12", ErrorKind.UNSUPPORTED, f"PKCS#12 uses an unsupported algorithm: {exc}")
            return True
        ctx.file_attributes["opened_with"] = "no password" if not password else "given password"
        if store.key is not None:
            ctx.add_key(store.key, private=True, source="pkcs12")
        for c in ([store.cert] if store.cert else []) + list(store.additional_certs):
            ctx.add_certificate(c.certificate, "pkcs12")
        return True
    if _looks_pkcs12(data):
        ctx.file_attributes["encrypted"] = True
        ctx.error("parse-pkcs12", ErrorKind.ENCRYPTED,
                  "PKCS#12 store is encrypted and no given password opened it (use --password)")
        return True
    ctx.error("parse-pkcs12", ErrorKind.MALFORMED, f"not a readable PKCS#12 store: {last}")
    return True


def read_java_keystore(ctx: FileContext, data: bytes) -> None:
    import jks

    ctx.file_kind = AssetKind.KEYSTORE
    store_type = "JKS" if data.startswith(JKS_MAGIC) else "JCEKS"
    ctx.formats.append(store_type.lower())
    ctx.file_attributes["keystore_type"] = store_type
    store = None
    store_password: str | None = None
    for password in ctx.passwords:
        try:
            # Keys are decrypted below, entry by entry: pyjks' own decrypt step fails on some keytool output.
            store = jks.KeyStore.loads(data, password.decode("utf-8", "replace"), try_decrypt_keys=False)
            store_password = password.decode("utf-8", "replace")
            ctx.file_attributes["integrity_checked"] = True
            break
        except jks.util.KeystoreSignatureException:
            continue
        except Exception as exc:  # noqa: BLE001 - pyjks raises struct, pyasn1 and its own errors on bad input
            ctx.error("parse-keystore", ErrorKind.MALFORMED, f"{store_type}: {type(exc).__name__}: {exc}")
            return
    if store is None:
        try:
            store = jks.KeyStore.loads(data, None, try_decrypt_keys=False)
            ctx.file_attributes["integrity_checked"] = False
        except Exception as exc:  # noqa: BLE001 - as above
            ctx.error("parse-keystore", ErrorKind.MALFORMED, f"{store_type}: {type(exc).__name__}: {exc}")
            return
    _keystore_entries(ctx, store, store_type, store_password)


def _private_key_pkcs8(entry: Any, password: str | None) -> bytes | None:
    """The PKCS#8 of a keystore private key entry, decrypted with the store password when we have it."""
    import jks
    from jks import sun_crypto

    if entry.is_decrypted():
        return bytes(entry.pkey_pkcs8)
    if password is None:
        return None
    try:
        entry.decrypt(password)
        return bytes(entry.pkey_pkcs8)
    except jks.util.DecryptionFailureException:
        return None  # the key has its own password
    except Exception:  # noqa: BLE001 - pyjks/pyasn1 cannot read an absent AlgorithmIdentifier parameter
        pass
    # EncryptedPrivateKeyInfo with Sun's proprietary JKS key protection (OID 1.3.6.1.4.1.42.2.17.1.1).
    raw = bytes(entry._encrypted)
    try:
        if der.encrypted_private_key_info_oid(raw) != "1.3.6.1.4.1.42.2.17.1.1":
            return None
        items = der.children(raw, der.read_tlv(raw), max_items=4)
        return bytes(sun_crypto.jks_pkey_decrypt(items[1].value(raw), password))
    except (der.DerError, jks.util.DecryptionFailureException, ValueError):
        return None


# pyjks runs JCEKS key derivation in pure Python with the count the file gives: a budget for the
# whole store, beside the per-key limit, so 10,000 costly entries cannot add up to hours.
MAX_KEYSTORE_KDF_ITERATIONS = 10 * keys.MAX_KDF_ITERATIONS


def _kdf_cost(entry: Any) -> int:
    """Iterations a decryption of this keystore entry would run (0 when not encrypted or unknown)."""
    import jks

    try:
        if entry.is_decrypted():
            return 0
        if isinstance(entry, jks.PrivateKeyEntry):
            return der.max_iteration_count(bytes(entry._encrypted))  # noqa: SLF001 - pyjks keeps it private
        if isinstance(entry, jks.SecretKeyEntry):
            return der.max_iteration_count(bytes(entry._encrypted.encodedParams or b""))  # noqa: SLF001
    except (AttributeError, TypeError, ValueError):
        return 0
    return 0


def _keystore_entries(ctx: FileContext, store: Any, store_type: str, store_password: str | None = None) -> None:
    import jks

    aliases: list[str] = []
    spent = 0
    for raw_alias, entry in list(store.entries.items())[:10000]:
        alias = clean(str(raw_alias)[:200])
        aliases.append(alias)
        password = store_password
        if password is not None:
            cost = _kdf_cost(entry)
            if cost > keys.MAX_KDF_ITERATIONS or spent + cost > MAX_KEYSTORE_KDF_ITERATIONS:
                password = None  # recorded as encrypted below, not decrypted
                ctx.error("parse-keystore", ErrorKind.ENCRYPTED,
                          f"{store_type} entry {alias!r}: key protection asks for {cost} iterations "
                          f"({spent} already spent on this store); over pqscan's limit, not decrypted")
            spent += cost if password is not None else 0
        try:
            if isinstance(entry, jks.TrustedCertEntry):
                ctx.add_certificate(x509.load_der_x509_certificate(entry.cert), store_type.lower())
            elif isinstance(entry, jks.PrivateKeyEntry):
                chain = [x509.load_der_x509_certificate(c[1]) for c in entry.cert_chain]
                for cert in chain:
                    ctx.add_certificate(cert, store_type.lower())
                pkcs8 = _private_key_pkcs8(entry, password)
                if pkcs8 is not None:
                    key = serialization.load_der_private_key(pkcs8, None, unsafe_skip_rsa_key_validation=True)
                    ctx.add_key(key, private=True, source=store_type.lower(), extra={"alias": alias})
                elif chain:
                    # The key is encrypted; its public half is the leaf certificate's (same SPKI).
                    from pqscan.collect.x509 import cert_spki

                    ctx.add_spki(cert_spki(chain[0]), private=True, source=store_type.lower(),
                                 extra={"alias": alias, "encrypted": True})
                else:
                    ctx.add_opaque_key(len(aliases), algorithm_hint="", source=store_type.lower(),
                                       extra={"alias": alias})
            elif isinstance(entry, jks.SecretKeyEntry):
                if password is not None and not entry.is_decrypted():
                    try:
                        entry.decrypt(password)
                    except Exception:  # noqa: BLE001 - stays encrypted; recorded as such
                        pass
                _secret_key(ctx, entry, alias)
        except _DER_ERRORS as exc:
            ctx.error("parse-keystore", ErrorKind.MALFORMED, f"{store_type} entry {alias!r}: {exc}")
    ctx.file_attributes["aliases"] = aliases[:200]


def _secret_key(ctx: FileContext, entry: Any, alias: str) -> None:
    """JCEKS secret keys: the algorithm and size are visible once decrypted."""
    from pqscan.algorithms import IdKind, lookup
    from pqscan.model import Asset, Evidence, Finding, Usage

    asset_id = f"{ctx.file_id}#secret:{alias}"
    if not entry.is_decrypted():
        ctx.add_opaque_key(0, algorithm_hint="", source="jceks", extra={"alias": alias, "secret_key": True})
        return
    name = str(entry.algorithm)
    bits = int(entry.key_size)
    candidate = f"{name}-{bits}" if name.upper() == "AES" else name
    alg = lookup(IdKind.NAME, candidate)
    params: dict[str, Any] = {"key_bits": bits}
    if alg.is_unknown:
        params["raw_identifier"] = name
    asset = Asset(asset_id, AssetKind.PRIVATE_KEY, ctx.location, f"secret key {alias}",
                  {"alias": alias, "secret_key": True, "algorithm": alg.id, "key_bits": bits, "source": "jceks"})
    ctx.add_finding_only(asset, Finding(asset_id, alg.id, Usage.SYMMETRIC, "certs", params,
                                        Evidence(location=ctx.location, symbol="secret-key", detail=alias)))
