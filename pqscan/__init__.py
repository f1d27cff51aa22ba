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

_LAZY = {
    "Inventory": "pqscan.inventory",
    "load_inventory": ("pqscan.inventory", "load"),
    "load_profile": "pqscan.assess.profiles",
    "load_profiles": "pqscan.assess.profiles",
    "assess": "pqscan.assess.engine",
    "build_graph": "pqscan.graph",
    "make_plan": "pqscan.graph",
    "scan": "pqscan.pipeline.scan",
}


def __getattr__(name: str) -> object:
    """Lazy exports, so ``import pqscan`` stays cheap (no networkx, no OpenSSL bindings)."""
    import importlib

    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'pqscan' has no attribute {name!r}")
    module, attr = target if isinstance(target, tuple) else (target, name)
    return getattr(importlib.import_module(module), attr)


__all__ = [
    *_LAZY,
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
