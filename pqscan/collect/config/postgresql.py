"""PostgreSQL server TLS settings: postgresql.conf (and postgresql.auto.conf).

The file format is PostgreSQL's (``name = value`` or ``name value``, single-quoted strings with ''
for a quote, ``#`` comments; postgresql.conf.sample of Debian's postgresql-15 has the same shape),
and the LAST setting of a parameter in the file wins (PostgreSQL docs, "Parameter Interaction via
the Configuration File"). Read here: ``ssl``, ``ssl_ciphers`` (an OpenSSL cipher string for
TLS <= 1.2), ``ssl_min_protocol_version`` / ``ssl_max_protocol_version``, ``ssl_ecdh_curve``
(up to PostgreSQL 17) and ``ssl_groups`` (18, a colon-separated group list); ``include`` /
``include_if_exists`` / ``include_dir`` are listed on the asset, not followed.
"""

from __future__ import annotations

import re

from pqscan.collect.config.cipherstring import add_cipher_string
from pqscan.collect.config.common import Emitter, protocol_name, protocols_from
from pqscan.model import ErrorKind

_LINE_RE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(?:=\s*|\s+)('(?:[^']|'')*'|[^\s#']+)?")
_WANTED = {"ssl", "ssl_ciphers", "ssl_min_protocol_version", "ssl_max_protocol_version", "ssl_ecdh_curve",
           "ssl_groups", "ssl_cert_file", "ssl_key_file", "include", "include_if_exists", "include_dir"}


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


def parse_postgresql(em: Emitter, text: str) -> None:
    last: dict[str, tuple[int, str]] = {}
    includes: list[str] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        m = _LINE_RE.match(raw)
        if not m or m.group(2) is None:
            continue
        name, value = m.group(1).lower(), _unquote(m.group(2))
        if name not in _WANTED:
            continue
        if name.startswith("include"):
            includes.append(value)
            continue
        last[name] = (lineno, value)  # the last setting in the file wins
    if includes:
        em.attributes["includes_not_followed"] = includes
    for name in ("ssl_cert_file", "ssl_key_file"):
        if name in last:
            em.attributes[name] = last[name][1]
    if "ssl" in last:
        em.attributes["ssl"] = last["ssl"][1].lower() in ("on", "true", "yes", "1")
    if "ssl_ciphers" in last:
        line, value = last["ssl_ciphers"]
        add_cipher_string(em, value, line, "ssl_ciphers")
    lo = last.get("ssl_min_protocol_version")
    hi = last.get("ssl_max_protocol_version")
    lo_name = protocol_name(lo[1]) if lo else None
    hi_name = protocol_name(hi[1]) if hi and hi[1] else None
    for setting, value_at, known in (("ssl_min_protocol_version", lo, lo_name), ("ssl_max_protocol_version", hi, hi_name)):
        if value_at and value_at[1] and known is None:
            em.result.error("parse", ErrorKind.MALFORMED, f"{em.relpath}:{value_at[0]}: {setting} = {value_at[1]!r} is not "
                            "a TLS version PostgreSQL accepts (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3); the server refuses it")
    if lo_name or hi_name:
        # PostgreSQL's default minimum is TLSv1.2 (13+); the default maximum is the highest OpenSSL offers.
        line, symbol = (lo[0], "ssl_min_protocol_version") if lo and lo_name else (hi[0] if hi else None,
                                                                                   "ssl_max_protocol_version")
        em.add_protocols(protocols_from(lo_name or "TLSv1.2", hi_name), line, symbol,
                         minimum=lo_name or "TLSv1.2", maximum=hi_name)
    for name in ("ssl_groups", "ssl_ecdh_curve"):
        if name in last:
            line, value = last[name]
            em.add_groups(value, line, name)
