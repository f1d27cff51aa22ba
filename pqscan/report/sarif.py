"""SARIF 2.1.0 output (OASIS SARIF 2.1.0 errata01), shaped for GitHub code scanning.

* One **rule** per class of finding: (quantum status, usage, algorithm family), e.g.
  ``pq/broken/key-exchange/ecdh``, with a short and full description, help text carrying the
  remediation, ``properties.tags`` and ``defaultConfiguration.level``. GitHub reads
  ``properties.security-severity`` (a number as a string, 0.0-10.0) to rank security alerts.
* One **result** per finding: ``level`` from the assessed severity, ``partialFingerprints`` from
  :attr:`pqscan.model.Finding.id` (stable across rescans and line shifts), file findings as
  ``physicalLocation`` relative to ``%SRCROOT%``; network findings (endpoints) as ``logicalLocations``.
* Scan errors become ``toolExecutionNotifications``, so a file pqscan could not read is visible too.

Everything that came from a target (snippets, identifiers) is plain JSON text here; SARIF viewers
render ``message.text`` as text, and no markdown from a target is placed in ``markdown`` fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from pqscan import __version__
from pqscan.algorithms import get as get_algorithm
from pqscan.assess.exposure import HARVEST_USAGES, harvest
from pqscan.inventory import Inventory
from pqscan.model import AssetKind, Finding, QuantumStatus, Severity, Usage

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "pqscanFindingId/v1"
MAX_NOTIFICATIONS = 1000

LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
         Severity.LOW: "note", Severity.INFO: "note"}
# GitHub maps security-severity > 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                     Severity.LOW: "3.0", Severity.INFO: "0.0"}
_NETWORK_KINDS = {AssetKind.TLS_ENDPOINT, AssetKind.SSH_ENDPOINT, AssetKind.SERVICE, AssetKind.SOFTWARE}
_HOST_PORT_RE = re.compile(r"^\[?[\w.:-]+\]?:\d+$")

_SIGNING = {Usage.SIGNATURE, Usage.AUTHENTICATION, Usage.CODE_SIGNING}


def remediation(status: QuantumStatus, usage: Usage, family: str) -> str:
    """What to do, by quantum status and use (facts from shared/reference/standards.md §2, §6, §7)."""
    if usage is Usage.PROTOCOL:
        return ("Disable the old protocol version: allow TLS 1.2 and 1.3 only (RFC 8996 deprecates TLS 1.0/1.1), "
                "and prefer TLS 1.3 so hybrid post-quantum key exchange (X25519MLKEM768) can be negotiated.")
    if status is QuantumStatus.BROKEN and usage in HARVEST_USAGES:
        return (f"{family} key establishment is broken by Shor's algorithm, and traffic recorded today can be "
                "decrypted later (harvest now, decrypt later). Move to ML-KEM (FIPS 203), preferably as a hybrid: "
                "X25519MLKEM768 in TLS 1.3 (OpenSSL >= 3.5, Go >= 1.24, rustls >= 0.23.27 default it), "
                "mlkem768x25519-sha256 or sntrup761x25519-sha512 in SSH (OpenSSH >= 9.9 / 9.0).")
    if status is QuantumStatus.BROKEN and usage in _SIGNING:
        return (f"{family} signatures are broken by Shor's algorithm. Plan the move to ML-DSA (FIPS 204) or SLH-DSA "
                "(FIPS 205); LMS/XMSS (SP 800-208) for firmware and code signing. NIST IR 8547 deprecates 112-bit "
                "RSA/ECC after 2030 and disallows all RSA/ECC after 2035.")
    if status is QuantumStatus.BROKEN:
        return (f"{family} is broken by Shor's algorithm. Replace it with ML-KEM (FIPS 203) for key establishment "
                "or ML-DSA / SLH-DSA (FIPS 204 / 205) for signatures; make the choice configurable (crypto agility).")
    if status is QuantumStatus.WEAKENED and usage is Usage.SYMMETRIC:
        return (f"{family}: Grover's algorithm halves the effective key length. AES-128 stays acceptable under NIST; "
                "CNSA 2.0 and others require AES-256. Prefer 256-bit keys for long-lived data.")
    if status is QuantumStatus.WEAKENED:
        return (f"{family}: Grover / collision search weakens short outputs. Prefer SHA-384/SHA-512 or SHA3 "
                "(CNSA 2.0 requires SHA-384 or stronger); never MD5 or SHA-1 for security.")
    if status in (QuantumStatus.RESISTANT, QuantumStatus.HYBRID):
        return f"{family} is quantum-resistant; no migration needed. Keep it in the inventory."
    return ("pqscan could not identify this algorithm. Review it by hand; if it is a public-key algorithm "
            "outside ML-KEM / ML-DSA / SLH-DSA / LMS / XMSS, treat it as quantum-vulnerable.")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"


def _words(text: str) -> str:
    return "".join(w.capitalize() for w in re.split(r"[^A-Za-z0-9]+", text) if w)


def _dependency_rule(finding: Finding) -> tuple[str, dict[str, Any]]:
    """A crypto library the project depends on: one rule per library (``pq/dependency/pypi/cryptography``)."""
    p = finding.parameters
    ecosystem, package = str(p.get("ecosystem") or "unknown"), str(p.get("package") or finding.evidence.symbol)
    library = str(p.get("library") or package)
    alg = get_algorithm(finding.algorithm)
    rule_id = f"pq/dependency/{_slug(ecosystem)}/{_slug(package)}"
    if alg.is_unknown:
        short = f"Depends on the crypto library {library}"
        help_text = ("The project depends on a cryptography library. Which algorithms it runs is chosen by the code "
                     "that calls it: see the code findings for the calls, and plan the library's post-quantum "
                     "upgrade path (versions with ML-KEM / ML-DSA support).")
        status = QuantumStatus.UNKNOWN
    else:
        status = alg.quantum_status
        short = f"Depends on the crypto library {library}, whose default key exchange is {alg.id}"
        help_text = (f"By default {library} negotiates {alg.id} ({status.value} under a quantum computer). "
                     + remediation(status, finding.usage, alg.family))
    rule = {
        "id": rule_id,
        "name": _words(f"dependency {ecosystem} {package}"),
        "shortDescription": {"text": short},
        "fullDescription": {"text": f"{short} ({ecosystem} package {package}). Each result names the manifest, "
                                    "the version and where first-party code imports it."},
        "help": {"text": help_text, "markdown": f"**{short}**\n\n{help_text}"},
        "properties": {"tags": ["security", "cryptography", "post-quantum", "dependency", f"quantum-{status.value}"],
                       "precision": "medium", "problem.severity": "warning"},
    }
    return rule_id, rule


def rule_for(finding: Finding) -> tuple[str, dict[str, Any]]:
    """(rule id, rule object without defaultConfiguration) for the class this finding belongs to."""
    if finding.collector == "deps" and finding.asset_id.startswith("dep:"):
        return _dependency_rule(finding)
    alg = get_algorithm(finding.algorithm)
    family = alg.family if not alg.is_unknown else "unknown"
    status = alg.quantum_status
    usage = finding.usage
    rule_id = f"pq/{status.value}/{usage.value}/{_slug(family)}"
    what = {QuantumStatus.BROKEN: "broken by a quantum computer (Shor)",
            QuantumStatus.WEAKENED: "weakened by a quantum computer (Grover)",
            QuantumStatus.RESISTANT: "quantum-resistant", QuantumStatus.HYBRID: "a post-quantum hybrid",
            QuantumStatus.UNKNOWN: "not identified by pqscan"}[status]
    short = f"{family} used for {usage.value}: {what}"
    full = (f"A {family} algorithm is used for {usage.value}. Its quantum status is '{status.value}'. "
            "Severity depends on the policy profile and its dates, so each result carries its own level.")
    help_text = remediation(status, usage, family)
    tags = ["security", "cryptography", "post-quantum", f"quantum-{status.value}", usage.value]
    if harvest(alg, usage).exposed:
        tags.append("harvest-now-decrypt-later")
    rule = {
        "id": rule_id,
        "name": _words(f"{status.value} {family} {usage.value}"),
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": help_text, "markdown": f"**{short}**\n\n{help_text}"},
        "properties": {"tags": tags, "precision": "high", "problem.severity": "warning"},
    }
    return rule_id, rule


def _uri(location: str, srcroot: Path | None, prefix: str = "") -> str:
    path = location.split("#", 1)[0]
    if prefix and not Path(path).is_absolute():
        path = prefix.rstrip("/") + "/" + path
    if srcroot is not None and Path(path).is_absolute():
        try:
            path = Path(path).resolve().relative_to(srcroot.resolve()).as_posix()
        except ValueError:
            return Path(path).resolve().as_uri()
    posix = PurePosixPath(path.replace("\\", "/")).as_posix().removeprefix("./")
    return quote(posix, safe="/")


def is_file_finding(finding: Finding, asset_kind: AssetKind | None) -> bool:
    loc = finding.evidence.location
    if not loc or "://" in loc or asset_kind in _NETWORK_KINDS:
        return False
    return finding.evidence.line is not None or not _HOST_PORT_RE.match(loc)


def _location(finding: Finding, asset_kind: AssetKind | None, srcroot: Path | None, prefix: str) -> dict[str, Any]:
    ev = finding.evidence
    if is_file_finding(finding, asset_kind):
        region: dict[str, Any] = {}
        if ev.line is not None and ev.line >= 1:
            region["startLine"] = ev.line
            if ev.column is not None and ev.column >= 1:
                region["startColumn"] = ev.column
            if ev.snippet:
                region["snippet"] = {"text": ev.snippet}
        phys: dict[str, Any] = {"artifactLocation": {"uri": _uri(ev.location, srcroot, prefix), "uriBaseId": SRCROOT}}
        if region:
            phys["region"] = region
        return {"physicalLocation": phys}
    return {"logicalLocations": [{"name": ev.location or finding.asset_id, "fullyQualifiedName": finding.asset_id,
                                  "kind": "resource"}]}


def _message(finding: Finding, verdict: Any) -> str:
    ev = finding.evidence
    reason = str(getattr(verdict, "reason", "") or "") if verdict is not None else ""
    parts = [reason or f"{finding.algorithm} used for {finding.usage.value}"]
    if finding.collector == "deps" and finding.asset_id.startswith("dep:"):
        p = finding.parameters
        parts.insert(0, f"{p.get('library') or p.get('package')} {p.get('version') or ''}".rstrip() + ":")
    if ev.symbol:
        parts.append(f"({ev.symbol})")
    raw = finding.parameters.get("raw_identifier")
    if finding.algorithm == "unknown" and raw:
        parts.append(f"[raw: {raw}]")
    return " ".join(parts)


def render_sarif(inventory: Inventory, assessment: Any = None, *, srcroot: str | Path | None = None,
                 path_prefix: str = "", baseline_ids: set[str] | None = None,
                 min_severity: Severity | None = None) -> dict[str, Any]:
    """The SARIF log as a dict. ``assessment`` (pqscan.assess.engine.Assessment) gives each result its level;
    without it every result is a note. ``path_prefix`` is put before relative finding paths (the
    scanned directory relative to ``srcroot``); with ``baseline_ids`` each result gets a ``baselineState``.
    ``min_severity`` leaves out results below it (``pqscan ci`` drops INFO: compliant uses are not alerts)."""
    root = Path(srcroot) if srcroot is not None else None
    rules: dict[str, dict[str, Any]] = {}
    worst_by_rule: dict[str, Severity] = {}
    results: list[dict[str, Any]] = []
    for f in inventory.findings:
        rule_id, rule = rule_for(f)
        verdict = assessment.worst(f.id) if assessment is not None else None
        severity: Severity = verdict.severity if verdict is not None else Severity.INFO
        if min_severity is not None and severity.rank < min_severity.rank:
            continue
        rules.setdefault(rule_id, rule)
        if rule_id not in worst_by_rule or severity.rank > worst_by_rule[rule_id].rank:
            worst_by_rule[rule_id] = severity
        asset = inventory.assets.get(f.asset_id)
        props: dict[str, Any] = {"algorithm": f.algorithm, "usage": f.usage.value, "severity": severity.value,
                                 "confidence": f.confidence.value, "collector": f.collector, "assetId": f.asset_id}
        if verdict is not None:
            props.update(profile=verdict.profile, status=verdict.status.value, hndl=verdict.hndl,
                         deadline=verdict.deadline.isoformat() if verdict.deadline else None)
        for key in ("key_bits", "curve", "raw_identifier", "version", "library"):
            if key in f.parameters:
                props[key] = f.parameters[key]
        results.append({
            "ruleId": rule_id,
            "level": LEVEL[severity],
            "message": {"text": _message(f, verdict)},
            "locations": [_location(f, asset.kind if asset else None, root, path_prefix)],
            "partialFingerprints": {FINGERPRINT_KEY: f.id},
            "properties": props,
        })
        if baseline_ids is not None:
            results[-1]["baselineState"] = "unchanged" if f.id in baseline_ids else "new"
    ordered = sorted(rules)
    index = {rid: i for i, rid in enumerate(ordered)}
    driver_rules = []
    for rid in ordered:
        rule = dict(rules[rid])
        worst = worst_by_rule[rid]
        rule["defaultConfiguration"] = {"level": LEVEL[worst]}
        rule["properties"] = {**rule["properties"], "security-severity": SECURITY_SEVERITY[worst]}
        driver_rules.append(rule)
    for r in results:
        r["ruleIndex"] = index[r["ruleId"]]
    results.sort(key=lambda r: (_sort_key(r), r["ruleId"], r["partialFingerprints"][FINGERPRINT_KEY]))
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "pqscan", "version": __version__, "semanticVersion": _semver(__version__),
                            "rules": driver_rules}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [_invocation(inventory, root, path_prefix)],
    }
    if root is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root.resolve().as_uri().rstrip("/") + "/"}}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _sort_key(result: Mapping[str, Any]) -> tuple[str, int]:
    loc = result["locations"][0]
    phys = loc.get("physicalLocation")
    if phys:
        return (phys["artifactLocation"]["uri"], phys.get("region", {}).get("startLine", 0))
    return ("~" + loc["logicalLocations"][0]["fullyQualifiedName"], 0)


def _semver(version: str) -> str:
    m = re.match(r"^\d+\.\d+\.\d+", version)
    return m.group(0) if m else "0.0.0"


def _invocation(inventory: Inventory, root: Path | None, prefix: str) -> dict[str, Any]:
    notes = []
    for err in inventory.errors[:MAX_NOTIFICATIONS]:
        note: dict[str, Any] = {
            "level": "warning" if err.kind.value not in ("skipped", "binary", "too-large") else "note",
            "message": {"text": f"{err.stage}: {err.kind.value}: {err.message}"},
            "descriptor": {"id": f"pqscan/scan-error/{err.kind.value}"},
        }
        if err.target and "://" not in err.target:
            note["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": _uri(err.target, root, prefix),
                                                                             "uriBaseId": SRCROOT}}}]
        notes.append(note)
    inv: dict[str, Any] = {"executionSuccessful": True}
    if notes:
        inv["toolExecutionNotifications"] = notes
    return inv


def render_sarif_text(inventory: Inventory, assessment: Any = None, **kwargs: Any) -> str:
    return json.dumps(render_sarif(inventory, assessment, **kwargs), indent=2, ensure_ascii=False) + "\n"
