"""Mail servers: Postfix main.cf and Dovecot TLS settings."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pqscan.collect.config.cipherstring import add_cipher_string
from pqscan.collect.config.common import PROTOCOLS, Emitter, protocol_name, protocols_from, split_list, strip_comment
from pqscan.model import Confidence, Usage

_KV_RE = re.compile(r"^([\w.\-]+)\s*=\s*(.*)$")


def _postfix_params(text: str) -> Iterator[tuple[int, str, str]]:
    """main.cf: 'name = value'; a line starting with whitespace continues the previous one (postconf(5))."""
    current: list[object] | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw[0].isspace() and current is not None:
            current[2] = f"{current[2]} {raw.strip()}"
            continue
        if current is not None:
            yield current[0], current[1], current[2]  # type: ignore[misc]
        m = _KV_RE.match(strip_comment(raw).strip())
        current = [lineno, m.group(1), m.group(2).strip()] if m else None
    if current is not None:
        yield current[0], current[1], current[2]  # type: ignore[misc]


def postfix_protocols(value: str) -> list[str]:
    """'!SSLv2, !SSLv3', '>=TLSv1.2', '>=TLSv1.2 <=TLSv1.3' or an explicit list (postconf(5) smtpd_tls_protocols)."""
    tokens = split_list(value, ", :\t")
    lo = next((protocol_name(t[2:]) for t in tokens if t.startswith(">=")), None)
    hi = next((protocol_name(t[2:]) for t in tokens if t.startswith("<=")), None)
    if lo or hi:
        return protocols_from(lo or "TLSv1", hi)
    excluded = {protocol_name(t[1:]) for t in tokens if t.startswith("!")}
    listed = [p for p in (protocol_name(t) for t in tokens if not t.startswith("!")) if p]
    if listed:
        return [p for p in listed if p not in excluded]
    return [p for p in PROTOCOLS[2:] if p not in excluded]  # OpenSSL's set, SSLv3 not built on Debian


def parse_postfix(em: Emitter, text: str) -> None:
    for lineno, key, value in _postfix_params(text):
        k = key.lower()
        if re.fullmatch(r"(smtpd|smtp|lmtp|tlsproxy)_tls_(mandatory_)?protocols", k):
            em.add_protocols(postfix_protocols(value), lineno, key)
        elif re.fullmatch(r"(smtpd|smtp|lmtp|tlsproxy)_tls_(mandatory_)?ciphers", k):
            em.add(value, Usage.UNKNOWN, lineno, key, confidence=Confidence.LOW,
                   unknown_reason=f"Postfix cipher grade: the suites come from tls_{value}_cipherlist and the OpenSSL build")
        elif re.fullmatch(r"tls_(high|medium|low|export|null)_cipherlist", k):
            add_cipher_string(em, value, lineno, key)
        elif k in ("tls_eecdh_strong_curve", "tls_eecdh_ultra_curve", "tls_eecdh_auto_curves", "tls_ffdhe_auto_groups"):
            em.add_groups(value, lineno, key)
        elif re.fullmatch(r"(smtpd|smtp|lmtp)_tls_exclude_ciphers", k):
            em.attributes.setdefault("excluded_ciphers", []).extend(split_list(value, ", :\t"))
        elif re.fullmatch(r"(smtpd|smtp|lmtp)_tls_(cert_file|eccert_file|chain_files|dh1024_param_file|eecdh_grade)", k):
            em.attributes[k] = value


def parse_dovecot(em: Emitter, text: str) -> None:
    for lineno, raw in enumerate(text.splitlines(), 1):
        m = _KV_RE.match(strip_comment(raw).strip())
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip().strip('"')
        k = key.lower()
        if k == "ssl_min_protocol":
            lo = protocol_name(value)
            if lo:
                em.add_protocols(protocols_from(lo), lineno, key, minimum=lo)
        elif k in ("ssl_cipher_list", "ssl_cipher_suites"):
            add_cipher_string(em, value, lineno, key)
        elif k == "ssl_curve_list":
            em.add_groups(value, lineno, key)
        elif k in ("ssl_cert", "ssl_key", "ssl_dh", "ssl_server_cert_file"):
            em.attributes[k] = value.lstrip("<")
