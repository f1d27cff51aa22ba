"""OpenSSL configuration (openssl.cnf and the SSL_CONF commands servers pass through) and java.security."""

from __future__ import annotations

import re

from pqscan.collect.config.cipherstring import add_cipher_string
from pqscan.collect.config.common import Emitter, protocol_name, protocols_from, split_list, strip_comment
from pqscan.model import Usage


def conf_command(em: Emitter, name: str, value: str, line: int | None, symbol: str) -> bool:
    """One SSL_CONF command (openssl.cnf ``[system_default_sect]`` keys, nginx ``ssl_conf_command``,
    Apache ``SSLOpenSSLConfCmd``). Returns False for commands that name no algorithm."""
    key = name.strip().lower()
    if key in ("groups", "curves"):
        em.add_groups(value, line, symbol)
    elif key in ("cipherstring", "ciphersuites"):
        add_cipher_string(em, value, line, symbol)
    elif key == "minprotocol":
        proto = protocol_name(value)
        if proto:
            em.add_protocols(protocols_from(proto, em.attributes.get("max_protocol")), line, symbol, minimum=proto)
        elif value.strip().lower() not in ("none", ""):
            em.add(value.strip(), Usage.PROTOCOL, line, symbol, unknown_reason="protocol name not recognised")
    elif key == "maxprotocol":
        em.attributes["max_protocol"] = protocol_name(value) or value.strip()
    elif key in ("signaturealgorithms", "clientsignaturealgorithms", "sigalgs"):
        add_signature_algorithms(em, value, line, symbol)
    elif key == "protocol":
        for token in split_list(value, ", \t"):
            proto = protocol_name(token.lstrip("+"))
            if proto and not token.startswith("-"):
                em.add_protocols([proto], line, symbol)
    else:
        return False
    return True


def add_signature_algorithms(em: Emitter, value: str, line: int | None, symbol: str) -> None:
    """'ECDSA+SHA256:RSA-PSS+SHA256:ed25519:rsa_pss_rsae_sha256:mldsa65' -> one finding each."""
    for token in split_list(value, ":, \t"):
        if "+" in token:
            alg, _, digest = token.partition("+")
            em.add(alg, Usage.AUTHENTICATION, line, symbol, fallbacks=(token,), hash=digest, signature_scheme=token)
        else:
            em.add(token, Usage.AUTHENTICATION, line, symbol, signature_scheme=token)


_SECTION_RE = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
_KV_RE = re.compile(r"^\s*([\w.\-]+)\s*=\s*(.*?)\s*$")


def parse_openssl_cnf(em: Emitter, text: str) -> None:
    section = ""
    # MaxProtocol may come after MinProtocol in the file; read it first.
    m = re.search(r"^\s*MaxProtocol\s*=\s*(\S+)", text, re.M | re.I)
    if m:
        em.attributes["max_protocol"] = protocol_name(m.group(1)) or m.group(1)
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = strip_comment(raw)
        if s := _SECTION_RE.match(line):
            section = s.group(1)
            continue
        kv = _KV_RE.match(line)
        if not kv:
            continue
        key, value = kv.group(1), kv.group(2).strip().strip('"')
        if key.lower() == "maxprotocol":
            continue
        if conf_command(em, key, value, lineno, key):
            em.attributes.setdefault("sections", [])
            if section and section not in em.attributes["sections"]:
                em.attributes["sections"].append(section)


def _java_properties(text: str) -> list[tuple[int, str, str]]:
    """key=value / key: value with backslash continuations (java.util.Properties), with the first line."""
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        start = i
        raw = lines[i].lstrip()
        i += 1
        if not raw or raw[0] in "#!":
            continue
        while raw.endswith("\\") and i < len(lines):
            raw = raw[:-1] + lines[i].strip()
            i += 1
        m = re.match(r"([^=:\s]+)\s*[=:\s]\s*(.*)$", raw)
        if m:
            out.append((start + 1, m.group(1), m.group(2)))
    return out


_JDK_GROUPS_RE = re.compile(r"-Djdk\.tls\.namedGroups=(\"[^\"]*\"|'[^']*'|\S+)")


def parse_java_security(em: Emitter, text: str) -> None:
    """java.security: the disabled-algorithm lists are recorded on the asset (they say what is *not* used);
    ``jdk.tls.namedGroups`` (a property line or a ``-D`` system property) names the groups offered."""
    for lineno, key, value in _java_properties(text):
        if key in ("jdk.tls.disabledAlgorithms", "jdk.certpath.disabledAlgorithms", "jdk.jar.disabledAlgorithms",
                   "jdk.tls.legacyAlgorithms"):
            em.attributes[key] = [v.strip() for v in value.split(",") if v.strip()]
        elif key in ("jdk.tls.namedGroups", "jdk.tls.client.namedGroups", "jdk.tls.server.namedGroups"):
            em.add_groups(value.strip().strip('"'), lineno, key)
        elif key in ("jdk.tls.client.protocols", "jdk.tls.server.protocols"):
            em.add_protocols([p for p in (protocol_name(v) for v in value.split(",")) if p], lineno, key)
    for lineno, raw in enumerate(text.splitlines(), 1):
        for m in _JDK_GROUPS_RE.finditer(raw):
            em.add_groups(m.group(1).strip("\"'"), lineno, "jdk.tls.namedGroups")
