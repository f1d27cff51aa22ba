"""An observed SSH server -> inventory assets and findings. Observation only: no severity here.

* the endpoint ``ssh://host:port`` (kind ``ssh-endpoint``) with every name-list of its KEXINIT,
  the banner, and what an OpenSSH 10 client would negotiate;
* one finding per offered KEX method (key-exchange), host-key algorithm (authentication),
  cipher (symmetric) and MAC (mac), each classified through the catalogue;
* the server software from the banner (``software:<banner software>``, ``runs`` edge);
* each host key actually obtained (``host-key`` asset, ``has-host-key`` edge);
* for Diffie-Hellman group exchange (RFC 4419), the group sizes the server handed out: the
  endpoint's ``gex_groups``, and on each offered GEX method's finding the smallest one as
  ``key_bits`` (what a client asking for it gets), so the assessment can judge DH-1024 / DH-2048.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pqscan.algorithms import IdKind, is_ssh_pseudo_algorithm, lookup
from pqscan.collect.ssh.gex import GEX_METHODS, GexObservation, weakest_group_bits
from pqscan.collect.ssh.keys import SshPublicKey, host_key_asset
from pqscan.collect.ssh.openssh import AEAD_CIPHERS, openssh10_negotiation
from pqscan.collect.ssh.wire import Identification, KexInit
from pqscan.model import Asset, AssetKind, Evidence, Finding, Relation, RelationKind, ScanResult, Usage

COLLECTOR = "ssh"

def is_pseudo(name: str) -> bool:
    """Extension / strict-KEX markers (network-probing.md §2.2 step 5): skipped, not classified."""
    return is_ssh_pseudo_algorithm(name)


def real_kex(kex: Sequence[str]) -> tuple[str, ...]:
    return tuple(k for k in kex if not is_pseudo(k))


def software_asset(ident: Identification, location: str) -> Asset:
    label = ident.software + (f" {ident.comments}" if ident.comments else "")
    return Asset(
        id=f"software:{label}",
        kind=AssetKind.SOFTWARE,
        location=location,
        name=label,
        attributes={"product": ident.product, "version": ident.version, "comments": ident.comments,
                    "protocol": "SSH"},
    )


def _findings(endpoint_id: str, location: str, kind: IdKind, names: Sequence[str], usage: Usage,
              field: str, chosen: str | None) -> list[Finding]:
    out: list[Finding] = []
    for position, name in enumerate(names):
        alg = lookup(kind, name)
        params: dict[str, Any] = {"ssh_name": name, "server_preference": position}
        if name == chosen:
            params["negotiated_openssh10"] = True
        if alg.is_unknown:
            params["raw_identifier"] = name
            params["unknown_reason"] = f"{kind.value} name not in the catalogue"
        out.append(Finding(endpoint_id, alg.id, usage, COLLECTOR, params,
                           Evidence(location=location, symbol=field, snippet=name)))
    return out


def endpoint_result(
    endpoint_id: str,
    location: str,
    ident: Identification,
    kexinit: KexInit,
    host_keys: Sequence[SshPublicKey] = (),
    result: ScanResult | None = None,
    gex_groups: Sequence[GexObservation] = (),
    gex_method: str | None = None,
) -> ScanResult:
    """Assets and findings for one observed server (errors already in ``result`` are kept)."""
    res = result or ScanResult(endpoint_id, COLLECTOR)
    negotiated = openssh10_negotiation(kexinit)
    kex = real_kex(kexinit.kex_algorithms)
    software = software_asset(ident, location)
    relations = [Relation(RelationKind.RUNS, software.id)]
    key_assets: list[Asset] = []
    for key in host_keys:
        asset, finding = host_key_asset(key, location, COLLECTOR, attributes={"endpoint": endpoint_id})
        if asset.id in {a.id for a in key_assets}:
            continue
        key_assets.append(asset)
        res.findings.append(finding)
        relations.append(Relation(RelationKind.HAS_HOST_KEY, asset.id))
    attrs: dict[str, Any] = {
        "banner": ident.raw,
        "protocol_version": ident.proto_version,
        "software": ident.software,
        **{name: list(values) for name, values in kexinit.lists().items()},
        "kex_pseudo_algorithms": [k for k in kexinit.kex_algorithms if is_pseudo(k)],
        "openssh10_negotiated": negotiated.to_dict(),
        "host_key_fingerprints": {k.key_type: k.fingerprint for k in host_keys},
    }
    if ident.pre_banner:
        attrs["pre_banner_lines"] = list(ident.pre_banner)
    if gex_groups:
        attrs["gex_groups"] = [o.to_dict() for o in gex_groups]
    res.assets.append(Asset(endpoint_id, AssetKind.SSH_ENDPOINT, location, location, attrs, tuple(relations)))
    res.assets.append(software)
    res.assets.extend(key_assets)
    kex_findings = _findings(endpoint_id, location, IdKind.SSH_KEX, kex, Usage.KEY_EXCHANGE,
                             "kex_algorithms", negotiated.kex)
    res.findings += [_with_group_size(f, gex_groups, gex_method) for f in kex_findings]
    res.findings += _findings(endpoint_id, location, IdKind.SSH_HOST_KEY, kexinit.server_host_key_algorithms,
                              Usage.AUTHENTICATION, "server_host_key_algorithms", negotiated.host_key)
    res.findings += _findings(endpoint_id, location, IdKind.SSH_CIPHER, kexinit.ciphers, Usage.SYMMETRIC,
                              "encryption_algorithms", negotiated.cipher)
    macs = kexinit.macs
    res.findings += _findings(endpoint_id, location, IdKind.SSH_MAC, macs, Usage.MAC, "mac_algorithms",
                              None if negotiated.cipher in AEAD_CIPHERS else negotiated.mac)
    return res


def _with_group_size(finding: Finding, groups: Sequence[GexObservation], probed_with: str | None) -> Finding:
    """A GEX method's finding with the weakest group the server handed out as ``key_bits``.

    The server picks the group from its moduli whatever the exchange hash, so the sizes observed
    with one GEX method (``gex_probed_with``) stand for the other one it offers too.
    """
    if finding.parameters.get("ssh_name") not in GEX_METHODS or not groups:
        return finding
    params: dict[str, Any] = {**finding.parameters, "gex_groups": [o.to_dict() for o in groups]}
    if probed_with:
        params["gex_probed_with"] = probed_with
    bits = weakest_group_bits(list(groups))
    if bits is not None:
        params["key_bits"] = bits
    return replace(finding, parameters=params)
