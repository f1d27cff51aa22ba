"""Names of algorithms wherever code writes them: one lexical pass for every language.

The rule engine (:mod:`engine`) knows specific APIs and their arguments. This pass knows the
*names*: every identifier the algorithm catalogue and the name tables know, and the algorithm
words that library identifiers are built from (``RSAEngine``, ``x509.ParsePKCS1PrivateKey``,
``ECDSAWithSHA1``, ``HMACSHA256``, ``KEY_ED25519``). It reports (shared/reference/code-findings.md):

* a string literal that *is* an algorithm name (exact match of the whole literal, never a
  substring: ``"AES/GCM/NoPadding"``, ``"RS256"``, ``"ecdh-sha2-nistp256"``, ``"prime256v1"``,
  ``"kty": "RSA"``, a PEM type ``"RSA PRIVATE KEY"``), anywhere but in a message (log, error,
  assert, exception text) or a docstring; and every later use of a constant that holds one;
* a qualified name rooted in a crypto module, package or class whose segments name an algorithm
  (``rsa.GenerateKey``, ``x509.ECDSAWithSHA1``, ``JWSAlgorithm.RS256``, ``padding.OAEP``);
* a constructor or class-level call of a crypto class (``new RSAEngine()``, ``Aes.Create()``), a C
  function or constant (``RSA_sign``, ``EVP_aes_256_cbc``, ``NID_X9_62_prime256v1``, ``KEY_ECDSA``);
* a method call that performs an operation (sign, verify, encrypt, ...) on a variable whose type is
  known in the file from a declaration, a type assertion or the call that created it;
* imports of algorithm-specific modules, packages, classes or headers (low confidence).

Comments are never read; a bare variable or function name is never a finding by itself.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from pqscan.algorithms import IdKind, all_algorithms, get, known
from pqscan.collect.code import names
from pqscan.collect.code.families import families_of
from pqscan.collect.code.oids import EC_KEY_ARCS, numeric_oids
from pqscan.model import Confidence, Usage


@dataclass(frozen=True)
class NameHit:
    line: int
    column: int
    symbol: str
    algorithm: str
    usage: Usage
    confidence: Confidence
    params: dict[str, object] = field(default_factory=dict)


# -- identifier words ------------------------------------------------------------------------------
# word (lower case) -> algorithm id; "EC" is special (curve known, purpose not)
_WORDS: dict[str, str] = {
    "rsa": "RSA", "pkcs1": "RSA", "oaep": "RSA", "pss": "RSA", "rsaes": "RSA", "rsassa": "RSA", "rsa1": "RSA",
    "ecdsa": "ECDSA", "ecdh": "ECDH", "ecdhe": "ECDH", "ec": "EC", "ecc": "EC", "elliptic": "EC",
    "dsa": "DSA", "dh": "DH", "ecdiffiehellman": "ECDH", "eccurve25519": "X25519", "desede3": "3DES", "dhe": "DH", "diffiehellman": "DH",
    "ed25519": "Ed25519", "ed448": "Ed448", "eddsa": "EdDSA", "x25519": "X25519", "curve25519": "X25519",
    "x448": "X448", "curve448": "X448",
    "aes": "AES", "rijndael": "AES", "des": "DES", "desede": "3DES", "tripledes": "3DES", "3des": "3DES",
    "des3": "3DES", "tdea": "3DES", "rc4": "RC4", "arc4": "RC4", "arcfour": "RC4", "blowfish": "Blowfish",
    "md5": "MD5", "sha1": "SHA-1", "hmac": "HMAC",
    "mlkem": "ML-KEM", "kyber": "ML-KEM", "mldsa": "ML-DSA", "dilithium": "ML-DSA", "slhdsa": "SLH-DSA",
    "sphincs": "SLH-DSA", "sphincsplus": "SLH-DSA",
    "sha224": "SHA-224", "sha256": "SHA-256", "sha384": "SHA-384", "sha512": "SHA-512",
    "p256": "EC:P-256", "p384": "EC:P-384", "p521": "EC:P-521", "secp256r1": "EC:P-256", "prime256v1": "EC:P-256",
    "secp384r1": "EC:P-384", "secp521r1": "EC:P-521", "secp256k1": "EC:secp256k1", "nistp256": "EC:P-256",
    "nistp384": "EC:P-384", "nistp521": "EC:P-521",
}
_WORDS.update({"aesgcm": "AES", "aesccm": "AES", "aeskw": "AES", "aescbc": "AES", "aesctr": "AES", "aesgcmkw": "AES",
               "sntrup761": "sntrup761", "sntrup": "sntrup761", "rsakem": "RSA", "c25519": "X25519",
               "kexc25519": "X25519", "edwards25519": "Ed25519", "pkcs1v15": "RSA", "pkcs1v1": "RSA",
               # RFC 8032 is EdDSA, RFC 7748 X25519/X448 (Bouncy Castle's Math.EC.Rfc8032 / Rfc7748)
               "rfc8032": "EdDSA", "rfc7748": "X25519",
               # JCA: EdEC* classes are EdDSA (java.security.spec.EdECPoint), XEC* are X25519/X448
               "edec": "EdDSA", "xec": "XDH",
               "nist192p": "EC:P-192", "nist224p": "EC:P-224", "nist256p": "EC:P-256", "nist384p": "EC:P-384",
               "nist521p": "EC:P-521"})
# words that name no family but end one ("RSAKEMGenerator", "ECIES", "AESGCM"): never substrings of a family
# Bouncy Castle's DSADigestSigner wraps any DSA-style signer (DSA, ECDSA, GOST) and DHKDFParameters are
# KDF parameters: their names say no family.
_WORDS.update(dict.fromkeys(("dsadigestsigner", "dhkdf", "kek", "kem", "gcm", "ccm", "cbc", "ctr", "ecb", "kdf", "ies", "dss", "kex", "jwk", "jws", "jwe",
                             "pkcs", "sig"), ""))
for _bits in ("256", "384", "512"):
    _WORDS[f"rs{_bits}"] = "RSA"
    _WORDS[f"ps{_bits}"] = "RSA"
    _WORDS[f"hs{_bits}"] = f"HMAC-SHA{_bits}"
    _WORDS[f"es{_bits}"] = {"256": "ECDSA-P256", "384": "ECDSA-P384", "512": "ECDSA-P521"}[_bits]
for _bits in ("128", "192", "256"):
    for _suffix in ("gcm", "kw", "cbc", "gcmkw", "ctr"):
        _WORDS[f"a{_bits}{_suffix}"] = "AES"
# Short words that are ordinary words or abbreviations in lower case: only upper case (or an
# imported module of that name) counts.
_UPPER_ONLY = frozenset({"ec", "dh", "des", "dhe", "pss", "ecc", "oaep", "dsa", "aes", "rsa1"})
_LOOSE_ONLY = frozenset({"elliptic"})
_SHORT_LOOSE = frozenset({"ec", "dh", "ecc"})  # even a whole snake_case part is too common  # only as a module / package name
_JOINED = re.compile(r"(?i)(?<![a-z])(ml|slh|triple|des)[_-](dsa|kem|des|ede3?)(?![a-z])")
# -- the gate: where a name can be ------------------------------------------------------------------
# Every name this pass reports holds one of these anchors (tests/unit/test_code_names.py checks it for
# every word and every catalogue name the literal reader accepts): the anchors are searched in the
# lower-cased text by one regex built as a trie (the regex engine skips a branch on its first
# character); "EC" and "DH" in the original text, and as whole lower-case parts. A hit counts only when
# the identifier or literal around it names an algorithm (:func:`_verified`), so a file whose hits are
# all "codes" and "universal" costs one regex pass and a few cached look-ups.
_GATE_ANCHORS = (
    "rsa", "dsa", "aes", "des", "ecdh", "25519", "448", "a128", "a192", "a256", "s256", "s384", "s512", "p256", "p384",
    "p521", "p-256", "p-384", "p-521", "p-224", "p-192", "e256v", "secp", "pkcs1", "ntru", "llipt", "sphin", ".840.",
    "1.3.1", "1.3.3", "1.2.1", "kem", "blowf", "mceli", "falco", "kyber", "frodo", "rijnd", "ssh-d", "dilit", "edwar",
    "hmac", "xmss", "tdea", "oaep", "sha1", "mayo", "bike", "lms", "md5", "xdh", "hqc", "pss", "rc4", "arcf", "dhe",
    "sntrup", "diffieh", "tripled", "diffie-", "hellman", "sha-1", "ecc", "1.3.6.", "2.5.8.", "bf-", "brainp",
    "cmac", "sm2", "dhkeya", "dhpubl", "ecmqv", "ecpub", "edh", "ffdh", "hss", "prime1", "-dss", "_ed_", "rfc8032",
    "rfc7748", "edec", "xec", "nist1", "nist2", "nist3", "nist5", "okp", "akp",
)


def _trie(words: list[str]) -> str:
    heads: dict[str, list[str]] = {}
    for w in words:
        heads.setdefault(w[0], []).append(w[1:])
    parts = []
    for head, rests in sorted(heads.items()):
        if "" in rests:
            parts.append(re.escape(head))
        elif len(rests) == 1:
            parts.append(re.escape(head) + re.escape(rests[0]))
        else:
            parts.append(re.escape(head) + "(?:" + _trie(rests) + ")")
    return "|".join(parts)


def _first_char_groups(words: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """One regex per first character: each starts with a literal, which the regex engine finds fast."""
    heads: dict[str, list[str]] = {}
    for w in sorted(set(words)):
        heads.setdefault(w[0], []).append(w[1:])
    return tuple(re.compile(re.escape(h) + "(?:" + _trie(sorted(rest)) + ")" if all(rest) else re.escape(h))
                 for h, rest in sorted(heads.items()))


_GATE_RES = _first_char_groups(_GATE_ANCHORS)
# "EC", "DH", "SHA" anywhere in the original text; "ec" and "dh" as whole lower-case parts ([^\W_] is a character
# str.isalnum() accepts). One literal-led pattern each: the regex engine skips to the literal (an alternation or a
# leading look-behind would be tried at every offset).
_UPPER_ANCHORS = tuple(re.compile(w) for w in ("EC", "DH", "SHA"))
_SHORT_WORDS = tuple(re.compile(rf"{w}(?<![^\W_]{w})(?![^\W_])") for w in ("ec", "dh"))
_ALL_TOKENS = re.compile(r"[A-Za-z0-9_$.+@/:-]+")
_ID_RUN = re.compile(r"[A-Za-z0-9_$]+")
_LIT_TOKEN = re.compile(r"[\w.+@/:-]*")
_ID_TOKEN = re.compile(r"[A-Za-z0-9_$]*")
# patterns the hot paths use, precompiled (a module-level re.split/findall looks its pattern up on every call):
# names into words; paths and qualified names into segments
_SPLIT_WORDS, _SPLIT_PATH, _SPLIT_MEMBER, _SPLIT_CHAIN = map(re.compile, (
    r"[_\W]+", r"[./:]+", r"\.|::", r"\s*(?:\.|::|->)\s*"))
# the classes built and the bare names passed in a declaration's value; a string's prefix; text being concatenated
_NEW_CLASS, _BARE_ARG, _WORD, _PY_STRING_PREFIX, _CONCAT_AFTER = map(re.compile, (
    r"\bnew\s+([A-Z]\w*)", r"(?<![\w.])[A-Za-z_]\w*(?![\w.(])", r"[A-Za-z_]\w*", r"(?i)^[rbuf]{0,2}", r"\s*\+(?!\+)"))

@cache
def _names_something(ident: str, literal: str) -> bool:
    return bool(_verb_words(ident)) or literal_algorithm(literal) is not None or bool(_PEM_TYPE.search(literal))


# the characters an identifier / a literal's token is made of, read backwards from a hit ([\w] is str.isalnum() or "_")
_ID_BACK = re.compile(r"[\w$]*")
_LIT_BACK = re.compile(r"[\w.+@/:-]*")


def _ident_end(text: str, p: int) -> int:
    while p < len(text) and (text[p].isalnum() or text[p] in "_$"):
        p += 1
    return p


def anchor_positions(text: str, gate: bool = True) -> list[int]:
    """Offsets in ``text`` where an identifier or literal that names an algorithm is (sorted). Without the
    gate every token is looked at (the same answer, slowly: the tests compare the two)."""
    if not gate:  # every token and every identifier in it: the reference the gate is tested against
        return sorted({m.start() for regex in (_ALL_TOKENS, _ID_RUN) for m in regex.finditer(text)})
    low = text.lower()
    hits = [m.start() for regex in _GATE_RES for m in regex.finditer(low)]
    hits.extend(m.start() for regex in _UPPER_ANCHORS for m in regex.finditer(text))
    hits.extend(m.start() for regex in _SHORT_WORDS for m in regex.finditer(low))
    out = []
    rev, n = text[::-1], len(text)  # the token around a hit starts where its characters, read backwards, end
    for p in hits:
        ident = _ID_TOKEN.match(text, n - _ID_BACK.match(rev, n - p).end()).group()  # type: ignore[union-attr]
        literal = _LIT_TOKEN.match(text, n - _LIT_BACK.match(rev, n - p).end()).group()  # type: ignore[union-attr]
        if len(ident) <= 80 and _names_something(ident, literal[:80]) or "PRIVATE KEY" in text[p:p + 30] or \
                text.startswith((".", "::"), _ident_end(text, p)) or \
                "PUBLIC KEY" in text[p:p + 30] or "PARAMETERS" in text[p:p + 30]:
            out.append(p)
    if "::E" in text or ".E" in text:
        out.extend(m.start(1) for m in _VARIANT_ANCHOR.finditer(text))  # AlgorithmFamily::Ec (_chain_words)
    out.sort()
    return out


_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


@cache
def words_of(identifier: str, loose: bool = False) -> list[str]:
    """Algorithm ids named by an identifier's words (``ECDSAWithSHA1`` -> ECDSA, SHA-1); never substrings
    (``describe``, ``rsplit``, ``DESCRIPTION`` name nothing)."""
    out: list[str] = []
    identifier = _JOINED.sub(lambda m: m.group(1) + m.group(2), identifier)
    for part in _SPLIT_WORDS.split(identifier):
        if part:
            out.extend(_part_words(part, loose))
    return out


def _only_words(name: str) -> bool:
    """``name`` is made of algorithm words only (``HMAC``, ``AESGCM``, ``RSASSA``), at least one naming a family."""
    rest = name.lower()
    named = False
    while rest:
        for w in _WORDS_BY_LEN:
            if rest.startswith(w):
                named = named or bool(_WORDS[w])
                rest = rest[len(w):]
                break
        else:
            return False
    return named and len(name) >= 3


def _boundary_before(part: str, i: int) -> bool:
    if i == 0:
        return True
    prev, cur = part[i - 1], part[i]
    return (prev.islower() and cur.isupper()) or (prev.isdigit() != cur.isdigit())


def _boundary_after(part: str, j: int, matched: str) -> bool:
    if j >= len(part):
        return True
    nxt = part[j]
    if nxt.isdigit():
        return not matched[-1].isdigit()
    if matched[-1].islower() or matched[-1].isdigit():
        return nxt.isupper()
    # upper-case word: the next must start a Capitalised word ("RSAEngine"), or be a word itself
    return nxt.isupper() and j + 1 < len(part) and part[j + 1].islower()


def _part_words(part: str, loose: bool) -> list[str]:
    out: list[str] = []
    i = 0
    n = len(part)
    prev_end = -1
    while i < n:
        if not _boundary_before(part, i) and prev_end != i:
            i += 1
            continue
        m = None
        for cand in _candidates(part, i):
            j = i + len(cand)
            if _boundary_after(part, j, cand) or _starts_word(part, j):
                m = cand
                break
        if m is None:
            i += 1
            continue
        key = m.lower()
        whole = m == part
        if key in _UPPER_ONLY and not (m.isupper() or (loose and whole) or (whole and key not in _SHORT_LOOSE)) \
                and not (m[0].isupper() and m[1:].islower() and key in ("aes", "des", "dsa")):
            i += len(m)
            continue
        if key in _LOOSE_ONLY and not loose:
            i += len(m)
            continue
        if not (m.isupper() or m.islower() or (m[0].isupper() and m[1:] == m[1:].lower()) or len(key) >= 5 or key == "hmac"
                or key.startswith(("ed", "x", "ml", "slh", "rsa1"))):
            i += len(m)
            continue
        if _WORDS[key]:
            out.append(_WORDS[key])
        i += len(m)
        prev_end = i
    return out


def _candidates(part: str, i: int) -> list[str]:
    """The words that start at ``i``, longest first."""
    low = part[i:i + _LONGEST].lower()
    return [part[i:i + n] for n in range(len(low), 1, -1) if low[:n] in _WORDS]


_WORDS_BY_LEN = sorted(_WORDS, key=len, reverse=True)
_LONGEST = max(map(len, _WORDS))


def _starts_word(part: str, j: int) -> bool:
    """Another algorithm word starts at ``j`` (``HMACSHA256``, ``MD5WithRSA``)."""
    low = part[j:j + _LONGEST].lower()
    return j < len(part) and any(low[:n] in _WORDS for n in range(len(low), 2, -1))


# -- names written as strings ----------------------------------------------------------------------
_NEVER_LITERALS = frozenset({"bf", "des", "ec", "dh", "sha", "dss", "none", "dir", "direct", "null", "psk", "plain",
                             "rsa1", "md", "aes", "dsa", "ecc", "pss", "oaep", "mac", "hmac", "cbc", "gcm", "ecb"})
_SCORED_FAMILIES = frozenset({"NTRU-Prime", "FrodoKEM", "Classic-McEliece", "HQC", "BIKE", "FN-DSA", "LMS", "XMSS","RSA", "DH", "DSA", "ECDSA", "ECDH", "EdDSA", "ML-KEM", "ML-DSA", "SLH-DSA", "AES",
                              "DES", "3DES", "RC4", "Blowfish", "MD5", "SHA-1", "HMAC", "SHA-2", "Composite-ML-KEM",
                              "Composite-ML-DSA"})
_PEM_TYPE = re.compile(r"(?:-----BEGIN )?(RSA|EC|DSA|DH) (?:PRIVATE KEY|PUBLIC KEY|PARAMETERS)(?:-----)?")
_NAME_KINDS = (IdKind.NAME, IdKind.JOSE, IdKind.SSH_KEX, IdKind.SSH_HOST_KEY, IdKind.SSH_CIPHER, IdKind.SSH_MAC,
               IdKind.LIBOQS)


@cache
def literal_algorithm(text: str) -> tuple[str, dict[str, object]] | None:
    """The algorithm a whole string literal names, or None (exact names only; SHA-2/SHA-3 are left to the
    rules, which report hashing where it happens)."""
    found = _literal_algorithm(text)
    if found is not None and get(found[0]).family in ("SHA-2", "SHA-3"):
        return None
    return found


_TEMPLATE_HEAD = re.compile(r"([A-Za-z][\w.+@/-]*-)\$\{[^`{}]*\}`")


@cache
def _names_by_prefix() -> dict[str, frozenset[str]]:
    """Every catalogue name (JOSE, SSH, plain) cut after each "-": the families of the names that start so."""
    out: dict[str, set[str]] = {}
    for alg in all_algorithms():
        if alg.family not in _SCORED_FAMILIES:
            continue
        for kind, ident in alg.identifiers:
            if kind in _NAME_KINDS and isinstance(ident, str):
                low = ident.lower()
                for i, c in enumerate(low):
                    if c == "-":
                        out.setdefault(low[:i + 1], set()).add(alg.id)
    return {k: frozenset(v) for k, v in out.items()}


@cache
def template_algorithm(head: str) -> tuple[str, dict[str, object]] | None:
    """The algorithm a template literal names when its fixed part is ``head`` followed by one placeholder
    (``ML-DSA-${set}``): the family all catalogue names starting with ``head`` share."""
    ids = _names_by_prefix().get(head.lower(), frozenset())
    fams = {get(i).family for i in ids}
    if len(fams) != 1:
        return None
    first = sorted(ids)[0]
    return first, {"name_template": head + "${...}", "unknown_reason": "the name is completed at run time"}


def _literal_algorithm(text: str) -> tuple[str, dict[str, object]] | None:
    s = text.strip()
    if not 2 <= len(s) <= 64 or s != text:
        return None
    m = _PEM_TYPE.fullmatch(s)
    if m:
        return _EC_ID if m.group(1) == "EC" else m.group(1), {"embedded": "PEM type", **(
            _EC_PARAMS if m.group(1) == "EC" else {})}
    if any(c.isspace() for c in s) or s.lower() in _NEVER_LITERALS and not s.isupper():
        return None
    if s.upper() == "XDH":
        return "X25519", {"family": "X25519|X448", "unknown_reason": "XDH names X25519 or X448; the curve is not named"}
    if s in ("EC", "ECC"):
        return _EC_ID, dict(_EC_PARAMS)
    if re.fullmatch(r"\d+(?:\.\d+){3,}", s):
        alg = known(IdKind.OID, s)
        return (alg.id, {"oid": s}) if alg is not None and alg.family in _SCORED_FAMILIES else None
    if not re.fullmatch(r"[A-Za-z0-9][\w.+@/-]*", s):
        return None
    if s in _KEY_TYPES:
        return _KEY_TYPES[s]
    c = names.curve(s)
    if c and (len(s) >= 5 or any(ch.isdigit() for ch in s)) and c not in _NOT_WEIERSTRASS:  # a curve name alone: an EC key or group, purpose not visible
        return names.with_curve("ECDSA", c), {**_EC_PARAMS, "curve": c}
    for kind in _NAME_KINDS:
        for candidate in (s, s + "@openssh.com"):
            alg = known(kind, candidate)
            if alg is not None:
                return (alg.id, {}) if alg.family in _SCORED_FAMILIES else None
    for reader in (names.signature, names.jca_transformation if "/" in s else names.cipher, names.hash_name,
                   lambda t: names.resolve("keytype", t), lambda t: names.resolve("keyagreement", t),
                   lambda t: names.resolve("kem", t)):
        hit = reader(s)
        if hit is None:
            continue
        alg_id = hit.algorithm or (names.with_curve(hit.family, None) if hit.family else None)
        if alg_id is None:
            continue
        alg = known(IdKind.NAME, names.canonical(alg_id))
        if alg is None or alg.family not in _SCORED_FAMILIES:
            return None
        params = {k: v for k, v in hit.params.items() if isinstance(v, (str, int))}
        if hit.family == "EC":
            params.update(_EC_PARAMS)
        return alg.id, params
    c = names.curve(s)
    if c and len(s) >= 5:
        return names.with_curve("ECDSA", c), {**_EC_PARAMS, "curve": c}
    if _KEY_FILE.search(s):  # "private_rsa_key_pkcs1.pem": a key of a known type read from a file
        algs = words_of(re.split(r"[/\\]", s)[-1].rsplit(".", 1)[0], loose=True)
        if algs:
            return algs[0], {"key_file": s}
    if _DASH_NAME.fullmatch(s):  # SSH-style names the catalogue lacks: "rsa2048-sha256", "hmac-sha2-256-etm"
        algs = [a for part in s.split("@")[0].split("-") for a in words_of(part) if not a.startswith("SHA-") or a == "SHA-1"]
        if algs:
            return algs[0], {"also": ",".join(dict.fromkeys(algs[1:]))} if len(set(algs)) > 1 else {}
    if _SPEC_NAME.search(s):  # "sha1WithRSAEncryption", "TLS_RSA_WITH_AES_128_CBC_SHA", "pbeWithSHAAnd128BitRC4"
        algs = [a for a in words_of(s) if not a.startswith("SHA-") or a == "SHA-1"]
        if algs:
            return algs[0], {"also": ",".join(algs[1:])} if len(algs) > 1 else {}
    return None


_TABLE_KEY = re.compile(r"\s*(?::(?![:=])|=>|=(?![=>]))")
_CATALOGUE_ONLY = (IdKind.NAME, IdKind.JOSE, IdKind.SSH_KEX, IdKind.SSH_HOST_KEY, IdKind.SSH_CIPHER, IdKind.SSH_MAC)


@cache
def _strong_name(name: str) -> bool:
    """An identifier that is itself a catalogue name with a digit or in capitals (``RS256``, ``A128GCM``, ``RSA``),
    written as a key or member of a table or enum (``{HS256: ...}``, ``OKP = 1``)."""
    if not (any(ch.isdigit() for ch in name) or name.isupper()) or len(name) < 2:
        return False
    if not any(known(kind, name) is not None for kind in _CATALOGUE_ONLY):
        return False
    return literal_algorithm(name) is not None


_DASH_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+(?:@[a-z0-9.-]+)?")
_KEY_FILE = re.compile(r"(?i)\.(?:pem|der|pk8|p8|key|crt|cer|pub|p12|pfx|jks|jwk)$")
_SPEC_NAME = re.compile(r"^(?:id[-_]|pbe|TLS_|SSL_)|With|WITH|with[A-Z]")


_EC_ID = "ECDSA"
# JOSE / COSE key types (RFC 7518 §6.1, RFC 8037 §2, RFC 9053 §7): "OKP" is an Ed25519/Ed448/X25519/X448 key,
# COSE "EC2" an EC key.
_KEY_TYPES: dict[str, tuple[str, dict[str, object]]] = {
    "OKP": ("Ed25519", {"family": "EdDSA|X25519|X448", "unknown_reason": "an OKP key: Ed25519, Ed448, X25519 or X448"}),
    "EC2": ("ECDSA", {"family": "EC", "unknown_reason": "a COSE EC2 key: ECDSA or ECDH"}),
    "AKP": ("ML-DSA-65", {"family": "ML-DSA|SLH-DSA",
                          "unknown_reason": "a JOSE/COSE AKP key (ML-DSA or SLH-DSA drafts): parameter set not named"}),
}
_NOT_WEIERSTRASS = frozenset({"Ed25519", "Ed448", "X25519", "X448", "Curve25519", "Curve448"})
_EC_PARAMS = {"family": "EC", "unknown_reason": "EC key or curve: purpose (ECDSA or ECDH) not visible here"}


# -- lexing ----------------------------------------------------------------------------------------
_NEWLINE = re.compile("\n")
_CONTEXT = 300  # characters of a line read before a name (a minified file is one long line)
_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
_C_COMMENT = r"/(?:/[^\n]*|\*[\s\S]*?\*/)"
_DQ = r'"(?:[^"\\\n]|\\.)*"'
_SQ = r"'(?:[^'\\\n]|\\.)*'"
# String literals and comments. Every alternative starts with a literal character and none is in a group, so the
# regex engine skips to the next possible first character (a group around them makes it try every offset); a
# comment is what starts with "/" or "#" (_COMMENT_START).
_LEXERS = {
    # a literal starts at its quote (a prefix such as b'' or r"" stays in the code before it)
    "python": re.compile(r"#[^\n]*|\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|" + _DQ + "|" + _SQ),
    "javascript": re.compile(rf"{_C_COMMENT}|{_DQ}|{_SQ}|`[^`]*`"),
    "go": re.compile(rf"{_C_COMMENT}|{_DQ}|`[^`]*`|'(?:[^'\\\n]|\\.)+'"),
    "csharp": re.compile(rf"{_C_COMMENT}|@\"(?:[^\"]|\"\")*\"|\${_DQ}|{_DQ}|'(?:[^'\\\n]|\\.)+'"),
    "rust": re.compile(rf"{_C_COMMENT}|r(?P<h>#*)\"[\s\S]*?\"(?P=h)|b{_DQ}|{_DQ}|b'(?:[^'\\\n]|\\.)'|'(?:[^'\\\n]|\\.)'"),
    "java": re.compile(rf"{_C_COMMENT}|\"\"\"[\s\S]*?\"\"\"|{_DQ}|'(?:[^'\\\n]|\\.)+'"),
    "c": re.compile(rf"{_C_COMMENT}|{_DQ}|'(?:[^'\\\n]|\\.)+'"),
}
_COMMENT_START = "/#"


def _string_body(raw: str, language: str) -> str | None:
    s = raw
    if language == "python":
        s = _PY_STRING_PREFIX.sub("", s)
        if s[:3] in ('"""', "'''"):
            return None  # docstrings and multi-line text name no algorithm by themselves
    s = s.lstrip("@$b")
    if s.startswith("r") and language == "rust":
        return None
    if len(s) < 2 or s[0] not in "\"'`" or s[-1] != s[0]:
        return None
    body = s[1:-1]
    return None if "\\" in body or "${" in body else body


# -- where a name selects behaviour ----------------------------------------------------------------
_MESSAGE_CALL = re.compile(
    r"(?i)(?:^|[.\s(!])(?:log\w*|logger|debug\w*|info\w*|warn\w*|error\w*|trace\w*|fatal\w*|print\w*|println|"
    r"sprintf|errorf|format|panic\w*|console|assert\w*|expect\w*|fail\w*|describe|it|test\w*|\w*exception|"
    r"\w*error|\w*err|raise|throw|getlogger|writeline|write|msg|message)\s*\($")
_ASSERT_LINE = re.compile(r"^\s*(?:assert\b|raise\b|throw\b|#\s*error)")
_IDENT_CHAIN = re.compile(r"(?<![\w$.])(new\s+)?([A-Za-z_$][\w$]*(?:\s*(?:\.|::|->)\s*[A-Za-z_$][\w$]*)*)(\s*[(<{])?")
_CONST_DEF = re.compile(r"(?:#\s*define\s+([A-Za-z_]\w*)\s+|(?<![\w.$])([A-Za-z_]\w*)\s*(?::=|=|:)\s*)$")
_OP_METHODS = frozenset(m.lower() for m in (
    "sign", "verify", "signData", "verifyData", "signHash", "verifyHash", "encrypt", "decrypt", "seal", "open",
    "doFinal", "initSign", "initVerify", "generateKeyPair", "generateKey", "generateSignature",
    "verifySignature", "computeSecret", "deriveKey", "deriveSecret", "deriveKeyMaterial", "calculateAgreement",
    "processBlock", "wrap", "unwrap", "encapsulate", "decapsulate", "generateSecret", "agree", "SignPSS",
    "VerifyPSS", "SignPKCS1v15", "VerifyPKCS1v15", "EncryptOAEP", "DecryptOAEP", "EncryptPKCS1v15",
    "DecryptPKCS1v15", "ECDH", "Decapsulate", "Encapsulate", "createEncryptor", "createDecryptor",
    "transformFinalBlock", "exchange", "SharedKey", "computeHash", "hashData", "signMessage", "verifyMessage",
    "init", "CryptBlocks", "compute", "createSignature", "verifySignature", "privateEncrypt", "publicDecrypt",
))
_CRYPTO_PATH = re.compile(r"(?i)crypt|secur|jose|jwt|jws|jwk|jwa|ssh|ssl|tls|bouncycastle|pkcs|x509|cipher|"
                          r"signature|hazmat|hashlib|hmac|nacl|sodium|forge|rsa|ecdsa|ed25519|elliptic|curve25519|"
                          r"\bring\b|rustls|webauthn|fido|cose|\bkeys?\b|openssl|sha\d|md5|aes|des|digest|"
                          r"\bec\b|\bdh\b|\bdsa\b|x25519|x448|ed448|mlkem|mldsa|kyber|dilithium|spki|pem|asn1|der")
_CRYPTO_ROOTS = frozenset({
    "crypto", "forge", "hashlib", "hmac", "Crypto", "cryptography", "jwt", "jws", "jwa", "jwk", "jose", "x509",
    "elliptic", "ssh", "tls", "SecurityAlgorithms", "HashAlgorithmName", "SignatureAlgorithm", "JWSAlgorithm",
    "JWEAlgorithm", "KeyType", "Curve", "ECCurve", "NamedCurve", "JsonWebAlgorithmsKeyTypes", "KeyAlgorithm",
    "Algorithm", "Algorithms", "SignatureAlgorithms", "CipherSuite", "NamedGroup", "SignatureScheme", "EVP",
    "OpenSSL", "ssl", "subtle", "webcrypto", "CryptoAlgorithm", "pki", "asn1", "oids", "x509v3", "PublicKeyAlgorithm",
    "ObjectIdentifiers", "PKCSObjectIdentifiers", "X9ObjectIdentifiers", "NISTObjectIdentifiers",
    "SECObjectIdentifiers", "EdECObjectIdentifiers", "OIWObjectIdentifiers", "TeleTrusTObjectIdentifiers",
    "KnownOids", "Oids", "AlgorithmId", "KeyUtil", "KnownCurves", "CurveName", "EllipticCurves", "JwsAlgorithms",
    "JweAlgorithms", "Algs", "Alg", "hashes", "padding", "serialization", "asymmetric", "ciphers", "algorithms",
    "modes", "kdf", "keywrap",
})
# Statements at a line start are written "\n" + the line and searched in "\n" + the text (_LINE_LED): the regex engine
# jumps from newline to newline (a ^ pattern is tried at every offset); a match's start is its line's offset in the text.
_IMPORT_RES = {
    "python": re.compile(r"\n[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([\w ,\t]+)|import[ \t]+([\w., \t]+))"),
    "java": re.compile(r"\n[ \t]*import[ \t]+(?:static[ \t]+)?([\w.]+?)(?:\.\*)?[ \t]*;"),
    "csharp": re.compile(r"\n[ \t]*using[ \t]+(?:static[ \t]+)?(?:\w+[ \t]*=[ \t]*)?([\w.]+)[ \t]*;"),
    "c": re.compile(r"\n[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]+)[>\"]"),
    "rust": re.compile(r"\n[ \t]*(?:pub[ \t]+)?use[ \t]+([^;]+);"),
    # JavaScript: require('m') | from 'm' | import 'm' at a line start, found by _js_imports
    "javascript": re.compile(r"require\(\s*['\"]([^'\"]+)['\"]\s*\)|from\s+['\"]([^'\"]+)['\"]"),
    "go": re.compile(r"(?:^[ \t]*import[ \t]+(\w+[ \t]+)?\"([^\"]+)\"|^[ \t]*(\w+[ \t]+)?\"([^\"]+)\"[ \t]*$)", re.M),
}
# the short variants of an enum of algorithm families / key types (``AlgorithmFamily::Ec``, ``KeyType.Ed``)
_SHORT_VARIANTS = {"Ec": "EC", "EC": "EC", "Ed": "EdDSA", "ED": "EdDSA"}
_VARIANT_ANCHOR = re.compile(r"(?:Algorithm|Key)(?:Family|Type|Kind)\s*(?:::|\.)\s*(Ec|EC|Ed|ED)\b")
_JS_IMPORT_LINE = re.compile(r"\n[ \t]*import\s+['\"]([^'\"]+)['\"]")  # in "\n" + text
_LINE_LED = frozenset({"python", "java", "csharp", "c", "rust"})  # their _IMPORT_RES read "\n" + text
_FAMILY_ENUM = re.compile(r"(?:Algorithm|Key)(?:Family|Type|Kind)$|^Kty$|^KeyAlgorithm$")
_CRYPTO_CLASS = re.compile(r"Crypt|Cipher|Digest|Signature|Signer|Hash|Mac|Kex|KeyExchange|Jws|JWS|Jwe|JWE|Jwk|JWK|"
                           r"Jwt|JWT|Jose|JOSE|Cose|COSE|Ssh|SSH|Tls|TLS|Ssl|SSL|X509|Pkcs|PKCS|Algorithm|"
                           r"ObjectIdentifiers|NamedCurves|Curves$|Oids?$")
_VERB_NAME = re.compile(r"(?i)(?:from|as|to|load|parse|read|import|export|generate|gen|new|create|sign|verify|"
                        r"encrypt|decrypt|derive|wrap|unwrap|compute|make|init|decode|encode)_?[a-z0-9]*?"
                        r"(?:rsa|ec|ecdsa|ecdh|ed|ed25519|ed448|x25519|x448|dsa|dh|aes|des|hmac|md5|sha1)(?:_|[A-Z]|$)")
_KEY_NOUNS = frozenset({"key", "keys", "pem", "der", "pk8", "pkcs1", "pkcs8", "jwk", "components", "component",
                        "secret", "sign", "signature", "verify", "encrypt", "decrypt", "cert", "certificate", "public",
                        "private", "pub", "priv", "pair", "keypair", "params", "parameters", "numbers", "digest",
                        "hash", "mac", "cipher", "agreement", "shared", "blob"})
_NAME_TOKEN = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z0-9]+(?![a-z])")


def _innermost_open(before: str) -> int:
    """Index of the innermost bracket still open at the end of ``before`` (-1 when none is)."""
    depth = 0
    for i in range(len(before) - 1, -1, -1):
        ch = before[i]
        if ch in ")]}":
            depth += 1
        elif ch in "([{":
            if depth == 0:
                return i
            depth -= 1
    return -1


def _verb_words(name: str) -> list[str]:
    """A library method's algorithm words; "ed" alone is EdDSA there (``from_ed_der``, ``as_ed_public_key``)."""
    return words_of(name, loose=True) or (["EdDSA"] if _ED_PART.search(name) else [])


_ED_PART = re.compile(r"(?i)_ed_")


def _library_verb_name(name: str) -> bool:
    """``from_rsa_pem``, ``as_ec_private_key``, ``loadRSAPublicKey``: a verb, an algorithm and a key word."""
    return bool(_VERB_NAME.match(name)) and any(t.lower() in _KEY_NOUNS for t in _NAME_TOKEN.findall(name))


# Algorithm-specific modules whose names do not say which algorithm (each a fact about the library):
# cryptography's asymmetric.padding holds only RSA paddings (PKCS1v15, PSS, OAEP); PyNaCl's signing is
# Ed25519 and its public-key box is X25519.
_MODULE_FAMILY = {"cryptography.hazmat.primitives.asymmetric.padding": "RSA", "nacl.signing": "Ed25519",
                  "nacl.public": "X25519"}
_PY_ANNOTATION = re.compile(r"(?:->|:)\s*(?:[\w.]+\s*[\[|,]\s*)*$")
_PY_ANNOTATED = re.compile(r"[ \t]*(?:async[ \t]+)?def\b|[ \t]*[A-Za-z_][\w.]*[ \t]*:[ \t]*[A-Za-z_]")
_CRYPTO_NAMESPACES = frozenset({"Cryptography", "crypto", "security", "bouncycastle", "BouncyCastle", "hazmat",
                                "primitives", "asymmetric", "ciphers", "ECCurve", "NamedCurves", "engines", "signers",
                                "digests", "macs", "modes", "generators", "agreement", "params", "jce", "provider",
                                "spec", "interfaces"})
_KEYWORDS = frozenset({"import", "package", "using", "from", "include", "use", "func", "def", "class", "struct",
                       "interface", "enum", "type", "fn", "function", "define", "ifdef", "ifndef", "undef", "if",
                       "elif", "record", "namespace", "impl", "trait", "mod"})


def _any(alternatives: str) -> str:
    """A regex group matching any of the whitespace-separated ``alternatives`` (each itself a regex)."""
    return "(?:" + "|".join(alternatives.split()) + ")"


_CRYPTO_CLASS_NAME = re.compile(r"^[A-Z]\w*" + _any("Algorithm Key Signer Verifier Cipher Engine Digest Mac Padding KeyPair "
                                                   "Encryption Decryption Encryptor Decryptor Agreement Generator "
                                                   "Parameters Spec") + "$")
_NOT_CRYPTO_CLASS = re.compile(_any("Test Tests TestCase Exception Error Message Panel Dialog View") + "$|^"
                               + _any("Invalid Unsupported Missing Bad Wrong Unknown Failed Illegal"))
_C_CONSTANT = re.compile(r"[A-Z][A-Z0-9]*_[A-Z0-9_]*[a-z0-9_]*\w*")
_C_NOT_USE = re.compile("(?i)" + _any("SIZE BYTES _LEN LENGTH _MAX _MIN BITS _SZ _free _cleanup _clear _destroy _dispose "
                                      "_reset _zero") + "$|^" + _any("USE_ HAVE_ OPENSSL_NO_ WITH_ ENABLE_ SSH_ERR_ ERR_ get_ set_"))
# a call that encrypts or signs a length of bytes is an operation, not a size (aesctr_encrypt_bytes(ctx, ...))
_C_SIZED_OP = re.compile(r"(?i)(?:crypt|sign|verify)_(?:bytes|len)$")
_C_CRYPTO_CALL = re.compile("(?i)" + _any("sign verify encrypt decrypt keygen gen_?key generate compute derive shared agree "
                                          "exchange _new new_ init update final key pub priv seal open encap decap _enc _dec "
                                          "kex mac digest hash cipher cbc gcm ctr ecb cfb ofb ccm curve param point group "
                                          "read write load blob crypt wrap"))
_C_TYPE_USE = re.compile(r"\s*(?:\*|[A-Za-z_]\w*\s*[;=,)\[])")
_DECLARED_NAME = re.compile(r"\b" + _any("package func def class struct type interface enum namespace fn mod trait impl "
                                         "function var let const val record") + r"\s+$")
_PP_CONDITION = re.compile(r"[ \t]*#[ \t]*" + _any("if ifdef ifndef elif endif undef else error warning") + r"\b")
_FACTORY = re.compile("(?i)" + _any(r"create\w* getinstance newinstance generate\w* new\w* import\w* load\w* parse\w* "
                                    r"from\w+ derive\w* sign\w* verify\w* encrypt\w* decrypt\w*"))
_GO_IMPORT_BLOCK = re.compile(r"^import\s*\(([^)]*)\)", re.M)
_DECL_TYPED = re.compile(r"\b([A-Z][\w.]*)(?:<[^<>;\n]*>)?(?:\[\])?[ \t]+([a-zA-Z_]\w*)[ \t]*(?=[=;,)])")
_DECL_GO = re.compile(r"\b([a-zA-Z_]\w*)[ \t]+\*?([a-z]\w*\.[A-Z]\w*)")
# where a function begins, newline-led: searched in "\n" + the text (as _IMPORT_RES; scanner.py reads it too)
_FUNC_START = re.compile(r"\n[ \t]*(?:(?:public|private|protected|internal|static|async|override|virtual|final|export|"
                         r"pub|unsafe|abstract|synchronized)[ \t]+)*(?:def|func|function|fn)\b|\n[ \t]*(?:public|private|"
                         r"protected|internal)\b[^;=\n]*\(")
FUNCTION_START = _FUNC_START
_DECL_ASSERT = re.compile(r"\b([a-zA-Z_]\w*)(?:\s*,\s*\w+)?\s*:?=\s*[\w.]+\.\(\*?([a-z]\w*\.[A-Z]\w*)\)")
_DECL_FIELD = re.compile(r"\b([a-z_]\w*)[ \t]*:[ \t]*&?(?:mut[ \t]+|'\w+[ \t]+)?(?:(?:Arc|Rc|Box|Option|Mutex|RwLock)<)*"
                         r"([A-Z]\w*(?:(?:::|\.)\w+)*)")
_RUST_FIELD = re.compile(r"[ \t]*(?:pub(?:\([\w ]+\))?[ \t]+)?[a-z_]\w*[ \t]*:[^;=\n]*,[ \t]*(?://[^\n]*)?$", re.M)
_DECL_INIT = re.compile(r"\b([a-zA-Z_]\w*)(?:\s*,\s*\w+)*\s*(?::=|=)\s*(?:await\s+)?(?:new\s+)?([A-Za-z_][\w.:]*)\s*[(<{]"
                        r"([^;\n]{0,200})")


def _callee_of(seg: str, p: int) -> int | None:
    """The offset of the last character of the call that ``p`` is an argument of (within 400 characters)."""
    lo = max(0, p - 400)
    hi = p
    for _ in range(8):
        i = seg.rfind("(", lo, hi)
        if i < 0 or ";" in seg[i:p]:
            return None
        if seg.count("(", i, p) > seg.count(")", i, p):  # still open at p: p is inside its argument list
            j = i - 1
            while j >= 0 and seg[j] in " \t":
                j -= 1
            return j if j >= 0 and (seg[j].isalnum() or seg[j] in "_$") else None
        hi = i
    return None


_FIELD_DECL = re.compile(r"[ \t]*(?:private|protected|public|internal|readonly|final|static)\b[^(\n]*$", re.M)
# the name a Java/C# field declaration declares (``private readonly DsaDigestSigner _signer;``), typed or not
_FIELD_NAME = re.compile(r"^[ \t]*(?:(?:private|protected|public|internal|readonly|final|static|volatile)[ \t]+)+"
                         r"[\w.<>\[\],? \t]*?[ \t]([A-Za-z_]\w*)[ \t]*(?:;|=(?!=))", re.M)
# an operation method on a typed receiver: the known ones, or a verb that starts the name (verifyInternalMu, kemDecrypt)
_OP_PREFIX = re.compile(r"(?:[Ss]ign|[Vv]erify|[Ee]ncrypt|[Dd]ecrypt|[Ee]ncaps|[Dd]ecaps|[Kk]em(?=[A-Z]))(?![a-z])")


# words of a function name that say it operates with what it is given (NewECBEncrypter(block))
_OP_WORDS = frozenset({"encrypt", "decrypt", "encrypter", "decrypter", "encryptor", "decryptor", "sign", "signer",
                       "verify", "verifier", "wrap", "unwrap"})
_TYPED_ONLY_OPS = re.compile(r"generate|from_\w+")  # on a key class: key generation, key construction


def is_operation(method: str) -> bool:
    """``method`` names a cryptographic operation when its receiver's algorithm is known."""
    return method.lower() in _OP_METHODS or bool(_OP_PREFIX.match(method) or _TYPED_ONLY_OPS.fullmatch(method))


# Python bindings that carry a key type (lexical._FileNames._python_bindings): a module- or class-level table or
# alias of key classes, and the assignments that take their type from one
_PY_TOP_BINDING = re.compile(r"^(?:    )?([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=[ \t]*"
                             r"(?:(?:typing\.)?(?:Union|Optional|Type|Tuple|tuple|frozenset|dict)[ \t]*)?([\[{(])", re.M)
_PY_ASSIGN = re.compile(r"^[ \t]*((?:[\w.]+[ \t]*,[ \t]*)*[\w.]+)[ \t]*(?::[^=\n]*)?=[ \t]*(?:await[ \t]+)?(?:"
                        r"cast\([ \t]*['\"]?([\w.]+)['\"]?[ \t]*,|([\w.]+)[ \t]*\[|([\w.]+)\.(\w+)[ \t]*\()", re.M)
_PY_CLASS_NAME = re.compile(r"(?<![\w.'\"])([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)")
_INDENT = re.compile(r"[ \t]*")
_PY_ANNOTATION_LINE = re.compile(r"[ \t]+[A-Za-z_]\w*[ \t]*:[^=\n]*(?:=|$)", re.M)
_ERROR_WORD = re.compile(r"(?i)invalid|error|err_|fail|unsupported|missing|bad_|wrong|illegal")
_KEY_TYPE = re.compile(r"(?:Public|Private)Key|Key")
_CONSTANT_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")


@cache
def _constant_words(name: str) -> list[str]:
    """The algorithms an upper-case constant's name spells (``RSA_OAEP``, ``ECDH_ES_A128KW``, ``PS256``)."""
    found = literal_algorithm(name) or literal_algorithm(name.replace("_", "-"))
    words = [a for a in words_of(name) if not a.startswith("SHA-") or a == "SHA-1"]
    return list(dict.fromkeys(([found[0]] if found else []) + words))


def _balanced(seg: str, start: int, limit: int) -> str:
    """The text of the argument list that starts at ``start`` (just after its "("), bounded."""
    depth = 0
    end = min(len(seg), start + limit)
    for i in range(start, end):
        ch = seg[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return seg[start:i]
            depth -= 1
    return seg[start:end]


def _js_imports(text: str, nl_text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, module) of what ``require\\(...\\)|from '...'|^[ \\t]*import '...'`` (re.M) finds in ``text``, in order:
    the first two alternatives and the line-led third are searched apart (each from its literal) and the leftmost
    taken, as the engine takes it; ``nl_text`` is ``"\\n" + text``."""
    pos, n = 0, len(text)
    a = b = None
    a_done = b_done = False
    while pos <= n:
        if not a_done and (a is None or a.start() < pos):
            a = _IMPORT_RES["javascript"].search(text, pos)
            a_done = a is None
        if not b_done and (b is None or b.start() < pos):
            b = _JS_IMPORT_LINE.search(nl_text, pos)  # the "\n" before a line is at the line's offset in nl_text
            b_done = b is None
        if a is not None and (b is None or a.start() <= b.start()):
            yield a.start(), a.end(), a.group(1) or a.group(2)
            pos = a.end()
        elif b is not None:
            yield b.start(), b.end() - 1, b.group(1)
            pos = b.end() - 1
        else:
            return


def names_pattern(names: Iterable[str]) -> re.Pattern[str]:
    """``names`` as whole words, for :func:`word_matches` (``\\b(?:a|b)\\b`` without its leading ``\\b``: a pattern
    led by the names' first characters is searched fast, one led by ``\\b`` is tried at every offset)."""
    return re.compile("(?:" + "|".join(map(re.escape, names)) + r")\b")


def word_matches(regex: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches ``finditer`` gives for ``\\b`` + ``regex`` (:func:`names_pattern`): where a match of ``regex`` does not
    start at a word boundary, the search goes on from the next character, as the engine would."""
    pos, n = 0, len(text)
    while (m := regex.search(text, pos)) is not None:
        p = m.start()
        if (p > 0 and (text[p - 1].isalnum() or text[p - 1] == "_")) != (p < n and (text[p].isalnum() or text[p] == "_")):
            yield m
            pos = m.end() if m.end() > p else p + 1
        else:
            pos = p + 1


def _chains(seg: str, hits: list[int], extra_re: re.Pattern[str] | None) -> Iterator[re.Match[str]]:
    """The qualified names in ``seg`` at the anchor offsets ``hits`` (or naming ``extra_re``), each once."""
    starts: set[int] = set()
    if extra_re is not None:
        extra = [m.start() for m in word_matches(extra_re, seg)]
        hits = sorted({*hits, *extra, *(c for p in extra if (c := _callee_of(seg, p)) is not None)})
    for p in hits:
        i = p
        while True:
            while i > 0 and (seg[i - 1].isalnum() or seg[i - 1] in "_$"):
                i -= 1
            j = i
            while j > 0 and seg[j - 1] in " \t":
                j -= 1
            if j >= 2 and seg[j - 2:j] in ("::", "->") or (j >= 1 and seg[j - 1] == "."):
                k = j - (2 if seg[j - 2:j] in ("::", "->") else 1)
                while k > 0 and seg[k - 1] in " \t":
                    k -= 1
                if k > 0 and (seg[k - 1].isalnum() or seg[k - 1] in "_$"):
                    i = k
                    continue
            break
        nm = _NEW_BEFORE.search(seg, max(0, i - 12), i)
        start = nm.start() if nm else i
        if start in starts:
            continue
        starts.add(start)
        m = _IDENT_CHAIN.match(seg, start)
        if m is not None:
            yield m


_NEW_BEFORE = re.compile(r"(?<![\w$.])new\s+$")


class _FileNames:
    def __init__(self, text: str, language: str) -> None:
        self.text = text
        self.language = language
        self.hits: dict[tuple[int, str], NameHit] = {}
        self.imports: dict[str, str] = {}  # local name -> module path (crypto packages only)
        self.import_lines: set[int] = set()
        self.receivers: dict[str, list[tuple[int, list[str]]]] = {}  # variable -> (declared at, algorithms)
        self.anchors: list[int] = []
        self.gated_anchors: list[int] = []  # the gate's anchors (the same with or without the gate)
        self._defined: dict[str, bool] = {}
        self._fields: set[int] = set()  # offsets of Rust struct-field declarations (not bound to a function)
        self._field_set: frozenset[str] | None = None
        self._newlines: list[int] | None = None
        self._nl_text: str | None = None

    @property
    def nl_text(self) -> str:
        """``"\\n" + text``, where newline-led patterns (_FUNC_START) are searched: offset + 1 is offset in it."""
        if self._nl_text is None:
            self._nl_text = "\n" + self.text
        return self._nl_text

    def line_col(self, offset: int) -> tuple[int, int]:
        if self._newlines is None:
            self._newlines = [m.start() for m in _NEWLINE.finditer(self.text)]
        line = bisect_right(self._newlines, offset - 1)
        return line + 1, offset - (self._newlines[line - 1] if line else -1)

    def add(self, offset: int, symbol: str, algorithm: str, usage: Usage, conf: Confidence,
            params: dict[str, object]) -> None:
        if algorithm.startswith(("SHA-2", "SHA-3", "SHA-5", "SHA3")):
            return  # SHA-2/SHA-3 names are not findings here (the rules report hashing calls)
        line, col = self.line_col(offset)
        if algorithm.startswith("EC:"):
            curve_name = algorithm[3:]
            algorithm = names.with_curve("ECDSA", curve_name)
            params = {**params, **_EC_PARAMS, "curve": curve_name}
            params.pop("unknown_reason", None)
        elif algorithm == "EC":
            algorithm = _EC_ID
            params = {**params, **_EC_PARAMS}
        elif algorithm == "XDH":
            algorithm = "X25519"
            params = {**params, "family": "X25519|X448", "unknown_reason": "XDH: X25519 or X448, the curve is not named"}
        key = (line, algorithm + str(params.get("family", "")))
        if key not in self.hits:
            self.hits[key] = NameHit(line, col, symbol[:80], algorithm, usage, conf, params)

    # -- imports -----------------------------------------------------------------------------------
    def scan_imports(self) -> None:
        lang = self.language
        regex = _IMPORT_RES.get(lang)
        if regex is None:
            return
        text = self.text
        if lang == "go":
            blocks = [(m.start(1), m.group(1)) for m in _GO_IMPORT_BLOCK.finditer(text)]
            single = [(m.start(), m.group(0)) for m in re.finditer(r"^import\s+(\w+\s+)?\"[^\"]+\"", text, re.M)]
            for base, block in blocks + single:
                for m in re.finditer(r"(?:(\w+)\s+)?\"([^\"]+)\"", block):
                    alias, path = m.group(1), m.group(2)
                    local = alias if alias and alias not in ("_", ".", "import") else re.sub(
                        r"/v\d+$", "", path).rsplit("/", 1)[-1]
                    self._import(base + m.start(2), path, [local], loose_last=True)
            return
        if lang == "javascript":
            for start, end, path in _js_imports(text, self.nl_text):
                line_start = text.rfind("\n", 0, start) + 1
                stmt = text[line_start:end]
                locals_ = re.findall(r"[A-Za-z_$][\w$]*", re.sub(r"\b(const|let|var|import|from|as|require|"
                                                              r"type)\b|['\"][^'\"]*['\"]", " ", stmt))
                self._import(start, path, locals_, loose_last=True,
                             name="{}" if re.match(r"\s*import\s*(?:type\s*)?\{", stmt) else "")
            return
        for m in regex.finditer(self.nl_text):  # _LINE_LED: only m.start() and groups are read
            if lang == "python":
                if m.group(1):
                    imported = [n.strip().split(" as ") for n in m.group(2).split(",") if n.strip()]
                    for parts in imported:
                        name = parts[0].strip()
                        local = parts[-1].strip()
                        self._import(m.start(), f"{m.group(1)}.{name}", [local], loose_last=True, name=name)
                else:
                    for item in m.group(3).split(","):
                        parts = item.strip().split(" as ")
                        path = parts[0].strip()
                        if path:
                            self._import(m.start(), path, [parts[-1].strip().split(".")[0]], loose_last=True)
            elif lang == "rust":
                self._rust_use(m.start(), m.group(1))
            else:
                path = m.group(1)
                last = path.rsplit("/" if lang == "c" else ".", 1)[-1]
                if lang == "c":
                    last = last.rsplit(".", 1)[0]
                self._import(m.start(), path, [last], loose_last=lang in ("c", "csharp"))

    def _rust_use(self, offset: int, tree: str) -> None:
        tree = re.sub(r"\s+", "", tree)
        m = re.fullmatch(r"(.*?)::\{(.*)\}", tree)
        if m:
            for item in re.split(r",(?![^{]*\})", m.group(2)):
                if item:
                    self._rust_use(offset, f"{m.group(1)}::{item}")
            return
        path, _, alias = tree.partition("as")
        path = path if "::" in path or not alias else tree
        last = path.rsplit("::", 1)[-1]
        self._import(offset, path.replace("::", "."), [alias or last], loose_last=True, name=last)

    def _import(self, offset: int, path: str, locals_: list[str], loose_last: bool, name: str = "") -> None:
        if not _CRYPTO_PATH.search(path):
            # names imported from a module not known as crypto that name an algorithm themselves
            # (import { id_ml_dsa_44, id_ecPublicKey } from '@peculiar/asn1-...')
            named = [(local, algs) for local in locals_ if local and (algs := words_of(local))] \
                if self.language == "javascript" and name == "{}" else []
            for local, algs in named:
                self.imports[local] = path
                for alg in algs:
                    self.add(offset, f"import {local} from {path}"[:80], alg, Usage.UNKNOWN, Confidence.LOW,
                             {"import": path})
            if named:
                self.import_lines.add(self.line_col(offset)[0])
            return
        for local in locals_:
            if local:
                self.imports[local] = path
        segs = [s for s in _SPLIT_PATH.split(path) if s]
        if not segs:
            return
        if path in _MODULE_FAMILY:
            self.add(offset, f"import {path}"[:80], _MODULE_FAMILY[path], Usage.UNKNOWN, Confidence.LOW, {"import": path})
            self.import_lines.add(self.line_col(offset)[0])
            return
        tail = (name if name != "{}" else "") or segs[-1]
        if self.language == "c":
            tail = re.split(r"[/\\]", path)[-1].rsplit(".", 1)[0]
        algs = words_of(tail, loose=loose_last or self.language == "c")
        if not algs and self.language in ("go", "python", "javascript", "rust") and len(segs) >= 2:
            algs = words_of(segs[-2], loose=True) if segs[-2].lower() in _WORDS else []
        if not algs and name == "{}":  # import { id_ml_dsa_44 } from '@peculiar/asn1-x509-post-quantum'
            algs = [a for local in locals_ if local for a in words_of(local)]
        for alg in dict.fromkeys(algs):
            self.add(offset, f"import {path}"[:80], alg, Usage.UNKNOWN, Confidence.LOW, {"import": path})
        self.import_lines.add(self.line_col(offset)[0])

    # -- main pass ---------------------------------------------------------------------------------
    def scan(self) -> list[NameHit]:
        self.scan_imports()
        text = self.text
        anchors = self.anchors
        # string literals and comments, in order (everything between them is code)
        spans = [(m.start(), m.end(), text[m.start()] in _COMMENT_START) for m in _LEXERS[self.language].finditer(text)]
        starts = [a for a, _, _ in spans]

        def where(p: int) -> tuple[int, int, int]:
            """(span index or -1, start, end) of the string/comment or the code part holding offset ``p``."""
            i = bisect_right(starts, p) - 1
            if i >= 0 and p < spans[i][1]:
                return i, spans[i][0], spans[i][1]
            return -1, spans[i][1] if i >= 0 else 0, spans[i + 1][0] if i + 1 < len(spans) else len(text)

        consts: dict[str, list[tuple[str, dict[str, object]] | None]] = {}
        const_def_at: dict[str, int] = {}
        code_hits: dict[tuple[int, int], list[int]] = {}
        seen_strings: set[int] = set()
        for p in anchors:
            i, a, b = where(p)
            if i < 0:
                code_hits.setdefault((a, b), []).append(p - a)
            elif not spans[i][2] and i not in seen_strings:
                seen_strings.add(i)
                self._literal(a, b, consts, const_def_at)
        defined = {k: v[0] for k, v in consts.items() if len(v) == 1 and v[0] is not None}
        self._receivers()
        aliases = [n for n, path in self.imports.items() if words_of(_SPLIT_PATH.split(path)[-1], loose=True)]
        # names without an anchor of their own; receivers always (their calls: key.encrypt(m, oaep))
        extra = [n for n in dict.fromkeys((*defined, *aliases)) if n and not anchor_positions(n)]
        extra.extend(n for n in self.receivers if n not in extra)
        extra_re = names_pattern(extra) if extra else None
        if extra_re is not None:
            for m in word_matches(extra_re, text):
                i, a, b = where(m.start())
                if i < 0:
                    code_hits.setdefault((a, b), [])
        for (a, b), hits in sorted(code_hits.items()):
            self._identifiers(a, text[a:b], defined, const_def_at, hits, extra_re)
        with_curve = {h.line for h in self.hits.values() if h.params.get("family") == "EC" and h.params.get("curve")}
        return sorted((h for h in self.hits.values()
                       if not (h.line in with_curve and h.params.get("family") == "EC" and not h.params.get("curve"))),
                      key=lambda h: (h.line, h.column))

    def _literal(self, a: int, b: int, consts: dict[str, list[tuple[str, dict[str, object]] | None]],
                 const_def_at: dict[str, int]) -> None:
        """A string literal at [a, b) that holds an anchor: a finding when it is a name in a selecting place."""
        text = self.text
        body = _string_body(text[a:b], self.language)
        found = literal_algorithm(body) if body is not None else None
        if body is None and text[a] == "`" and (m := _TEMPLATE_HEAD.match(text, a + 1, b)):
            found = template_algorithm(m.group(1))  # `ML-DSA-${parameterSet}`, `ecdsa-sha2-${curve}`
        if found is None:
            return
        before = self._code_before(a)
        if self.language == "python" and self._statement_start(a, before):
            return  # an expression statement: a docstring or a bare string
        if self._is_message(before) or self.line_col(a)[0] in self.import_lines:
            return
        if before.rstrip().endswith("+") or _CONCAT_AFTER.match(text[b:b + 8]):
            return  # text being built (description + "rsa"), not a name handed to anything
        alg, params = found
        dm = _CONST_DEF.search(before)
        if dm:
            cname = dm.group(1) or dm.group(2)
            consts.setdefault(cname, []).append(found)
            const_def_at[cname] = a
        params = dict(params)
        for extra in str(params.pop("also", "")).split(","):
            if extra:
                self.add(a, f'"{body}"', extra, Usage.UNKNOWN, Confidence.MEDIUM, {})
        self.add(a, f'"{body}"', alg, Usage.UNKNOWN, Confidence.MEDIUM, params)

    def _code_before(self, a: int) -> str:
        """The code before offset ``a`` on its line, string literals blanked."""
        line = self.text[max(self.text.rfind("\n", 0, a) + 1, a - _CONTEXT):a]  # bounded: minified code
        return _QUOTED.sub('""', line) if ('"' in line or "'" in line) else line

    def _statement_start(self, a: int, before: str) -> bool:
        if before.strip():
            return False
        i = self.text.rfind("\n", 0, a) - 1
        while i >= 0 and self.text[i] in " \t\r\n":
            i -= 1
        return i < 0 or self.text[i] not in "([{,=:+%\\"

    @staticmethod
    def _is_message(before: str) -> bool:
        if _ASSERT_LINE.match(before):
            return True
        opening = _innermost_open(before)  # the innermost unclosed call on this line
        return opening >= 0 and before[opening] == "(" and bool(_MESSAGE_CALL.search(before[:opening + 1]))

    def _receivers(self) -> None:
        """Variables whose type is known from a declaration, a type assertion or the call that made them;
        a declaration that types a variable names an algorithm word, so the lines holding one are read,
        then the whole file for variables made from those (gcm := cipher.NewGCM(block))."""
        text = self.text
        spans: list[tuple[int, int]] = []
        for p in self.gated_anchors:
            if spans and p < spans[-1][1]:
                continue  # on the line (or run of lines) already taken
            a, b = text.rfind("\n", 0, p) + 1, text.find("\n", p)
            b = len(text) if b < 0 else b
            if spans and a <= spans[-1][1] + 1:
                spans[-1] = (spans[-1][0], b)  # the next line: one run
            else:
                spans.append((a, b))
        for round_, regex in enumerate((_DECL_TYPED, _DECL_GO, _DECL_FIELD, _DECL_ASSERT, _DECL_INIT, _DECL_INIT)):
            if (regex is _DECL_GO and self.language != "go") or (
                    regex is _DECL_FIELD and self.language not in ("rust", "javascript", "python")) or (
                    regex is _DECL_TYPED and self.language not in ("java", "csharp", "c")) or (
                    regex is _DECL_ASSERT and self.language != "go"):
                continue  # each language's own declaration forms
            if round_ == 5 and self.receivers:  # second round: the lines that name a typed variable
                names_re = names_pattern(self.receivers)
                where = []
                for hit in word_matches(names_re, text):
                    a, b = text.rfind("\n", 0, hit.start()) + 1, text.find("\n", hit.start())
                    if not where or where[-1][0] != a:
                        where.append((a, len(text) if b < 0 else b))
            else:
                where = spans
            for a, b in where:
                for m in regex.finditer(text, a, b):
                    if regex is _DECL_TYPED:
                        type_name, var = m.group(1), m.group(2)
                    else:
                        var, type_name = m.group(1), m.group(2)
                    algs = self._chain_words(_SPLIT_MEMBER.split(type_name), called=True)
                    if regex is _DECL_INIT:  # new GcmBlockCipher(new AesEngine()): the engine inside says more
                        inner = [a for n in _NEW_CLASS.findall(m.group(3)) for a in words_of(n)]
                        if inner and "HMAC" in algs:
                            algs = self._merge_hmac([*algs, *inner])  # new HMac(new SHA1Digest()): HMAC-SHA1
                        elif inner and not algs:
                            algs = inner
                    if not algs and regex is _DECL_INIT:  # gcm, err := cipher.NewGCM(block): block's family
                        # an argument that is the variable itself (block), not a value read from it (key.Size)
                        for arg in _BARE_ARG.findall(m.group(3)):
                            if arg != var and (found := self.receiver(arg, m.start())):
                                algs = found
                                break
                    # self.key = ... (the whole class) or a module-level name (the whole file)
                    line_start = text.rfind("\n", 0, m.start()) + 1
                    attribute = (m.start() > 0 and text[m.start() - 1] == ".") or m.start() == line_start or bool(
                        _FIELD_DECL.match(text, line_start)) or (  # a Java/C# field: the whole class
                        regex is _DECL_INIT and not text[line_start:m.start()].strip() and var in self._field_names())
                    where_at = m.start()
                    if attribute:
                        self._fields.add(m.start())  # self.key = ..., a Java/C# field: its class, not one function
                    if regex is _DECL_FIELD and self.language == "rust" and _RUST_FIELD.match(text, line_start):
                        self._fields.add(m.start())  # a struct field: typed in the impl blocks that follow
                    if regex is _DECL_FIELD and self.language == "python" and self._py_class_level(line_start):
                        self._fields.add(m.start())  # a class attribute annotated with a key type
                    if algs and (where_at, algs) not in self.receivers.get(var, []):
                        self.receivers.setdefault(var, []).append((where_at, algs))
        if self.language == "python":
            self._python_bindings()

    def _py_class_level(self, line_start: int) -> bool:
        """The statement at ``line_start`` is an annotation in a class body (``_key: EdDSAPublicKey``)."""
        return bool(_PY_ANNOTATION_LINE.match(self.text, line_start)) and self._py_in_class_body(line_start)

    def _py_in_class_body(self, line_start: int) -> bool:
        """The indented statement at ``line_start`` belongs to a class body, not to a function."""
        text = self.text
        indent = len(_INDENT.match(text, line_start).group())  # type: ignore[union-attr]
        i = line_start - 1
        for _ in range(200):  # the nearest line indented less: its header
            if i <= 0:
                return False
            a = text.rfind("\n", 0, i) + 1
            line = text[a:i]
            body = line.lstrip(" \t")
            if body and not body.startswith(("#", '"', "'", "@")) and len(line) - len(body) < indent:
                return body.startswith("class ")
            i = a - 1
        return False

    def _python_bindings(self) -> None:
        """Tables and aliases of key classes (``_CLASSES = {b'ed25519': ed25519.Ed25519PrivateKey}``,
        ``_EdKey = Union[ed25519.Ed25519PrivateKey, ...]``) type what is taken from them: ``cls = cast('_EdKey', x)``,
        ``priv_cls, pub_cls = _CLASSES[name]``, then ``key = cls.generate()``; a cast to a key type types its target."""
        text = self.text
        anchors = self.gated_anchors
        windows: list[tuple[int, int]] = []  # a table holding a key class starts at most 2000 characters before it
        for p in anchors:
            a = text.rfind("\n", 0, max(0, p - 2000)) + 1
            if windows and a <= windows[-1][1]:
                windows[-1] = (windows[-1][0], p)
            else:
                windows.append((a, p))
        for m in (m for a, b in windows for m in _PY_TOP_BINDING.finditer(text, a, b + 1)):
            i = bisect_right(anchors, m.end(2) - 1)
            if i == len(anchors) or anchors[i] >= m.end(2) + 2000 or (
                    m.start(1) > m.start() and not self._py_in_class_body(m.start())):
                continue  # no algorithm word in reach (no key class in it), or a function's local
            body = _QUOTED.sub('""', _balanced(text, m.end(2), 2000))
            algs = [a for n in _PY_CLASS_NAME.findall(body) if n.rsplit(".", 1)[-1][:1].isupper()
                    for a in self._chain_words(n.split("."), called=True)]
            if algs:
                self._fields.add(m.start(1))
                self.receivers.setdefault(m.group(1), []).append((m.start(1), list(dict.fromkeys(algs))))
        done: set[int] = set()
        for _ in range(3):  # key = cls.generate() after cls = cast(...): a few rounds, until nothing new
            added = False
            # only the lines that name a typed name or a cast can take a type (the pattern is slow on every line)
            starts = sorted(set(self._lines_naming(["cast(", ".generate(", ".from_", *(f"{n}[" for n in self.receivers)],
                                                   )) - done)
            done.update(starts)
            for m in filter(None, (_PY_ASSIGN.match(text, a) for a in starts)):
                cast_to, table, root, method = m.group(2), m.group(3), m.group(4), m.group(5)
                if cast_to:
                    algs = self.receiver(cast_to, m.start()) or self._chain_words(cast_to.split("."), called=True)
                else:
                    name = (table or root).removeprefix("self.").removeprefix("cls.")
                    if "." in name or (method and not _TYPED_ONLY_OPS.fullmatch(method)):
                        continue
                    algs = self.receiver(name, m.start())
                if not algs:
                    continue
                targets = [t.strip() for t in m.group(1).split(",")]
                at = m.start(1)
                for target in targets:
                    var = target.removeprefix("self.")
                    if "." in var or (at, algs) in self.receivers.get(var, ()):
                        continue
                    if var != target:
                        self._fields.add(at)
                    self.receivers.setdefault(var, []).append((at, algs))
                    added = True
            if not added:
                break

    def _lines_naming(self, words: list[str]) -> Iterator[int]:
        """Start offsets of the lines where one of ``words`` begins a word (``str.find``: a regex alternation
        tried at every offset is many times slower)."""
        text = self.text
        for word in words:
            at = text.find(word)
            while at >= 0:
                if at == 0 or word[0] == "." or not (text[at - 1].isalnum() or text[at - 1] == "_"):
                    yield text.rfind("\n", 0, at) + 1
                at = text.find(word, at + len(word))

    def receiver(self, name: str, at: int) -> list[str]:
        """The algorithms of variable ``name`` at offset ``at``: its latest declaration before, in the same function,
        or a field's (a class-wide declaration, or a field assigned in another method: the constructor)."""
        decls = self.receivers.get(name, ())
        for offset, algs in sorted((d for d in decls if d[0] <= at), key=lambda d: d[0], reverse=True):
            if offset in self._fields:
                return list(algs)
            line_end = self.text.find("\n", offset)
            if not (0 <= line_end < at and _FUNC_START.search(self.nl_text, line_end + 1, at + 1)):
                return list(algs)  # a local declaration of this function
        later = [(offset, algs) for offset, algs in decls if offset in self._fields]
        return list(min(later)[1]) if later else []  # a field set further down (a method above __init__)

    def _field_names(self) -> frozenset[str]:
        """Names the file declares as Java/C# fields (an assignment to one in any method types the field)."""
        if self._field_set is None:
            self._field_set = frozenset(m.group(1) for m in _FIELD_NAME.finditer(self.text)) \
                if self.language in ("java", "csharp") else frozenset()
        return self._field_set

    def _chain_words(self, segs: list[str], called: bool) -> list[str]:
        root = segs[0]
        imported = root in self.imports
        if len(segs) == 1:
            if imported:
                return words_of(root)
            return words_of(root) if root[:1].isupper() else []
        if not (imported or root in _CRYPTO_ROOTS or (root[:1].isupper() and (
                words_of(root) or _CRYPTO_CLASS.search(root)))):
            return []
        algs: list[str] = []
        for s in segs[1:]:
            algs.extend(words_of(s))
        if not algs and not called and len(segs) == 2 and segs[1] in _SHORT_VARIANTS and _FAMILY_ENUM.search(root):
            algs = [_SHORT_VARIANTS[segs[1]]]  # AlgorithmFamily::Ec, KeyAlgorithm.Ed: a variant of a family enum
        if algs:
            return algs  # des.NewTripleDESCipher is 3DES, ecdh.X25519() is X25519: the member says more
        if imported:
            tail = _SPLIT_PATH.split(self.imports[root])[-1]
            return words_of(tail, loose=True)
        return words_of(root) if root[:1].isupper() else []

    def _identifiers(self, base: int, seg: str, consts: dict[str, tuple[str, dict[str, object]] | None],
                     const_def_at: dict[str, int], hits: list[int], extra_re: re.Pattern[str] | None) -> None:
        lang = self.language
        for m in _chains(seg, hits, extra_re):
            chain = m.group(2)
            segs = [s for s in _SPLIT_CHAIN.split(chain) if s]
            if not segs or segs[0] in _KEYWORDS:
                continue
            offset = base + m.start(2)
            called = bool(m.group(3)) and m.group(3).strip() == "("
            is_new = bool(m.group(1))
            last = segs[-1]
            if (lang == "c" and self._preprocessor_condition(offset)) or self.line_col(offset)[0] in self.import_lines:
                continue  # an import line was read as an import
            line_start = max(seg.rfind("\n", 0, m.start()) + 1, m.start() - _CONTEXT)
            if _DECLARED_NAME.search(seg[line_start:m.start()]):
                continue
            if lang == "python" and _PY_ANNOTATION.search(seg[line_start:m.start()]) and \
                    _PY_ANNOTATED.match(self.text, self.text.rfind("\n", 0, base + m.start()) + 1):
                continue  # a type annotation names a type, it does not use it
            const_name = segs[0] if len(segs) == 1 else (last if segs[0] in ("this", "self") and len(segs) == 2 else None)
            if const_name and consts.get(const_name) and const_name != const_name.lower() and not (
                    const_def_at[const_name] - 200 < offset <= const_def_at[const_name] + 200 and
                    self.line_col(offset)[0] == self.line_col(const_def_at[const_name])[0]):
                if self._selects(base, m.start(2), seg):
                    alg, params = consts[const_name]  # type: ignore[misc]
                    self.add(offset, chain, alg, Usage.UNKNOWN, Confidence.MEDIUM,
                             {**params, "value_from": f"constant {const_name}"})
                continue
            algs: list[str] = []
            if len(segs) == 1:
                name = segs[0]
                if not called and not is_new and _strong_name(name) and (
                        (mk := _TABLE_KEY.match(seg, m.end())) and (":" in mk.group(0) or any(c.isdigit() for c in name))):
                    alg, params = literal_algorithm(name)  # type: ignore[misc]
                    self.add(offset, name, alg, Usage.UNKNOWN, Confidence.MEDIUM, {**params, "table_key": name})
                    continue
                if not called and not is_new and (_strong_name(name) or words_of(name)) and \
                        self._enum_row(base + m.start(2)):
                    found = literal_algorithm(name) if _strong_name(name) else None
                    for alg, params in ([found] if found else [(a, {}) for a in _constant_words(name)]):
                        self.add(offset, name, alg, Usage.UNKNOWN, Confidence.MEDIUM, {**params, "enum_member": name})
                    continue
                if not called and not is_new and _CONSTANT_NAME.fullmatch(name) and not _C_NOT_USE.search(name) \
                        and self._selects(base, m.start(2), seg):
                    algs = _constant_words(name)  # return RS256 / case ECDSA_P256_OID_VALUE: a named constant used
                elif called and _library_verb_name(name) and _verb_words(name) and not self._defines(name):
                    algs = _verb_words(name)
                elif (is_new or (called and _CRYPTO_CLASS_NAME.search(name))) and not _NOT_CRYPTO_CLASS.search(name):
                    algs = words_of(name)  # new RSAEngine(), HMACAlgorithm(256), Ed25519PrivateKey(...)
                elif lang == "c" and (called or ("_" in name and _C_CONSTANT.fullmatch(name)
                                                 and not _C_TYPE_USE.match(seg, m.end()))) \
                        and (not _C_NOT_USE.search(name) or called and _C_SIZED_OP.search(name)) \
                        and (not called or _C_CRYPTO_CALL.search(name)
                                                             or _only_words(re.sub(r"(?i)^evp_", "", name))):
                    algs = words_of(name, loose=called)  # RSA_sign, kexc25519_keygen; not parse_rsa_header
                elif name in self.imports and not self._declares(base + m.start(2)):
                    algs = words_of(name, loose=True)  # an imported crypto name: id_ecPublicKey, Ed25519PrivateKey
                elif called and self.receivers and _OP_WORDS & {w.lower() for w in _NAME_TOKEN.findall(name)} \
                        and not self._defines(name):
                    # NewECBEncrypter(block): another file's function that says it operates, given a typed value (the
                    # file's own functions are wrappers.py's)
                    algs = self._typed_argument(seg, m.end(), offset)
            else:
                root = segs[0]
                if root in ("self", "this") and len(segs) >= 3:
                    segs = segs[1:]
                    root = segs[0]
                if root in self.receivers and called and is_operation(last) and self.receiver(root, offset):
                    algs = self.receiver(root, offset)
                    fams = sorted({f for a in algs for f in families_of("EC" if a.startswith("EC:") else a)})
                    if len(fams) > 1:  # a key from a table of several types: one operation of one of them
                        self.add(offset, chain, algs[0], Usage.UNKNOWN, Confidence.LOW, {
                            "name_in_code": chain[:80], "family": "|".join(fams),
                            "unknown_reason": f"{root} holds a key of one of several types ({', '.join(fams)})"})
                        continue
                elif root in self.imports or root in _CRYPTO_ROOTS or (
                        root[:1].isupper() and _CRYPTO_CLASS.search(root) and not words_of(root)):
                    algs = self._chain_words(segs, called)
                    if not algs and called and self.receivers and (last.lower() in _OP_METHODS or _FACTORY.fullmatch(last)):
                        # cipher.NewGCM(block), block an AES cipher
                        algs = self._typed_argument(seg, m.end(), offset)
                elif len(segs) >= 3 and any(s in _CRYPTO_NAMESPACES for s in segs[:-1]):
                    # System.Security.Cryptography.ECCurve.NamedCurves.nistP256, org.bouncycastle...AESEngine
                    k = max(i for i, s in enumerate(segs[:-1]) if s in _CRYPTO_NAMESPACES)
                    algs = [a for s in segs[k + 1:] for a in words_of(s)]
                elif called and last.lower() in _OP_METHODS and len(segs) >= 2 and _only_words(segs[-2]):
                    algs = words_of(segs[-2])  # _key.RSA.VerifyData(...), this.ecdsa.sign(...)
                elif called and last.lower() in _OP_METHODS and (found := self._typed_argument(seg, m.end(), offset)):
                    algs = found  # key.verify(sig, msg, _PADDING, ...) with _PADDING = padding.PKCS1v15()
                elif called and _library_verb_name(last) and _verb_words(last) and not self._defines(last):
                    algs = _verb_words(last)  # EncodingKey::from_rsa_pem(...), key.as_ec_private_key()
                elif called and root[:1].isupper() and _only_words(root):
                    algs = words_of(root)  # HMAC.compute(...), AESGCM.encrypt(...), RSASSA.getSigner(...)
                elif called and (last.lower() in _OP_METHODS or _FACTORY.fullmatch(last)) and words_of(root) \
                        and not _NOT_CRYPTO_CLASS.search(root):
                    # RSA.Create(), ECDsa.Create(); rsa.SignData(...): an operation on a variable of that name
                    algs = words_of(root)
                elif is_new and not _NOT_CRYPTO_CLASS.search(last):
                    algs = words_of(last)  # new org.bouncycastle.crypto.engines.AESEngine()
            if not algs and len(segs) >= 2 and not called and "_" in last and _CONSTANT_NAME.fullmatch(last) \
                    and not _C_NOT_USE.search(last) and not _ERROR_WORD.search(last):
                algs = [a for a in words_of(last) if not a.startswith("SHA-") or a == "SHA-1"]  # constants.RSA_PKCS1_PADDING
            if algs == ["ECDSA"] and _KEY_TYPE.fullmatch(last) and not called:
                algs = ["EC"]  # ecdsa.PublicKey: an EC key, used for ECDSA or ECDH (Go keeps both in crypto/ecdsa)
            for alg in dict.fromkeys(self._merge_hmac(algs)):
                self.add(offset, chain, alg, Usage.UNKNOWN, Confidence.MEDIUM if called or is_new else Confidence.LOW,
                         {"name_in_code": chain[:80]})

    def _typed_argument(self, seg: str, start: int, offset: int) -> list[str]:
        if not self.receivers:
            return []
        args = _balanced(seg, start, 400)
        for arg in _WORD.findall(args):
            if arg in self.receivers and (found := self.receiver(arg, offset)):
                return found
        return []

    def _defines(self, name: str) -> bool:
        """This file defines a function or method ``name`` (a call of it is the file's own code, not an API)."""
        cached = self._defined.get(name)
        if cached is None:
            # \b(?:def|...)\s+NAME\b|\b(?:void|...)\s+...NAME\s*\(, each keyword its own literal-led alternative
            # (the engine skips to their first letters) and the leading \b checked by word_matches
            escaped = re.escape(name)
            regex = re.compile("|".join(
                [rf"{kw}\s+(?:\([^)]*\)\s*)?{escaped}\b" for kw in ("def", "fn", "func", "function")]
                + [rf"{kw}\s+(?:\w+(?:<[^>]*>)?(?:\[\])?\s+)?{escaped}\s*\(" for kw in (
                    "void", "int", "bool", "boolean", r"byte\[\]", "String", "string", "static", "public", "private",
                    "protected")]))
            cached = self._defined[name] = next(word_matches(regex, self.text), None) is not None
        return cached

    def _enum_row(self, offset: int) -> bool:
        """``offset`` is a member of an enum body (``enum Algorithm { HS256, ... }``)."""
        depth = 0
        i = offset - 1
        stop = max(0, offset - 4000)
        text = self.text
        while i >= stop:
            ch = text[i]
            if ch == "}":
                depth += 1
            elif ch == "{":
                if depth == 0:  # an enum of algorithms, not of errors about them (ErrorKind::InvalidEcdsaKey)
                    head = re.search(r"\benum\b[^{};]*$", text[max(0, i - 200):i])
                    return bool(head) and not re.search(r"(?i)error|exception|fault", head.group(0))
                depth -= 1
            elif ch in "();=" and depth == 0:
                return False
            i -= 1
        return False

    def _declares(self, offset: int) -> bool:
        """The name at ``offset`` is on an import line (its own import was already reported)."""
        return self.line_col(offset)[0] in self.import_lines

    def _preprocessor_condition(self, offset: int) -> bool:
        start = self.text.rfind("\n", 0, offset) + 1
        return bool(_PP_CONDITION.match(self.text, start))

    def _selects(self, base: int, start: int, seg: str) -> bool:
        """A constant's use selects behaviour: a call argument, a return value, a case label, a comparison."""
        line_start = max(seg.rfind("\n", 0, start) + 1, start - _CONTEXT)
        before = seg[line_start:start]
        after = seg[start:start + 200]
        if re.search(r"(?:\breturn|\bcase|==|!=|=>|\?|:)\s*$", before):
            return True
        opening = _innermost_open(before)
        if opening >= 0:
            head = before[:opening + 1]
            return before[opening] == "(" and bool(re.search(r"[\w$>]\s*\($", head)) and not _MESSAGE_CALL.search(head)
        return bool(re.match(r"\w+\s*[,)]", after)) and bool(re.search(r"[(,]\s*$", before))

    @staticmethod
    def _merge_hmac(algs: list[str]) -> list[str]:
        if "HMAC" not in algs:
            return algs
        out = []
        for a in algs:
            if a.startswith(("SHA-", "MD5")):
                hmac_id = "HMAC-" + a.replace("SHA-", "SHA")
                if (hmac := known(IdKind.NAME, hmac_id)) is not None:
                    out.append(hmac.id)
                    continue
            out.append(a)
        if any(a.startswith("HMAC-") for a in out):
            out = [a for a in out if a != "HMAC"]
        return out


def find_names(text: str, language: str, gate: bool = True) -> list[NameHit]:
    """Every algorithm name this pass sees in one file (see the module docstring)."""
    lang = "javascript" if language in ("typescript", "tsx") else language
    if lang not in _LEXERS:
        return []
    gated = anchor_positions(text)
    anchors = gated if gate else anchor_positions(text, gate=False)
    numeric = _numeric_oids(text, lang)
    if not anchors:
        return numeric  # no algorithm word and no catalogue name: nothing more for this pass (tests check the gate)
    names_ = _FileNames(text, lang)
    names_.anchors = anchors
    names_.gated_anchors = gated
    found = names_.scan()
    if not numeric:
        return found
    seen = {(h.line, h.algorithm) for h in found}
    return sorted([*found, *(h for h in numeric if (h.line, h.algorithm) not in seen)], key=lambda h: (h.line, h.column))


def _numeric_oids(text: str, lang: str) -> list[NameHit]:
    """OIDs written as arcs or DER octets (:mod:`oids`), as names of their algorithm."""
    out: list[NameHit] = []
    for offset, dotted, code in numeric_oids(text, lang):
        found = literal_algorithm(dotted)
        if found is None:
            continue
        alg, params = found
        if dotted.startswith(EC_KEY_ARCS) and get(alg).family == "ECDSA":
            params = {**params, **_EC_PARAMS}
        line = text.count("\n", 0, offset) + 1
        out.append(NameHit(line, offset - text.rfind("\n", 0, offset), code[:80], alg, Usage.UNKNOWN,
                           Confidence.MEDIUM, {**params, "oid_written_as": "numbers"}))
    return out


