"""Key generation with pyca/cryptography.

This module talks about RSA, DES, MD5 and ECDSA in its docstring: none of that is a finding.
"""
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, x25519  # expect: ECDSA unknown, Ed25519 unknown, RSA unknown, X25519 unknown
from cryptography.hazmat.primitives.asymmetric import rsa as r  # expect: RSA unknown
from cryptography.hazmat.primitives.asymmetric.mlkem import MLKEM768PrivateKey  # expect: ML-KEM unknown

LEGACY_KEY_BITS = 1024
CURVE = ec.SECP384R1()  # expect: ECDSA-P384 unknown


def make_signing_key(bits=3072):
    return r.generate_private_key(public_exponent=65537, key_size=bits)  # expect: RSA key-generation


def legacy_key():
    return r.generate_private_key(65537, LEGACY_KEY_BITS)  # expect: RSA key-generation


def key_of_unknown_size(size):
    return r.generate_private_key(public_exponent=65537, key_size=size)  # expect: RSA key-generation


def agree(peer_public):
    private = ec.generate_private_key(ec.SECP256R1())  # expect: ECDH-P256 key-exchange
    return private.exchange(ec.ECDH(), peer_public)  # expect: ECDH-P256 key-exchange


def sign(data):
    key = ec.generate_private_key(CURVE)  # expect: ECDSA-P384 signature
    return key.sign(data, ec.ECDSA(hashes.SHA256()))  # expect: ECDSA-P384 signature


def exchange_x25519(peer):
    mine = x25519.X25519PrivateKey.generate()  # expect: X25519 key-exchange
    return mine.exchange(peer)  # expect: X25519 unknown


def sign_ed25519(message):
    key = ed25519.Ed25519PrivateKey.generate()  # expect: Ed25519 signature
    return key.sign(message)  # expect: Ed25519 unknown


def encrypt(public_key, message):
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)  # expect: RSA encryption
    return public_key.encrypt(message, oaep)  # expect: RSA unknown


def pq_key():
    return MLKEM768PrivateKey.generate()  # expect: ML-KEM-768 key-exchange


def parse_rsa_header(description, nodes, address):
    """Parse an RSA header; the word 'des' in 'description' is not 3DES."""
    rsa_bits = description.split(":")[0]
    log_message = f"RSA key with {rsa_bits} bits, DES disabled, MD5 forbidden"
    print("ECDSA and ECDH are different things", nodes, address)
    return log_message
