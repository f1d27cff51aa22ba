"""Policy profiles as values: categories, statuses, rules and the profile itself (no loading here).

The file format is documented in :mod:`pqscan.assess.profiles`; parsing in
:mod:`pqscan.assess.profile_parser`; loading by name or path in :mod:`pqscan.assess.profiles`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pqscan import algorithms
from pqscan.algorithms import Algorithm

DEFAULT_PROFILE = "nist-ir-8547"

# Profiles larger than this are not policy files: refuse rather than parse.
MAX_PROFILE_BYTES = 1024 * 1024


class ComplianceStatus(StrEnum):
    COMPLIANT = "compliant"
    DEPRECATED = "deprecated"  # may still be used; the user accepts the risk
    DISALLOWED = "disallowed"  # may no longer be used for this purpose
    UNKNOWN = "unknown"  # algorithm not in the catalogue, or not covered by the profile

    @property
    def rank(self) -> int:
        return _STATUS_RANK[self]


_STATUS_RANK = {
    ComplianceStatus.COMPLIANT: 0,
    ComplianceStatus.UNKNOWN: 1,
    ComplianceStatus.DEPRECATED: 2,
    ComplianceStatus.DISALLOWED: 3,
}


class Category(StrEnum):
    """What a profile judges separately. pqscan.assess.engine maps each finding's usage to one of these."""

    KEY_ESTABLISHMENT = "key-establishment"
    SIGNATURE = "signature"
    CODE_SIGNING = "code-signing"
    SYMMETRIC = "symmetric"
    HASH = "hash"
    PROTOCOL = "protocol"


# Rule keys, in the order the format documents them (pqscan.assess.profile_parser validates them).
LIST_MATCHERS = ("algorithms", "with_component", "families", "quantum_status", "primitives", "curves", "protocols")
INT_MATCHERS = ("min_bits", "max_bits", "min_nist_category", "min_key_bits", "max_key_bits")
BOOL_MATCHERS = ("classically_broken", "pre_standard")
OUTCOME_KEYS = ("status", "deprecated_after", "disallowed_after", "note")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")


def protocol_key(text: str) -> str:
    """One spelling for a protocol version: "TLSv1.2", "TLS 1.2", "tls1_2" -> "tls1.2"; "SSLv3" -> "ssl3"."""
    key = text.strip().lower().replace(" ", "").replace("_", ".").replace("-", "")
    for prefix in ("dtls", "tls", "ssl", "ssh"):
        if key.startswith(prefix + "v"):
            key = prefix + key[len(prefix) + 1:]
    return key


KNOWN_PROTOCOLS = frozenset({"ssl2", "ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3", "dtls1.0", "dtls1.2", "dtls1.3",
                             "ssh1", "ssh2"})


@dataclass(frozen=True)
class Rule:
    """One line of policy: which algorithms it covers (matchers) and what it says about them."""

    index: int
    algorithms: frozenset[str] = frozenset()
    with_component: frozenset[str] = frozenset()
    families: frozenset[str] = frozenset()
    quantum_status: frozenset[str] = frozenset()
    primitives: frozenset[str] = frozenset()
    curves: frozenset[str] = frozenset()
    protocols: frozenset[str] = frozenset()  # normalised protocol versions ("tls1.2"); see protocol_key
    min_bits: int | None = None
    max_bits: int | None = None
    min_nist_category: int | None = None
    min_key_bits: int | None = None  # key size as written (RSA modulus bits), not security bits
    max_key_bits: int | None = None
    classically_broken: bool | None = None
    pre_standard: bool | None = None
    status: ComplianceStatus = ComplianceStatus.COMPLIANT
    deprecated_after: datetime.date | None = None
    disallowed_after: datetime.date | None = None
    note: str = ""

    def matches(self, alg: Algorithm, parameters: Mapping[str, Any] | None = None) -> bool:
        if self.protocols:
            return False  # a protocol-version rule: matches_protocol
        if self.algorithms and alg.id not in self.algorithms:
            return False
        if self.with_component and not (self.with_component & set(alg.components)):
            return False
        if self.families and alg.family not in self.families:
            return False
        if self.quantum_status and alg.quantum_status.value not in self.quantum_status:
            return False
        if self.primitives and alg.primitive.value not in self.primitives:
            return False
        if self.curves and (alg.curve or str((parameters or {}).get("curve", ""))) not in self.curves:
            return False
        if self.min_bits is not None or self.max_bits is not None:
            bits = algorithms.classical_bits(alg, parameters)
            if bits is None:
                return False
            if self.min_bits is not None and bits < self.min_bits:
                return False
            if self.max_bits is not None and bits > self.max_bits:
                return False
        if self.min_nist_category is not None and (alg.nist_category or 0) < self.min_nist_category:
            return False
        if self.min_key_bits is not None or self.max_key_bits is not None:
            size = (parameters or {}).get("key_bits")
            if isinstance(size, bool) or not isinstance(size, int):
                return False  # the key size is not known: the rule cannot say
            if self.min_key_bits is not None and size < self.min_key_bits:
                return False
            if self.max_key_bits is not None and size > self.max_key_bits:
                return False
        if self.classically_broken is not None and (
            algorithms.is_classically_broken(alg, parameters) != self.classically_broken
        ):
            return False
        # A pre-standard *PQ* draft (Kyber round 3, sntrup4591761, Dilithium round 3): deprecated in the
        # catalogue and quantum-safe. Classical entries deprecated for other reasons (SSH
        # diffie-hellman-group14-sha1, RFC 9142) are not "pre-standard drafts that protect against HNDL".
        return self.pre_standard is None or (alg.deprecated and alg.is_quantum_safe) == self.pre_standard

    def matches_protocol(self, version: str) -> bool:
        """A protocol-version rule (``protocols = ["TLS1.2"]``) for this version, however it is spelled."""
        return bool(self.protocols) and protocol_key(version) in self.protocols

    def status_on(self, today: datetime.date) -> ComplianceStatus:
        if self.disallowed_after is not None and today > self.disallowed_after:
            return ComplianceStatus.DISALLOWED
        if self.deprecated_after is not None and today > self.deprecated_after:
            return max(ComplianceStatus.DEPRECATED, self.status, key=lambda s: s.rank)
        return self.status

    def dates(self) -> list[tuple[str, datetime.date]]:
        out = []
        if self.deprecated_after is not None:
            out.append(("deprecated", self.deprecated_after))
        if self.disallowed_after is not None:
            out.append(("disallowed", self.disallowed_after))
        return out

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for key in LIST_MATCHERS:
            if getattr(self, key):
                d[key] = sorted(getattr(self, key))
        for key in INT_MATCHERS + BOOL_MATCHERS:
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
        d["status"] = self.status.value
        for key in ("deprecated_after", "disallowed_after"):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key).isoformat()
        if self.note:
            d["note"] = self.note
        return d


@dataclass(frozen=True)
class CategoryPolicy:
    category: Category
    rules: tuple[Rule, ...] = ()
    default: ComplianceStatus = ComplianceStatus.UNKNOWN
    default_note: str = ""
    inherit: Category | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"default": self.default.value, "rules": [r.to_dict() for r in self.rules]}
        if self.default_note:
            d["default_note"] = self.default_note
        if self.inherit is not None:
            d["inherit"] = self.inherit.value
        return d


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    sources: tuple[str, ...]
    title: str = ""
    scope: str = ""
    confidence: str = ""
    uncertain: tuple[str, ...] = ()
    extends: str | None = None
    categories: Mapping[Category, CategoryPolicy] = field(default_factory=dict)
    binds: str = ""  # whom the document obliges (government systems, national security systems, everyone ...)
    last_verified: datetime.date | None = None  # when its facts were last checked against the sources
    path: str = ""  # where it was loaded from
    builtin: bool = False

    def protocol_rule(self, version: str) -> Rule | None:
        """The first protocol-category rule naming this protocol version (``protocols = [...]``)."""
        policy = self.policy_for(Category.PROTOCOL)
        return next((r for r in policy.rules if r.matches_protocol(version)), None) if policy else None

    def policy_for(self, category: Category) -> CategoryPolicy | None:
        """The policy for a category, following ``inherit`` (at most a few hops, no loops)."""
        seen: set[Category] = set()
        policy = self.categories.get(category)
        while policy is not None and policy.inherit is not None and policy.inherit not in seen:
            seen.add(policy.category)
            policy = self.categories.get(policy.inherit)
        return policy

    def evaluate(self, category: Category, alg: Algorithm, parameters: Mapping[str, Any] | None = None
                 ) -> tuple[CategoryPolicy | None, Rule | None]:
        """The category policy and the first rule matching this algorithm use (None: default applies)."""
        policy = self.policy_for(category)
        if policy is None:
            return None, None
        for rule in policy.rules:
            if rule.matches(alg, parameters):
                return policy, rule
        return policy, None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title,
            "scope": self.scope,
            "sources": list(self.sources),
            "confidence": self.confidence,
            "uncertain": list(self.uncertain),
            "extends": self.extends,
            "binds": self.binds,
            "last_verified": self.last_verified.isoformat() if self.last_verified else None,
            "builtin": self.builtin,
            "path": self.path,
            "categories": {c.value: p.to_dict() for c, p in self.categories.items()},
        }
