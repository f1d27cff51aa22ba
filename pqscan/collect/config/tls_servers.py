"""Web and proxy servers: nginx, Apache httpd (mod_ssl) and HAProxy TLS settings."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pqscan.collect.config.cipherstring import add_cipher_string
from pqscan.collect.config.common import PROTOCOLS, Emitter, protocol_name, protocols_from, strip_comment
from pqscan.collect.config.openssl_java import conf_command
from pqscan.collect.lines import continued_lines

_NGINX_PROTOCOL_KEYS = ("ssl_protocols", "proxy_ssl_protocols", "grpc_ssl_protocols", "uwsgi_ssl_protocols")
_NGINX_CIPHER_KEYS = ("ssl_ciphers", "proxy_ssl_ciphers", "grpc_ssl_ciphers", "uwsgi_ssl_ciphers")


def nginx_statements(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line, [directive, args...]) for each ';'-terminated statement; quotes and '#' comments honoured."""
    tokens: list[str] = []
    start = 0
    line = 1
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in "{};":
            if c == ";" and tokens:
                yield start, tokens
            tokens = []
            i += 1
        elif c in "\"'":
            j = i + 1
            buf = []
            while j < n and text[j] != c:
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                if text[j] == "\n":
                    line += 1
                buf.append(text[j])
                j += 1
            if not tokens:
                start = line
            tokens.append("".join(buf))
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in "{};\"'":
                j += 1
            if not tokens:
                start = line
            tokens.append(text[i:j])
            i = j


def parse_nginx(em: Emitter, text: str) -> None:
    for line, (key, *args) in nginx_statements(text):
        k = key.lower()
        if k in _NGINX_PROTOCOL_KEYS:
            em.add_protocols([p for p in (protocol_name(a) for a in args) if p], line, key)
        elif k in _NGINX_CIPHER_KEYS and args:
            add_cipher_string(em, " ".join(args), line, key)
        elif k == "ssl_ecdh_curve" and args:
            em.add_groups(args[0], line, key)
        elif k in ("ssl_conf_command", "proxy_ssl_conf_command") and len(args) >= 2:
            conf_command(em, args[0], " ".join(args[1:]), line, f"{key} {args[0]}")
        elif k in ("ssl_certificate", "ssl_certificate_key", "ssl_dhparam", "ssl_trusted_certificate",
                   "ssl_client_certificate", "proxy_ssl_certificate") and args:
            em.attributes.setdefault(k, []).append(args[0])


def _apache_lines(text: str) -> Iterator[tuple[int, str]]:
    for start, line in continued_lines(text):
        full = line.strip()
        if full and not full.startswith("#"):
            yield start, full


def apache_protocols(args: list[str]) -> list[str]:
    """httpd SSLProtocol: 'all -SSLv3 -TLSv1 -TLSv1.1' or '-all +TLSv1.2 +TLSv1.3' (mod_ssl docs)."""
    enabled: list[str] = []
    everything = list(PROTOCOLS[2:])  # 'all' = TLSv1 .. TLSv1.3 (OpenSSL built without SSLv3)
    for a in args:
        sign = a[0] if a[0] in "+-" else ""
        name = a[1:] if sign else a
        items = everything if name.lower() == "all" else [p for p in [protocol_name(name)] if p]
        if sign == "-":
            enabled = [p for p in enabled if p not in items]
        else:
            enabled += [p for p in items if p not in enabled]
    return enabled


def parse_apache(em: Emitter, text: str) -> None:
    for line, full in _apache_lines(text):
        parts = full.split()
        key, args = parts[0], [a.strip('"') for a in parts[1:]]
        k = key.lower()
        if k in ("sslprotocol", "sslproxyprotocol"):
            em.add_protocols(apache_protocols(args), line, key)
        elif k in ("sslciphersuite", "sslproxyciphersuite") and args:
            spec = args[-1] if len(args) > 1 and args[0].upper() in ("SSL", "TLSV1.3") else " ".join(args)
            add_cipher_string(em, spec, line, key)
        elif k == "sslopensslconfcmd" and len(args) >= 2:
            conf_command(em, args[0], " ".join(args[1:]), line, f"{key} {args[0]}")
        elif k in ("sslcertificatefile", "sslcertificatekeyfile", "sslcertificatechainfile") and args:
            em.attributes.setdefault(k, []).append(args[0])


_HAPROXY_OPT_RE = re.compile(r"\b(ciphers|ciphersuites|curves|ssl-min-ver|ssl-max-ver)\s+(\S+)")


def parse_haproxy(em: Emitter, text: str) -> None:
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = strip_comment(raw).strip()
        if not line:
            continue
        key, _, rest = line.partition(" ")
        rest = rest.strip()
        k = key.lower()
        if k in ("ssl-default-bind-ciphers", "ssl-default-server-ciphers",
                 "ssl-default-bind-ciphersuites", "ssl-default-server-ciphersuites"):
            add_cipher_string(em, rest, lineno, key)
        elif k in ("ssl-default-bind-curves", "ssl-default-server-curves"):
            em.add_groups(rest, lineno, key)
        elif k in ("ssl-default-bind-options", "ssl-default-server-options", "bind", "server", "default-server"):
            _haproxy_options(em, key, rest, lineno)
        elif k == "crt" or k == "ssl-default-bind-crt":
            em.attributes.setdefault("crt", []).append(rest)


def _haproxy_options(em: Emitter, key: str, rest: str, lineno: int) -> None:
    opts = dict((m.group(1), m.group(2)) for m in _HAPROXY_OPT_RE.finditer(rest))
    if "ciphers" in opts:
        add_cipher_string(em, opts["ciphers"], lineno, f"{key} ciphers")
    if "ciphersuites" in opts:
        add_cipher_string(em, opts["ciphersuites"], lineno, f"{key} ciphersuites")
    if "curves" in opts:
        em.add_groups(opts["curves"], lineno, f"{key} curves")
    if "ssl-min-ver" in opts:
        lo = protocol_name(opts["ssl-min-ver"].replace("TLSv1.0", "TLSv1"))
        hi = protocol_name(opts.get("ssl-max-ver", "")) if "ssl-max-ver" in opts else None
        if lo:
            em.add_protocols(protocols_from(lo, hi), lineno, f"{key} ssl-min-ver", minimum=lo)
    if m := re.search(r"\bcrt\s+(\S+)", rest):
        em.attributes.setdefault("crt", []).append(m.group(1))
