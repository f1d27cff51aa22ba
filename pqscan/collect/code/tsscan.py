"""Tree-sitter front end for Java, Go, JavaScript/TypeScript, C/C++, Rust and C#.

One tree-sitter query per grammar finds calls, qualified names, declarations and assignments
(the walk happens in C); Python only looks at the nodes whose last name segment a rule mentions.
Imports are resolved (Go import paths and aliases, JS ``require``/``import``, Rust ``use``, Java
``import``), and a name declared once in the file with a literal value is propagated (``static
final int BITS = 2048``, ``const bits = 2048``, ``#define KEY_BITS 2048``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import tree_sitter as ts

from pqscan.collect.code.grammars import GRAMMARS, QUALIFIERS, Grammar
from pqscan.collect.code.rules import RuleSet
from pqscan.collect.code.tsnodes import (
    bound_name,
    context_key,
    descendants,
    first_identifier,
    inside,
    parse_int,
    unquote,
)
from pqscan.collect.code.tsnodes import text as ntext
from pqscan.collect.code.values import CallSite, Value, ValueKind


class OutOfTime(Exception):
    """The per-file time budget ran out."""


_MAX_VALUE_DEPTH = 10
_GENERIC = re.compile(r"::<[^()]*?>|<[^()<>]*>")
_LIBRARY_CONSTANT = re.compile(r"[A-Z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+|[A-Z][A-Z0-9]+")


class _File:
    def __init__(self, source: bytes, grammar: Grammar, rules: RuleSet, deadline: float, max_depth: int) -> None:
        self.source = source
        self.g = grammar
        self.rules = rules
        self.deadline = deadline
        self.max_depth = max_depth
        self.wanted = set(rules.by_api) | set(rules.by_method) | set(rules.modifiers_by_method)
        self.imports: dict[str, str] = {}
        self.constants: dict[str, list[ts.Node | Value | None]] = {}

    # -- names -----------------------------------------------------------------------------
    def qual(self, node: ts.Node | None, depth: int = 0) -> str:
        if node is None or depth > 40:
            return "<expr>"
        t = node.type
        if t in QUALIFIERS:
            left_f, right_f = QUALIFIERS[t]
            left = node.child_by_field_name(left_f) or node.child_by_field_name("value")
            right = node.child_by_field_name(right_f)
            right_text = ntext(right) if right is not None else ""
            if left is None:
                return right_text or ntext(node).lstrip(":")
            return f"{self.qual(left, depth + 1)}.{right_text}"
        if t in self.g.calls or t == "method_invocation":
            return "<call>"
        if t in ("generic_function", "generic_type", "generic_name"):
            inner = node.child_by_field_name("function") or node.child_by_field_name("type") or (
                node.named_children[0] if node.named_children else None)
            return self.qual(inner, depth + 1)
        if t in ("this", "self", "super"):
            return t
        text = _GENERIC.sub("", ntext(node))
        if not re.fullmatch(r"[\w$.:]+", text):
            return "<expr>"
        return text.replace("::", ".").lstrip(".")

    def resolve(self, dotted: str) -> str:
        head, _, rest = dotted.partition(".")
        full = self.imports.get(head)
        if full is None:
            return dotted
        return f"{full}.{rest}" if rest else full

    def callee(self, node: ts.Node) -> str:
        if node.type == "method_invocation":  # Java: object . name
            obj = node.child_by_field_name("object")
            name = ntext(node.child_by_field_name("name"))
            return self.resolve(f"{self.qual(obj)}.{name}") if obj is not None else name
        field = self.g.calls[node.type][0]
        return self.resolve(self.qual(node.child_by_field_name(field)))

    # -- imports and constants -------------------------------------------------------------
    def collect_imports(self, root: ts.Node) -> None:
        name = self.g.name
        for child in root.children:
            if name == "go" and child.type == "import_declaration":
                for spec in descendants(child, "import_spec"):
                    path = unquote(ntext(spec.child_by_field_name("path"))) or ""
                    alias = ntext(spec.child_by_field_name("name"))
                    last = re.sub(r"/v\d+$", "", path).rsplit("/", 1)[-1]
                    if alias not in ("_", "."):
                        self.imports[alias or last] = path
            elif name == "java" and child.type == "import_declaration":
                text = ntext(child).removeprefix("import").strip().rstrip(";").strip()
                if not text.startswith("static") and not text.endswith("*"):
                    self.imports[text.rsplit(".", 1)[-1]] = text
            elif name == "rust" and child.type == "use_declaration":
                self._rust_use(child.child_by_field_name("argument"), "")
            elif name in ("javascript", "typescript", "tsx") and child.type == "import_statement":
                self._js_import(child)

    def _rust_use(self, node: ts.Node | None, prefix: str) -> None:
        if node is None:
            return
        t = node.type
        if t in ("identifier", "scoped_identifier", "crate", "self", "super"):
            full = prefix + self.qual(node)
            self.imports[full.rsplit(".", 1)[-1]] = full
        elif t == "use_as_clause":
            full = prefix + self.qual(node.child_by_field_name("path"))
            self.imports[ntext(node.child_by_field_name("alias"))] = full
        elif t == "scoped_use_list":
            base = prefix + self.qual(node.child_by_field_name("path")) + "."
            lst = node.child_by_field_name("list")
            for item in lst.named_children if lst is not None else []:
                self._rust_use(item, base)
        elif t == "use_list":
            for item in node.named_children:
                self._rust_use(item, prefix)

    def _js_import(self, node: ts.Node) -> None:
        source = unquote(ntext(node.child_by_field_name("source"))) or ""
        module = source.removeprefix("node:")
        for clause in descendants(node, "import_clause"):
            for part in clause.named_children:
                if part.type == "identifier":
                    self.imports[ntext(part)] = module
                elif part.type == "namespace_import":
                    ident = part.named_children[-1] if part.named_children else None
                    self.imports[ntext(ident)] = module
                elif part.type == "named_imports":
                    for spec in part.named_children:
                        orig = ntext(spec.child_by_field_name("name"))
                        alias = ntext(spec.child_by_field_name("alias")) or orig
                        self.imports[alias] = f"{module}.{orig}"

    def _js_require(self, name_node: ts.Node, value: ts.Node) -> bool:
        """``const c = require('crypto')`` / ``const {createHash} = require('node:crypto')``."""
        if value.type != "call_expression" or ntext(value.child_by_field_name("function")) != "require":
            return False
        args = value.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        module = (unquote(ntext(first)) or "").removeprefix("node:") if first is not None else ""
        if not module:
            return False
        if name_node.type == "identifier":
            self.imports[ntext(name_node)] = module
        elif name_node.type == "object_pattern":
            for prop in name_node.named_children:
                if prop.type == "shorthand_property_identifier_pattern":
                    self.imports[ntext(prop)] = f"{module}.{ntext(prop)}"
                elif prop.type == "pair_pattern":
                    key = ntext(prop.child_by_field_name("key"))
                    self.imports[ntext(prop.child_by_field_name("value"))] = f"{module}.{key}"
        return True

    def record_declaration(self, node: ts.Node) -> None:
        name_f, value_f = self.g.declarators[node.type]
        name_node = node.child_by_field_name(name_f)
        value = node.child_by_field_name(value_f) if value_f else (
            node.named_children[-1] if len(node.named_children) > 1 else None)
        if name_node is None:
            return
        if node.type == "preproc_def":
            self._note(ntext(name_node), self._preproc_value(value))
            return
        if value is not None and self.g.name in ("javascript", "typescript", "tsx") and self._js_require(name_node, value):
            return
        if name_node.type in ("expression_list", "identifier_list") and value is not None:
            names = name_node.named_children
            values = value.named_children if value.type == "expression_list" else [value]
            for i, n in enumerate(names):
                self._note(ntext(n), values[i] if i < len(values) else None)
            return
        ident = first_identifier(name_node)
        if ident is not None:
            self._note(ident, value)

    def _preproc_value(self, node: ts.Node | None) -> Value | None:
        text = ntext(node).strip()
        n = parse_int(text.strip("()"))
        if n is not None:
            return Value(ValueKind.INT, n, text)
        s = unquote(text)
        return Value(ValueKind.STR, s, text) if s is not None else None

    def _note(self, name: str, value: ts.Node | Value | None) -> None:
        if name:
            self.constants.setdefault(name, []).append(value)

    def record_assignment(self, node: ts.Node) -> None:
        left = node.child_by_field_name("left")
        if left is not None and left.type == "identifier":
            self._note(ntext(left), None)
        elif left is not None and left.type == "expression_list":
            for n in left.named_children:
                self._note(ntext(n), None)

    # -- values ----------------------------------------------------------------------------
    def value(self, node: ts.Node | None, depth: int = 0, origin: str = "") -> Value:
        if node is None:
            return Value(ValueKind.UNKNOWN)
        span = (node.start_byte, node.end_byte)
        if depth > min(_MAX_VALUE_DEPTH, self.max_depth):
            return Value(ValueKind.UNKNOWN, text=ntext(node)[:80], span=span)
        t = node.type
        g = self.g
        if t in g.strings:
            s = self._string(node)
            return Value(ValueKind.STR, s, span=span, origin=origin) if s is not None else Value(
                ValueKind.UNKNOWN, text=ntext(node)[:80], span=span)
        if t in g.ints:
            n = parse_int(ntext(node))
            return Value(ValueKind.INT, n, span=span, origin=origin) if n is not None else Value(
                ValueKind.UNKNOWN, text=ntext(node)[:40], span=span)
        if t in g.bools:
            return Value(ValueKind.BOOL, t == "true", span=span)
        if t in ("null", "nil", "null_literal", "none"):
            return Value(ValueKind.NONE, span=span)
        if t in g.wrappers:
            inner = node.child_by_field_name("value") or node.child_by_field_name("operand") or node.child_by_field_name(
                "expression") or (node.named_children[-1] if node.named_children else None)
            v = self.value(inner, depth + 1, origin)
            if t == "unary_expression" and ntext(node).startswith("-") and v.kind is ValueKind.INT:
                return Value(ValueKind.INT, -int(v.value or 0), span=span, origin=v.origin)
            return v
        if t in ("identifier", "type_identifier", "field_identifier", "property_identifier"):
            return self._identifier(node, depth, origin)
        if t in g.calls or t == "method_invocation":
            return self._call_value(node, depth, origin)
        if t in g.members or t in QUALIFIERS:
            return Value(ValueKind.SYM, self.resolve(self.qual(node)), ntext(node)[:80], span, origin=origin)
        if t in g.objects:
            return Value(ValueKind.DICT, kwargs=self._pairs(node, depth), span=span, origin=origin)
        if t in g.arrays:
            items = tuple(self.value(c, depth + 1) for c in node.named_children if c.type != "comment")
            return Value(ValueKind.LIST, args=items, span=span, origin=origin)
        if t == "binary_expression":
            return self._binary(node, depth, origin)
        return Value(ValueKind.UNKNOWN, text=ntext(node)[:80], span=span)

    def _string(self, node: ts.Node) -> str | None:
        if node.type == "concatenated_string":
            parts = [self._string(c) for c in node.named_children if c.type in self.g.strings]
            return None if any(p is None for p in parts) else "".join(p or "" for p in parts)
        return unquote(ntext(node))

    def _identifier(self, node: ts.Node, depth: int, origin: str) -> Value:
        name = ntext(node)
        span = (node.start_byte, node.end_byte)
        bound = self.constants.get(name)
        if bound is not None and len(bound) == 1 and bound[0] is not None:
            target = bound[0]
            where = origin or f"constant {name}"
            if isinstance(target, Value):
                return Value(target.kind, target.value, target.text, span, origin=where)
            return self.value(target, depth + 1, where)
        if name in self.imports:
            return Value(ValueKind.SYM, self.imports[name], name, span)
        if bound is None and _LIBRARY_CONSTANT.fullmatch(name):
            return Value(ValueKind.SYM, name, name, span)  # a library constant (NID_X9_62_prime256v1)
        return Value(ValueKind.UNKNOWN, text=name, span=span)

    def _call_value(self, node: ts.Node, depth: int, origin: str) -> Value:
        args, kwargs = self._arguments(node, depth)
        return Value(ValueKind.SYM, self.callee(node), ntext(node)[:80], (node.start_byte, node.end_byte),
                     called=True, args=args, kwargs=tuple(kwargs.items()), origin=origin)

    def _arguments(self, node: ts.Node, depth: int) -> tuple[tuple[Value, ...], dict[str, Value]]:
        field = "arguments" if node.type == "method_invocation" else self.g.calls[node.type][1]
        arg_node = node.child_by_field_name(field)
        args: list[Value] = []
        kwargs: dict[str, Value] = {}
        if arg_node is None:
            return (), kwargs
        for child in arg_node.named_children:
            if child.type in ("comment", "line_comment", "block_comment"):
                continue
            if child.type in self.g.pairs:  # Go struct literal fields: Config{MinVersion: ...}
                key = child.named_children[0] if child.named_children else None
                val = child.named_children[-1] if len(child.named_children) > 1 else None
                kwargs[ntext(key).strip()] = self.value(val, depth + 1)
            elif child.type in self.g.keyword_args and child.child_by_field_name("name") is not None:
                kwargs[ntext(child.child_by_field_name("name"))] = self.value(child, depth + 1)
            else:
                args.append(self.value(child, depth + 1))
        return tuple(args), kwargs

    def _pairs(self, node: ts.Node, depth: int) -> tuple[tuple[str, Value], ...]:
        out = []
        for child in node.named_children:
            if child.type in self.g.pairs:
                key = child.child_by_field_name("key")
                key_text = unquote(ntext(key)) if key is not None and key.type == "string" else ntext(key)
                out.append((key_text or "", self.value(child.child_by_field_name("value"), depth + 1)))
            elif child.type == "shorthand_property_identifier":
                out.append((ntext(child), self._identifier(child, depth + 1, "")))
        return tuple(out)

    def _binary(self, node: ts.Node, depth: int, origin: str) -> Value:
        left = self.value(node.child_by_field_name("left"), depth + 1)
        right = self.value(node.child_by_field_name("right"), depth + 1)
        op = ntext(node.child_by_field_name("operator"))
        span = (node.start_byte, node.end_byte)
        lv, rv = left.value, right.value
        if left.kind is ValueKind.INT and right.kind is ValueKind.INT and isinstance(lv, int) and isinstance(rv, int):
            result = {"+": lv + rv, "-": lv - rv, "*": lv * rv}.get(op)
            if op == "<<" and 0 <= rv <= 16384:
                result = lv << rv
            if result is not None:
                return Value(ValueKind.INT, result, span=span, origin=origin or left.origin)
        if op == "+" and left.kind is ValueKind.STR and right.kind is ValueKind.STR:
            return Value(ValueKind.STR, f"{lv}{rv}", span=span, origin=origin or left.origin)
        return Value(ValueKind.UNKNOWN, text=ntext(node)[:80], span=span)

    # -- call sites ------------------------------------------------------------------------
    def sites(self, root: ts.Node) -> Iterator[CallSite]:
        self.collect_imports(root)
        captures = ts.QueryCursor(self.g.query()).captures(root)
        for node in captures.get("decl", []):
            self.record_declaration(node)
        for node in captures.get("assign", []):
            self.record_assignment(node)
        nodes = [(n, True) for n in captures.get("call", [])] + [(n, False) for n in captures.get("ref", [])]
        nodes.sort(key=lambda item: (item[0].start_byte, -item[0].end_byte))
        for i, (node, is_call) in enumerate(nodes):
            if i % 512 == 0 and time.monotonic() > self.deadline:
                raise OutOfTime("per-file time budget exceeded; findings of this file were not kept")
            site = self._call_site(node) if is_call else self._ref_site(node)
            if site is not None:
                yield site

    def _call_site(self, node: ts.Node) -> CallSite | None:
        if node.type == "method_invocation":
            last = ntext(node.child_by_field_name("name"))
        else:
            fn = node.child_by_field_name(self.g.calls[node.type][0])
            if fn is None:
                return None
            last = self._last_segment(fn)
        if last not in self.wanted:
            return None
        api = self.callee(node)
        args, kwargs = self._arguments(node, 0)
        receiver = api.rsplit(".", 1)[0] if "." in api and "<" not in api else None
        line, col = node.start_point
        return CallSite(api, line + 1, col + 1, (node.start_byte, node.end_byte), args, kwargs, True,
                        bound_name(node), receiver)

    def _last_segment(self, fn: ts.Node) -> str:
        """The called name's last segment, cheaply (most calls are not crypto: no full qualification)."""
        t = fn.type
        if t in QUALIFIERS:
            right = fn.child_by_field_name(QUALIFIERS[t][1])
            return ntext(right) if right is not None else ""
        if t in ("identifier", "type_identifier"):
            name = ntext(fn)
            return self.imports.get(name, name).rsplit(".", 1)[-1]
        return self.resolve(self.qual(fn)).rsplit(".", 1)[-1]

    def _ref_site(self, node: ts.Node) -> CallSite | None:
        right = node.child_by_field_name(self.g.members[node.type][1])
        if right is None or ntext(right) not in self.wanted:
            return None
        parent = node.parent
        if parent is not None:
            if parent.type in self.g.members or parent.type in QUALIFIERS:
                left_f = QUALIFIERS.get(parent.type, self.g.members.get(parent.type, ("", "")))[0]
                if parent.child_by_field_name(left_f) == node:
                    return None  # a prefix of a longer name
            if parent.type in self.g.calls or parent.type == "method_invocation":
                field = "name" if parent.type == "method_invocation" else self.g.calls[parent.type][0]
                if parent.child_by_field_name(field) == node or parent.child_by_field_name("object") == node:
                    return None  # the callee itself
            if inside(node, ("import_declaration", "use_declaration", "using_directive", "package_declaration")):
                return None
        line, col = node.start_point
        return CallSite(self.resolve(self.qual(node)), line + 1, col + 1, (node.start_byte, node.end_byte),
                        called=False, context_key=context_key(node))


_PARSERS: dict[str, ts.Parser] = {}


def parse(source: bytes, language: str) -> ts.Tree:
    parser = _PARSERS.get(language)
    if parser is None:
        parser = _PARSERS[language] = ts.Parser(GRAMMARS[language].language())
    return parser.parse(source)


def call_sites(source: bytes, language: str, rules: RuleSet, deadline: float, max_depth: int) -> list[CallSite]:
    tree = parse(source, language)
    return list(_File(source, GRAMMARS[language], rules, deadline, max_depth).sites(tree.root_node))
