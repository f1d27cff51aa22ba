"""Small, stateless helpers over tree-sitter nodes: text, literals, and the context around a node."""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

_INT_SUFFIX = re.compile(r"(?i)(?:u?l{0,2}|l{1,2}u?|usize|isize|[ui](?:8|16|32|64|128)|n)$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}


def text(node: ts.Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def parse_int(text: str) -> int | None:
    t = text.replace("_", "").replace("'", "").strip()
    t = _INT_SUFFIX.sub("", t) if not t.lower().startswith("0x") else re.sub(r"(?i)[ul]+$", "", t)
    try:
        return int(t, 0)
    except ValueError:
        try:
            return int(t)
        except ValueError:
            return None


def unquote(text: str) -> str | None:
    """Content of a simple string literal as written (prefixes and quotes stripped, escapes read)."""
    m = re.fullmatch(r'(?s)(?:[LuUR@$]|u8)*("""|"|\'|`)(.*)\1', text.strip())
    if m is None:
        return None
    body = m.group(2)
    if m.group(1) == "`" and "${" in body:
        return None
    return re.sub(r"\\(.)", lambda e: _ESCAPES.get(e.group(1), e.group(1)), body)


def descendants(node: ts.Node, type_name: str) -> Iterator[ts.Node]:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == type_name:
            yield n
        stack.extend(reversed(n.named_children))


def first_identifier(node: ts.Node) -> str | None:
    if node.type in ("identifier", "field_identifier"):
        return text(node)
    for n in descendants(node, "identifier"):
        return text(n)
    return None


def inside(node: ts.Node, types: tuple[str, ...]) -> bool:
    cur = node.parent
    for _ in range(12):
        if cur is None:
            return False
        if cur.type in types:
            return True
        cur = cur.parent
    return False


_PASS_THROUGH = {"expression_list", "unary_expression", "parenthesized_expression", "await_expression",
                 "try_expression", "reference_expression", "literal_element", "equals_value_clause",
                 "cast_expression", "as_expression"}


def bound_name(node: ts.Node) -> str | None:
    """The variable a call's result is stored in (``k := ...``, ``KeyPairGenerator kpg = ...``)."""
    cur, parent = node, node.parent
    for _ in range(6):
        if parent is None:
            return None
        if parent.type in _PASS_THROUGH:
            cur, parent = parent, parent.parent
            continue
        if parent.type in ("variable_declarator", "init_declarator", "let_declaration", "short_var_declaration",
                           "var_spec", "assignment_expression", "assignment_statement", "const_spec"):
            target = (parent.child_by_field_name("name") or parent.child_by_field_name("declarator")
                      or parent.child_by_field_name("pattern") or parent.child_by_field_name("left"))
            if target is None or target == cur:
                return None
            if target.type in ("field_access", "member_expression", "field_expression", "member_access_expression"):
                return text(target)
            return first_identifier(target)
        return None
    return None


def context_key(node: ts.Node) -> str | None:
    """The field a reference is the value of: ``MinVersion: tls.VersionTLS10``, ``o.minVersion = ...``."""
    cur = node.parent
    for _ in range(4):
        if cur is None:
            return None
        if cur.type in ("keyed_element", "pair", "field_initializer", "assignment_expression",
                        "assignment_statement", "argument"):
            key = (cur.child_by_field_name("key") or cur.child_by_field_name("left")
                   or cur.child_by_field_name("field") or cur.child_by_field_name("name")
                   or (cur.named_children[0] if cur.named_children else None))
            if key is None or key == node:
                return None
            return re.split(r"[.:>-]", text(key).strip())[-1] or None
        cur = cur.parent
    return None


