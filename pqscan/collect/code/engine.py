"""Apply a language's rules to its call sites: call sites in, :class:`Hit` s out.

Three passes over one file's call sites:
1. every call or reference that a rule matches becomes one or more hits; the argument
   expressions a rule *read* are marked consumed (``Cipher(algorithms.AES(k), modes.ECB())`` is
   one finding, not three);
2. hits whose own expression was consumed by an enclosing match are dropped;
3. modifiers update bound hits (``kpg.initialize(1024)`` sets the key size of the generator's finding).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pqscan.collect.code import names
from pqscan.collect.code.families import families_of
from pqscan.collect.code.rules import ArgSpec, Modifier, Rule, RuleSet
from pqscan.collect.code.values import CallSite, Span, Value, ValueKind
from pqscan.model import Confidence, Usage

# Algorithms whose strength depends on a key size that code states (or does not): never drop
# the size silently, record why it is unknown.
KEY_SIZE_ALGORITHMS = frozenset({"RSA", "DSA", "DH"})


@dataclass
class Hit:
    rule_id: str
    line: int
    column: int
    symbol: str
    span: Span
    algorithm: str | None
    family: str | None
    usage: Usage
    confidence: Confidence
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def algorithm_id(self) -> str:
        if self.family:
            return names.canonical(names.with_curve(self.family, self.params.get("curve")))
        return names.refine(names.canonical(self.algorithm or "unknown"), self.usage, self.params)


def read_arg(call: CallSite, spec: ArgSpec | None) -> Value | None:
    if spec is None:
        return None
    value: Value | None = None
    if spec.kw is not None and spec.kw in call.kwargs:
        value = call.kwargs[spec.kw]
    elif spec.pos is not None and spec.pos < len(call.args):
        value = call.args[spec.pos]
    if value is not None and spec.field is not None and value.kind is not ValueKind.STR:
        # a field of an options object ({modulusLength: 2048}); a plain string stands for itself
        # (WebCrypto accepts "RSA-OAEP" or {name: "RSA-OAEP"})
        mapping = value.mapping if value.kind in (ValueKind.DICT, ValueKind.SYM) else {}
        value = next((mapping[f] for f in spec.field.split("|") if f in mapping), None)
    return value


def _name_texts(value: Value) -> list[str]:
    """Candidate names a value stands for: a string, or a symbol's last segments (``hashlib.sha1``)."""
    if value.kind is ValueKind.STR:
        return [str(value.value)]
    if value.kind is ValueKind.SYM:
        segs = [s for s in re.split(r"[./]", str(value.value)) if s]
        out = [segs[-1]] if segs else []
        if len(segs) >= 2:
            out.append(segs[-2])
            out.append(segs[-2] + segs[-1])
        return out
    return []


def _resolve_name(namespace: str, value: Value) -> names.NameHit | None:
    for text in _name_texts(value):
        hit = names.resolve(namespace, text)
        if hit is not None:
            return hit
    if value.kind is ValueKind.SYM and value.called and value.args:
        return _resolve_name(namespace, value.args[0])  # new ECGenParameterSpec("secp256r1")
    return None


def _curve_of(value: Value) -> str | None:
    for text in _name_texts(value):
        c = names.curve(text)
        if c:
            return c
    if value.kind is ValueKind.SYM and value.called and value.args:
        return _curve_of(value.args[0])
    return None


def _int_of(value: Value, measure: str | None) -> int | None:
    if value.kind is ValueKind.INT and isinstance(value.value, int) and not isinstance(value.value, bool):
        return value.value.bit_length() if measure == "bit_length" else value.value
    if value.kind is ValueKind.STR and str(value.value).isdigit() and measure is None:
        return int(str(value.value))
    return None


def _split(value: Value, separators: str) -> list[Value]:
    if value.kind is ValueKind.LIST:
        return list(value.args)
    if value.kind is ValueKind.STR:
        text = str(value.value)
        for sep in separators[1:]:
            text = text.replace(sep, separators[0])
        parts = [p.strip() for p in text.split(separators[0]) if p.strip()]
        return [Value(ValueKind.STR, p, p, value.span, origin=value.origin) for p in parts]
    return [value]


class _FileMatcher:
    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.hits: list[Hit] = []
        self.consumed: set[Span] = set()
        self.bound: dict[str, Hit] = {}  # variable -> hit of a binding rule

    def run(self, calls: Sequence[CallSite]) -> list[Hit]:
        for call in calls:
            for rule in self.ruleset.candidates(call.api):
                if self._applies(rule, call):
                    self._apply(rule, call)
        self.hits = [h for h in self.hits if h.span not in self.consumed]
        for call in calls:
            for mod in self.ruleset.modifiers_by_method.get(call.method, ()):
                self._modify(mod, call)
        return [h for h in self.hits if h.span not in self.consumed]

    @staticmethod
    def _applies(rule: Rule, call: CallSite) -> bool:
        if call.called and rule.match == "ref":
            return False
        if not call.called:
            fixed = rule.algorithm or rule.family or (rule.names and rule.name_arg is None and rule.default_name is None)
            if rule.match == "call" and (rule.method or not fixed):
                return False  # a method name alone, or a factory without its argument, means nothing
            if rule.context and call.context_key not in rule.context:
                return False
        return len(call.args) + len(call.kwargs) >= rule.min_args

    def _apply(self, rule: Rule, call: CallSite) -> None:
        as_ref = not call.called and rule.match == "call"  # a call rule met as a bare reference
        base_conf = Confidence.LOW if as_ref else rule.confidence
        params: dict[str, Any] = dict(rule.params)
        for key, spec in rule.flags.items():
            v = read_arg(call, spec)
            if v is not None and v.kind in (ValueKind.BOOL, ValueKind.STR, ValueKind.INT):
                params[key] = v.value
                self._consume(v)
        if as_ref:
            params["reference"] = "passed or stored as a value, not called here"
        if rule.names is None:
            self._emit(rule, call, rule.algorithm, rule.family, rule.usage, base_conf, params)
            return
        if rule.name_arg is None and rule.default_name is None:
            hit = _resolve_name(rule.names, Value(ValueKind.SYM, call.api))  # the API names it: hashlib.md5
            if hit is not None:
                self._emit_name(rule, call, hit, params, base_conf)
            return
        raw = read_arg(call, rule.name_arg)
        if raw is None and rule.name_arg is not None and rule.name_arg.field and rule.default_name is None and \
                rule.report_unresolved:
            whole = read_arg(call, ArgSpec(rule.name_arg.pos, rule.name_arg.kw))
            if whole is not None and whole.kind is not ValueKind.NONE:  # subtle.verify(alg, ...): alg not an object here
                p = {**params, "raw_identifier": whole.describe()[:120],
                     "unknown_reason": f"algorithm comes from {whole.describe()[:80]}, not written here"}
                self._emit(rule, call, rule.unresolved_algorithm or "unknown", None, rule.usage, Confidence.LOW, p)
                return
        if raw is None:
            if rule.default_name is None:
                return
            hit = names.resolve(rule.names, rule.default_name)
            if hit is None:
                return
            params["library_default"] = rule.default_note or f"{rule.default_name} (library default)"
            self._emit_name(rule, call, hit, params, Confidence.LOW)
            return
        values = _split(raw, rule.split) if rule.each else [raw]
        key_families = self._key_families(rule, call)
        for value in values:
            hit = _resolve_name(rule.names, value)
            if hit is not None and key_families and \
                    not families_of(names.canonical(hit.algorithm or hit.family or "")) & key_families:
                continue  # a key of another family: the library refuses the call (InvalidAlgorithm), no operation
            p = dict(params)
            if value.origin:
                p["value_from"] = value.origin
            if hit is None:
                if not rule.report_unresolved or value.kind is ValueKind.NONE:
                    continue
                p["raw_identifier"] = value.describe()[:120]
                p["unknown_reason"] = (f"name {value.describe()[:80]} is not in pqscan's {rule.names} table"
                                       if value.kind is ValueKind.STR else
                                       f"algorithm name comes from {value.describe()[:80]}, not a constant")
                self._emit(rule, call, rule.unresolved_algorithm or "unknown", None, rule.usage, Confidence.LOW, p)
                continue
            self._consume(value)
            conf = Confidence.LOW if value.origin.startswith("default argument") else base_conf
            self._emit_name(rule, call, hit, p, conf)

    def _key_families(self, rule: Rule, call: CallSite) -> frozenset[str]:
        """The families of the key argument when it is made by a call another rule fixes (``from_secret``: HMAC)."""
        key = read_arg(call, rule.key_arg)
        if key is None or key.kind is not ValueKind.SYM or not key.called:
            return frozenset()
        return frozenset(fam for r in self.ruleset.candidates(str(key.value)) if r.algorithm or r.family
                         for fam in families_of(names.canonical(r.algorithm or r.family or "")))

    def _emit_name(self, rule: Rule, call: CallSite, hit: names.NameHit, params: dict[str, Any],
                   conf: Confidence) -> None:
        params = {**hit.params, **params}
        usage = hit.usage or rule.usage
        if rule.usage in (Usage.MAC,) and usage is Usage.HASHING:
            usage = rule.usage  # a hash named to an HMAC is a MAC
        self._emit(rule, call, hit.algorithm, hit.family, usage, conf, params)

    def _emit(self, rule: Rule, call: CallSite, algorithm: str | None, family: str | None, usage: Usage,
              conf: Confidence, params: dict[str, Any]) -> None:
        for key, spec in rule.specs.items():
            self._read_param(call, key, spec, params)
        if params.get("key_bits", 0) is None and algorithm not in KEY_SIZE_ALGORITHMS and family is None:
            params.pop("key_bits")  # the argument is something else for this algorithm (a curve name)
            params.pop("unknown_reason", None)
        if algorithm is not None:
            usage = names.usage_of(algorithm, usage)
        if family and not params.get("curve"):
            params.setdefault("unknown_reason", "curve not visible at this call")
        hit = Hit(rule.id, call.line, call.column, call.api, call.span, algorithm, family, usage, conf, params)
        self._finish_key_bits(hit, bool(rule.specs.get("key_bits")))
        self.hits.append(hit)
        if rule.bind and call.bound_to:
            self.bound[call.bound_to] = hit

    def _read_param(self, call: CallSite, key: str, spec: ArgSpec, params: dict[str, Any]) -> None:
        v = read_arg(call, spec)
        if v is None:
            return
        if key == "key_bits":
            bits = _int_of(v, spec.measure)
            if bits is not None:
                params["key_bits"] = bits
                if v.origin:
                    params["key_bits_from"] = v.origin
                self._consume(v)
            else:
                params["key_bits"] = None
                params["unknown_reason"] = f"key size comes from {v.describe()[:80]}, not a constant"
        elif key == "curve":
            c = _curve_of(v)
            if c:
                params["curve"] = c
                self._consume(v)
        elif key in ("mode", "hash"):
            table = "mode" if key == "mode" else "hash"
            for text in _name_texts(v):
                found = names.plain(table, text)
                if found:
                    params[key] = found
                    self._consume(v)
                    break
        elif key == "padding":
            texts = _name_texts(v)
            if texts:
                params["padding"] = texts[0]
                self._consume(v)

    @staticmethod
    def _finish_key_bits(hit: Hit, had_spec: bool) -> None:
        if hit.algorithm in KEY_SIZE_ALGORITHMS and "key_bits" not in hit.params:
            hit.params["key_bits"] = None
            hit.params["unknown_reason"] = ("key size not given at this call" if had_spec
                                            else "key size is set elsewhere (not visible at this call)")

    def _consume(self, value: Value, depth: int = 0) -> None:
        """A value a rule read is part of that finding: calls inside it are not reported again."""
        if value.span is not None:
            self.consumed.add(value.span)
        if depth < 6:
            for arg in (*value.args, *(v for _, v in value.kwargs)):
                self._consume(arg, depth + 1)

    def _modify(self, mod: Modifier, call: CallSite) -> None:
        var: str | None
        arg: Value | None = None
        if mod.receiver_arg is not None:
            arg = call.args[mod.receiver_arg] if mod.receiver_arg < len(call.args) else None
            var = arg.text if arg is not None else None
        else:
            var = call.receiver
        target = self.bound.get(var) if var else None
        if target is None and arg is not None and arg.span is not None:
            # the variable was propagated to the call that initialised it
            target = next((h for h in self.bound.values() if h.span == arg.span), None)
        if target is None or target.rule_id not in mod.targets:
            return
        for key, spec in mod.specs.items():
            if key == "key_bits" and target.algorithm not in KEY_SIZE_ALGORITHMS:
                value = read_arg(call, spec)
                if value is None or _int_of(value, spec.measure) is None:
                    continue  # initialize(new ECGenParameterSpec(...)) names a curve, not a size
            before = dict(target.params)
            self._read_param(call, key, spec, target.params)
            if key == "key_bits" and target.params.get("key_bits") is not None:
                target.params.pop("unknown_reason", None)
                target.params["key_bits_set_at"] = f"line {call.line}"
            elif key == "key_bits" and before.get("key_bits") is not None:
                target.params.update(before)  # an unreadable later call does not erase a known size
            if (key == "curve" and target.params.get("curve") and not before.get("curve")
                    and target.params.get("unknown_reason") == "curve not visible at this call"):
                target.params.pop("unknown_reason")
        if mod.link_arg is not None and mod.link_arg < len(call.args):
            self._link(target, call.args[mod.link_arg])

    def _link(self, target: Hit, arg: Value) -> None:
        """``key.exchange(ec.ECDH(), peer)``: the key is an ECDH key; the ECDH use has the key's curve."""
        for hit in self.hits:
            if arg.span is not None and hit.span == arg.span and hit.family:
                target.family = hit.family
                target.usage = hit.usage
                if "curve" in target.params and "curve" not in hit.params:
                    hit.params["curve"] = target.params["curve"]
                    if hit.params.get("unknown_reason") == "curve not visible at this call":
                        hit.params.pop("unknown_reason")


def match(ruleset: RuleSet, calls: Iterable[CallSite]) -> list[Hit]:
    return _FileMatcher(ruleset).run(list(calls))
