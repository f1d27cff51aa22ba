"""Shared parts of the configuration parsers: one emitter of findings, protocol and group lists.

A config finding records exactly what the file says: file, line, the directive as ``symbol``
and the line as ``snippet``. The catalogue decides what a name means; a name it does not know
is kept as an explicit unknown with the raw text, never dropped.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pqscan import model
from pqscan.algorithms import IdKind, lookup
from pqscan.assess.exposure import protects
from pqscan.model import PARAM_REPEATED, Confidence, ErrorKind, Evidence, Finding, ScanResult, Usage

COLLECTOR = "config"
MAX_SNIPPET = 240
MAX_FINDINGS_PER_LINE = 2048  # findings from one line ("ALL" expands to ~140 suites x 4-5 uses each)

# Protocol versions in order. Apache "all" = TLSv1..TLSv1.3 on an OpenSSL built without SSLv3, as
# Debian's is (httpd mod_ssl docs, SSLProtocol).
PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
_PROTO_ALIASES = {"tlsv1.0": "TLSv1", "tls1": "TLSv1", "tls1.0": "TLSv1", "tls1.1": "TLSv1.1", "tls1.2": "TLSv1.2",
                  "tls1.3": "TLSv1.3", "ssl3": "SSLv3", "sslv3": "SSLv3", "sslv2": "SSLv2", "tlsv1": "TLSv1",
                  "tlsv1.1": "TLSv1.1", "tlsv1.2": "TLSv1.2", "tlsv1.3": "TLSv1.3"}


def protocol_name(text: str) -> str | None:
    return _PROTO_ALIASES.get(text.strip().lower())


def protocols_from(minimum: str | None, maximum: str | None = None) -> list[str]:
    lo = PROTOCOLS.index(minimum) if minimum in PROTOCOLS else PROTOCOLS.index("TLSv1")
    hi = PROTOCOLS.index(maximum) if maximum in PROTOCOLS else len(PROTOCOLS) - 1
    return list(PROTOCOLS[lo:hi + 1])


def canonical_protocol(name: str) -> str:
    """'TLSv1' -> 'TLS1.0', 'TLSv1.2' -> 'TLS1.2', 'SSLv3' -> 'SSLv3' (the TLS collector's spelling)."""
    if name.startswith("SSL"):
        return name
    ver = name.replace("TLSv", "")
    return f"TLS{'1.0' if ver == '1' else ver}"


def resolve(kind: IdKind | None, raw: str, *fallbacks: str) -> tuple[str, bool]:
    """(catalogue id, known?) for a raw name, trying its kind first, then plain names."""
    tries: list[tuple[IdKind, str]] = []
    if kind is not None:
        tries.append((kind, raw))
    tries += [(IdKind.NAME, raw)] + [(IdKind.NAME, f) for f in fallbacks]
    for k, value in tries:
        alg = lookup(k, value)
        if not alg.is_unknown:
            return alg.id, True
    return "unknown", False


def split_list(value: str, seps: str = ":, \t") -> list[str]:
    return [p for p in re.split("[" + re.escape(seps) + "]+", value.strip()) if p]


@dataclass
class Emitter:
    """Builds the ScanResult of one config file: one CONFIG asset, findings pointing at it."""

    relpath: str
    fmt: str
    lines: Sequence[str] = ()
    attributes: dict[str, Any] = field(default_factory=dict)
    result: ScanResult = field(init=False)
    # One line naming the same algorithm again and again is one finding with a count (PARAM_REPEATED);
    # past MAX_FINDINGS_PER_LINE distinct names on one line the rest are counted in one recorded error.
    _index: dict[tuple[Any, ...], int] = field(default_factory=dict, init=False, repr=False)
    _repeats: Counter[int] = field(default_factory=Counter, init=False, repr=False)
    _per_line: Counter[int | None] = field(default_factory=Counter, init=False, repr=False)
    _dropped: Counter[int | None] = field(default_factory=Counter, init=False, repr=False)

    def __post_init__(self) -> None:
        self.result = ScanResult(self.relpath, COLLECTOR)

    def _keep(self, f: Finding) -> Finding:
        """Append ``f`` unless the same line already named the same thing (only its list position differs)."""
        same = {k: v for k, v in f.parameters.items() if k != "preference"}
        key = (f.algorithm, f.usage, f.evidence.line, f.evidence.symbol,
               json.dumps(same, sort_keys=True, default=str))
        idx = self._index.get(key)
        if idx is not None:
            self._repeats[idx] += 1
            return self.result.findings[idx]
        line = f.evidence.line
        if self._per_line[line] >= MAX_FINDINGS_PER_LINE:
            self._dropped[line] += 1
            return f
        self._per_line[line] += 1
        self._index[key] = len(self.result.findings)
        self.result.findings.append(f)
        return f

    @property
    def asset_id(self) -> str:
        return f"file:{self.relpath}"

    def snippet(self, line: int | None) -> str:
        if line is None or not 1 <= line <= len(self.lines):
            return ""
        return self.lines[line - 1].strip()[:MAX_SNIPPET]

    def add(self, raw: str, usage: Usage, line: int | None, symbol: str, *, kind: IdKind | None = None,
            fallbacks: Iterable[str] = (), confidence: Confidence = Confidence.HIGH, detail: str = "",
            unknown_reason: str = "", **params: Any) -> Finding:
        alg_id, known = resolve(kind, raw, *fallbacks)
        parameters: dict[str, Any] = {"raw_identifier": raw, **{k: v for k, v in params.items() if v is not None}}
        if not known:
            parameters["unknown_reason"] = unknown_reason or "name not in the pqscan catalogue"
        f = Finding(self.asset_id, alg_id, usage, COLLECTOR, parameters,
                    Evidence(self.relpath, line, None, symbol, self.snippet(line), detail), confidence)
        return self._keep(f)

    def add_protocols(self, names: Iterable[str], line: int | None, symbol: str, **params: Any) -> None:
        """Protocol versions are not catalogue algorithms: the finding's algorithm is the version in the
        spelling the TLS collector uses ("TLS1.2", "SSLv3"), so both collectors' findings judge alike."""
        for name in names:
            canonical = canonical_protocol(name)
            parameters = {"protocol": canonical, "raw_identifier": name,
                          **{k: v for k, v in params.items() if v is not None}}
            self._keep(Finding(self.asset_id, canonical, Usage.PROTOCOL, COLLECTOR, parameters,
                               Evidence(self.relpath, line, None, symbol, self.snippet(line))))

    def add_groups(self, value: str, line: int | None, symbol: str, **params: Any) -> None:
        """A TLS group list: OpenSSL syntax (':' separated, 3.5's '?', '*', '/' and '-' marks) or commas.

        Each group records its ``preference`` (0 = first) and whether the same list offers a
        post-quantum hybrid (``list_has_pq_hybrid``): X25519 as the fallback after X25519MLKEM768 is
        a different situation from X25519 alone, and the profile may want to know.
        """
        names = [t.lstrip("?*") for t in split_list(value, ":,/ \t") if not t.startswith("-")]
        has_hybrid = any(protects(lookup(IdKind.NAME, n)) for n in names)
        for pos, name in enumerate(names):
            if name.lower() in ("auto", "default"):
                self.add(name, Usage.KEY_EXCHANGE, line, symbol, confidence=Confidence.LOW,
                         unknown_reason="keyword: the linked OpenSSL's default groups apply "
                                        "(X25519MLKEM768 first with OpenSSL >= 3.5, classical before)", **params)
                continue
            self.add(name, Usage.KEY_EXCHANGE, line, symbol, kind=IdKind.NAME, preference=pos,
                     list_has_pq_hybrid=has_hybrid, **params)

    def finish(self) -> ScanResult:
        for idx, extra in self._repeats.items():
            f = self.result.findings[idx]
            self.result.findings[idx] = replace(f, parameters={**f.parameters, PARAM_REPEATED: extra + 1})
        self._repeats.clear()
        for line, dropped in sorted(self._dropped.items(), key=lambda kv: kv[0] or 0):
            self.result.error("parse", ErrorKind.TOO_LARGE,
                              f"line {line}: {dropped} more algorithm names not recorded "
                              f"(at most {MAX_FINDINGS_PER_LINE} findings per line)")
        self._dropped.clear()
        certificates = self.attributes.get("certificates", ())
        contains = tuple(model.Relation(model.RelationKind.CONTAINS, cid) for cid in certificates)
        name = self.relpath.rsplit("/", 1)[-1]
        self.result.assets.insert(0, model.Asset(self.asset_id, model.AssetKind.CONFIG, self.relpath, name,
                                                 {"format": self.fmt, **self.attributes}, contains))
        return self.result


def strip_comment(line: str, marker: str = "#") -> str:
    """Drop a comment that starts the line or follows whitespace (values like 'a#b' are kept)."""
    m = re.search(r"(^|\s)" + re.escape(marker), line)
    return line[: m.start()] if m else line
