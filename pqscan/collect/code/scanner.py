"""Scan source files: one :class:`ScanResult` per file (findings, or the recorded reason it was skipped)."""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path, PurePosixPath

from pqscan.collect.code import engine, files, lexical, names, pyscan, tsscan, wrappers
from pqscan.collect.code.families import compatible, finding_families
from pqscan.collect.code.rules import ruleset
from pqscan.collect.dispatch import Job, Source, Work, dispatch, run, skip_result
from pqscan.collect.walk import FileEntry, Skipped, WalkOptions, looks_binary
from pqscan.model import Asset, AssetKind, Confidence, ErrorKind, Evidence, Finding, ScanResult, Usage
from pqscan.textsafe import clean

COLLECTOR = "code"
# How deep an argument expression is followed (constant propagation). Parsing depth itself is bounded
# by CPython's parser (SyntaxError / RecursionError, recorded) and tree-sitter's iterative parser.
DEFAULT_MAX_NESTING = 200
DEFAULT_FILE_SECONDS = 10.0


@dataclass(frozen=True)
class CodeScanOptions:
    walk: WalkOptions = field(default_factory=WalkOptions)
    skip_minified: bool = True
    skip_generated: bool = True
    skip_vendored: bool = True
    max_nesting: int = DEFAULT_MAX_NESTING
    languages: frozenset[str] | None = None  # None: every supported language
    max_seconds_per_file: float = DEFAULT_FILE_SECONDS
    embedded_pem: bool = True
    parse_all: bool = False  # no prefilter: parse every file (reports syntax errors; tests compare the findings)
    jobs: int = 1  # worker processes (parallel.py); results are identical and in the same order


def _snippet(lines: list[str], line: int) -> str:
    if 1 <= line <= len(lines):
        return clean(lines[line - 1].strip()[:200])  # source may hold raw ESC/bidi bytes (Trojan Source)
    return ""


def _finding(asset_id: str, relpath: str, lines: list[str], line: int, column: int, symbol: str,
             algorithm: str, hit_usage, confidence, params) -> Finding:  # type: ignore[no-untyped-def]
    return Finding(
        asset_id=asset_id, algorithm=algorithm, usage=hit_usage, collector=COLLECTOR,
        parameters={k: v for k, v in params.items()},
        evidence=Evidence(location=relpath, line=line, column=column, symbol=symbol, snippet=_snippet(lines, line)),
        confidence=confidence,
    )


def scan_source(text: str, path: str, language: str | None = None, options: CodeScanOptions | None = None,
                ) -> ScanResult:
    """Scan one file's text (no file system access): used by :func:`scan_paths` and by tests."""
    opts = options or CodeScanOptions()
    language = language or files.language_of(path) or ""
    relpath = PurePosixPath(path).as_posix()
    result = ScanResult(target=relpath, collector=COLLECTOR)
    asset_id = f"file:{relpath}"
    lines = text.splitlines()
    result.assets.append(Asset(asset_id, AssetKind.SOURCE_FILE, relpath, PurePosixPath(relpath).name,
                               {"language": language, "lines": len(lines)}))
    if language not in files.LANGUAGES:
        result.error("detect-language", ErrorKind.UNSUPPORTED, f"no code rules for language {language!r}")
        return result
    rules = ruleset(files.RULESET_OF.get(language, language))
    deadline = time.monotonic() + opts.max_seconds_per_file
    # A file that names no crypto module or API cannot hold a finding: it is not parsed (unless
    # parse_all), so its syntax errors are not reported either. Embedded PEM is looked for anyway.
    # Tree-sitter files must also name a call a rule matches (RuleSet.names_a_call): tree-sitter
    # reports no syntax errors, so nothing is lost. Python files that import crypto are parsed anyway,
    # so their syntax errors are reported.
    relevant = opts.parse_all or (rules.relevant(text) and (language == "python" or rules.names_a_call(text)))
    if not relevant:
        result.assets[0] = replace(result.assets[0], attributes={**result.assets[0].attributes,
                                                                 "parsed": False})
    try:
        if language == "python":
            if relevant:
                sites = pyscan.call_sites(pyscan.parse(text, relpath), rules)
            else:
                sites = []
                if opts.parse_all:
                    pyscan.parse(text, relpath)
        elif not relevant:
            sites = []
        else:
            sites = tsscan.call_sites(text.encode("utf-8", "surrogateescape"), language, rules, deadline,
                                      opts.max_nesting)
        hits = engine.match(rules, sites)
    except SyntaxError as exc:
        result.error("parse", ErrorKind.PARSE_ERROR, f"syntax error at line {exc.lineno}: {exc.msg}")
        hits = []
    except (RecursionError, MemoryError):
        result.error("parse", ErrorKind.PARSE_ERROR, "nesting too deep to parse safely")
        hits = []
    except tsscan.OutOfTime as exc:
        result.error("parse", ErrorKind.TIMEOUT, str(exc))
        hits = []
    except ValueError as exc:  # NUL bytes and similar
        result.error("parse", ErrorKind.PARSE_ERROR, f"cannot parse: {exc}")
        hits = []
    for h in _drop_vaguer(hits):
        algorithm = h.algorithm_id
        # an EC key whose use is not visible keeps the ECDSA id (X.509's convention) and says it is EC
        params = {**h.params, "family": "EC"} if h.family == "EC" else h.params
        result.findings.append(_finding(asset_id, relpath, lines, h.line, h.column, h.symbol, algorithm,
                                        names.usage_of(algorithm, h.usage), h.confidence, params))
    _add_names(result, text, language, asset_id, relpath, lines, gate=not opts.parse_all)
    _add_wrapper_calls(result, text, language, asset_id, relpath, lines)
    if opts.embedded_pem and "-----BEGIN " in text:
        from pqscan.collect.code import pem  # imports cryptography's x509: only when a file holds PEM

        for item in pem.find_pem(text):
            if isinstance(item, str):
                result.error("embedded-pem", ErrorKind.MALFORMED, item)
                continue
            result.findings.append(_finding(asset_id, relpath, lines, item.line, item.column,
                                            f"PEM {item.label}", item.algorithm, item.usage, item.confidence,
                                            {**item.params, "embedded": "PEM in source"}))
    result.findings.sort(key=lambda f: (f.evidence.line or 0, f.evidence.column or 0))
    result.findings.extend(_key_operations(result.findings, text, language, asset_id, relpath, lines))
    result.findings[:] = _family_from_function(result.findings, text, language)
    result.findings[:] = [replace(f, parameters={k: v for k, v in f.parameters.items() if k != "needs_family"})
                          if f.parameters.get("needs_family") else f
                          for f in result.findings if not f.parameters.get("needs_family") or
                          f.parameters.get("family_from")]
    result.findings.sort(key=lambda f: (f.evidence.line or 0, f.evidence.column or 0))
    result.findings[:] = _number_repeats(result.findings)
    return result


# the families an operation of each usage can be (the others in a function say nothing about it)
_USAGE_FAMILIES = {
    Usage.SIGNATURE: frozenset({"RSA", "DSA", "ECDSA", "EdDSA", "ML-DSA", "SLH-DSA", "OtherPQC"}),
    Usage.ENCRYPTION: frozenset({"RSA", "ML-KEM", "AES", "DES", "3DES", "RC4", "Blowfish"}),
    Usage.SYMMETRIC: frozenset({"AES", "DES", "3DES", "RC4", "Blowfish"}),
    Usage.KEY_EXCHANGE: frozenset({"DH", "ECDH", "X25519", "X448", "ML-KEM"}),
    Usage.MAC: frozenset({"HMAC"}),
}
_EC_AS = {Usage.SIGNATURE: "ECDSA", Usage.KEY_EXCHANGE: "ECDH"}
_KEY_FAMILIES = frozenset({"RSA", "DSA", "EC", "ECDSA", "ECDH", "EdDSA", "X25519", "X448", "DH", "ML-KEM", "ML-DSA",
                           "SLH-DSA", "OtherPQC"})


_KEY_OPERATION = re.compile(
    r"(?<![\w$.>:])(?:(?:this\.|self\.)?([A-Za-z_$]*(?:[a-z]K|k)ey)\s*\.\s*)?(sign|verify|encrypt|decrypt)\s*\(|"
    r"(?<![\w$])((?:import|load)[A-Z]?\w*Key)\s*\(")
_KEY_OPERATION_USAGE = {"sign": Usage.SIGNATURE, "verify": Usage.SIGNATURE, "encrypt": Usage.ENCRYPTION,
                        "decrypt": Usage.ENCRYPTION}
_DEFINITION_BEFORE = re.compile(r"(?:\b(?:function|def|fn|func|async|static|public|private|protected)\s+|[.:]\s*)$|"
                                r"^\s*(?:(?:public|private|protected|internal|static|final|override|virtual|abstract|"
                                r"async|export|def|fn|func|function)\b[^=(]*)$")
_BARE_CALLS = frozenset({"javascript", "typescript", "rust"})  # where a bare encrypt(...) is an imported function
_DEFINITION_AFTER = re.compile(r"[^()]*\)\s*(?:\{|:|=>)\s*$")
_KEY_IMPORT = "key-import"
_LINE_COMMENT = re.compile(r"^\s*(?://|\*|#|/\*)")


# a literal-led pass, then a check: one pattern per word, each found from its literal (the words' matches never overlap,
# so together, in order, they are what the alternation sign\s*\(|verify\s*\(|... finds)
_OPERATION_HINTS = tuple(re.compile(word + r"\s*\(") for word in ("sign", "verify", "encrypt", "decrypt", "Key"))


def _key_operation_calls(text: str) -> Iterator[re.Match[str]]:
    """The matches of :data:`_KEY_OPERATION` (found from cheap hints: the full pattern is slow on every offset)."""
    for start, end in sorted(hint.span() for regex in _OPERATION_HINTS for hint in regex.finditer(text)):
        for m in _KEY_OPERATION.finditer(text, max(0, start - 120), end):
            if m.end() == end:
                yield m
                break


def _key_operations(findings: list[Finding], text: str, language: str, asset_id: str, relpath: str,
                    lines: list[str]) -> list[Finding]:
    """``publicKey.encrypt(r, 'NONE')``, ``this.key.sign(...)``: an operation on a key whose type is not written
    here. A candidate only: it is kept when the code around it names the family (:func:`_family_from_function`)."""
    if language == "python" or not any(f.algorithm != "unknown" for f in findings):
        # Python: the typed receivers of lexical.py read its declarations; a function naming one family does
        # not type its other keys (asyncssh's kex_rsa signs with a host key of any type)
        return []
    taken = {f.evidence.line for f in findings}
    out = []
    for m in _key_operation_calls(text):
        line = text.count("\n", 0, m.start()) + 1
        if line in taken or _LINE_COMMENT.match(lines[line - 1] if line <= len(lines) else ""):
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        if m.group(2) and m.group(1) is None and language not in _BARE_CALLS:
            continue  # Java/C#/Go/C: a bare encrypt(...) is the class's or package's own method
        if m.group(1) is None and (_DEFINITION_BEFORE.search(text, line_start, m.start()) or
                                   _DEFINITION_AFTER.match(text, m.end(), line_end if line_end >= 0 else len(text))):
            continue  # a definition (function encrypt(...) {, encrypt(data) {), not a call
        column = m.start() - line_start + 1
        if m.group(3):
            usage, kind, why = Usage.UNKNOWN, _KEY_IMPORT, f"{m.group(3)}: the key's type is not written here"
        else:
            usage = _KEY_OPERATION_USAGE[m.group(2)]
            kind, why = usage.value, f"{m.group(1) or m.group(2)}: the algorithm is not written here"
        out.append(_finding(asset_id, relpath, lines, line, column, m.group(0)[:-1].strip(), "unknown", usage,
                            Confidence.LOW, {"needs_family": kind, "unknown_reason": why}))
        taken.add(line)
    return out


def _blocks(text: str) -> list[tuple[int, int]]:
    """(open, close) offsets of the brace blocks of ``text`` (strings and comments are not told apart: a stray
    brace in one only makes a block wider or narrower)."""
    stack: list[int] = []
    out: list[tuple[int, int]] = []
    for m in _BRACE.finditer(text):
        if m.group() == "{":
            stack.append(m.start())
        elif stack:
            out.append((stack.pop(), m.start()))
    return out


_BRACE = re.compile(r"[{}]")
_CONSTANT_ONLY = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")  # MSG_KEXRSA_DONE: a message number, not a key type


def _family_from_function(findings: list[Finding], text: str, language: str) -> list[Finding]:
    """An operation whose algorithm is a run-time value (``subtle.verify(verifyAlgorithm, key, sig, data)``,
    ``Signature.getInstance(alg)``) takes the family of the algorithms named around it: in the innermost block
    (or, without braces, the function) that names any family able to do that operation, when it names one or two
    of them. The finding says so (``family_from``)."""
    if not any(f.algorithm == "unknown" and (f.usage in _USAGE_FAMILIES or f.parameters.get("needs_family"))
               for f in findings):
        return findings
    line_at = [0, *(m.end() for m in re.finditer("\n", text))]
    blocks = _blocks(text) if language != "python" else []
    if blocks:
        regions_of = lambda off: sorted(  # noqa: E731
            ((bisect_right(line_at, a), bisect_right(line_at, b)) for a, b in blocks if a < off < b),
            key=lambda r: r[1] - r[0])
    else:  # no braces (Python): the function (its class may hold keys of several types: kex_rsa's host key)
        starts = [text.count("\n", 0, m.start()) + 1 for m in lexical.FUNCTION_START.finditer("\n" + text)]
        src = text.split("\n")

        def regions_of(off: int) -> list[tuple[int, int]]:
            line = bisect_right(line_at, off)
            first = max((s for s in starts if s <= line), default=0)
            if not first:
                return []
            indent = len(src[first - 1]) - len(src[first - 1].lstrip())
            last = first
            for i in range(first, len(src)):  # the function ends at the next line indented no deeper than its def
                body = src[i].strip()
                if body and not body.startswith(("#", ")")) and len(src[i]) - len(src[i].lstrip()) <= indent:
                    break
                last = i + 1
            return [(first, last)] if first <= line <= last else []
    out = []
    for f in findings:
        allowed = _KEY_FAMILIES if f.parameters.get("needs_family") == _KEY_IMPORT else _USAGE_FAMILIES.get(f.usage)
        if f.algorithm != "unknown" or not allowed:
            out.append(f)
            continue
        line = f.evidence.line or 1
        offset = line_at[min(line, len(line_at)) - 1] + max((f.evidence.column or 1) - 1, 0)
        seen: dict[str, Finding] = {}
        for first, last in regions_of(offset):
            loose: dict[str, Finding] = {}  # from names that are themselves one of several (an OKP key)
            for g in findings:
                if g.algorithm == "unknown" or _CONSTANT_ONLY.fullmatch(g.evidence.symbol or "") \
                        or not first <= (g.evidence.line or 0) <= last:
                    continue  # a constant's name alone (MSG_KEXRSA_DONE) does not type a key
                fams = {_EC_AS.get(f.usage, fam) if fam == "EC" else fam
                        for fam in finding_families(g.algorithm, g.parameters)} & allowed
                for fam in fams:
                    (seen if len(fams) == 1 else loose).setdefault(fam, g)
            seen = seen or loose
            if seen:
                break
        if not 1 <= len(seen) <= 2:
            out.append(f)
            continue
        fams = "|".join(sorted(seen))
        source = next(iter(seen.values()))
        params = {**f.parameters, "family": fams, "family_from": "algorithm names around the call",
                  "unknown_reason": "the algorithm is a run-time value; the code around it names " + fams}
        out.append(replace(f, algorithm=source.algorithm if len(seen) == 1 else "unknown", parameters=params,
                           confidence=Confidence.LOW))
    return out


def _drop_vaguer(hits: list[engine.Hit]) -> list[engine.Hit]:
    """An ``A|B`` hit (``agreement.EphemeralPrivateKey.generate``: X25519 or ECDH) is left out where another rule
    names the one family on its line (``&agreement.X25519`` in its argument)."""
    if not any("|" in str(h.params.get("family", "")) for h in hits):
        return hits
    named: dict[int, list[frozenset[str]]] = {}
    for h in hits:
        if "|" not in str(h.params.get("family", "")) and h.algorithm_id != "unknown":
            named.setdefault(h.line, []).append(finding_families(h.algorithm_id, h.params))
    return [h for h in hits if "|" not in str(h.params.get("family", "")) or not any(
        fams < finding_families(h.algorithm_id, h.params) for fams in named.get(h.line, ()))]


def _add_names(result: ScanResult, text: str, language: str, asset_id: str, relpath: str,
               lines: list[str], gate: bool = True) -> None:
    """Algorithm names the rules did not report (lexical.py), on the lines where the rules found nothing."""
    covered: dict[int, list[frozenset[str]]] = {}
    for f in result.findings:
        if f.algorithm != "unknown":
            covered.setdefault(f.evidence.line or 0, []).append(finding_families(f.algorithm, f.parameters))
    for hit in lexical.find_names(text, language, gate):
        fams = finding_families(hit.algorithm, hit.params)
        if any(_same_kind(fams, other) for other in covered.get(hit.line, ())):
            continue  # the rules read this call with its arguments: they say more than a name
        result.findings.append(_finding(asset_id, relpath, lines, hit.line, hit.column, hit.symbol, hit.algorithm,
                                        hit.usage, hit.confidence, hit.params))


def _add_wrapper_calls(result: ScanResult, text: str, language: str, asset_id: str, relpath: str,
                       lines: list[str]) -> None:
    """Calls of the file's own small wrappers around a finding (wrappers.py)."""
    seen = {(f.evidence.line, fam) for f in result.findings for fam in finding_families(f.algorithm, f.parameters)}
    for line, column, name, inner in wrappers.wrapper_findings(text, language, result.findings, lines):
        fams = finding_families(inner.algorithm, inner.parameters)
        if all((line, fam) in seen for fam in fams):
            continue
        seen |= {(line, fam) for fam in fams}
        params = {**inner.parameters, "via_wrapper": f"{name}() (line {inner.evidence.line})"}
        result.findings.append(_finding(asset_id, relpath, lines, line, column, f"{name}()", inner.algorithm,
                                        inner.usage, Confidence.LOW, params))


_REFINES = {"ECDH": frozenset({"X25519", "X448"}), "EdDSA": frozenset({"EdDSA"}), "DES": frozenset({"3DES"}),
            "EC": frozenset({"ECDSA", "ECDH"})}


def _same_kind(names: frozenset[str], ruled: frozenset[str]) -> bool:
    """A name on a line the rules reported is the same finding when the families meet or one refines the other
    (the ``crypto/ecdh`` package's ``X25519()``, the ``des`` package's ``NewTripleDESCipher``)."""
    if compatible(names, ruled, unknown_matches=False):
        return True
    return any(ruled & _REFINES.get(n, frozenset()) or names & _REFINES.get(r, frozenset()) for n in names for r in ruled)


def _number_repeats(findings: list[Finding]) -> list[Finding]:
    """Two identical calls in one file are two findings: the second gets ``occurrence: 2``.

    ``Finding.id`` leaves the line out (stable across edits), so without this the inventory
    would merge them. The occurrence number only changes when such calls are reordered.
    """
    seen: Counter[str] = Counter()
    out = []
    for f in findings:
        seen[f.id] += 1
        if seen[f.id] > 1:
            f = replace(f, parameters={**f.parameters, "occurrence": seen[f.id]})
        out.append(f)
    return out


def _skip(relpath: str, stage: str, kind: ErrorKind, message: str) -> ScanResult:
    result = ScanResult(target=relpath, collector=COLLECTOR)
    result.error(stage, kind, message)
    return result


def _scan_data(entry: FileEntry, data: bytes, language: str, opts: CodeScanOptions) -> ScanResult:
    """Scan one file's bytes (a :class:`~pqscan.collect.dispatch.Job`: runs here or in a worker)."""
    relpath = entry.relpath
    if looks_binary(data[:8192]):
        return _skip(relpath, "skip", ErrorKind.BINARY, "binary file (NUL byte in the first block)")
    if opts.skip_generated and (reason := files.generated_reason(relpath, data)):
        return _skip(relpath, "skip", ErrorKind.SKIPPED, reason)
    if opts.skip_minified and (reason := files.minified_reason(relpath, data)):
        return _skip(relpath, "skip", ErrorKind.SKIPPED, reason)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if language != "python":
            text = data.decode("utf-8", "replace")
        else:
            try:  # PEP 263 coding cookie: let the tokenizer decide
                import io
                import tokenize
                text = io.TextIOWrapper(io.BytesIO(data), encoding=tokenize.detect_encoding(
                    io.BytesIO(data).readline)[0]).read()
            except (SyntaxError, UnicodeDecodeError, LookupError):
                return _skip(relpath, "decode", ErrorKind.PARSE_ERROR, f"not valid UTF-8 and no usable coding "
                                                                       f"declaration: {exc.reason} at byte {exc.start}")
    result = scan_source(text, relpath, language, opts)
    if result.assets:
        asset = result.assets[0]
        result.assets[0] = Asset(asset.id, asset.kind, asset.location, asset.name,
                                 {**asset.attributes, "bytes": entry.size})
    return result


# A few lines of each language that go through every stage of scan_source (rules, tree-sitter grammar and
# query, the catalogue, the name pass): scanning them loads what the language needs (see warm).
_WARM_PYTHON = ('import hashlib\nfrom cryptography.hazmat.primitives.asymmetric import rsa, padding\n'
                'KEY = "RSA"\n\ndef f(key):\n    k = rsa.generate_private_key(65537, 2048)\n'
                '    return hashlib.md5(b"x"), key.sign(b"m", padding.PSS(), KEY)\n')
_WARM_OTHER = ('import "crypto/rsa"\n#include <openssl/rsa.h>\nconst KEY = "RSA";\n'
               'function f(key) { var k = new RSAEngine(); var c = Cipher.getInstance("AES/GCM/NoPadding");'
               ' RSA_sign(k); return key.sign(KEY, crypto.createHash("md5")); }\n')


def warm(language: str) -> None:
    """Load what scanning ``language`` needs, by scanning a few lines of our own (parallel.py calls it before
    forking workers, which inherit it)."""
    text = _WARM_PYTHON if language == "python" else _WARM_OTHER
    scan_source(text, "warm", language, CodeScanOptions(parse_all=True))


class CodeCollector:
    """The walk's source-code collector: files in a supported language, parsed as jobs (``jobs`` workers).

    Files below a vendored folder are not read; each such folder is recorded once as a skip."""

    name = COLLECTOR

    def __init__(self, options: CodeScanOptions | None = None) -> None:
        self.options = options or CodeScanOptions()
        self.max_bytes = self.options.walk.max_bytes
        self.prune_dirs = files.VENDORED_DIRS if self.options.skip_vendored else frozenset()
        self._vendored_seen: set[str] = set()
        self._warm: dict[str, partial[None]] = {}

    def _language(self, path: Path) -> str | None:
        language = files.language_of(str(path))
        langs = self.options.languages
        if language is None or (langs is not None and language not in langs
                                and files.RULESET_OF.get(language, language) not in langs):
            return None
        return language

    def wants(self, entry: FileEntry) -> bool:
        return self._language(entry.path) is not None

    def skipped(self, item: Skipped) -> ScanResult | None:
        if files.language_of(str(item.path)) is None and item.path.suffix:
            return None  # not source code: nothing to say about it here
        return skip_result(item, COLLECTOR)

    def take(self, entry: FileEntry, source: Source) -> Iterator[Work]:
        language = self._language(entry.path)
        assert language is not None
        relpath = entry.relpath
        if self.options.skip_vendored and (folder := files.vendored_folder(relpath)):
            if folder not in self._vendored_seen:
                self._vendored_seen.add(folder)
                yield _skip(folder, "walk", ErrorKind.SKIPPED,
                            f"vendored code (directory {folder.rsplit('/', 1)[-1]}/ not scanned)")
            return
        try:
            data = source.read(self.max_bytes)
        except (OSError, ValueError) as exc:
            yield _skip(relpath, "read", ErrorKind.PERMISSION, str(getattr(exc, "strerror", None) or exc))
            return
        if len(data) > self.max_bytes:
            yield _skip(relpath, "read", ErrorKind.TOO_LARGE, f"file grew past the {self.max_bytes}-byte limit")
            return
        warm_up = self._warm.get(language) or self._warm.setdefault(language, partial(warm, language))
        yield Job(_scan_data, (entry, data, language, self.options), relpath, COLLECTOR, len(data), warm_up)

    def finish(self) -> tuple[ScanResult, ...]:
        return ()


def scan_paths(paths: Sequence[str | Path], options: CodeScanOptions | None = None) -> Iterator[ScanResult]:
    """Walk ``paths`` and scan every source file in a supported language; never raises for a bad file.

    With ``options.jobs`` > 1 files are scanned in that many worker processes; the results are the
    same, in the same order."""
    collector = CodeCollector(options)
    return run(dispatch(paths, collector.options.walk, [collector]), collector.options.jobs)
