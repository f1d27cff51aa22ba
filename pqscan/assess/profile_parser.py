"""Reading a profile TOML: every key checked, every mistake one line naming file, key and problem.

The format is documented in :mod:`pqscan.assess.profiles` and ``profiles/README.md``.
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Callable, Mapping
from typing import Any

from pqscan import algorithms
from pqscan.assess.profile_model import (
    BOOL_MATCHERS,
    ID_RE,
    INT_MATCHERS,
    KNOWN_PROTOCOLS,
    LIST_MATCHERS,
    OUTCOME_KEYS,
    Category,
    CategoryPolicy,
    ComplianceStatus,
    Profile,
    Rule,
    protocol_key,
)
from pqscan.errors import ProfileError
from pqscan.model import Primitive, QuantumStatus

_PROFILE_KEYS = {"id", "name", "title", "scope", "sources", "confidence", "uncertain", "extends", "binds",
                 "last_verified"}
_CATEGORY_KEYS = {"default", "default_note", "inherit", "rule"}
_RULE_KEYS = set(LIST_MATCHERS + INT_MATCHERS + BOOL_MATCHERS + OUTCOME_KEYS)


class _Ctx:
    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, key: str, what: str) -> ProfileError:
        return ProfileError(f"{self.source}: key {key!r}: {what}")


def parse(raw: bytes, source: str, *, builtin: bool, load_base: Callable[[str], Profile]) -> Profile:
    """Validate and build one profile; ``load_base`` loads the profile named by ``extends``."""
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
    if not ID_RE.match(pid):
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
        try:
            base = load_base(extends)
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
        binds=_string(ctx, meta, "profile.binds"),
        last_verified=_date(ctx, "profile.last_verified", meta["last_verified"]) if "last_verified" in meta else None,
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
    for k in LIST_MATCHERS:
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
        if k == "protocols":
            values = [protocol_key(v) for v in values]
            for v in values:
                if v not in KNOWN_PROTOCOLS:
                    raise ctx.error(f"{key}.{k}", f"unknown protocol version {v!r} (allowed: {', '.join(sorted(KNOWN_PROTOCOLS))})")
        kwargs[k] = frozenset(values)
    if kwargs["protocols"] and any(kwargs[k] for k in LIST_MATCHERS if k != "protocols"):
        raise ctx.error(f"{key}.protocols", "a protocol-version rule cannot also match algorithms")
    for k in INT_MATCHERS:
        if k in entry:
            v = entry[k]
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ctx.error(f"{key}.{k}", f"must be a non-negative integer, not {v!r}")
            kwargs[k] = v
    for low, high in (("min_bits", "max_bits"), ("min_key_bits", "max_key_bits")):
        if low in kwargs and high in kwargs and kwargs[low] > kwargs[high]:
            raise ctx.error(f"{key}.{low}", f"{kwargs[low]} is above {high} {kwargs[high]}: the rule can never match")
    for k in BOOL_MATCHERS:
        if k in entry:
            if not isinstance(entry[k], bool):
                raise ctx.error(f"{key}.{k}", f"must be true or false, not {entry[k]!r}")
            kwargs[k] = entry[k]
    # "unknown" in a rule: the profile cannot judge this use without a fact the collector may lack
    # (e.g. an AES key size under CNSA 2.0); the reason says what to check.
    kwargs["status"] = _status(ctx, entry, f"{key}.status", ComplianceStatus.COMPLIANT, allow_unknown=True)
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
