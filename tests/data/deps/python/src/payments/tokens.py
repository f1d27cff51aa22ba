"""Token signing."""
import jwt
from cryptography.hazmat.primitives.asymmetric import ec


def sign(payload: dict, key: ec.EllipticCurvePrivateKey) -> str:
    return jwt.encode(payload, key, algorithm="ES256")
