"""Who runs each asset: the one place that decides an asset's ownership and role, from evidence.

Five answers (:class:`Ownership`), tried in this order, the first that holds wins:

1. an **override**: the services file (``ownership = "vendor-managed"`` on a ``[[service]]``) or a
   ``--ownership PATTERN=ROLE`` flag, matched as shell globs on the asset id, location and name;
2. **operated** when a TLS or SSH endpoint presents it: a certificate or host key you serve is yours,
   wherever a copy of it also lies;
3. **vendor-managed**: trust stores and package-managed files the OS or a language runtime ships and
   updates (Debian ``ca-certificates``: ``/etc/ssl/certs``, ``/usr/share/ca-certificates``; Red Hat
   ``/etc/pki/ca-trust``, ``/etc/pki/tls/certs``; certifi's ``cacert.pem``; Java ``cacerts``; a JKS whose
   aliases are Debian's ``debian:*.pem``);
4. **test material**: anything under a test, fixture, example or sample folder (``tests/``,
   ``testdata/``, ``fixtures/``, ``examples/`` ...) or a test source file (``test_*.py``, ``*_test.go``,
   ``*.spec.ts`` ...);
5. **third-party**: a dependency record, or files under ``site-packages/``, ``node_modules/``,
   ``vendor/``, ``third_party/``;
6. **expired**: a certificate whose ``not_after`` has passed (an expired key pair is not a quantum risk:
   remove it, or renew it with a post-quantum algorithm); a file or keystore holding only such
   material (or only material of any one other kind) takes that kind;
7. otherwise **operated**: endpoints, keys and certificates you deploy, your code and configuration.

Paths are compared by their components, case-sensitively, after turning ``\\`` into ``/``: ``repo/tests/k.pem``,
``/abs/repo/tests/k.pem`` and ``./tests/k.pem`` give the same answer, and nothing is read from disk.

What each answer means downstream: only *operated* assets count in the readiness score and become
migration steps; vendor-managed ones are a "track your vendors" list, expired ones a "remove or
renew" list, test material is reported at severity info with its reason, third-party code is the
dependency owner's to fix (upgrade it: the dependency record itself stays a step enabler).
"""

from __future__ import annotations

import datetime
import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pqscan.errors import InputError
from pqscan.model import ATTR_NOT_AFTER, Asset, AssetKind, RelationKind, attribute_date


class Ownership(StrEnum):
    """Who migrates an asset; ``label`` is how a report says it."""

    label: str

    def __new__(cls, value: str, label: str) -> Ownership:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    OPERATED = "operated", "operated by you"
    VENDOR = "vendor-managed", "vendor-managed"
    THIRD_PARTY = "third-party", "third-party dependency"
    TEST = "test-material", "test material"
    EXPIRED = "expired", "expired"


@dataclass(frozen=True)
class Role:
    """An asset's ownership and the evidence for it (one sentence)."""

    ownership: Ownership
    reason: str
    overridden: bool = False

    @property
    def operated(self) -> bool:
        return self.ownership is Ownership.OPERATED

    def to_dict(self) -> dict[str, Any]:
        return {"ownership": self.ownership.value, "reason": self.reason, "overridden": self.overridden}


@dataclass(frozen=True)
class Override:
    """``pattern`` (a shell glob on asset id, location or name) -> ownership; from a flag or a services file."""

    pattern: str
    ownership: Ownership
    source: str = "flag"

    def matches(self, asset: Asset) -> bool:
        return any(k and fnmatch.fnmatchcase(k, self.pattern) for k in (asset.id, asset.location, asset.name))


def parse_ownership(text: str) -> Ownership:
    """``operated``, ``vendor-managed`` (or ``vendor``), ``third-party``, ``test-material`` (or ``test``), ``expired``."""
    key = str(text).strip().lower()
    key = {"vendor": "vendor-managed", "test": "test-material", "dependency": "third-party"}.get(key, key)
    try:
        return Ownership(key)
    except ValueError:
        allowed = ", ".join(o.value for o in Ownership)
        raise InputError(f"unknown ownership {text!r} (choose from {allowed})") from None


def parse_override(text: str) -> Override:
    """``PATTERN=ROLE`` as the ``--ownership`` flag takes it."""
    pattern, sep, role = str(text).rpartition("=")
    if not sep or not pattern.strip():
        raise InputError(f"--ownership {text!r}: expected PATTERN=ROLE, e.g. 'file:*/certs/*=vendor-managed'")
    return Override(pattern.strip(), parse_ownership(role), "flag")


# -- evidence --------------------------------------------------------------------------------------

# Component sequences that mark an OS or runtime trust store / package-managed certificate store.
_VENDOR_TRAILS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("etc", "ssl", "certs"), "the OS trust store /etc/ssl/certs (Debian/Ubuntu ca-certificates)"),
    (("usr", "share", "ca-certificates"), "Debian's ca-certificates package (/usr/share/ca-certificates)"),
    (("etc", "pki", "ca-trust"), "the OS trust store /etc/pki/ca-trust (Red Hat ca-certificates)"),
    (("etc", "pki", "tls", "certs"), "the OS trust store /etc/pki/tls/certs (Red Hat ca-certificates)"),
    (("etc", "ca-certificates"), "the ca-certificates configuration (/etc/ca-certificates)"),
    (("usr", "share", "pki", "ca-trust-source"), "Red Hat's ca-certificates package"),
    (("certifi", "cacert.pem"), "certifi's CA bundle (cacert.pem, shipped by the certifi package)"),
    (("lib", "security", "cacerts"), "the Java runtime's trust store (lib/security/cacerts)"),
    (("java", "cacerts"), "the Java trust store (cacerts, managed by ca-certificates-java)"),
)
_VENDOR_FILES = {"ca-certificates.crt": "the OS CA bundle (ca-certificates.crt)",
                 "ca-bundle.crt": "the OS CA bundle (ca-bundle.crt)",
                 "tls-ca-bundle.pem": "the OS CA bundle (tls-ca-bundle.pem)"}
_TEST_DIRS = frozenset({"test", "tests", "testing", "testdata", "test-data", "test_data", "testcases",
                        "fixture", "fixtures", "__fixtures__", "__tests__", "example", "examples", "sample",
                        "samples", "spec", "specs", "mock", "mocks", "demo", "demos"})
_THIRD_PARTY_DIRS = frozenset({"site-packages", "dist-packages", "node_modules", "vendor", "third_party",
                               "third-party", "thirdparty", "bower_components"})


def _components(location: str) -> list[str]:
    path = location.split("#", 1)[0].split("!", 1)[0].replace("\\", "/")
    if "://" in path:
        return []
    return [c for c in path.split("/") if c and c != "."]


def _has_trail(parts: Sequence[str], trail: Sequence[str]) -> bool:
    n = len(trail)
    return any(tuple(parts[i:i + n]) == tuple(trail) for i in range(len(parts) - n + 1))


def _test_file(name: str) -> bool:
    stem = name.rsplit(".", 1)[0]
    return (name.startswith("test_") or stem.endswith(("_test", "_tests", "Test", "Tests", ".test", ".spec"))
            or name == "conftest.py")


_HOST_PORT = re.compile(r"^[^/]*:[0-9]+$")
_ENDPOINT_KINDS = frozenset({AssetKind.TLS_ENDPOINT, AssetKind.SSH_ENDPOINT, AssetKind.SERVICE, AssetKind.SOFTWARE})


def _where_on_disk(asset: Asset, parts: list[str], roots: Mapping[str, str]) -> list[str]:
    """The components of the file's absolute path: names in an inventory are relative to the scanned
    root (prefixed by its label when one walk had several roots); ``roots`` (the inventory's
    ``attachments["roots"]``, label -> absolute root folder) says where that root is."""
    if not parts or asset.kind in _ENDPOINT_KINDS or _HOST_PORT.match(asset.location):
        return parts
    if len(parts) > 1 and parts[0] in roots and parts[0]:
        return _components(roots[parts[0]]) + parts[1:]
    if "" in roots:
        return _components(roots[""]) + parts
    return parts


def evidence_role(asset: Asset, today: datetime.date, roots: Mapping[str, str] | None = None) -> Role:
    """The ownership the asset's own evidence gives (no overrides, no relations). Trust stores are
    recognised by where the file is on disk; test and third-party folders only inside the scanned root."""
    if asset.kind is AssetKind.DEPENDENCY:
        return Role(Ownership.THIRD_PARTY, "a third-party dependency: upgrading it is the fix; its maintainers own its code")
    parts = _components(asset.location) or _components(asset.id.removeprefix("file:"))
    on_disk = _where_on_disk(asset, parts, roots or {})
    for trail, what in _VENDOR_TRAILS:
        if _has_trail(on_disk, trail):
            return Role(Ownership.VENDOR, f"in {what}: the vendor ships and updates it")
    if parts and parts[-1] in _VENDOR_FILES:
        return Role(Ownership.VENDOR, f"in {_VENDOR_FILES[parts[-1]]}: the vendor ships and updates it")
    aliases = asset.attributes.get("aliases")
    if (asset.kind is AssetKind.KEYSTORE and isinstance(aliases, (list, tuple)) and aliases
            and all(isinstance(a, str) and a.startswith("debian:") for a in aliases)):
        return Role(Ownership.VENDOR, "a Java trust store built by Debian's ca-certificates-java (aliases debian:*)")
    folder = next((p for p in parts[:-1] if p.lower() in _TEST_DIRS), None)
    if folder is not None:
        return Role(Ownership.TEST, f"under a {folder}/ folder: test, fixture or example material")
    if parts and _test_file(parts[-1]):
        return Role(Ownership.TEST, f"{parts[-1]} is a test file")
    third = next((p for p in parts[:-1] if p.lower() in _THIRD_PARTY_DIRS), None)
    if third is not None:
        return Role(Ownership.THIRD_PARTY, f"under {third}/: third-party code, its maintainers own it")
    expiry = attribute_date(asset.attributes.get(ATTR_NOT_AFTER)) if asset.kind is AssetKind.CERTIFICATE else None
    if expiry is not None and expiry < today:
        return Role(Ownership.EXPIRED, f"expired on {expiry.isoformat()}: remove it, or renew it with a post-quantum algorithm")
    return Role(Ownership.OPERATED, _operated_words(asset))


def _operated_words(asset: Asset) -> str:
    if asset.kind in (AssetKind.TLS_ENDPOINT, AssetKind.SSH_ENDPOINT, AssetKind.SERVICE, AssetKind.SOFTWARE):
        return "an endpoint you scanned: operated by you"
    if asset.kind in (AssetKind.SOURCE_FILE, AssetKind.CONFIG):
        return "your code or configuration"
    return "key material you deploy (not in a trust store, test tree or dependency)"


_PRESENTING = {RelationKind.PRESENTS, RelationKind.HAS_HOST_KEY}


def classify(assets: Mapping[str, Asset], today: datetime.date | None = None,
             overrides: Iterable[Override] = (), roots: Mapping[str, str] | None = None) -> dict[str, Role]:
    """Asset id -> its :class:`Role` (see the module docstring for the order of the rules).
    ``roots``: the inventory's scanned roots (label -> absolute folder), see :func:`evidence_role`."""
    today = today or datetime.date.today()
    rules = list(overrides)
    # From an inventory file: untrusted, only string -> string entries count.
    roots = {k: v for k, v in roots.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(roots, Mapping) else {}
    served = {r.target for a in assets.values()
              if a.kind in (AssetKind.TLS_ENDPOINT, AssetKind.SSH_ENDPOINT)
              for r in a.relations if r.kind in _PRESENTING}
    out: dict[str, Role] = {}
    for aid, asset in assets.items():
        rule = next((o for o in rules if o.matches(asset)), None)
        if rule is not None:
            out[aid] = Role(rule.ownership, f"{rule.ownership.label}: set by {rule.source} ({rule.pattern})", True)
        elif aid in served:
            role = evidence_role(asset, today, roots)
            if role.ownership is Ownership.EXPIRED:
                out[aid] = Role(Ownership.OPERATED, "served by an endpoint you scanned, and " + role.reason)
            else:
                out[aid] = Role(Ownership.OPERATED, "served by an endpoint you scanned: operated by you")
        else:
            out[aid] = evidence_role(asset, today, roots)
    # A file or keystore that only holds material of one other kind (a PEM file with one expired
    # certificate) is that kind too; an override or an endpoint's use of it still wins.
    for aid, asset in assets.items():
        role = out[aid]
        held = [out[r.target] for r in asset.relations if r.kind is RelationKind.CONTAINS and r.target in out]
        kinds = {h.ownership for h in held}
        if role.ownership is Ownership.OPERATED and not role.overridden and aid not in served and len(kinds) == 1:
            (kind,) = kinds
            if kind is not Ownership.OPERATED:
                out[aid] = Role(kind, f"holds only {kind.label} material: {held[0].reason}")
    return out


OPERATED = Role(Ownership.OPERATED, "not in the inventory's assets: counted as operated")


def role_of(roles: Mapping[str, Role], asset_id: str) -> Role:
    return roles.get(asset_id, OPERATED)
