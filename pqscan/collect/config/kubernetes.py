"""Kubernetes manifests: TLS secrets (base64 PEM certificates) and ingress-nginx TLS settings.

YAML is *composed* (nodes with line marks), never constructed into Python objects: no tags are
evaluated and aliases are not expanded, so a YAML bomb costs nothing.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import replace

import yaml
from cryptography import x509

from pqscan.collect.config.cipherstring import add_cipher_string
from pqscan.collect.config.common import Emitter, protocol_name, split_list
from pqscan.collect.config.tls_servers import parse_nginx
from pqscan.collect.x509 import certificate_to_asset
from pqscan.model import ErrorKind, Evidence

_INGRESS_PREFIX = "nginx.ingress.kubernetes.io/"
_CERT_KEYS = ("tls.crt", "ca.crt", "cert.pem", "ca.pem", "tls.pem")
MAX_DOCUMENTS = 1000


def _mapping(node: yaml.Node | None) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _scalar(node: yaml.Node | None) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else ""


def documents(text: str) -> Iterator[yaml.Node]:
    for i, doc in enumerate(yaml.compose_all(text, Loader=yaml.SafeLoader)):
        if i >= MAX_DOCUMENTS:
            return
        if doc is not None:
            yield doc


def parse_kubernetes(em: Emitter, text: str) -> None:
    if "{{" in text and "}}" in text:
        em.result.error("parse-yaml", ErrorKind.SKIPPED, f"{em.relpath}: Helm / Go template, not plain YAML")
        return
    try:
        for doc in documents(text):
            _document(em, doc)
    except yaml.YAMLError as exc:
        em.result.error("parse-yaml", ErrorKind.PARSE_ERROR, f"{em.relpath}: {str(exc).splitlines()[0]}")


def _document(em: Emitter, doc: yaml.Node) -> None:
    top = _mapping(doc)
    kind = _scalar(top.get("kind"))
    meta = _mapping(top.get("metadata"))
    name = f"{kind}/{_scalar(meta.get('name'))}"
    if kind == "Secret":
        for key, node in _mapping(top.get("data")).items():
            if key in _CERT_KEYS or key.endswith((".crt", ".pem")):
                _certificates(em, name, key, node)
    for key, node in _mapping(meta.get("annotations")).items():
        if key.startswith(_INGRESS_PREFIX):
            _ingress_setting(em, key[len(_INGRESS_PREFIX):], _scalar(node), node.start_mark.line + 1, key, name)
    if kind == "ConfigMap" and "ingress" in _scalar(meta.get("name")).lower():
        for key, node in _mapping(top.get("data")).items():
            _ingress_setting(em, key, _scalar(node), node.start_mark.line + 1, key, name)


def _ingress_setting(em: Emitter, setting: str, value: str, line: int, symbol: str, obj: str) -> None:
    if not value:
        return
    if setting in ("ssl-ciphers", "proxy-ssl-ciphers"):
        add_cipher_string(em, value, line, symbol, k8s_object=obj)
    elif setting in ("ssl-protocols", "proxy-ssl-protocols"):
        em.add_protocols([p for p in (protocol_name(t) for t in split_list(value, " ,")) if p], line, symbol,
                         k8s_object=obj)
    elif setting == "ssl-ecdh-curve":
        em.add_groups(value, line, symbol, k8s_object=obj)
    elif setting in ("server-snippet", "configuration-snippet", "http-snippet"):
        before = len(em.result.findings)
        parse_nginx(em, value)
        # Snippet lines are relative to the snippet: point them at the YAML key instead.
        em.result.findings[before:] = [replace(f, evidence=replace(f.evidence, line=line)) for f in
                                       em.result.findings[before:]]


def _certificates(em: Emitter, obj: str, key: str, node: yaml.Node) -> None:
    line = node.start_mark.line + 1
    try:
        pem = base64.b64decode(_scalar(node), validate=False)
        certs = x509.load_pem_x509_certificates(pem)
    except (binascii.Error, ValueError) as exc:
        em.result.error(f"k8s-secret:{obj}:{key}", ErrorKind.MALFORMED, f"not a base64 PEM certificate: {exc}")
        return
    for cert in certs:
        asset, findings = certificate_to_asset(cert, f"{em.relpath}:{line}", em.result.collector, source=f"{obj} {key}")
        em.result.assets.append(asset)
        em.attributes.setdefault("certificates", []).append(asset.id)
        for f in findings:
            em.result.findings.append(replace(f, evidence=Evidence(em.relpath, line, None, f"{obj} data.{key}",
                                                                   em.snippet(line), f.evidence.detail)))

