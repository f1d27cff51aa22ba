"""Detection rules as data: ``pqscan/data/code_rules/<language>.toml``.

A rule says which API it matches (qualified names, or a method name on any receiver), which
algorithm it means (fixed, or read from an argument through a name table), the usage, and from
which argument to read the key size, curve, mode, padding or hash. A *modifier* updates the
finding of an earlier call through the variable that holds its result
(``kpg = KeyPairGenerator.getInstance("RSA"); kpg.initialize(1024)``).

Rule fields (all optional except ``id`` and one of ``api``/``method``)::

    api = ["hashlib.new"]            # qualified names after import resolution
    method = ["set_ecdh_curve"]      # or: a method name on any receiver
    match = "call" | "ref" | "any"   # "ref": a bare name (a constant, a function passed as a value)
    algorithm = "RSA" | family = "ECDSA"        # fixed; a family becomes an id with its curve
    names = "hash"  name_arg = {pos = 0, kw = "name"}   # algorithm read from an argument
    default_name = "HS256"  default_note = "..."        # library default when name_arg is absent
    unresolved_algorithm = "HMAC"    # what the call is when its name argument cannot be read (hmac.New(h, key))
    key_arg = {pos = 1}              # the key: a name of another family than this key's constructor is rejected
    usage = "hashing"
    key_bits / curve / mode / padding / hash = {pos = 1, kw = "key_size", field = "modulusLength"}
    params = {mode = "ECB"}  flags = {usedforsecurity = {kw = "usedforsecurity"}}
    each = true  split = ":,"        # the argument lists several names: one finding each
    context = ["MinVersion"]         # refs only: the field / keyword they are assigned to
    bind = true                      # later modifiers may update this finding through its variable
    min_args = 3  confidence = "low"  exact = true (Python: no suffix match)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pqscan.collect.code import names
from pqscan.datafiles import shipped_toml
from pqscan.model import Confidence, Usage

LANGUAGES = ("python", "java", "go", "javascript", "c", "rust", "csharp")


class RuleError(Exception):
    """A shipped rule file is malformed (a bug in pqscan, caught by the tests)."""


@dataclass(frozen=True)
class ArgSpec:
    pos: int | None = None
    kw: str | None = None
    field: str | None = None  # key inside a dict / object-literal argument
    measure: str | None = None  # "bit_length": the bit length of an integer argument

    @classmethod
    def parse(cls, raw: Any, where: str) -> ArgSpec | None:
        if raw is None:
            return None
        if not isinstance(raw, Mapping) or not set(raw) <= {"pos", "kw", "field", "measure"}:
            raise RuleError(f"{where}: argument spec must be a table with pos/kw/field/measure, got {raw!r}")
        return cls(raw.get("pos"), raw.get("kw"), raw.get("field"), raw.get("measure"))


PARAM_SPECS = ("key_bits", "curve", "mode", "padding", "hash")


@dataclass(frozen=True)
class Rule:
    id: str
    language: str
    api: tuple[str, ...] = ()
    method: tuple[str, ...] = ()
    match: str = "call"
    algorithm: str | None = None
    family: str | None = None
    names: str | None = None
    name_arg: ArgSpec | None = None
    default_name: str | None = None
    default_note: str = ""
    usage: Usage = Usage.UNKNOWN
    specs: Mapping[str, ArgSpec] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    flags: Mapping[str, ArgSpec] = field(default_factory=dict)
    each: bool = False
    split: str = ":,"
    context: tuple[str, ...] = ()
    bind: bool = False
    min_args: int = 0
    confidence: Confidence = Confidence.MEDIUM
    exact: bool = False
    report_unresolved: bool = True
    unresolved_algorithm: str | None = None  # the family when the name argument cannot be read (HMAC, hash unknown)
    key_arg: ArgSpec | None = None  # the key argument: the library refuses a name of another family than the key's


@dataclass(frozen=True)
class Modifier:
    id: str
    language: str
    method: tuple[str, ...]
    targets: tuple[str, ...]  # rule ids whose bound findings this updates
    specs: Mapping[str, ArgSpec] = field(default_factory=dict)
    receiver_arg: int | None = None  # C style: the object is an argument (``set_bits(ctx, 2048)``)
    link_arg: int | None = None  # the argument's own finding and the target's share family/curve


@dataclass(frozen=True)
class RuleSet:
    language: str
    rules: tuple[Rule, ...]
    modifiers: tuple[Modifier, ...]
    by_api: Mapping[str, tuple[Rule, ...]]  # last segment of api -> rules
    by_method: Mapping[str, tuple[Rule, ...]]
    modifiers_by_method: Mapping[str, tuple[Modifier, ...]]
    trigger_words: tuple[str, ...]  # a file containing none of these cannot hold a finding
    call_words: tuple[str, ...] = ()  # nor can one without any of these (rule API last segments, methods)

    def relevant(self, text: str) -> bool:
        """Cheap prefilter: some trigger word (a crypto module or API) occurs as a whole word."""
        return _has_word(self.trigger_words, text)

    def names_a_call(self, text: str) -> bool:
        """Second prefilter: some name a rule matches on (the last segment of a rule's API, or one of
        its methods) occurs as a whole word. Call sites are only looked at when their last name segment
        is one, and that segment is always written in the file (in the call, or in the import that
        aliases it), so a file without any cannot hold a finding."""
        return _has_word(self.call_words, text)

    def candidates(self, api: str) -> list[Rule]:
        last = api.rsplit(".", 1)[-1]
        found = [r for r in self.by_api.get(last, ()) if _api_matches(r, api)]
        found.extend(self.by_method.get(last, ()))
        return found


@cache
def _anchors(words: tuple[str, ...]) -> tuple[tuple[str, tuple[tuple[str, int], ...]], ...]:
    """Cover ``words`` with few substrings (greedy set cover): each anchor with the words holding it
    and every offset of the anchor in each. Every word is covered (a word is its own anchor at
    worst), so :func:`_has_word` says exactly what a search for every word would say."""
    holding: dict[str, set[str]] = {}  # substring -> the words that contain it
    for w in words:
        shortest = min(4, len(w))
        for i in range(len(w) - shortest + 1):
            for j in range(i + shortest, min(len(w), i + 12) + 1):
                holding.setdefault(w[i:j], set()).add(w)
        holding.setdefault(w, set()).add(w)
    subs = sorted(holding)
    left = set(words)
    out: list[tuple[str, tuple[tuple[str, int], ...]]] = []
    while left:
        best = max(subs, key=lambda sub: (len(holding[sub] & left), len(sub)))
        best_cover = holding[best] & left
        # a word may hold its anchor more than once: check every occurrence
        holders = tuple((x, k) for x in sorted(best_cover) for k in _occurrences(x, best))
        out.append((best, holders))
        left -= best_cover
    return tuple(out)


def _occurrences(word: str, anchor: str) -> list[int]:
    return [k for k in range(len(word) - len(anchor) + 1) if word.startswith(anchor, k)]


def _has_word(words: tuple[str, ...], text: str) -> bool:
    """Some word of ``words`` occurs in ``text`` as a whole word. Substring search runs at memory
    speed (a regex alternation of all words does not), so the words are searched through a few shared
    *anchors* (``Digest`` stands for ``MD5Digest``, ``SHA1Digest``, ``MessageDigest`` ...): one pass per
    anchor instead of one per word; whole-word boundaries are checked only at hits."""
    for anchor, holders in _anchors(words):
        start = text.find(anchor)
        while start >= 0:
            for word, offset in holders:
                begin = start - offset
                end = begin + len(word)
                if (begin >= 0 and text.startswith(word, begin)
                        and (begin == 0 or not _is_word_char(text[begin - 1]))
                        and (end == len(text) or not _is_word_char(text[end]))):
                    return True
            start = text.find(anchor, start + 1)
    return False


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _api_matches(rule: Rule, api: str) -> bool:
    for want in rule.api:
        if api == want or (not rule.exact and (api.endswith("." + want) or api.endswith("/" + want))):
            return True
    return False


_RULE_KEYS = {"id", "api", "method", "match", "algorithm", "family", "names", "name_arg", "default_name",
              "default_note", "usage", "params", "flags", "each", "split", "context", "bind", "min_args",
              "confidence", "exact", "report_unresolved", "unresolved_algorithm", "key_arg", *PARAM_SPECS}
_MOD_KEYS = {"id", "method", "targets", "receiver_arg", "link_arg", *PARAM_SPECS}


def _checked_specs(raw: Mapping[str, Any], keys: set[str], where: str) -> dict[str, ArgSpec]:
    """The entry's parameter specs, after checking it has no key outside ``keys``."""
    extra = set(raw) - keys
    if extra:
        raise RuleError(f"{where}: unknown keys {sorted(extra)}")
    return {k: spec for k in PARAM_SPECS if (spec := ArgSpec.parse(raw.get(k), f"{where}.{k}")) is not None}


def _rule(language: str, raw: Mapping[str, Any]) -> Rule:
    rid = str(raw.get("id", "?"))
    where = f"code_rules/{language}.toml rule {rid}"
    specs = _checked_specs(raw, _RULE_KEYS, where)
    if not raw.get("api") and not raw.get("method"):
        raise RuleError(f"{where}: needs api or method")
    if raw.get("names") and raw["names"] not in names.NAMESPACES:
        raise RuleError(f"{where}: unknown names namespace {raw['names']!r}")
    try:
        flags = {k: ArgSpec.parse(v, f"{where}.flags.{k}") for k, v in raw.get("flags", {}).items()}
        return Rule(
            id=rid, language=language, api=tuple(raw.get("api", ())), method=tuple(raw.get("method", ())),
            match=raw.get("match", "call"), algorithm=raw.get("algorithm"), family=raw.get("family"),
            names=raw.get("names"), name_arg=ArgSpec.parse(raw.get("name_arg"), f"{where}.name_arg"),
            default_name=raw.get("default_name"), default_note=raw.get("default_note", ""),
            usage=Usage(raw.get("usage", "unknown")), specs=specs, params=dict(raw.get("params", {})),
            flags={k: v for k, v in flags.items() if v is not None}, each=bool(raw.get("each", False)),
            split=raw.get("split", ":,"), context=tuple(raw.get("context", ())), bind=bool(raw.get("bind", False)),
            min_args=int(raw.get("min_args", 0)), confidence=Confidence(raw.get("confidence", "medium")),
            exact=bool(raw.get("exact", False)), report_unresolved=bool(raw.get("report_unresolved", True)),
            unresolved_algorithm=raw.get("unresolved_algorithm"), key_arg=ArgSpec.parse(raw.get("key_arg"), f"{where}.key_arg"),
        )
    except (ValueError, TypeError) as exc:
        raise RuleError(f"{where}: {exc}") from exc


def _modifier(language: str, raw: Mapping[str, Any]) -> Modifier:
    mid = str(raw.get("id", "?"))
    where = f"code_rules/{language}.toml modifier {mid}"
    specs = _checked_specs(raw, _MOD_KEYS, where)
    return Modifier(mid, language, tuple(raw["method"]), tuple(raw["targets"]), specs,
                    raw.get("receiver_arg"), raw.get("link_arg"))


def _index(rules: Sequence[Rule]) -> tuple[dict[str, tuple[Rule, ...]], dict[str, tuple[Rule, ...]]]:
    by_api: dict[str, list[Rule]] = {}
    by_method: dict[str, list[Rule]] = {}
    for r in rules:
        for last in dict.fromkeys(api.rsplit(".", 1)[-1] for api in r.api):
            by_api.setdefault(last, []).append(r)
        for m in r.method:
            by_method.setdefault(m, []).append(r)
    return ({k: tuple(v) for k, v in by_api.items()}, {k: tuple(v) for k, v in by_method.items()})


@cache
def ruleset(language: str) -> RuleSet:
    data = shipped_toml(f"data/code_rules/{language}.toml")
    rules = tuple(_rule(language, r) for r in data.get("rule", []))
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise RuleError(f"code_rules/{language}.toml: duplicate rule ids")
    mods = tuple(_modifier(language, m) for m in data.get("modifier", []))
    by_api, by_method = _index(rules)
    mods_by: dict[str, list[Modifier]] = {}
    for m in mods:
        for name in m.method:
            mods_by.setdefault(name, []).append(m)
    words = {api.split(".")[0] for r in rules for api in r.api} | {m for r in rules for m in r.method}
    words |= set(data.get("trigger_words", []))
    return RuleSet(language, rules, mods, by_api, by_method, {k: tuple(v) for k, v in mods_by.items()},
                   tuple(sorted(words)), tuple(sorted({*by_api, *by_method})))
