"""PyNaCl, python-ecdsa, the rsa package and pyOpenSSL."""
import rsa  # expect: RSA unknown
from ecdsa import NIST384p, SigningKey  # expect: ECDSA unknown, ECDSA-P384 unknown
from nacl.public import PrivateKey
from nacl.signing import SigningKey as NaclSigningKey
from OpenSSL import crypto


def keys():
    pub, priv = rsa.newkeys(1024)  # expect: RSA key-generation
    ec_key = SigningKey.generate(curve=NIST384p)  # expect: ECDSA-P384 signature
    box_key = PrivateKey.generate()  # expect: X25519 key-exchange
    sign_key = NaclSigningKey.generate()  # expect: Ed25519 signature
    pkey = crypto.PKey()
    pkey.generate_key(crypto.TYPE_RSA, 2048)  # expect: RSA key-generation
    return pub, priv, ec_key, box_key, sign_key, pkey


def generate_key(description):
    """A local function named like a library method: the call below passes no key type."""
    return description


generate_key("des")
