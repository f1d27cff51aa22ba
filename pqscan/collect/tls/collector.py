"""One TLS endpoint -> a ``tls-endpoint`` asset, findings and its certificate chain.

Order of work (connections run concurrently, bounded by netscan's per-host limit):

1. a *baseline* hello offering every group with an empty key_share. A silent, refusing or
   non-TLS endpoint stops here with one ScanError (so a dead host costs one connection and at most
   one timeout); TLS 1.2 servers are recognised by their alert or their TLS 1.2 ServerHello;
2. per-group HRR probes (TLS 1.3 only), the TLS 1.2/1.1/1.0 accepted-suite enumerations (one
   elimination loop per version, :mod:`~pqscan.collect.tls.suites`; with ``suites=False`` one
   probe per version instead) and a full pyOpenSSL handshake for the negotiated parameters and
   the chain as sent;
3. key-share confirmation of every supported PQ group we can build a share for, then the
   preference and HRR-upgrade probes when X25519MLKEM768 and X25519 are both supported;
4. when X25519MLKEM768 is confirmed, the same hello split in two TCP segments (the tldr.fail bug:
   servers that assume one read() returns the whole, now larger, ClientHello).

The collector observes; :mod:`pqscan.assess.engine` judges the findings.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from pqscan.algorithms import cipher_suite
from pqscan.collect.net.netscan import NetError, NetOptions
from pqscan.collect.net.targets import Endpoint
from pqscan.collect.tls import clienthello as ch
from pqscan.collect.tls import probes as pr
from pqscan.collect.tls.groups import (
    BY_CODE,
    GROUPS,
    QUANTUM_SAFE_KINDS,
    X25519,
    X25519MLKEM768,
    group_algorithm,
    group_name,
)
from pqscan.collect.tls.handshake import HandshakeError, HandshakeInfo, full_handshake
from pqscan.collect.tls.starttls import StarttlsError, tls_stream
from pqscan.collect.tls.suite_findings import suite_findings
from pqscan.collect.tls.suites import SuiteEnumeration, enumerate_suites
from pqscan.collect.x509 import CertificateSet
from pqscan.model import (
    Asset,
    AssetKind,
    ErrorKind,
    Evidence,
    Finding,
    Relation,
    RelationKind,
    ScanResult,
    Usage,
)

COLLECTOR = "tls"

# Errors on the baseline connection after which the endpoint is not probed further.
_DEAD = frozenset({ErrorKind.REFUSED, ErrorKind.TIMEOUT, ErrorKind.UNREACHABLE, ErrorKind.DNS, ErrorKind.SKIPPED})


async def _handshake(endpoint: Endpoint, options: NetOptions) -> HandshakeInfo | pr.Exchange:
    try:
        async with tls_stream(endpoint, options) as conn:
            return await full_handshake(conn, endpoint.sni, options.read_timeout * 3)
    except (NetError, HandshakeError, StarttlsError) as exc:
        return pr.Exchange(error_kind=exc.kind, error=str(exc))


# Share of the endpoint's budget the (sequential) suite enumerations may use before they stop early.
SUITE_BUDGET_SHARE = 0.5
LEGACY_VERSIONS = (ch.TLS12, ch.TLS11, ch.TLS10)


async def _legacy(endpoint: Endpoint, options: NetOptions, suites: bool) -> tuple[
        list[pr.LegacyResult], pr.LegacyResult, list[SuiteEnumeration] | None]:
    """TLS 1.2/1.1/1.0: (per-version results, the RSA key-transport result, the enumerations or None)."""
    if not suites:
        tasks = [pr.probe_legacy(endpoint, options, v) for v in LEGACY_VERSIONS]
        tasks.append(pr.probe_legacy(endpoint, options, ch.TLS12, suites=ch.RSA_KX_SUITES))
        *legacy, rsa_kx = await asyncio.gather(*tasks)
        return list(legacy), rsa_kx, None
    deadline = asyncio.get_running_loop().time() + options.budget() * SUITE_BUDGET_SHARE
    enums = list(await asyncio.gather(*(enumerate_suites(endpoint, options, v, deadline=deadline)
                                        for v in LEGACY_VERSIONS)))
    rsa_kx = pr.LegacyResult(ch.TLS12, False, None, None, None, None, "no RSA key-transport suite accepted")
    for enum in enums:
        hit = next((a for a in enum.accepted if (cs := cipher_suite(a.code)) and cs.key_exchange == "RSAES-PKCS1"), None)
        if hit is not None:
            rsa_kx = pr.LegacyResult(enum.version, True, ch.TLS12_SUITES_BY_CODE.get(hit.code), hit.code, None, None,
                                     f"{enum.name} accepts {hit.name}", hit.leaf_key, hit.leaf_key_bits)
            break
    return [e.first for e in enums], rsa_kx, enums


async def scan_tls_endpoint(endpoint: Endpoint, options: NetOptions, *, suites: bool = True) -> ScanResult:
    """Probe one endpoint; ``suites=False`` skips the accepted-suite enumeration (fewer connections)."""
    result = ScanResult(endpoint.key, COLLECTOR)
    baseline = await pr.probe_baseline(endpoint, options, [g.code for g in GROUPS])
    if baseline.answer is None:
        if baseline.error_kind in _DEAD or baseline.error.startswith("STARTTLS"):
            stage = "connect" if not baseline.connected else "starttls" if baseline.error.startswith("STARTTLS") else "tls-hello"
            result.error(stage, baseline.error_kind or ErrorKind.INTERNAL, baseline.error)
            return result
        if baseline.error_kind in (ErrorKind.PROTOCOL_VIOLATION, ErrorKind.MALFORMED, ErrorKind.TOO_LARGE):
            result.error("tls-hello", baseline.error_kind or ErrorKind.MALFORMED, f"not TLS: {baseline.error}")
            return result
    sh = baseline.answer.server_hello if baseline.answer else None
    tls13 = sh is not None and sh.selected_version == ch.TLS13

    group_tasks = [pr.probe_group(endpoint, options, g) for g in GROUPS] if tls13 else []
    handshake, (legacy, rsa_kx, enums), group_list = await asyncio.gather(
        _handshake(endpoint, options), _legacy(endpoint, options, suites), asyncio.gather(*group_tasks))
    tls12 = legacy[0]
    group_results: list[pr.GroupResult] = list(group_list)
    if not tls13:
        why = f"baseline TLS 1.3 hello: {baseline.describe()}"
        group_results = [pr.GroupResult(g, pr.Verdict.NO_TLS13, why) for g in GROUPS]
        if baseline.answer is None and not tls12.supported and not isinstance(handshake, HandshakeInfo):
            result.error("tls-hello", baseline.error_kind or ErrorKind.PROTOCOL_VIOLATION,
                         f"no TLS answer: {baseline.describe()}")
            return result

    supported = {r.group.code for r in group_results if r.verdict is pr.Verdict.SUPPORTED}
    confirm_groups = [BY_CODE[c] for c in supported if BY_CODE[c].kind in QUANTUM_SAFE_KINDS]
    extra: list[Any] = [pr.confirm_key_share(endpoint, options, g) for g in confirm_groups]
    both = X25519MLKEM768.code in supported and X25519.code in supported
    if both:
        extra += [pr.probe_preference(endpoint, options), pr.probe_hrr_upgrade(endpoint, options)]
    extra_results = await asyncio.gather(*extra)
    checks = [c for c in extra_results[: len(confirm_groups)] if c is not None]
    preference = extra_results[len(confirm_groups)] if both else None
    hrr_upgrade = extra_results[len(confirm_groups) + 1] if both else None
    split = None
    if any(c.confirmed and c.group.code == X25519MLKEM768.code for c in checks):
        split = await pr.probe_split_hello(endpoint, options, X25519MLKEM768)

    _record(result, endpoint, baseline, group_results, checks, preference, hrr_upgrade,
            legacy, rsa_kx, handshake, split, enums)
    return result


def _record(
    result: ScanResult,
    endpoint: Endpoint,
    baseline: pr.Exchange,
    groups: list[pr.GroupResult],
    checks: list[pr.KeyShareCheck],
    preference: pr.Preference | None,
    hrr_upgrade: pr.HrrUpgrade | None,
    legacy: list[pr.LegacyResult],
    rsa_kx: pr.LegacyResult,
    handshake: HandshakeInfo | pr.Exchange,
    split: pr.SplitHello | None,
    enums: list[SuiteEnumeration] | None,
) -> None:
    aid, loc = endpoint.key, endpoint.hostport
    sh = baseline.answer.server_hello if baseline.answer else None
    tls13 = sh is not None and sh.selected_version == ch.TLS13
    protocols: dict[str, bool | None] = {"TLS1.3": tls13}
    for lr in legacy:
        protocols[lr.name] = lr.supported
    attrs: dict[str, Any] = {
        "host": endpoint.host, "port": endpoint.port, "sni": endpoint.sni, "service": endpoint.service,
        "starttls": endpoint.starttls, "protocols": protocols,
        "baseline": {"evidence": baseline.describe(),
                     "selected_group": group_name(sh.key_share_group) if sh and sh.key_share_group else None},
        "groups": pr.group_table(groups),
        "supported_groups": [r.group.name for r in groups if r.verdict is pr.Verdict.SUPPORTED],
        "key_share_checks": {c.group.name: c.to_dict() for c in checks},
        "preference": preference.to_dict() if preference else None,
        "hrr_upgrade": hrr_upgrade.to_dict() if hrr_upgrade else None,
        "tls12": legacy[0].to_dict(),
        "tls12_rsa_key_transport": rsa_kx.supported,
        "split_client_hello": split.to_dict() if split else None,
        "tls_suites": {e.name: e.to_dict() for e in enums if e.first.supported} if enums is not None else None,
        "suite_enumeration_connections": sum(e.connections for e in enums) if enums is not None else 0,
    }
    for e in enums or ():
        if e.error_kind is not None and e.first.supported:
            result.error(f"tls-suites:{e.name}", e.error_kind,
                         f"cipher-suite enumeration incomplete after {len(e.accepted)} suite(s): {e.stop}")
    for r in groups:
        if r.verdict is pr.Verdict.PROTOCOL_VIOLATION:
            result.error(f"tls-group-probe:{r.group.name}", ErrorKind.PROTOCOL_VIOLATION, r.evidence)
        elif r.verdict is pr.Verdict.INCONCLUSIVE:
            result.error(f"tls-group-probe:{r.group.name}", ErrorKind.UNSUPPORTED, f"inconclusive: {r.evidence}")
    findings: list[Finding] = []
    for r in groups:
        if r.verdict is pr.Verdict.SUPPORTED:
            alg, params = group_algorithm(r.group)
            params["protocol"] = "TLS1.3"
            findings.append(Finding(aid, alg, Usage.KEY_EXCHANGE, COLLECTOR, params,
                                    Evidence(loc, symbol="supported_groups", detail=r.evidence)))
    if enums is not None:
        findings += suite_findings(aid, loc, enums)
    else:
        findings += _single_probe_findings(aid, loc, legacy[0], rsa_kx)
    for lr in legacy[1:]:
        if lr.supported:
            findings.append(Finding(aid, lr.name, Usage.PROTOCOL, COLLECTOR, {"protocol": lr.name},
                                    Evidence(loc, symbol="ServerHello.version", detail=lr.evidence)))
    relations: list[Relation] = []
    if isinstance(handshake, HandshakeInfo):
        attrs["negotiated"] = {"protocol": handshake.protocol, "cipher": handshake.cipher, "group": handshake.group,
                               "cipher_bits": handshake.cipher_bits, "chain_length": len(handshake.chain)}
        cipher_alg = _cipher_algorithm(handshake.cipher)
        findings.append(Finding(aid, cipher_alg, Usage.SYMMETRIC, COLLECTOR,
                                {"cipher_suite": handshake.cipher, "protocol": handshake.protocol,
                                 "key_bits": handshake.cipher_bits},
                                Evidence(loc, symbol="negotiated cipher", detail=handshake.cipher)))
        certs = CertificateSet()
        leaf_id = None
        for i, cert in enumerate(handshake.chain):
            asset = certs.add(cert, loc, COLLECTOR, source=f"TLS handshake, chain position {i}")
            leaf_id = leaf_id or asset.id
        result.assets.extend(certs.linked())
        result.findings.extend(certs.findings)
        if leaf_id:
            relations.append(Relation(RelationKind.PRESENTS, leaf_id))
    else:
        attrs["negotiated"] = None
        result.error("tls-handshake", handshake.error_kind or ErrorKind.INTERNAL, handshake.error)
    result.assets.insert(0, Asset(aid, AssetKind.TLS_ENDPOINT, loc, endpoint.sni or endpoint.host, attrs,
                                  tuple(relations)))
    result.findings[:0] = findings




def _single_probe_findings(aid: str, loc: str, t12: pr.LegacyResult, rsa_kx: pr.LegacyResult) -> list[Finding]:
    """Without the enumeration: the TLS 1.2 probe's key exchange, and RSA key transport when accepted."""
    findings: list[Finding] = []
    if t12.supported and t12.kx_group is not None:
        g = BY_CODE.get(t12.kx_group)
        if g is not None:
            alg, params = group_algorithm(g)
            params["protocol"] = "TLS1.2"
            findings.append(Finding(aid, alg, Usage.KEY_EXCHANGE, COLLECTOR, params,
                                    Evidence(loc, symbol="ServerKeyExchange", detail=t12.evidence)))
    if t12.supported and t12.dh_bits:
        findings.append(Finding(aid, "DH", Usage.KEY_EXCHANGE, COLLECTOR,
                                {"key_bits": t12.dh_bits, "protocol": "TLS1.2"},
                                Evidence(loc, symbol="ServerKeyExchange", detail=t12.evidence)))
    rsa_supported = rsa_kx.supported or (t12.suite is not None and t12.suite.kx == "RSA")
    if rsa_supported:
        src = rsa_kx if rsa_kx.supported else t12
        findings.append(_rsa_key_transport(aid, loc, src))
    return findings


def _rsa_key_transport(aid: str, loc: str, src: pr.LegacyResult) -> Finding:
    """TLS_RSA_*: the client encrypts the premaster secret to the leaf's RSA key (RSAES-PKCS1-v1_5)."""
    params: dict[str, Any] = {"key_transport": True, "forward_secret": False, "protocol": src.name,
                              "cipher_suite": src.suite.name if src.suite else None}
    if src.leaf_key == "RSA" and src.leaf_key_bits:
        params["key_bits"] = src.leaf_key_bits
    return Finding(aid, "RSAES-PKCS1", Usage.ENCRYPTION, COLLECTOR, params,
                   Evidence(loc, symbol="cipher_suite", detail=src.evidence))


def _cipher_algorithm(name: str) -> str:
    """Catalogue id of a suite's bulk cipher (catalogue first, then the suite's own name)."""
    suite = cipher_suite(name)
    if suite is not None:
        return suite.cipher
    upper = name.upper().replace("-", "_")
    m = re.search(r"AES_?(128|256)_?(GCM|CCM|CBC|SHA)", upper)
    if m:
        mode = "CBC" if m.group(2) == "SHA" else m.group(2)
        return f"AES-{m.group(1)}-{mode}"
    if "CHACHA20" in upper:
        return "ChaCha20-Poly1305"
    if "3DES" in upper or "DES_CBC3" in upper:
        return "3DES"
    return name
