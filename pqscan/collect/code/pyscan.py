"""Python front end: the standard ``ast`` module (scanned code is parsed, never imported or run).

* import aliases are resolved (``import hashlib as h``, ``from ...asymmetric import rsa as r``,
  ``from Cryptodome.Cipher import DES``), so rules name real qualified APIs;
* simple constant propagation: a name assigned exactly once in its function or module (or a
  parameter's default) is replaced by its value, through dict subscripts and ``+``/``*`` of constants;
* only calls and references whose last name segment some rule mentions are evaluated at all.
"""

from __future__ import annotations

import ast
import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pqscan.collect.code.rules import RuleSet
from pqscan.collect.code.values import CallSite, Value, ValueKind

_MAX_DEPTH = 12
_ALIASED_ROOTS = {"Cryptodome": "Crypto"}  # pycryptodomex installs the same API under another root
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_RECORDED = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor, ast.comprehension, ast.withitem,
             ast.NamedExpr, ast.Global, ast.Nonlocal)


@dataclass
class _Scope:
    name: str
    parent: _Scope | None
    assigned: dict[str, list[ast.expr | None]] = field(default_factory=dict)  # None: not a plain value
    defaults: dict[str, ast.expr] = field(default_factory=dict)

    def note(self, name: str, expr: ast.expr | None) -> None:
        self.assigned.setdefault(name, []).append(expr)


def _span(node: ast.AST) -> tuple[int, ...]:
    return (node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0)  # type: ignore[attr-defined]


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from _target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


_FUNC_TYPES = frozenset(_FUNCS)
_RECORDED_TYPES = frozenset(_RECORDED)
# Fields never walked: expression contexts, and type annotations (they name types, they do not use
# them: ``def f(p: padding.PSS) -> hashes.MD5`` holds no finding). Parameters (ast.arg) carry only
# annotations; their defaults live in ast.arguments.defaults / kw_defaults, which are walked.
_SKIPPED_FIELDS = frozenset({"ctx", "returns", "annotation", "type_comment", "type_ignores", "type_params"})
_PARAMETER_FIELDS = frozenset({"args", "posonlyargs", "kwonlyargs", "vararg", "kwarg"})
# Field types (the ASDL grammar's) that never hold a node with children: names, strings, constants, and
# the operator and context singletons (ast.Add(), ast.Load()). Walking them would find nothing.
_LEAF_TYPES = frozenset({"identifier", "string", "constant", "int", "expr_context", "boolop", "operator", "unaryop",
                         "cmpop", "type_ignore"})
_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")  # where statements are (imports too)
_BLOCKS_CACHE: dict[type, tuple[str, ...]] = {}
_SIGNATURE = re.compile(r"(\w+)\((.*)\)")
_FIELDS_CACHE: dict[type, tuple[str, ...]] = {}


def _field_types(cls: type) -> dict[str, str] | None:
    """Each field's ASDL type (``Call(expr func, expr* args, keyword* keywords)``), None when not known."""
    types = getattr(cls, "_field_types", None)  # Python 3.13+
    if isinstance(types, dict):
        return {f: getattr(t, "__name__", str(t)) for f, t in types.items()}
    m = _SIGNATURE.fullmatch((cls.__doc__ or "").split("\n", 1)[0].strip())
    if m is None or m.group(1) != cls.__name__:
        return None
    pairs = [f.strip().rsplit(" ", 1) for f in m.group(2).split(",") if f.strip()]
    if any(len(p) != 2 for p in pairs) or [p[1] for p in pairs] != list(getattr(cls, "_fields", ())):
        return None
    return {name: kind.rstrip("*?") for kind, name in pairs}


def _child_fields(cls: type) -> tuple[str, ...]:
    """The fields of ``cls`` that may hold nodes worth walking (empty: a leaf, never pushed on the stack)."""
    fields = _FIELDS_CACHE.get(cls)
    if fields is None:
        skipped = _SKIPPED_FIELDS | _PARAMETER_FIELDS if cls is ast.arguments else _SKIPPED_FIELDS
        types = _field_types(cls) if isinstance(cls, type) and issubclass(cls, ast.AST) else None
        fields = _FIELDS_CACHE[cls] = tuple(f for f in getattr(cls, "_fields", ()) if f not in skipped and (
            types is None or types.get(f) not in _LEAF_TYPES))
    return fields


class _ScopeBuilder:
    """One walk of the tree: which names each function/module assigns what, and the candidate
    nodes (calls and names a rule may match), so the tree is walked once. It keeps no reference to the
    predicate (a bound method of the front end): a cycle through it would leave each file's whole tree
    for the cyclic garbage collector instead of freeing it when the file is done."""

    def __init__(self) -> None:
        self.scopes: dict[int, _Scope] = {}
        self.candidates: list[tuple[ast.AST, ast.AST, _Scope]] = []  # (node, parent, scope)

    def build(self, tree: ast.Module, wanted: set[str], imports: dict[str, str]) -> None:
        """Walk ``tree``; candidates are calls of a ``wanted`` name (or of an imported one), loads of a
        ``wanted`` attribute and loads of an imported name."""
        module = _Scope("<module>", None)
        self.scopes[id(tree)] = module
        stack: list[tuple[ast.AST, _Scope]] = [(tree, module)]
        candidates = self.candidates
        fields_of = _FIELDS_CACHE
        name_cls, attribute_cls, call_cls, load_cls = ast.Name, ast.Attribute, ast.Call, ast.Load
        while stack:
            node, scope = stack.pop()
            for field_name in fields_of.get(node.__class__) or _child_fields(node.__class__):
                value = getattr(node, field_name, None)
                if value is None:
                    continue
                for child in (value if value.__class__ is list else (value,)):
                    cls = child.__class__
                    if cls is name_cls:  # the commonest node; it holds no node
                        if child.id in imports and child.ctx.__class__ is load_cls:
                            candidates.append((child, node, scope))
                    elif cls is attribute_cls:
                        if child.attr in wanted and child.ctx.__class__ is load_cls:
                            candidates.append((child, node, scope))
                        stack.append((child, scope))
                    elif cls is call_cls:
                        func = child.func
                        fcls = func.__class__
                        if (fcls is attribute_cls and func.attr in wanted) or (
                                fcls is name_cls and (func.id in wanted or func.id in imports)):
                            candidates.append((child, node, scope))
                        stack.append((child, scope))
                    elif cls in _FUNC_TYPES:
                        inner = _Scope(getattr(child, "name", "<lambda>"), scope)
                        self._params(child, inner)
                        if cls is not ast.Lambda:
                            scope.note(child.name, None)
                        self.scopes[id(child)] = inner
                        stack.append((child, inner))
                    elif cls is ast.ClassDef:
                        scope.note(child.name, None)
                        stack.append((child, _Scope(child.name, scope)))  # class bodies: own, unused scope
                    elif cls in _RECORDED_TYPES:
                        self._record(child, scope)
                        stack.append((child, scope))
                    elif fields_of.get(cls) or _child_fields(cls):
                        stack.append((child, scope))

    @staticmethod
    def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, scope: _Scope) -> None:
        a = fn.args
        positional = [*a.posonlyargs, *a.args]
        for arg, default in zip(positional[len(positional) - len(a.defaults):], a.defaults, strict=False):
            scope.defaults[arg.arg] = default
        for arg, kw_default in zip(a.kwonlyargs, a.kw_defaults, strict=False):
            if kw_default is not None:
                scope.defaults[arg.arg] = kw_default
        for arg in [*positional, *a.kwonlyargs]:
            if arg.arg not in scope.defaults:
                scope.note(arg.arg, None)

    @staticmethod
    def _record(node: ast.AST, scope: _Scope) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                single = isinstance(target, ast.Name)
                for name in _target_names(target):
                    scope.note(name, node.value if single else None)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            scope.note(node.target.id, node.value)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            scope.note(node.target.id, None)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            for name in _target_names(node.target):
                scope.note(name, None)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            for name in _target_names(node.optional_vars):
                scope.note(name, None)
        elif isinstance(node, ast.NamedExpr):
            scope.note(node.target.id, None)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                scope.note(name, None)


class PythonFrontEnd:
    def __init__(self, tree: ast.Module, ruleset: RuleSet) -> None:
        self.tree = tree
        self.ruleset = ruleset
        self.imports: dict[str, str] = {}
        self.wanted = set(ruleset.by_api) | set(ruleset.by_method) | set(ruleset.modifiers_by_method)
        self._collect_imports()
        self.builder = _ScopeBuilder()
        self.builder.build(tree, self.wanted, self.imports)
        self.scopes = self.builder.scopes

    # -- imports ---------------------------------------------------------------------------
    def _collect_imports(self) -> None:
        """Import statements anywhere (module, function, class, if/try bodies); expressions are not walked."""
        stack: list[ast.AST] = [self.tree]
        blocks_of = _BLOCKS_CACHE
        while stack:
            node = stack.pop()
            cls = node.__class__
            if cls is ast.Import:
                for alias in node.names:
                    full = self._rooted(alias.name)
                    if alias.asname:
                        self.imports[alias.asname] = full
                    else:
                        root = alias.name.split(".")[0]
                        self.imports[root] = self._rooted(root)
            elif cls is ast.ImportFrom and node.module and node.level == 0:
                base = self._rooted(node.module)
                for alias in node.names:
                    if alias.name != "*":
                        self.imports[alias.asname or alias.name] = f"{base}.{alias.name}"
            fields = blocks_of.get(cls)
            if fields is None:
                fields = blocks_of[cls] = tuple(f for f in _BLOCK_FIELDS if f in getattr(cls, "_fields", ()))
            for field_name in fields:
                block = getattr(node, field_name, None)
                if block.__class__ is list:  # statements (IfExp's and Lambda's body is one expression)
                    stack.extend(block)

    @staticmethod
    def _rooted(name: str) -> str:
        root, _, rest = name.partition(".")
        root = _ALIASED_ROOTS.get(root, root)
        return f"{root}.{rest}" if rest else root

    def qualname(self, node: ast.expr) -> str | None:
        parts: list[str] = []
        cur: ast.expr = node
        while isinstance(cur, ast.Attribute):
            parts.append(cur.attr)
            cur = cur.value
        if isinstance(cur, ast.Name):
            parts.append(self.imports.get(cur.id, cur.id))
        elif isinstance(cur, ast.Call):
            parts.append("<call>")
        else:
            return None
        return ".".join(reversed(parts))

    # -- values ----------------------------------------------------------------------------
    def lookup(self, name: str, scope: _Scope | None) -> tuple[ast.expr, str] | None | bool:
        """The one expression bound to ``name`` (with its origin), False if ambiguous, None if unbound."""
        while scope is not None:
            exprs = scope.assigned.get(name)
            if exprs is not None:
                if len(exprs) == 1 and exprs[0] is not None and name not in scope.defaults:
                    where = "module constant" if scope.parent is None else f"local {name} in {scope.name}()"
                    return exprs[0], (f"{where} {name}" if scope.parent is None else where)
                return False
            if name in scope.defaults:
                return scope.defaults[name], f"default argument {name} of {scope.name}()"
            scope = scope.parent
        return None

    def value(self, node: ast.expr, scope: _Scope | None, depth: int = 0, origin: str = "") -> Value:
        span = _span(node)
        if depth > _MAX_DEPTH:
            return Value(ValueKind.UNKNOWN, text=ast.unparse(node)[:80], span=span)
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool):
                return Value(ValueKind.BOOL, v, span=span, origin=origin)
            if isinstance(v, int):
                return Value(ValueKind.INT, v, span=span, origin=origin)
            if isinstance(v, str):
                return Value(ValueKind.STR, v, span=span, origin=origin)
            if v is None:
                return Value(ValueKind.NONE, span=span, origin=origin)
            if isinstance(v, bytes) and len(v) <= 256:
                return Value(ValueKind.STR, v.decode("latin-1"), span=span, origin=origin)
            return Value(ValueKind.UNKNOWN, text=repr(v)[:40], span=span)
        if isinstance(node, ast.Name):
            if node.id in self.imports:
                return Value(ValueKind.SYM, self.imports[node.id], node.id, span)
            bound = self.lookup(node.id, scope)
            if isinstance(bound, tuple):
                expr, where = bound
                return self.value(expr, scope, depth + 1, origin or where)
            return Value(ValueKind.UNKNOWN, text=node.id, span=span)
        if isinstance(node, ast.Attribute):
            q = self.qualname(node)
            return Value(ValueKind.SYM, q, ast.unparse(node)[:80], span) if q else Value(
                ValueKind.UNKNOWN, text=ast.unparse(node)[:80], span=span)
        if isinstance(node, ast.Call):
            q = self.qualname(node.func) or "<call>"
            args = tuple(self.value(a, scope, depth + 1) for a in node.args if not isinstance(a, ast.Starred))
            kwargs = tuple((k.arg, self.value(k.value, scope, depth + 1)) for k in node.keywords if k.arg)
            return Value(ValueKind.SYM, q, q, span, called=True, args=args, kwargs=kwargs, origin=origin)
        if isinstance(node, ast.Dict):
            items = []
            for key_node, value_node in zip(node.keys, node.values, strict=False):
                if isinstance(key_node, ast.Constant) and isinstance(key_node.value, (str, int)):
                    items.append((str(key_node.value), self.value(value_node, scope, depth + 1)))
            return Value(ValueKind.DICT, kwargs=tuple(items), span=span, origin=origin)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return Value(ValueKind.LIST, args=tuple(self.value(e, scope, depth + 1) for e in node.elts),
                         span=span, origin=origin)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, scope, depth, origin)
        if isinstance(node, ast.BinOp):
            return self._binop(node, scope, depth, origin)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.value(node.operand, scope, depth + 1)
            if inner.kind is ValueKind.INT and isinstance(inner.value, int):
                return Value(ValueKind.INT, -inner.value, span=span, origin=origin)
        return Value(ValueKind.UNKNOWN, text=ast.unparse(node)[:80], span=span)

    def _subscript(self, node: ast.Subscript, scope: _Scope | None, depth: int, origin: str) -> Value:
        container = self.value(node.value, scope, depth + 1)
        key = self.value(node.slice, scope, depth + 1)
        if container.kind is ValueKind.DICT and key.kind in (ValueKind.STR, ValueKind.INT):
            item = container.mapping.get(str(key.value))
            if item is not None:
                return item
        if (container.kind is ValueKind.LIST and key.kind is ValueKind.INT and isinstance(key.value, int)
                and -len(container.args) <= key.value < len(container.args)):
            return container.args[key.value]
        return Value(ValueKind.UNKNOWN, text=ast.unparse(node)[:80], span=_span(node))

    def _binop(self, node: ast.BinOp, scope: _Scope | None, depth: int, origin: str) -> Value:
        left = self.value(node.left, scope, depth + 1)
        right = self.value(node.right, scope, depth + 1)
        span = _span(node)
        lv, rv = left.value, right.value
        if left.kind is ValueKind.INT and right.kind is ValueKind.INT and isinstance(lv, int) and isinstance(rv, int):
            ops = {ast.Add: lambda: lv + rv, ast.Mult: lambda: lv * rv, ast.Sub: lambda: lv - rv,
                   ast.LShift: lambda: lv << rv if 0 <= rv <= 16384 else None,
                   ast.Pow: lambda: lv**rv if 0 <= rv <= 16384 and abs(lv) <= 2**16 else None,
                   ast.FloorDiv: lambda: lv // rv if rv else None}
            fn = ops.get(type(node.op))
            result = fn() if fn else None
            if isinstance(result, int):
                return Value(ValueKind.INT, result, span=span, origin=origin or left.origin or right.origin)
        if isinstance(node.op, ast.Add) and left.kind is ValueKind.STR and right.kind is ValueKind.STR:
            return Value(ValueKind.STR, f"{lv}{rv}", span=span, origin=origin or left.origin or right.origin)
        return Value(ValueKind.UNKNOWN, text=ast.unparse(node)[:80], span=span)

    # -- call sites ------------------------------------------------------------------------
    def call_sites(self) -> list[CallSite]:
        out: list[CallSite] = []
        # source order with enclosing calls first, so a call comes before the calls in its arguments
        cands = sorted(self.builder.candidates, key=lambda c: (c[0].lineno, c[0].col_offset,  # type: ignore[attr-defined]
                                                               -(c[0].end_lineno or 0), -(c[0].end_col_offset or 0)))  # type: ignore[attr-defined]
        for node, parent, scope in cands:
            if not isinstance(node, ast.Call) and (
                    (isinstance(parent, ast.Attribute) and parent.value is node)  # prefix of a longer name
                    or (isinstance(parent, ast.Call) and parent.func is node)):  # the callee itself
                continue
            site = self._site(node, scope, *self._binding(parent, node))
            if site is not None:
                out.append(site)
        return out

    @staticmethod
    def _binding(parent: ast.AST, child: ast.AST) -> tuple[str | None, str | None]:
        """(variable receiving ``child``'s value, field/keyword ``child`` is the value of)."""
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and child is parent.value:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            t = targets[0]
            if isinstance(t, ast.Name):
                return t.id, t.id
            if isinstance(t, ast.Attribute):
                return ast.unparse(t), t.attr
        if isinstance(parent, ast.keyword) and child is parent.value:
            return None, parent.arg
        if isinstance(parent, ast.Dict) and child in parent.values:
            k = parent.keys[parent.values.index(child)]  # type: ignore[arg-type]
            return None, k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None
        return None, None

    def _site(self, node: ast.AST, scope: _Scope, bound: str | None, context: str | None) -> CallSite | None:
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                last: str | None = func.attr
            elif isinstance(func, ast.Name):
                last = self.imports.get(func.id, func.id).rsplit(".", 1)[-1]
            else:
                last = None
            if last is None or last not in self.wanted:
                return None
            api = self.qualname(func) or f"<expr>.{last}"
            if isinstance(func, ast.Name) and func.id not in self.imports and self.lookup(func.id, scope) is not None:
                return None  # a local function that shadows a library name
            args = tuple(self.value(a, scope) for a in node.args if not isinstance(a, ast.Starred))
            kwargs = {k.arg: self.value(k.value, scope) for k in node.keywords if k.arg}
            if api == "pow" and not _modexp_like(args):
                return None
            receiver = None
            if isinstance(func, ast.Attribute):
                receiver = ast.unparse(func.value) if isinstance(func.value, (ast.Name, ast.Attribute)) else None
            return CallSite(api, node.lineno, node.col_offset + 1, _span(node), args, kwargs, True, bound, receiver)
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and node.attr in self.wanted:
            base: ast.expr = node
            while isinstance(base, ast.Attribute):
                base = base.value
            ref_api = self.qualname(node)
            if ref_api is None or not (isinstance(base, ast.Name) and base.id in self.imports):
                return None  # only names rooted in an import can be told apart from local objects
            return CallSite(ref_api, node.lineno, node.col_offset + 1, _span(node), called=False, context_key=context)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in self.imports:
            api = self.imports[node.id]
            if api.rsplit(".", 1)[-1] not in self.wanted:
                return None
            return CallSite(api, node.lineno, node.col_offset + 1, _span(node), called=False, context_key=context)
        return None


_DH_NAMES = re.compile(r"(?i)prime|modp|secret|priv|\bdh|dh_|^p$|^P$")
_MIN_DH_MODULUS_BITS = 256  # smaller moduli are hashing / arithmetic (decimal's 2**61-1), not key exchange


def _modexp_like(args: tuple[Value, ...]) -> bool:
    """``pow(g, x, p)`` as in hand-rolled Diffie-Hellman: a large constant modulus, or operands named
    like DH values (``prime``, ``secret``, ``p``); not ``pow(a, -1, m)`` or arithmetic on small moduli."""
    if len(args) != 3:
        return False
    exponent, modulus = args[1], args[2]
    if exponent.kind is ValueKind.INT and isinstance(exponent.value, int) and exponent.value < 0:
        return False
    if modulus.kind is ValueKind.INT and isinstance(modulus.value, int):
        return modulus.value.bit_length() >= _MIN_DH_MODULUS_BITS
    return any(_DH_NAMES.search(v.text) for v in (exponent, modulus) if v.kind is ValueKind.UNKNOWN and v.text)


def parse(text: str, filename: str) -> ast.Module:
    """``ast.parse`` with the cyclic garbage collector paused: the tree is hundreds of thousands of new
    objects, every one alive, and each burst of allocations would otherwise start a collection that walks
    the tree built so far and finds nothing (about a tenth of the parse). The tree holds no cycle (the
    front end keeps none either), so reference counting frees it when the file is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(text, filename=filename)
    finally:
        if was_enabled:
            # the new objects are past the youngest generation's threshold: the next allocation would walk
            # them all; freeze() + unfreeze() moves them to the oldest generation without a walk
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def call_sites(tree: ast.Module, ruleset: RuleSet) -> list[CallSite]:
    return PythonFrontEnd(tree, ruleset).call_sites()
