"""What to do, in concrete words, for one step of the plan.

Version floors come from shared/reference/standards.md §6 (OpenSSL 3.5.0 release notes, OpenSSH
pq.html and release notes, go.dev/doc/go1.24, pyca/cryptography changelog 48.0.0, JEP 496/497,
rustls 0.23.27, Caddy 2.10.0, Node.js 24.7.0, .NET 10, Bouncy Castle 1.79/1.80); the SSH host-key
remark from §7.4 (no PQ SSH signature is standardised yet).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from pqscan.graph.build import MISSING, MigrationGraph, Node
from pqscan.graph.risk import FindingView, Risk
from pqscan.model import RelationKind, Usage


class Floor(NamedTuple):
    """The first release of a library with post-quantum support, and what that support is."""

    minimum: str
    brings: str


# library name (lower case, as in dep:<ecosystem>/<name>@<version>; a Maven name without its group) -> its floor
LIBRARY_FLOORS: Mapping[str, Floor] = {
    "cryptography": Floor(">= 48", "ML-KEM and ML-DSA with the bundled OpenSSL 3.5+"),
    "openssl": Floor(">= 3.5", "ML-KEM, ML-DSA, SLH-DSA and the X25519MLKEM768 TLS group"),
    "libssl3": Floor(">= 3.5", "ML-KEM, ML-DSA and X25519MLKEM768"),
    "go": Floor(">= 1.24", "crypto/mlkem and X25519MLKEM768 by default"),
    "golang": Floor(">= 1.24", "crypto/mlkem and X25519MLKEM768 by default"),
    "rustls": Floor(">= 0.23.27", "X25519MLKEM768 preferred by default with aws-lc-rs"),
    "aws-lc-rs": Floor(">= 1.12", "ML-KEM for rustls' X25519MLKEM768"),
    "bcprov-jdk18on": Floor(">= 1.80", "ML-KEM, ML-DSA, SLH-DSA and X25519MLKEM768 in BCJSSE"),
    "node": Floor(">= 24.7.0", "ML-KEM and ML-DSA in node:crypto; OpenSSL 3.5 groups"),
    "caddy": Floor(">= 2.10.0", "X25519MLKEM768 by default"),
    "openssh": Floor(">= 9.9", "mlkem768x25519-sha256 (default from 10.0)"),
}

# software name fragment -> what the software must be for post-quantum key exchange
_SOFTWARE_NEEDS: tuple[tuple[str, str], ...] = (
    ("openssh", "OpenSSH >= 9.9 (mlkem768x25519-sha256; default from 10.0)"),
    ("nginx", "an nginx build linked against OpenSSL >= 3.5"),
    ("apache", "an httpd build linked against OpenSSL >= 3.5"),
    ("httpd", "an httpd build linked against OpenSSL >= 3.5"),
    ("haproxy", "a HAProxy build linked against OpenSSL >= 3.5 (or AWS-LC)"),
    ("caddy", "Caddy >= 2.10.0 (X25519MLKEM768 by default)"),
    ("envoy", "an Envoy release with X25519MLKEM768 in its default curves"),
    ("openssl", "OpenSSL >= 3.5"),
)


def software_need(label: str) -> str | None:
    low = label.lower()
    return next((text for key, text in _SOFTWARE_NEEDS if key in low), None)


_DEP_RE = re.compile(r"^dep:(?:[^/]+/)?(?P<name>[^@]+)(?:@(?P<version>.+))?$")


def a(word: str) -> str:
    """'a' or 'an' before a word or an acronym read letter by letter (an ML-DSA-65, a SHA-1)."""
    first = word[:1]
    vowel_sound = first.lower() in "aeio" or (first.isupper() and word[1:2].isupper() and first in "AEFHILMNORSX")
    return f"an {word}" if vowel_sound else f"a {word}"


@dataclass(frozen=True)
class Targets:
    tls_group: str
    ssh_kex: str
    signature: str
    long_signature: str


NORMAL = Targets("X25519MLKEM768", "mlkem768x25519-sha256", "ML-DSA-65", "ML-DSA-87 (or LMS/XMSS, SP 800-208)")
CNSA = Targets("SecP384r1MLKEM1024 (or MLKEM1024)", "mlkem1024nistp384-sha384", "ML-DSA-87",
               "ML-DSA-87 (or LMS/XMSS, SP 800-208)")


def _targets(views: Sequence[FindingView]) -> Targets:
    strict = any(tag in v.profile.lower() for v in views for tag in ("cnsa", "asd"))
    return CNSA if strict else NORMAL


def _neighbours(graph: MigrationGraph, node_id: str, kind: RelationKind) -> list[Node]:
    succ = graph.graph._succ[node_id]  # the plain dict behind graph.succ: no view object per call
    value = str(kind)  # a StrEnum's str() is its value, without the Enum.value descriptor
    nodes = graph.nodes
    out = [nodes[b] for b, data in succ.items() if value in data.get("kinds", ())]
    if len(out) > 1:
        out.sort(key=_node_id)
    return out


def _node_id(n: Node) -> str:
    return n.id


def _bench_note(costs: Sequence[Mapping[str, Any]], old: str, new: str) -> str:
    new_head = new.split(" ")[0].lower()
    best: Mapping[str, Any] | None = None
    for row in costs:
        if str(row.get("to", "")).lower() != new_head:
            continue
        if str(row.get("from", "")).lower() == old.lower():
            best = row
            break
        best = best or row
    if best is None:
        return ""
    parts = []
    ratio = best.get("time_ratio")
    if isinstance(ratio, (int, float)) and not isinstance(ratio, bool) and math.isfinite(ratio) and ratio > 0:
        parts.append(f"{ratio:.3g}x the time of {best['from']}")
    extra = best.get("extra_bytes")
    if isinstance(extra, (int, float)) and not isinstance(extra, bool) and math.isfinite(extra):
        parts.append(f"{int(extra):+,} bytes")
    if not parts:
        return ""
    ctx = f" per {best['context']}" if best.get("context") else ""
    return f" (benchmark: {best['to']} costs {' and '.join(parts)}{ctx})"


def _old(views: Sequence[FindingView], usages: set[Usage] | None = None) -> str:
    algs = [v.finding.algorithm for v in views if v.vulnerable and (usages is None or v.finding.usage in usages)]
    return ", ".join(dict.fromkeys(algs))


def _first_old(views: Sequence[FindingView], usages: set[Usage]) -> str:
    return next((v.finding.algorithm for v in views if v.vulnerable and v.finding.usage in usages), "")


_KEX = {Usage.KEY_EXCHANGE, Usage.ENCRYPTION}
# Symmetric algorithms are not broken by Shor; Grover at most halves their strength, so the fix is a
# strong classical algorithm (standards.md §1B: AES-256 required by CNSA 2.0; AES-128+ / SHA-256 elsewhere).
_SYMMETRIC_REPLACEMENT: Mapping[Usage, str] = {
    Usage.SYMMETRIC: "AES-256-GCM",
    Usage.HASHING: "SHA-256 (or SHA-384 / SHA-3)",
    Usage.MAC: "HMAC-SHA-256",
    Usage.KDF: "HKDF-SHA-256",
}
_SIG = {Usage.SIGNATURE, Usage.AUTHENTICATION, Usage.CODE_SIGNING}


def describe(graph: MigrationGraph, node: Node, risk: Risk, part: str = "") -> tuple[str, str]:
    """(title, action) for one step; ``part`` is "key-exchange" or "authentication" for the two steps
    of a split endpoint (``risk`` then covers only that part's findings)."""
    views = risk.findings
    t = _targets(views)
    if part and t is NORMAL:  # one half of an endpoint: the profiles that judged the whole endpoint count
        strict = any(tag in str(getattr(v, "profile", "")).lower() for v in node.verdicts if v is not None
                     for tag in ("cnsa", "asd"))
        t = CNSA if strict else NORMAL
    costs = graph.bench_costs
    label = node.label
    broken = [v.finding.algorithm for v in views if v.classically_broken]
    prefix = f"replace {', '.join(dict.fromkeys(broken))} now (broken without a quantum computer); " if broken else ""
    if prefix and len(set(broken)) == 1:
        prefix = prefix.replace("(broken without", "(it is broken without")
    role = node.role
    if node.kind == MISSING:
        return (f"Find and scan {node.id}",
                f"{node.id} is referenced by the inventory but was not scanned: scan it (or ask its owner) "
                "before the assets that depend on it migrate")
    if role in ("tls-endpoint", "ssh-endpoint"):
        if part == "authentication":
            return _endpoint_credentials(graph, node, risk, t, prefix)
        return _endpoint(graph, node, risk, t, costs, prefix, kex_only=part == "key-exchange")
    if role in ("root-ca", "intermediate-ca", "leaf-certificate"):
        old = _old(views, _SIG) or _old(views)
        if role == "root-ca":
            return (f"Create a post-quantum root to succeed {label}",
                    f"{prefix}create {a(t.long_signature)} root to succeed this {old} root, cross-sign it from the "
                    "current root and distribute it to every relying party before the certificates below move"
                    + _bench_note(costs, _first_old(views, _SIG), t.long_signature))
        if role == "intermediate-ca":
            return (f"Issue a post-quantum intermediate to replace {label}",
                    f"{prefix}issue {a(t.signature)} intermediate under the post-quantum root to replace this {old} "
                    "one, then reissue the certificates it signed" + _bench_note(costs, _first_old(views, _SIG), t.signature))
        issuer = _neighbours(graph, node.id, RelationKind.ISSUED_BY)
        after = f" (after {issuer[0].label})" if issuer else ""
        return (f"Reissue certificate {label}",
                f"{prefix}reissue with {t.signature} once the CA supports it{after}; replaces {old}"
                + _bench_note(costs, _first_old(views, _SIG), t.signature))
    if role == "host-key":
        if broken:
            return (f"Replace SSH host key {label}", f"{prefix}generate an Ed25519 host key and remove this one")
        return (f"Plan the rotation of SSH host key {label}",
                f"keep this {_old(views)} host key for now: no post-quantum SSH host-key algorithm is standardised "
                "yet; rotate when one is, and make sure key exchange is hybrid meanwhile")
    if role == "dependency":
        return _dependency(node, prefix)
    if role == "source-file":
        return _source(graph, node, views, t, prefix)
    if role == "config":
        return _config(node, views, t, prefix, costs)
    if role == "software":
        need = software_need(label) or f"a release that supports {t.tls_group} / {t.ssh_kex}"
        version = openssh_version(node)
        now = ("; it already supports sntrup761x25519-sha512 (OpenSSH >= 8.5), which can be enabled meanwhile"
               if version is not None and (8, 5) <= version < (9, 9) else "")
        return (f"Upgrade {label}",
                f"{prefix}move to {need}, so the configurations that use it can enable post-quantum groups{now}")
    if role in ("private-key", "public-key", "key-file", "keystore"):
        return (f"Replace key {label}",
                f"{prefix}generate {a(t.signature)} (signing) or ML-KEM-768 (key exchange) key to replace this "
                f"{_old(views) or 'classical'} key; retire the old key once its certificates and users have moved")
    if any(v.unknown for v in views):
        return (f"Identify the algorithm of {label}", "identify the algorithm: it is not in the pqscan catalogue")
    return (f"Migrate {label}", f"{prefix}replace {_old(views) or 'the classical algorithms'} with "
            f"{t.tls_group.split(' ')[0]} (key exchange) / {t.signature} (signatures)")


def _endpoint(graph: MigrationGraph, node: Node, risk: Risk, t: Targets, costs: Sequence[Mapping[str, Any]],
              prefix: str, *, kex_only: bool = False) -> tuple[str, str]:
    views = risk.findings
    software = _neighbours(graph, node.id, RelationKind.RUNS)
    sw = (f"; {software[0].label} must be {software_need(software[0].label) or 'a release that supports it'}"
          if software else "")
    parts: list[str] = []
    if prefix:
        parts.append(prefix.rstrip("; "))
    ssh = node.role == "ssh-endpoint"
    if risk.hndl and risk.pq_key_exchange:
        offered = ", ".join(risk.pq_key_exchange)
        parts.append(f"already offers {offered}: keep it first, and retire {_old(views, _KEX)} once every peer "
                     "supports post-quantum key exchange")
    elif risk.hndl:
        old = _first_old(views, _KEX)
        openssh = openssh_version(software[0]) if software else None
        if ssh and openssh is not None and (8, 5) <= openssh < (9, 9) and t is NORMAL:
            # sntrup761x25519-sha512 since OpenSSH 8.5, mlkem768x25519-sha256 since 9.9 (standards.md §6)
            parts.append(f"enable sntrup761x25519-sha512 first in KexAlgorithms now ({software[0].label} "
                         f"supports it); move to {t.ssh_kex} after upgrading to OpenSSH >= 9.9"
                         + _bench_note(costs, old, "sntrup761x25519-sha512"))
        elif ssh:
            parts.append(f"enable {t.ssh_kex} first in KexAlgorithms (sntrup761x25519-sha512 as fallback); needs "
                         f"OpenSSH >= 9.9{sw}" + _bench_note(costs, old, t.ssh_kex))
        else:
            parts.append(f"enable {t.tls_group} on this endpoint (keep X25519 as fallback); needs OpenSSL >= 3.5 "
                         f"(or BoringSSL, AWS-LC, Go >= 1.24){sw}" + _bench_note(costs, old, t.tls_group))
    if risk.signature:
        parts.append(f"serve {a(t.signature)} certificate chain once the CA and clients support it"
                     if not ssh else "rotate the host key when a post-quantum SSH signature is standardised")
    if not parts:
        kex_policy = _old(views, _KEX)
        if kex_policy:  # e.g. X25519MLKEM768 where a profile (CNSA 2.0) asks for ML-KEM-1024
            parts.append(f"replace {kex_policy} with {t.ssh_kex if ssh else t.tls_group} in the endpoint's "
                         "configuration")
        else:
            parts.append(f"replace {_old(views)} in the endpoint's configuration")
    if risk.hndl and not risk.pq_key_exchange and _waits_for_credentials(graph, node):
        what = "host keys" if ssh else "certificates"
        parts.append(f"this does not wait for the new {what}: do it as soon as the server software allows")
    if risk.hndl and risk.pq_key_exchange and (kex_only or not risk.signature):
        verb = f"Keep {risk.pq_key_exchange[0]} first on"
    elif risk.hndl and not ssh and (kex_only or not risk.signature):
        verb = f"Enable {t.tls_group.split(' ')[0]} on"
    elif risk.hndl:
        verb = "Enable post-quantum key exchange on"
    else:
        verb = "Migrate"
    return f"{verb} {node.id}", "; ".join(parts)


def _endpoint_credentials(graph: MigrationGraph, node: Node, risk: Risk, t: Targets,
                          prefix: str) -> tuple[str, str]:
    """The authentication half of a split endpoint: serve the reissued certificate / new host key."""
    if node.role == "ssh-endpoint":
        keys = _neighbours(graph, node.id, RelationKind.HAS_HOST_KEY)
        which = f" ({', '.join(k.label for k in keys[:3])}{' ...' if len(keys) > 3 else ''})" if keys else ""
        return (f"Deploy new host keys on {node.id}",
                f"{prefix}no post-quantum SSH host-key algorithm is standardised yet: when one is, install the new "
                f"host keys here in place of the current ones{which}, update HostKey in sshd_config and "
                "publish them to clients (known_hosts, SSHFP)")
    certs = _neighbours(graph, node.id, RelationKind.PRESENTS)
    which = f" in place of {certs[0].label}" if certs else ""
    software = _neighbours(graph, node.id, RelationKind.RUNS)
    sw = f" ({software[0].label} needs OpenSSL >= 3.5 for {t.signature})" if software else \
        f" (the TLS library needs {t.signature} support, e.g. OpenSSL >= 3.5)"
    return (f"Deploy the reissued certificate on {node.id}",
            f"{prefix}install the {t.signature} certificate and its chain{which} once they are issued{sw}; "
            "keep a classical certificate alongside for clients without post-quantum support")


_OPENSSH_RE = re.compile(r"OpenSSH_(\d+)\.(\d+)", re.IGNORECASE)


def openssh_version(software: Node) -> tuple[int, int] | None:
    """(major, minor) from an SSH banner's software part ("OpenSSH_9.2p1 Debian-2+deb12u3")."""
    m = _OPENSSH_RE.search(f"{software.name} {software.attributes.get('software', '')}")
    if m is None and str(software.attributes.get("product", "")).lower() == "openssh":
        m = re.match(r"(\d+)\.(\d+)", str(software.attributes.get("version", "")))
    return (int(m.group(1)), int(m.group(2))) if m else None


def _waits_for_credentials(graph: MigrationGraph, node: Node) -> bool:
    succ = graph.graph.succ[node.id]
    return any(k in (RelationKind.PRESENTS.value, RelationKind.HAS_HOST_KEY.value)
               for b in succ for k in succ[b].get("kinds", ()))


def _dependency(node: Node, prefix: str) -> tuple[str, str]:
    m = _DEP_RE.match(node.id)
    name = (node.name or (m.group("name") if m else node.id)).strip()
    version = str(node.attributes.get("version") or (m.group("version") if m and m.group("version") else ""))
    floor = LIBRARY_FLOORS.get(name.lower()) or LIBRARY_FLOORS.get(name.lower().split(":")[-1])
    at = f" (now {version})" if version else ""
    if floor:
        return (f"Upgrade {name}", f"{prefix}upgrade {name}{at} to {floor.minimum}: {floor.brings}")
    return (f"Upgrade or replace {name}",
            f"{prefix}upgrade {name}{at} to a release with ML-KEM / ML-DSA support, or replace it")


def _source(graph: MigrationGraph, node: Node, views: Sequence[FindingView], t: Targets,
            prefix: str) -> tuple[str, str]:
    items = []
    for v in views:
        if not v.vulnerable:
            continue
        f = v.finding
        where = f" at line {f.evidence.line}" if f.evidence.line else ""
        what = f.evidence.symbol or f.algorithm
        if f.usage in _KEX:
            new = "ML-KEM-768"
        elif f.usage is Usage.KEY_GENERATION:
            new = f"ML-KEM-768 or {t.signature}, by what the key is for"
        elif f.usage in _SYMMETRIC_REPLACEMENT:
            new = _SYMMETRIC_REPLACEMENT[f.usage]
        else:
            new = t.signature
        items.append(f"{what} ({f.algorithm}){where} with {new}")
    shown = items[:3] + ([f"and {len(items) - 3} more"] if len(items) > 3 else [])
    libs = _neighbours(graph, node.id, RelationKind.USES)
    after = f"after upgrading {', '.join(n.label for n in libs[:3])}, " if libs else ""
    return (f"Change the code in {node.location or node.label}", f"{prefix}{after}replace " + "; ".join(shown))


def _config(node: Node, views: Sequence[FindingView], t: Targets, prefix: str,
            costs: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    text = " ".join([node.id, node.location, node.name] + [v.finding.collector for v in views]).lower()
    if "ssh" in text:
        return (f"Change SSH configuration {node.label}",
                f"{prefix}put {t.ssh_kex} first in KexAlgorithms (sshd_config), sntrup761x25519-sha512 next")
    old = _first_old(views, _KEX)
    return (f"Change TLS configuration {node.label}",
            f"{prefix}name {t.tls_group.split(' ')[0]} first in the TLS groups (nginx: ssl_ecdh_curve "
            f"{t.tls_group.split(' ')[0]}:X25519; OpenSSL: Groups), after the server software supports it"
            + _bench_note(costs, old, t.tls_group))
