"""pqscan: post-quantum cryptography readiness scanner.

The library is the product; the CLI (pqscan.cli) is a thin layer over it::

    from pqscan import Inventory, load_inventory, load_profile, assess
"""

__version__ = "0.1.0"

from pqscan.model import (  # noqa: E402
    Asset,
    AssetKind,
    Confidence,
    ErrorKind,
    Evidence,
    Finding,
    Primitive,
    QuantumStatus,
    Relation,
    RelationKind,
    ScanError,
    ScanResult,
    Severity,
    Usage,
)

__all__ = [
    "__version__",
    "Asset",
    "AssetKind",
    "Confidence",
    "ErrorKind",
    "Evidence",
    "Finding",
    "Primitive",
    "QuantumStatus",
    "Relation",
    "RelationKind",
    "ScanError",
    "ScanResult",
    "Severity",
    "Usage",
]
