"""Token signing and session keys for payments-api."""

import hashlib
import os

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SIGNING_KEY_BITS = 2048


def new_signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=SIGNING_KEY_BITS)


def sign_receipt(key, body: bytes) -> bytes:
    device_key = ec.generate_private_key(ec.SECP256R1())
    return device_key.sign(body, ec.ECDSA(hashes.SHA256()))


def session_secret(peer_public_key):
    ours = ec.generate_private_key(ec.SECP384R1())
    return ours.exchange(ec.ECDH(), peer_public_key)


def encrypt(key: bytes, plaintext: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, None)


def cache_key(customer_id: str) -> str:
    # Not security relevant: a cache bucket name.
    return hashlib.md5(customer_id.encode(), usedforsecurity=False).hexdigest()


def issue_token(claims: dict, secret: str) -> str:
    return jwt.encode(claims, secret)
