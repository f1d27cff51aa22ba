import hashlib as h
import hmac  # expect: HMAC unknown
from hashlib import sha1  # expect: SHA-1 unknown

from Crypto.PublicKey import RSA  # expect: RSA unknown
from Cryptodome.Cipher import ARC4, DES  # expect: DES unknown, RC4 unknown
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

DIGESTS = {"fast": "md5", "strong": "sha256"}  # expect: MD5 unknown
IMPLEMENTATIONS = {"legacy": h.sha1, "modern": h.sha256}  # expect: SHA-1 hashing, SHA-256 hashing
ALGORITHM_NAME = "sha1"  # expect: SHA-1 unknown


def fingerprint(data):
    return h.md5(data).hexdigest()  # expect: MD5 hashing


def cache_key(data):
    return h.md5(data, usedforsecurity=False).hexdigest()  # expect: MD5 hashing


def by_name(data):
    return h.new(DIGESTS["fast"], data)  # expect: MD5 hashing


def by_constant(data):
    return h.new(ALGORITHM_NAME, data, usedforsecurity=False)  # expect: SHA-1 hashing


def by_variable(name, data):
    return h.new(name, data)  # expect: unknown hashing


def mac(key, msg):
    return hmac.new(key, msg, "sha1").digest()  # expect: HMAC-SHA1 mac


def mac_with_function(key, msg):
    return hmac.new(key, msg, digestmod=h.sha256).digest()  # expect: HMAC-SHA256 mac


def imported_name(data):
    return sha1(data).digest()  # expect: SHA-1 hashing


def ecb(key, data):
    cipher = Cipher(algorithms.AES(key), modes.ECB())  # expect: AES-ECB symmetric
    return cipher.encryptor().update(data)


def triple_des(key):
    return Cipher(algorithms.TripleDES(key), modes.CBC(b"\0" * 8))  # expect: 3DES symmetric


def pycryptodome(key):
    legacy = DES.new(key, DES.MODE_ECB)  # expect: DES symmetric
    stream = ARC4.new(key)  # expect: RC4 symmetric
    weak = RSA.generate(1024)  # expect: RSA key-generation
    return legacy, stream, weak


def hand_rolled_dh(g, secret, prime):
    return pow(g, secret, prime)  # expect: DH key-exchange


def modular_inverse(a, m):
    return pow(a, -1, m)


def small_power(a):
    return pow(a, 2, 97)


def md5_of_description(description):
    # md5 of the description, for display only: the word md5 here is a comment
    return len(description)
