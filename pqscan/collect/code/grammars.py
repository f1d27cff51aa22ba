"""Per-language syntax facts for the tree-sitter front end: which node types are calls, names,
literals, declarations and imports. Grammars ship inside the ``tree_sitter_<lang>`` wheels."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import tree_sitter as ts


def _load(module: str, attr: str = "language") -> Callable[[], Any]:
    def loader() -> Any:
        mod = __import__(module)
        return getattr(mod, attr)()
    return loader


@dataclass(frozen=True)
class Grammar:
    name: str
    loader: Callable[[], Any]
    calls: Mapping[str, tuple[str, str]]  # node type -> (callee field, arguments field)
    members: Mapping[str, tuple[str, str]]  # qualified-name node type -> (left field, right field)
    strings: frozenset[str]
    ints: frozenset[str]
    idents: frozenset[str] = frozenset({"identifier"})
    declarators: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # type -> (name field, value field)
    assignments: frozenset[str] = frozenset({"assignment_expression"})
    wrappers: frozenset[str] = frozenset({"parenthesized_expression"})
    objects: frozenset[str] = frozenset()  # {key: value} literals
    pairs: frozenset[str] = frozenset({"pair"})
    arrays: frozenset[str] = frozenset()
    keyword_args: frozenset[str] = frozenset()  # named-argument node types (C# ``argument`` with name:)
    separator: str = "."  # how the source writes qualification ("::" in Rust/C++ is normalised to ".")
    bools: frozenset[str] = frozenset({"true", "false"})

    def language(self) -> ts.Language:
        return _language(self.name)

    def query(self) -> ts.Query:
        return _query(self.name)

    def query_source(self) -> str:
        parts = [f"({t}) @call" for t in self.calls]
        parts += [f"({t}) @ref" for t in self.members]
        parts += [f"({t}) @decl" for t in self.declarators]
        parts += [f"({t}) @assign" for t in self.assignments]
        return "\n".join(parts)


@cache
def _language(name: str) -> ts.Language:
    return ts.Language(GRAMMARS[name].loader())


@cache
def _query(name: str) -> ts.Query:
    return ts.Query(_language(name), GRAMMARS[name].query_source())


_JS_COMMON = dict(
    calls={"call_expression": ("function", "arguments"), "new_expression": ("constructor", "arguments")},
    members={"member_expression": ("object", "property")},
    strings=frozenset({"string", "template_string"}),
    ints=frozenset({"number"}),
    declarators={"variable_declarator": ("name", "value")},
    wrappers=frozenset({"parenthesized_expression", "await_expression", "as_expression", "non_null_expression",
                        "satisfies_expression"}),
    objects=frozenset({"object"}),
    arrays=frozenset({"array"}),
)
_C_COMMON = dict(
    calls={"call_expression": ("function", "arguments")},
    ints=frozenset({"number_literal"}),
    declarators={"init_declarator": ("declarator", "value"), "preproc_def": ("name", "value")},
    wrappers=frozenset({"parenthesized_expression", "cast_expression"}),
    arrays=frozenset({"initializer_list"}),
)

GRAMMARS: Mapping[str, Grammar] = {
    "java": Grammar(
        "java", _load("tree_sitter_java"),
        calls={"method_invocation": ("name", "arguments"), "object_creation_expression": ("type", "arguments")},
        members={"field_access": ("object", "field"), "scoped_identifier": ("scope", "name")},
        strings=frozenset({"string_literal", "text_block"}),
        ints=frozenset({"decimal_integer_literal", "hex_integer_literal"}),
        declarators={"variable_declarator": ("name", "value")},
        wrappers=frozenset({"parenthesized_expression", "cast_expression"}),
        arrays=frozenset({"array_initializer"}),
    ),
    "go": Grammar(
        "go", _load("tree_sitter_go"),
        calls={"call_expression": ("function", "arguments"), "composite_literal": ("type", "body")},
        members={"selector_expression": ("operand", "field"), "qualified_type": ("package", "name")},
        strings=frozenset({"interpreted_string_literal", "raw_string_literal"}),
        ints=frozenset({"int_literal"}),
        declarators={"const_spec": ("name", "value"), "var_spec": ("name", "value"),
                     "short_var_declaration": ("left", "right")},
        assignments=frozenset({"assignment_statement"}),
        wrappers=frozenset({"parenthesized_expression", "unary_expression", "literal_element", "expression_list"}),
        pairs=frozenset({"keyed_element"}),
        arrays=frozenset({"literal_value"}),
        bools=frozenset({"true", "false"}),
    ),
    "javascript": Grammar("javascript", _load("tree_sitter_javascript"), **_JS_COMMON),  # type: ignore[arg-type]
    "typescript": Grammar("typescript", _load("tree_sitter_typescript", "language_typescript"),
                          **_JS_COMMON),  # type: ignore[arg-type]
    "tsx": Grammar("tsx", _load("tree_sitter_typescript", "language_tsx"), **_JS_COMMON),  # type: ignore[arg-type]
    "c": Grammar("c", _load("tree_sitter_c"), members={}, strings=frozenset({"string_literal", "concatenated_string"}),
                 **_C_COMMON),  # type: ignore[arg-type]
    "cpp": Grammar("cpp", _load("tree_sitter_cpp"), members={"qualified_identifier": ("scope", "name")},
                   strings=frozenset({"string_literal", "concatenated_string", "raw_string_literal"}),
                   **_C_COMMON),  # type: ignore[arg-type]
    "rust": Grammar(
        "rust", _load("tree_sitter_rust"),
        calls={"call_expression": ("function", "arguments")},
        members={"scoped_identifier": ("path", "name")},
        strings=frozenset({"string_literal", "raw_string_literal"}),
        ints=frozenset({"integer_literal"}),
        declarators={"const_item": ("name", "value"), "static_item": ("name", "value"),
                     "let_declaration": ("pattern", "value")},
        wrappers=frozenset({"parenthesized_expression", "reference_expression", "try_expression",
                            "type_cast_expression"}),
        arrays=frozenset({"array_expression"}),
    ),
    "csharp": Grammar(
        "csharp", _load("tree_sitter_c_sharp"),
        calls={"invocation_expression": ("function", "arguments"), "object_creation_expression": ("type", "arguments")},
        members={"member_access_expression": ("expression", "name")},
        strings=frozenset({"string_literal", "verbatim_string_literal", "raw_string_literal"}),
        ints=frozenset({"integer_literal"}),
        declarators={"variable_declarator": ("name", "")},
        wrappers=frozenset({"parenthesized_expression", "cast_expression", "argument"}),
        keyword_args=frozenset({"argument"}),
        arrays=frozenset({"initializer_expression"}),
    ),
}

# qualified-name nodes that are not calls or refs but appear inside callees
QUALIFIERS: Mapping[str, tuple[str, str]] = {
    "member_expression": ("object", "property"),
    "selector_expression": ("operand", "field"),
    "field_access": ("object", "field"),
    "scoped_identifier": ("path", "name"),
    "scoped_type_identifier": ("path", "name"),
    "member_access_expression": ("expression", "name"),
    "field_expression": ("argument", "field"),
    "qualified_identifier": ("scope", "name"),
    "qualified_name": ("qualifier", "name"),
    "qualified_type": ("package", "name"),
}
