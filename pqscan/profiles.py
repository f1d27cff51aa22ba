"""Policy profiles: which algorithms and strengths a policy accepts, for which use, until when.

A profile is data (``profiles/<id>.toml``, shipped in the wheel as ``pqscan/profiles``). A user
can pass the path of their own TOML file anywhere a profile name is accepted.

Format
------
::

    [profile]
    id = "nist-ir-8547"                 # required; lower-case, [a-z0-9.-]
    name = "NIST IR 8547"               # required; short name used in reasons
    title = "..."                       # one line
    scope = "US federal systems ..."    # who it applies to
    sources = ["NIST IR 8547 ipd, https://..."]   # required, at least one
    confidence = "P"                    # P primary / S secondary / U uncertain (standards.md legend)
    uncertain = ["IR 8547 is still an initial public draft; dates may move"]
    extends = "nist-ir-8547"            # optional: take every category this file does not define

    [key-establishment]                 # one table per category (see Category)
    default = "unknown"                 # status when no rule matches: compliant|deprecated|disallowed|unknown
    default_note = "..."
    inherit = "signature"               # optional: use another category's rules (code-signing -> signature)

    [[key-establishment.rule]]          # rules are tried in order; the first that matches decides
    # -- matchers (all given ones must hold; a rule with none matches everything) --
    algorithms = ["ML-KEM-1024"]        # catalogue ids (validated against pqscan.algorithms)
    with_component = ["ML-KEM-1024"]    # hybrids / composites containing one of these ids
    families = ["RSA", "DH", "ECDH"]    # Algorithm.family, matched literally
    quantum_status = ["broken"]         # broken | weakened | resistant | hybrid | unknown
    primitives = ["kem"]                # pqscan.model.Primitive values
    curves = ["P-384"]                  # Algorithm.curve
    min_bits = 128                      # classical security bits of this use (key size aware)
    max_bits = 112
    min_nist_category = 5
    classically_broken = true           # MD5, SHA-1, RC4, 3DES, RSA < 2048 ...
    pre_standard = true                 # catalogue marks it deprecated (Kyber drafts ...)
    # -- outcome --
    status = "compliant"                # status before any date below has passed (default compliant)
    deprecated_after = 2030-12-31       # TOML date, "YYYY-MM-DD" or a year (= 31 Dec of that year)
    disallowed_after = 2035-12-31
    note = "why, with the source section"

"after 2030" in a standard means from 1 Jan 2031: write ``deprecated_after = 2030-12-31``.
Categories: ``key-establishment`` (key exchange and asymmetric encryption), ``signature``
(signatures and authentication), ``code-signing``, ``symmetric``, ``hash``, ``protocol``.
A category a profile leaves out gives status *unknown* ("not covered by <profile>").

Errors: every problem is a :class:`pqscan.errors.ProfileError` whose message names the file,
the key and what is wrong, e.g. ``my.toml: key 'signature.rule[2].algorithms': unknown
algorithm id 'RSA-9999'``.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from pqscan import algorithms
from pqscan.algorithms import Algorithm
from pqscan.errors import ProfileError
from pqscan.model import Primitive, QuantumStatus

DEFAULT_PROFILE = "nist-ir-8547"

# Profiles larger than this are not policy files: refuse rather than parse.
MAX_PROFILE_BYTES = 1024 * 1024


class ComplianceStatus(StrEnum):
    COMPLIANT = "compliant"
    DEPRECATED = "deprecated"  # may still be used; the user accepts the risk
    DISALLOWED = "disallowed"  # may no longer be used for this purpose
    UNKNOWN = "unknown"  # algorithm not in the catalogue, or not covered by the profile

    @property
    def rank(self) -> int:
        return _STATUS_RANK[self]


_STATUS_RANK = {
    ComplianceStatus.COMPLIANT: 0,
    ComplianceStatus.UNKNOWN: 1,
    ComplianceStatus.DEPRECATED: 2,
    ComplianceStatus.DISALLOWED: 3,
}


class Category(StrEnum):
    """What a profile judges separately. pqscan.assess maps each finding's usage to one of these."""

    KEY_ESTABLISHMENT = "key-establishment"
    SIGNATURE = "signature"
    CODE_SIGNING = "code-signing"
    SYMMETRIC = "symmetric"
    HASH = "hash"
    PROTOCOL = "protocol"


_PROFILE_KEYS = {"id", "name", "title", "scope", "sources", "confidence", "uncertain", "extends"}
_CATEGORY_KEYS = {"default", "default_note", "inherit", "rule"}
_LIST_MATCHERS = ("algorithms", "with_component", "families", "quantum_status", "primitives", "curves")
_INT_MATCHERS = ("min_bits", "max_bits", "min_nist_category")
_BOOL_MATCHERS = ("classically_broken", "pre_standard")
_OUTCOME_KEYS = ("status", "deprecated_after", "disallowed_after", "note")
_RULE_KEYS = set(_LIST_MATCHERS + _INT_MATCHERS + _BOOL_MATCHERS + _OUTCOME_KEYS)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")


@dataclass(frozen=True)
class Rule:
    """One line of policy: which algorithms it covers (matchers) and what it says about them."""

    index: int
    algorithms: frozenset[str] = frozenset()
    with_component: frozenset[str] = frozenset()
    families: frozenset[str] = frozenset()
    quantum_status: frozenset[str] = frozenset()
    primitives: frozenset[str] = frozenset()
    curves: frozenset[str] = frozenset()
    min_bits: int | None = None
    max_bits: int | None = None
    min_nist_category: int | None = None
    classically_broken: bool | None = None
    pre_standard: bool | None = None
    status: ComplianceStatus = ComplianceStatus.COMPLIANT
    deprecated_after: datetime.date | None = None
    disallowed_after: datetime.date | None = None
    note: str = ""

    def matches(self, alg: Algorithm, parameters: Mapping[str, Any] | None = None) -> bool:
        if self.algorithms and alg.id not in self.algorithms:
            return False
        if self.with_component and not (self.with_component & set(alg.components)):
            return False
        if self.families and alg.family not in self.families:
            return False
        if self.quantum_status and alg.quantum_status.value not in self.quantum_status:
            return False
        if self.primitives and alg.primitive.value not in self.primitives:
            return False
        if self.curves and (alg.curve or str((parameters or {}).get("curve", ""))) not in self.curves:
            return False
        if self.min_bits is not None or self.max_bits is not None:
            bits = algorithms.classical_bits(alg, parameters)
            if bits is None:
                return False
            if self.min_bits is not None and bits < self.min_bits:
                return False
            if self.max_bits is not None and bits > self.max_bits:
                return False
        if self.min_nist_category is not None and (alg.nist_category or 0) < self.min_nist_category:
            return False
        if self.classically_broken is not None and (
            algorithms.is_classically_broken(alg, parameters) != self.classically_broken
        ):
            return False
        return self.pre_standard is None or alg.deprecated == self.pre_standard

    def status_on(self, today: datetime.date) -> ComplianceStatus:
        if self.disallowed_after is not None and today > self.disallowed_after:
            return ComplianceStatus.DISALLOWED
        if self.deprecated_after is not None and today > self.deprecated_after:
            return max(ComplianceStatus.DEPRECATED, self.status, key=lambda s: s.rank)
        return self.status

    def dates(self) -> list[tuple[str, datetime.date]]:
        out = []
        if self.deprecated_after is not None:
            out.append(("deprecated", self.deprecated_after))
        if self.disallowed_after is not None:
            out.append(("disallowed", self.disallowed_after))
        return out

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for key in _LIST_MATCHERS:
            if getattr(self, key):
                d[key] = sorted(getattr(self, key))
        for key in _INT_MATCHERS + _BOOL_MATCHERS:
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
        d["status"] = self.status.value
        for key in ("deprecated_after", "disallowed_after"):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key).isoformat()
        if self.note:
            d["note"] = self.note
        return d


@dataclass(frozen=True)
class CategoryPolicy:
    category: Category
    rules: tuple[Rule, ...] = ()
    default: ComplianceStatus = ComplianceStatus.UNKNOWN
    default_note: str = ""
    inherit: Category | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"default": self.default.value, "rules": [r.to_dict() for r in self.rules]}
        if self.default_note:
            d["default_note"] = self.default_note
        if self.inherit is not None:
            d["inherit"] = self.inherit.value
        return d


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    sources: tuple[str, ...]
    title: str = ""
    scope: str = ""
    confidence: str = ""
    uncertain: tuple[str, ...] = ()
    extends: str | None = None
    categories: Mapping[Category, CategoryPolicy] = field(default_factory=dict)
    path: str = ""  # where it was loaded from
    builtin: bool = False

    def policy_for(self, category: Category) -> CategoryPolicy | None:
        """The policy for a category, following ``inherit`` (at most a few hops, no loops)."""
        seen: set[Category] = set()
        policy = self.categories.get(category)
        while policy is not None and policy.inherit is not None and policy.inherit not in seen:
            seen.add(policy.category)
            policy = self.categories.get(policy.inherit)
        return policy

    def evaluate(self, category: Category, alg: Algorithm, parameters: Mapping[str, Any] | None = None
                 ) -> tuple[CategoryPolicy | None, Rule | None]:
        """The category policy and the first rule matching this algorithm use (None: default applies)."""
        policy = self.policy_for(category)
        if policy is None:
            return None, None
        for rule in policy.rules:
            if rule.matches(alg, parameters):
                return policy, rule
        return policy, None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title,
            "scope": self.scope,
            "sources": list(self.sources),
            "confidence": self.confidence,
            "uncertain": list(self.uncertain),
            "extends": self.extends,
            "builtin": self.builtin,
            "path": self.path,
            "categories": {c.value: p.to_dict() for c, p in self.categories.items()},
        }


# -- loading ---------------------------------------------------------------------------------


def _builtin_dir() -> Any:
    return resources.files("pqscan") / "profiles"


def builtin_names() -> list[str]:
    return sorted(p.name[:-5] for p in _builtin_dir().iterdir() if p.name.endswith(".toml"))


def _looks_like_path(text: str) -> bool:
    """A path when it says so (".toml", a separator) or names a file that is not a shipped profile."""
    if text.endswith(".toml") or "/" in text or "\\" in text:
        return True
    return Path(text).is_file() and not (_builtin_dir() / f"{text.lower()}.toml").is_file()


def load_profile(name_or_path: str) -> Profile:
    """A shipped profile by name (case-insensitive) or a user's TOML file by path."""
    text = str(name_or_path).strip()
    if not text:
        raise ProfileError("empty profile name")
    return _load(text, chain=())


def _load(text: str, chain: tuple[str, ...]) -> Profile:
    if _looks_like_path(text):
        path = Path(text)
        if not path.is_file():
            raise ProfileError(f"{path}: no such profile file")
        if path.stat().st_size > MAX_PROFILE_BYTES:
            raise ProfileError(f"{path}: larger than {MAX_PROFILE_BYTES // 1024} KiB; not a profile")
        key = str(path.resolve())
        if key in chain:
            raise ProfileError(f"{path}: circular extends")
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ProfileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
        return _parse(raw, str(path), builtin=False, chain=(*chain, key))
    name = text.lower()
    resource = _builtin_dir() / f"{name}.toml"
    if not _ID_RE.match(name) or not resource.is_file():
        available = ", ".join(builtin_names())
        raise ProfileError(f"unknown profile {text!r} (available: {available}; or give the path of a TOML file)")
    key = f"builtin:{name}"
    if key in chain:
        raise ProfileError(f"profiles/{name}.toml: circular extends")
    return _parse(resource.read_bytes(), f"profiles/{name}.toml", builtin=True, chain=(*chain, key))


def load_profiles(names_or_paths: Iterable[str] | None) -> list[Profile]:
    """Several profiles, in order, without duplicates; ``[DEFAULT_PROFILE]`` when none is given."""
    names = [n for n in (names_or_paths or ()) if str(n).strip()] or [DEFAULT_PROFILE]
    out: list[Profile] = []
    for name in names:
        prof = load_profile(name)
        if all(p.id != prof.id for p in out):
            out.append(prof)
    return out


def list_profiles() -> list[Profile]:
    return [load_profile(name) for name in builtin_names()]


# -- parsing and validation -----------------------------------------------------------------


class _Ctx:
    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, key: str, what: str) -> ProfileError:
        return ProfileError(f"{self.source}: key {key!r}: {what}")


def _parse(raw: bytes, source: str, *, builtin: bool, chain: tuple[str, ...]) -> Profile:
    ctx = _Ctx(source)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ProfileError(f"{source}: not UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{source}: not valid TOML ({exc})") from exc
    meta = data.get("profile")
    if not isinstance(meta, dict):
        raise ctx.error("profile", "missing [profile] table")
    for key in meta:
        if key not in _PROFILE_KEYS:
            raise ctx.error(f"profile.{key}", f"unknown key (allowed: {', '.join(sorted(_PROFILE_KEYS))})")
    pid = _string(ctx, meta, "profile.id", required=True)
    if not _ID_RE.match(pid):
        raise ctx.error("profile.id", f"{pid!r} is not a valid id (lower-case letters, digits, '.', '-')")
    sources = _strings(ctx, meta, "profile.sources")
    if not sources:
        raise ctx.error("profile.sources", "at least one source is required")
    confidence = _string(ctx, meta, "profile.confidence")
    if confidence and not set(confidence.replace("/", "").replace(" ", "")) <= set("PSU"):
        raise ctx.error("profile.confidence", f"{confidence!r} is not P, S, U or a combination like 'P/S'")
    extends = _string(ctx, meta, "profile.extends") or None

    categories: dict[Category, CategoryPolicy] = {}
    if extends:
        if extends == pid:
            raise ctx.error("profile.extends", "a profile cannot extend itself")
        target = extends
        if not builtin and _looks_like_path(extends) and not Path(extends).is_absolute():
            target = str(Path(source).parent / extends)  # relative to the file that extends it
        try:
            base = _load(target, chain=chain)
        except ProfileError as exc:
            raise ctx.error("profile.extends", f"cannot load base profile: {exc}") from exc
        categories.update(base.categories)

    for key, value in data.items():
        if key == "profile":
            continue
        try:
            cat = Category(key)
        except ValueError:
            allowed = ", ".join(["profile", *(c.value for c in Category)])
            raise ctx.error(key, f"unknown table (allowed: {allowed})") from None
        if not isinstance(value, dict):
            raise ctx.error(key, f"must be a table, not {type(value).__name__}")
        categories[cat] = _category(ctx, cat, value)
    for cat, policy in categories.items():
        if policy.inherit is not None and policy.inherit not in categories:
            raise ctx.error(f"{cat.value}.inherit", f"inherits {policy.inherit.value!r}, which this profile does not define")
    return Profile(
        id=pid,
        name=_string(ctx, meta, "profile.name", required=True),
        title=_string(ctx, meta, "profile.title"),
        scope=_string(ctx, meta, "profile.scope"),
        sources=tuple(sources),
        confidence=confidence,
        uncertain=tuple(_strings(ctx, meta, "profile.uncertain")),
        extends=extends,
        categories=dict(sorted(categories.items(), key=lambda kv: list(Category).index(kv[0]))),
        path=source,
        builtin=builtin,
    )


def _category(ctx: _Ctx, cat: Category, table: Mapping[str, Any]) -> CategoryPolicy:
    for key in table:
        if key not in _CATEGORY_KEYS:
            raise ctx.error(f"{cat.value}.{key}", f"unknown key (allowed: {', '.join(sorted(_CATEGORY_KEYS))})")
    default = _status(ctx, table, f"{cat.value}.default", ComplianceStatus.UNKNOWN, allow_unknown=True)
    inherit_text = _string(ctx, table, f"{cat.value}.inherit")
    inherit = None
    if inherit_text:
        try:
            inherit = Category(inherit_text)
        except ValueError:
            raise ctx.error(f"{cat.value}.inherit", f"unknown category {inherit_text!r}") from None
    rules_raw = table.get("rule", [])
    if not isinstance(rules_raw, list):
        raise ctx.error(f"{cat.value}.rule", "must be an array of tables ([[" + cat.value + ".rule]])")
    rules = []
    for i, entry in enumerate(rules_raw, 1):
        key = f"{cat.value}.rule[{i}]"
        if not isinstance(entry, dict):
            raise ctx.error(key, f"must be a table, not {type(entry).__name__}")
        rules.append(_rule(ctx, key, i, entry))
    return CategoryPolicy(cat, tuple(rules), default, _string(ctx, table, f"{cat.value}.default_note"), inherit)


def _rule(ctx: _Ctx, key: str, index: int, entry: Mapping[str, Any]) -> Rule:
    for k in entry:
        if k not in _RULE_KEYS:
            raise ctx.error(f"{key}.{k}", f"unknown key (allowed: {', '.join(sorted(_RULE_KEYS))})")
    kwargs: dict[str, Any] = {}
    for k in _LIST_MATCHERS:
        values = _strings(ctx, entry, f"{key}.{k}", raw=entry.get(k))
        if k in ("algorithms", "with_component"):
            for v in values:
                alg = algorithms.get(v)
                if alg.is_unknown:
                    raise ctx.error(f"{key}.{k}", f"unknown algorithm id {v!r} (not in the pqscan catalogue)")
                if alg.id != v:
                    raise ctx.error(f"{key}.{k}", f"{v!r} is an alias; write the canonical id {alg.id!r}")
        allowed = {"quantum_status": {s.value for s in QuantumStatus}, "primitives": {p.value for p in Primitive}}.get(k)
        if allowed is not None:
            for v in values:
                if v not in allowed:
                    raise ctx.error(f"{key}.{k}", f"unknown value {v!r} (allowed: {', '.join(sorted(allowed))})")
        kwargs[k] = frozenset(values)
    for k in _INT_MATCHERS:
        if k in entry:
            v = entry[k]
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ctx.error(f"{key}.{k}", f"must be a non-negative integer, not {v!r}")
            kwargs[k] = v
    for k in _BOOL_MATCHERS:
        if k in entry:
            if not isinstance(entry[k], bool):
                raise ctx.error(f"{key}.{k}", f"must be true or false, not {entry[k]!r}")
            kwargs[k] = entry[k]
    kwargs["status"] = _status(ctx, entry, f"{key}.status", ComplianceStatus.COMPLIANT, allow_unknown=False)
    for k in ("deprecated_after", "disallowed_after"):
        if k in entry:
            kwargs[k] = _date(ctx, f"{key}.{k}", entry[k])
    dep, dis = kwargs.get("deprecated_after"), kwargs.get("disallowed_after")
    if dep is not None and dis is not None and dep > dis:
        raise ctx.error(f"{key}.deprecated_after", f"{dep} is after disallowed_after {dis}")
    kwargs["note"] = _string(ctx, entry, f"{key}.note")
    return Rule(index=index, **kwargs)


def _value(mapping: Mapping[str, Any], key: str) -> Any:
    return mapping.get(key.rsplit(".", 1)[-1])


def _string(ctx: _Ctx, mapping: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    v = _value(mapping, key)
    if v is None:
        if required:
            raise ctx.error(key, "required")
        return ""
    if not isinstance(v, str):
        raise ctx.error(key, f"must be a string, not {type(v).__name__}")
    if required and not v.strip():
        raise ctx.error(key, "must not be empty")
    return v


def _strings(ctx: _Ctx, mapping: Mapping[str, Any], key: str, *, raw: Any = None) -> list[str]:
    v = raw if raw is not None else _value(mapping, key)
    if v is None:
        return []
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ctx.error(key, f"must be a list of strings, not {_describe(v)}")
    return list(v)


def _status(ctx: _Ctx, mapping: Mapping[str, Any], key: str, default: ComplianceStatus, *,
            allow_unknown: bool) -> ComplianceStatus:
    v = _value(mapping, key)
    if v is None:
        return default
    allowed = [s.value for s in ComplianceStatus if allow_unknown or s is not ComplianceStatus.UNKNOWN]
    if not isinstance(v, str) or v not in allowed:
        raise ctx.error(key, f"must be one of {', '.join(allowed)}, not {v!r}")
    return ComplianceStatus(v)


def _date(ctx: _Ctx, key: str, v: Any) -> datetime.date:
    if isinstance(v, datetime.datetime):
        raise ctx.error(key, f"bad date {v!r}: give a date (YYYY-MM-DD), not a date-time")
    if isinstance(v, datetime.date):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        if 1990 <= v <= 2100:
            return datetime.date(v, 12, 31)
        raise ctx.error(key, f"bad date {v!r}: a year must be between 1990 and 2100")
    if isinstance(v, str):
        try:
            return datetime.date.fromisoformat(v.strip())
        except ValueError:
            raise ctx.error(key, f"bad date {v!r}: expected YYYY-MM-DD") from None
    raise ctx.error(key, f"bad date {v!r}: expected a TOML date (YYYY-MM-DD) or a year")


def _describe(v: Any) -> str:
    if isinstance(v, list):
        kinds = sorted({type(x).__name__ for x in v})
        return f"a list of {'/'.join(kinds)}"
    return type(v).__name__


def date_text(d: datetime.date) -> str:
    """'2030' for 31 Dec 2030 (how standards write "after 2030"), else the ISO date."""
    return str(d.year) if (d.month, d.day) == (12, 31) else d.isoformat()
