"""Decrypts records written by the 2012 vault. Scheduled for removal."""

import hashlib
import hmac

from Crypto.Cipher import DES3

LEGACY_KEY_SIZE = 24


def open_record(key: bytes, iv: bytes, blob: bytes) -> bytes:
    cipher = DES3.new(key, DES3.MODE_CBC, iv)
    return cipher.decrypt(blob)


def record_mac(key: bytes, blob: bytes) -> str:
    return hmac.new(key, blob, hashlib.sha1).hexdigest()


def password_digest(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()
