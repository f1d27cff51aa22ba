import ssl

import jwt
import paramiko

PROTOCOL = ssl.PROTOCOL_TLSv1
SECRET = "not-a-key"


def token(payload):
    return jwt.encode(payload, SECRET)  # expect: HMAC-SHA256 mac


def rs_token(payload, key):
    return jwt.encode(payload, key, algorithm="RS256")  # expect: RSA signature


def es_token(payload, key):
    return jwt.encode(payload, key, algorithm="ES256")  # expect: ECDSA-P256 signature


def check(token_text, key):
    return jwt.decode(token_text, key, algorithms=["RS256", "HS256"])  # expect: RSA signature, HMAC-SHA256 mac


def old_context():
    return ssl.SSLContext(PROTOCOL)  # expect: TLS1.0 protocol


def modern_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_1  # expect: TLS1.1 protocol
    ctx.set_ecdh_curve("prime256v1")  # expect: ECDH-P256 key-exchange
    return ctx


def ssh_key():
    return paramiko.RSAKey.generate(bits=2048)  # expect: RSA authentication


def log_only(logger):
    logger.warning("TLSv1 is disabled; RSA-1024 and 3DES are rejected")
    raise ValueError("unsupported algorithm: des-ede3-cbc")
