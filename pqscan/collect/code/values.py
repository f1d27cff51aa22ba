"""The language-neutral shape every parser front end produces: call sites whose arguments are values.

Python (``ast``) and the tree-sitter languages each turn their syntax tree into :class:`CallSite` s;
the rules engine (:mod:`pqscan.collect.code.rules`) only ever sees these, so one rule format serves
every language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

Span = tuple[int, ...]  # where the node is: (start, end) offsets or (line, col, end_line, end_col)


class ValueKind(StrEnum):
    STR = "str"
    INT = "int"
    BOOL = "bool"
    NONE = "none"
    SYM = "sym"  # a (qualified) name: a reference, or a call of it when ``called``
    DICT = "dict"  # object literal / dict display / keyword-argument struct literal
    LIST = "list"
    UNKNOWN = "unknown"  # an expression the scanner does not evaluate (its source text is kept)


@dataclass(frozen=True)
class Value:
    kind: ValueKind
    value: str | int | bool | None = None  # STR/INT/BOOL payload; SYM qualified name
    text: str = ""  # source text (for unknown values and variable names)
    span: Span | None = None  # where the expression that produced the value is
    called: bool = False  # SYM: the name was called (``ec.SECP256R1()``, ``new X(...)``)
    args: tuple[Value, ...] = ()  # SYM call arguments, LIST items
    kwargs: tuple[tuple[str, Value], ...] = ()  # SYM keyword args, DICT items
    origin: str = ""  # "module constant KEY_BITS", "default argument bits" ... (empty: a literal here)

    @property
    def mapping(self) -> dict[str, Value]:
        return dict(self.kwargs)

    def describe(self) -> str:
        if self.kind in (ValueKind.STR, ValueKind.INT):
            return repr(self.value)
        return self.text or (str(self.value) if self.value is not None else self.kind.value)


UNKNOWN = Value(ValueKind.UNKNOWN)


@dataclass(frozen=True)
class CallSite:
    """A call (or a bare reference) of a resolved name, with its arguments evaluated where possible."""

    api: str  # resolved, "."-separated qualified name: "hashlib.md5", "crypto/rsa.GenerateKey"
    line: int  # 1-based
    column: int  # 1-based
    span: Span
    args: tuple[Value, ...] = ()
    kwargs: Mapping[str, Value] = field(default_factory=dict)
    called: bool = True  # False: a reference (``hmac.new(k, m, hashlib.sha1)`` holds one)
    bound_to: str | None = None  # variable that receives the result (``k = KeyPairGenerator...``)
    receiver: str | None = None  # ``kpg`` in ``kpg.initialize(2048)``
    context_key: str | None = None  # field/keyword this reference is the value of (``MinVersion:``)

    @property
    def method(self) -> str:
        return self.api.rsplit(".", 1)[-1]
