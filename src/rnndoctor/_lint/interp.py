"""Reads a module's syntax tree for its recurrent layers, their calls and what is done with the results.

A small abstract interpreter over `ast`: names, `self.<name>` set in
`__init__`, module constants, default arguments, simple arithmetic and
f-strings resolve; each function's statements run in order; a name bound
differently in the branches of an `if`, or inside a loop, becomes unknown.
Nothing is imported or run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .._record import replace
from .values import (
    UNKNOWN,
    Const,
    Dim,
    Layer,
    LayerCall,
    Mod,
    Order,
    Out,
    Packed,
    Passed,
    PerPosition,
    Result,
    Shape,
    Slice,
    States,
    Sym,
    Tensor,
    Tup,
    Uses,
    Value,
    _Unknown,
    binop,
    is_const,
    is_int,
    unary,
)

__all__ = ["Module", "read_module"]

LAYER_KINDS = frozenset({"RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"})
FACTORIES = frozenset({"zeros", "ones", "randn", "rand", "empty"})
PASS_THROUGH = frozenset({"contiguous", "detach", "clone", "float", "cpu", "cuda", "to"})
Env = dict[str, Value]


@dataclass
class Module:
    """What one source file holds: its layers, and per function what it did with them."""

    layers: list[Layer] = field(default_factory=list)
    functions: list[Uses] = field(default_factory=list)
    passed: dict[str, Passed] = field(default_factory=dict)  # by the name the calls use

    def value(self, v: Value) -> Value:
        """A parameter's default, where the file calls its function and no call passes it; else `v`.

        A function the file never calls may be called elsewhere with anything.
        """
        if isinstance(v, Sym) and v.owner and v.default is not UNKNOWN:
            calls = self.passed.get(v.owner)
            return v if calls is None or calls.passes(v) else v.default
        return v


def read_module(tree: ast.Module, lines: list[str] | None = None) -> Module:
    """Every layer the module builds and every use of their results it can resolve.

    With the source's `lines`, a function or class whose text names no layer class, no packing and
    no layer the module builds is not read (that is most of a large file): the calls in it only
    count, conservatively, as passing every parameter of what they call.
    """
    reader = _Reader(lines)
    reader.module(tree)
    _settle(reader.result)
    return reader.result


def _settle(m: Module) -> None:
    """Put in the defaults of parameters that no call in the file passes, now that every call is seen."""
    for layer in m.layers:
        layer.args = tuple(_settled(m, a) for a in layer.args)
        layer.keywords = {k: _settled(m, v) for k, v in layer.keywords.items()}
    for uses in m.functions:
        for call in uses.calls:
            call.hx = _settled(m, call.hx)
            if not isinstance(call.input, Sym):  # a tensor parameter keeps its identity for its sizes
                call.input = _settled(m, call.input)
        uses.subscripts = [(o, _settled(m, k), n) for o, k, n in uses.subscripts]
        uses.views = [(o, tuple(_settled(m, v) for v in sizes), t, n) for o, sizes, t, n in uses.views]
        uses.unpads = [(o, _settled(m, b), n) for o, b, n in uses.unpads]


def _settled(m: Module, v: Value) -> Value:
    if isinstance(v, Sym):
        return m.value(v)
    if isinstance(v, Tup):
        return Tup(tuple(_settled(m, i) for i in v.items), v.kind)
    if isinstance(v, Slice):
        return Slice(_settled(m, v.start), _settled(m, v.stop), _settled(m, v.step))
    if isinstance(v, Tensor):
        return Tensor(tuple(_settled(m, d) for d in v.shape), v.values, v.dtype)
    if isinstance(v, Packed):
        return Packed(_settled(m, v.input), _settled(m, v.lengths), _settled(m, v.batch_first),
                      _settled(m, v.enforce_sorted))
    return v


def layer_kind(path: str) -> str | None:
    """`torch.nn.LSTM` and `torch.nn.modules.rnn.LSTM` are LSTM; anything else is not a layer."""
    head, _, kind = path.rpartition(".")
    if kind in LAYER_KINDS and (head == "torch.nn" or head.startswith("torch.nn.modules")):
        return kind
    return None


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _same(a: Value, b: Value) -> bool:
    return a is b or (is_const(a) and is_const(b) and type(a) is type(b) and a == b)


def _merge(into: Env, *branches: Env) -> None:
    """After branches, keep what every branch agrees on; anything else is unknown."""
    keys = set().union(*branches)
    for k in keys:
        values = [br.get(k, UNKNOWN) for br in branches]
        into[k] = values[0] if all(_same(values[0], v) for v in values) else UNKNOWN


def _assigned(body: list[ast.stmt]) -> Iterator[str]:
    """Names and `self.<name>`s bound anywhere in `body`, statement by statement (no walk of expressions)."""
    for stmt in body:
        yield from _bound_by(stmt)
        for part in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, part, None)
            if isinstance(inner, list) and not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                  ast.ClassDef)):
                yield from _assigned(inner)
        for handler in getattr(stmt, "handlers", ()):
            if handler.name:
                yield handler.name
            yield from _assigned(handler.body)
        for case in getattr(stmt, "cases", ()):
            yield from _assigned(case.body)


def _bound_by(stmt: ast.stmt) -> Iterator[str]:
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
        targets = [stmt.target]
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in stmt.items if i.optional_vars is not None]
    elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield stmt.name
    elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
        yield from ((a.asname or a.name).split(".")[0] for a in stmt.names)
    elif isinstance(stmt, ast.Delete):
        targets = stmt.targets
    for t in targets:
        yield from _target_names(t)


def _target_names(t: ast.expr) -> Iterator[str]:
    if isinstance(t, ast.Name):
        yield t.id
    elif isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
        yield "self." + t.attr
    elif isinstance(t, (ast.Tuple, ast.List)):
        for e in t.elts:
            yield from _target_names(e)
    elif isinstance(t, ast.Starred):
        yield from _target_names(t.value)


_CALLED = re.compile(r"(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(")
MARKERS = ("RNN", "LSTM", "GRU", "pack_padded_sequence")
# The layers that work on the last axis alone, by the name the guard's semantic mode gives them
# (the torch function each calls); Dropout keeps what it is given.
PER_POSITION_LAYERS = {"Linear": "Linear", "ReLU": "ReLU", "Tanh": "Tanh", "Sigmoid": "Sigmoid", "GELU": "GELU",
                       "LeakyReLU": "LeakyReLU", "ELU": "ELU", "Hardtanh": "Hardtanh", "LayerNorm": "LayerNorm",
                       "Softmax": "Softmax", "LogSoftmax": "LogSoftmax", "Dropout": None}
PER_POSITION_FUNCTIONS = {
    "torch.relu": "ReLU", "torch.tanh": "Tanh", "torch.sigmoid": "Sigmoid", "torch.softmax": "Softmax",
    "torch.log_softmax": "LogSoftmax", **{f"torch.nn.functional.{f}": n for f, n in (
        ("linear", "Linear"), ("relu", "ReLU"), ("tanh", "Tanh"), ("sigmoid", "Sigmoid"), ("gelu", "GELU"),
        ("leaky_relu", "LeakyReLU"), ("elu", "ELU"), ("hardtanh", "Hardtanh"), ("layer_norm", "LayerNorm"),
        ("softmax", "Softmax"), ("log_softmax", "LogSoftmax"))}}
PER_POSITION_METHODS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "softmax": "Softmax",
                        "log_softmax": "LogSoftmax"}
LAYOUT = frozenset({"batch_first", "bidirectional", "num_layers", "num_directions", "n_directions", "directions",
                    "n_layers"})


class _Reader:
    def __init__(self, lines: list[str] | None = None) -> None:
        self.lines = lines
        self.result = Module()
        self.env: Env = {}
        self.uses = Uses()
        self.use_ids: set[int] = set()
        self.deferred: list[Callable[[], None]] = []
        self.module_level = True
        self.bound_twice: set[str] = set()
        self.globals: Env = {}
        self.guards: list[ast.expr] = []  # the tests of the enclosing `if`s and `while`s

    # ---- scopes ----------------------------------------------------------------------------

    def module(self, tree: ast.Module) -> None:
        self.body(tree.body)
        self.finish_function()
        self.globals = {k: (UNKNOWN if k in self.bound_twice else v) for k, v in self.env.items()}
        self.module_level = False
        while self.deferred:
            self.deferred.pop(0)()

    def finish_function(self) -> None:
        u = self.uses
        if u.calls or u.subscripts or u.views or u.orders or u.unpacks or u.unpads:
            self.result.functions.append(self.uses)
        self.uses = Uses()
        self.use_ids = set()

    def function(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, env: Env, owner: str = "") -> None:
        """Run a function's body; `owner` is the name its callers use (the class, for `__init__`)."""
        self.env = dict(env)
        args = fn.args
        positional = args.posonlyargs + args.args
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += args.defaults
        skip = 1 if owner != fn.name else 0  # `self`
        for i, (a, d) in enumerate([*zip(positional, defaults), *zip(args.kwonlyargs, args.kw_defaults)]):
            place = i - skip if i < len(positional) else -1
            self.env[a.arg] = Sym(a.arg) if d is None else Sym(a.arg, self.default(d), owner, place)
        for rest in (args.vararg, args.kwarg):
            if rest is not None:
                self.env[rest.arg] = UNKNOWN
        self.body(fn.body)
        self.finish_function()

    def default(self, node: ast.expr) -> Const | _Unknown:
        v = self.ev(node)
        return v if is_const(v) else UNKNOWN

    def klass(self, cls: ast.ClassDef, env: Env) -> None:
        methods = [s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
        init = next((m for m in methods if m.name == "__init__"), None)
        others = [m for m in methods if m is not init]
        elsewhere = {n for m in others for n in _assigned(m.body) if n.startswith("self.")}
        attrs: Env = {}
        if init is not None:
            self.function(init, env, cls.name)
            attrs = {k: v for k, v in self.env.items() if k.startswith("self.")}
        attrs.update({name: UNKNOWN for name in elsewhere})
        for m in others:
            self.function(m, {**env, **attrs})
        for s in cls.body:
            if isinstance(s, ast.ClassDef):
                self.klass(s, env)

    # ---- statements ------------------------------------------------------------------------

    def body(self, stmts: list[ast.stmt]) -> None:
        for s in stmts:
            self.stmt(s)

    def stmt(self, s: ast.stmt) -> None:
        handler = _STATEMENTS.get(type(s))
        if handler is not None:
            handler(self, s)

    def s_assign(self, s: ast.Assign) -> None:
        v = self.ev(s.value)
        for t in s.targets:
            self.bind(t, v)

    def s_annassign(self, s: ast.AnnAssign) -> None:
        if s.value is not None:
            self.bind(s.target, self.ev(s.value))

    def s_augassign(self, s: ast.AugAssign) -> None:
        v = self.ev(s.value)
        current = self.ev(s.target) if isinstance(s.target, (ast.Name, ast.Attribute)) else UNKNOWN
        self.bind(s.target, binop(s.op, current, v))

    def s_expr(self, s: ast.Expr | ast.Return) -> None:
        if s.value is not None:
            self.escape(self.ev(s.value))

    def s_if(self, s: ast.If) -> None:
        self.ev(s.test)
        before = self.env
        self.env = dict(before)
        self.guards.append(s.test)
        self.body(s.body)
        taken = self.env
        self.env = dict(before)
        self.body(s.orelse)
        self.guards.pop()
        _merge(before, taken, self.env)
        self.env = before

    def s_loop(self, s: ast.For | ast.AsyncFor | ast.While) -> None:
        if isinstance(s, ast.While):
            self.ev(s.test)
        else:
            self.ev(s.iter)
            self.bind(s.target, UNKNOWN)
        changed = set(_assigned(s.body))
        self.forget(changed)
        self.guards.append(s.test if isinstance(s, ast.While) else ast.Constant(True))
        self.body(s.body)
        self.guards.pop()
        self.forget(changed)
        self.body(s.orelse)

    def s_with(self, s: ast.With | ast.AsyncWith) -> None:
        for item in s.items:
            self.ev(item.context_expr)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, UNKNOWN)
        self.body(s.body)

    def s_try(self, s: ast.Try) -> None:
        self.body(s.body)
        for h in s.handlers:
            changed = set(_assigned(h.body))
            self.forget(changed | ({h.name} if h.name else set()))
            self.body(h.body)
            self.forget(changed)
        self.body(s.orelse)
        self.body(s.finalbody)

    def relevant(self, s: ast.stmt) -> bool:
        """Whether a definition's text names a layer class, packing, or a layer of the module."""
        if self.lines is None:
            return True
        text = "\n".join(self.lines[s.lineno - 1:s.end_lineno])
        layers = [k for k, v in self.env.items() if isinstance(v, Layer)] if self.module_level else []
        if any(m in text for m in (*MARKERS, *layers)):
            return True
        for name in _CALLED.findall(text):
            self.result.passed.setdefault(name, Passed()).anything = True
        return False

    def s_function(self, s: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.env[s.name] = UNKNOWN
        if not self.relevant(s):
            return
        if self.module_level:
            self.deferred.append(lambda: self.function(s, {}, s.name))
        else:
            snapshot = dict(self.env)
            self.deferred.append(lambda: self.function(s, snapshot, s.name))

    def s_class(self, s: ast.ClassDef) -> None:
        self.env[s.name] = UNKNOWN
        if not self.relevant(s):
            return
        if self.module_level:
            self.deferred.append(lambda: self.klass(s, {}))
        else:
            snapshot = dict(self.env)
            self.deferred.append(lambda: self.klass(s, snapshot))

    def s_import(self, s: ast.Import) -> None:
        for a in s.names:
            if a.asname:
                self.env[a.asname] = Mod(a.name)
            else:
                top = a.name.split(".")[0]
                self.env[top] = Mod(top)

    def s_importfrom(self, s: ast.ImportFrom) -> None:
        for a in s.names:
            if s.module is not None and not s.level and a.name != "*":
                self.env[a.asname or a.name] = Mod(f"{s.module}.{a.name}")

    def s_delete(self, s: ast.Delete) -> None:
        for t in s.targets:
            if isinstance(t, ast.Name):
                self.env.pop(t.id, None)
            else:
                self.ev(t)

    def s_global(self, s: ast.Global | ast.Nonlocal) -> None:
        self.forget(set(s.names))

    def s_other(self, s: ast.stmt) -> None:
        """`match`, `raise`, `assert`: evaluate what they read, forget what they bind."""
        self.forget(set(_assigned([s])))
        for child in ast.iter_child_nodes(s):
            if isinstance(child, ast.expr):
                self.ev(child)

    def forget(self, names: set[str]) -> None:
        for n in names:
            self.env[n] = UNKNOWN

    def bind(self, target: ast.expr, v: Value) -> None:
        if isinstance(target, ast.Name):
            if self.module_level and target.id in self.env:
                self.bound_twice.add(target.id)
            self.env[target.id] = v
            self.name_layer(v, target.id)
        elif isinstance(target, ast.Attribute):
            owner = target.value
            if isinstance(owner, ast.Name) and owner.id == "self":
                self.env["self." + target.attr] = v
                self.name_layer(v, "self." + target.attr)
            else:
                self.escape(v)
                self.ev(owner)
        elif isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(v, Out) and v.name != "output" and not self.layout_tested() \
                    and not any(isinstance(t, ast.Starred) for t in target.elts):
                self.uses.unpacks.append((v, len(target.elts), target))  # Python iterates dim 0
            items = self.unpack(v, len(target.elts))
            for t, item in zip(target.elts, items):
                self.bind(t.value if isinstance(t, ast.Starred) else t,
                          UNKNOWN if isinstance(t, ast.Starred) else item)
        elif isinstance(target, ast.Subscript):
            self.escape(v)
            self.ev(target)

    @staticmethod
    def name_layer(v: Value, name: str) -> None:
        if isinstance(v, Layer) and not v.name:
            v.name = name

    @staticmethod
    def unpack(v: Value, n: int) -> tuple[Value, ...]:
        if isinstance(v, Tup) and len(v.items) == n:
            return v.items
        if isinstance(v, Result) and n == 2:
            return _result_item(v, 0), _result_item(v, 1)
        if isinstance(v, States) and n == 2:
            return Out(v.call, "h_n"), Out(v.call, "c_n")
        if isinstance(v, Shape):
            return tuple(Dim(v.owner, i) for i in range(n))
        return (UNKNOWN,) * n

    def escape(self, v: Value) -> None:
        """A sort order that goes where its fate is not followed."""
        if isinstance(v, Order):
            v.escaped = True
        elif isinstance(v, Tup):
            for item in v.items:
                self.escape(item)

    # ---- expressions -----------------------------------------------------------------------

    def ev(self, node: ast.expr) -> Value:
        handler = _EXPRESSIONS.get(type(node))
        if handler is not None:
            return handler(self, node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.escape(self.ev(child))
        return UNKNOWN

    def e_constant(self, node: ast.Constant) -> Value:
        v = node.value
        if v is Ellipsis:
            return Ellipsis
        return v if is_const(v) else UNKNOWN

    def e_name(self, node: ast.Name) -> Value:
        if node.id in self.env:
            return self.env[node.id]
        return self.globals.get(node.id, UNKNOWN)

    def e_attribute(self, node: ast.Attribute) -> Value:
        if isinstance(node.value, ast.Name) and node.value.id == "self":
            return self.env.get("self." + node.attr, UNKNOWN)
        owner = self.ev(node.value)
        self.mark_further(node.value)
        if isinstance(owner, Mod):
            return Mod(f"{owner.path}.{node.attr}")
        if node.attr == "shape":
            if isinstance(owner, Sym):
                return Shape(owner)
            if isinstance(owner, Tensor):
                return Tup(owner.shape)
        self.escape(owner)
        return UNKNOWN

    def e_binop(self, node: ast.BinOp) -> Value:
        return binop(node.op, self.ev(node.left), self.ev(node.right))

    def e_unaryop(self, node: ast.UnaryOp) -> Value:
        return unary(node.op, self.ev(node.operand))

    def e_joinedstr(self, node: ast.JoinedStr) -> Value:
        parts: list[str] = []
        for v in node.values:
            if isinstance(v, ast.Constant) and isinstance(v.value, str):
                parts.append(v.value)
                continue
            if not isinstance(v, ast.FormattedValue):
                return UNKNOWN
            x = self.ev(v.value)
            if v.conversion != -1 or v.format_spec is not None or not isinstance(x, (str, int)):
                return UNKNOWN
            parts.append(str(x))
        return "".join(parts)

    def e_ifexp(self, node: ast.IfExp) -> Value:
        self.ev(node.test)
        self.guards.append(node.test)
        a, b = self.ev(node.body), self.ev(node.orelse)
        self.guards.pop()
        return a if _same(a, b) else UNKNOWN

    def e_tuple(self, node: ast.Tuple | ast.List) -> Value:
        if any(isinstance(e, ast.Starred) for e in node.elts):
            for e in node.elts:
                self.escape(self.ev(e))
            return UNKNOWN
        return Tup(tuple(self.ev(e) for e in node.elts), "list" if isinstance(node, ast.List) else "tuple")

    def e_comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> Value:
        saved = self.env
        self.env = dict(saved)
        for gen in node.generators:
            self.escape(self.ev(gen.iter))
            self.bind(gen.target, UNKNOWN)
            for cond in gen.ifs:
                self.ev(cond)
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        for p in parts:
            self.escape(self.ev(p))
        self.env = saved
        return UNKNOWN

    def e_lambda(self, node: ast.Lambda) -> Value:
        return UNKNOWN

    def e_each(self, node: ast.expr) -> Value:
        """An expression whose parts are read but whose value is not followed: `a < b`, `a and b`."""
        parts = ([node.left, *node.comparators] if isinstance(node, ast.Compare)
                 else node.values if isinstance(node, ast.BoolOp)
                 else [k for k in node.keys if k is not None] + node.values if isinstance(node, ast.Dict)
                 else node.elts if isinstance(node, ast.Set) else [])
        for part in parts:
            self.escape(self.ev(part))
        return UNKNOWN

    def e_namedexpr(self, node: ast.NamedExpr) -> Value:
        v = self.ev(node.value)
        self.bind(node.target, v)
        return v

    def e_subscript(self, node: ast.Subscript) -> Value:
        owner = self.ev(node.value)
        self.mark_further(node.value)
        key = self.ev_key(node.slice)
        if isinstance(key, Order):
            key.applied += 1
            return UNKNOWN
        if isinstance(owner, Out) and not owner.packed:
            if not self.layout_tested():
                self.uses.subscripts.append((owner, key, node))
                self.use_ids.add(id(node))
            return UNKNOWN
        if not is_int(key):
            self.escape(key)
            return UNKNOWN
        assert isinstance(key, int)
        if isinstance(owner, Result) and key in (0, 1):
            return _result_item(owner, key)
        if isinstance(owner, States) and key in (0, 1):
            return Out(owner.call, "h_n" if key == 0 else "c_n")
        if isinstance(owner, Tup) and -len(owner.items) <= key < len(owner.items):
            return owner.items[key]
        if isinstance(owner, Shape):
            return Dim(owner.owner, key)
        return UNKNOWN

    def ev_key(self, node: ast.expr) -> Value:
        if isinstance(node, ast.Slice):
            parts = (self.ev(p) if p is not None else None for p in (node.lower, node.upper, node.step))
            return Slice(*parts)
        if isinstance(node, ast.Tuple):
            return Tup(tuple(self.ev_key(e) for e in node.elts))
        return self.ev(node)

    def layout_tested(self) -> bool:
        """Under an `if` that tests a layout (`if self.rnn.batch_first:`): each branch reads a layout that
        the test, not the layer, decides, and this reader does not follow which one runs."""
        return any((n.attr if isinstance(n, ast.Attribute) else n.id if isinstance(n, ast.Name) else "") in LAYOUT
                   for test in self.guards for n in ast.walk(test))

    def mark_further(self, node: ast.expr) -> None:
        if id(node) in self.use_ids:
            self.uses.further.add(id(node))

    # ---- calls -----------------------------------------------------------------------------

    def e_call(self, node: ast.Call) -> Value:
        func = node.func
        callee = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if callee:
            self.record_call(callee, node)
        if isinstance(func, ast.Attribute) and not (isinstance(func.value, ast.Name) and func.value.id == "self"):
            owner = self.ev(func.value)
            self.mark_further(func.value)
            if isinstance(owner, Mod):
                return self.module_call(f"{owner.path}.{func.attr}", node)
            return self.method_call(owner, func.attr, node)
        f = self.ev(func)
        if isinstance(f, Mod):
            return self.module_call(f.path, node)
        if isinstance(f, Layer):
            return self.layer_call(f, node)
        args, kwargs = self.args(node)
        if isinstance(f, PerPosition) and len(args) == 1 and not kwargs:
            return _through(args[0], f.name, f.features)
        return UNKNOWN

    def record_call(self, callee: str, node: ast.Call) -> None:
        passed = self.result.passed.setdefault(callee, Passed())
        passed.positional = max(passed.positional, len(node.args))
        passed.keywords.update(k.arg for k in node.keywords if k.arg)
        passed.anything |= any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords)

    def args(self, node: ast.Call) -> tuple[list[Value], dict[str, Value]]:
        """The arguments' values; any sort order passed on to an unknown function escapes."""
        args = [self.ev(a.value if isinstance(a, ast.Starred) else a) for a in node.args]
        kwargs = {k.arg or "**": self.ev(k.value) for k in node.keywords}
        for v in [*args, *kwargs.values()]:
            self.escape(v)
        return args, kwargs

    def module_call(self, path: str, node: ast.Call) -> Value:
        kind = layer_kind(path)
        if kind is not None:
            return self.layer(kind, node)
        head, _, name = path.rpartition(".")
        if name in PER_POSITION_LAYERS and (head == "torch.nn" or head.startswith("torch.nn.modules")):
            return _per_position_layer(name, *self.args(node))
        if path in ("torch.sort", "torch.argsort"):
            return self.method_call(self.ev(node.args[0]) if node.args else UNKNOWN, name, node, skip=1)
        args, kwargs = self.args(node)
        if path.startswith("torch.") and name in FACTORIES and path.count(".") == 1:
            return _factory(args, kwargs)
        if path == "torch.tensor" and len(args) == 1:
            return _literal_tensor(args[0], kwargs.get("dtype"))
        if name == "pack_padded_sequence" and path.startswith("torch.nn.utils.rnn") and len(args) >= 2:
            self.uses.packs += 1
            return Packed(args[0], args[1], _given(args, kwargs, 2, "batch_first", False),
                          _given(args, kwargs, 3, "enforce_sorted", True))
        if path in PER_POSITION_FUNCTIONS and args and _last_axis(name, args[1:], kwargs):
            features = UNKNOWN if name == "linear" else None
            return _through(args[0], PER_POSITION_FUNCTIONS[path], features)
        if path in ("torch.dropout", "torch.nn.functional.dropout") and args:
            return _through(args[0], None, None)
        if name == "pad_packed_sequence" and path.startswith("torch.nn.utils.rnn") and args:
            batch_first = _given(args, kwargs, 1, "batch_first", False)
            if isinstance(args[0], Out) and args[0].packed and not self.layout_tested():
                self.uses.unpads.append((args[0], batch_first, node))
            return _padded(args[0], batch_first)
        return UNKNOWN

    def layer(self, kind: str, node: ast.Call) -> Value:
        args, kwargs = self.args(node)
        if any(isinstance(a, ast.Starred) for a in node.args) or "**" in kwargs:
            return UNKNOWN
        layer = Layer(kind, tuple(args), kwargs, node, "")
        self.result.layers.append(layer)
        return layer

    def layer_call(self, layer: Layer, node: ast.Call) -> Value:
        args, kwargs = self.args(node)
        if any(isinstance(a, ast.Starred) for a in node.args) or len(args) > 2 or set(kwargs) - {"input", "hx"}:
            return UNKNOWN
        x = args[0] if args else kwargs.get("input", UNKNOWN)
        hx = args[1] if len(args) == 2 else kwargs.get("hx", None)
        tested = {n for test in self.guards for n in _names(test)}
        call = LayerCall(layer, x, hx, node, guarded=bool(tested & _names(node)))
        self.uses.calls.append(call)
        return UNKNOWN if layer.kind.endswith("Cell") else Result(call)

    def method_call(self, owner: Value, name: str, node: ast.Call, skip: int = 0) -> Value:
        if isinstance(owner, Out) and not owner.packed:
            return self.out_method(owner, name, node)
        values = [self.ev(a.value if isinstance(a, ast.Starred) else a) for a in node.args[skip:]]
        keywords = [self.ev(k.value) for k in node.keywords]
        if isinstance(owner, Order):
            owner.inverted |= name in ("argsort", "sort")
            owner.escaped |= name not in ("argsort", "sort")
        elif name == "index_select" and len(values) == 2 and isinstance(values[1], Order):
            values[1].applied += 1
            values = values[:1]
        elif name == "sort":
            order = Order(node)
            self.uses.orders.append(order)
            return Tup((UNKNOWN, order))
        else:
            self.escape(owner)
        for v in [*values, *keywords]:
            self.escape(v)
        return _size(owner, values) if name == "size" and not keywords else UNKNOWN

    def out_method(self, owner: Out, name: str, node: ast.Call) -> Value:
        args, kwargs = self.args(node)
        if name in ("view", "reshape") and not kwargs and args and not self.layout_tested():
            sizes = args[0].items if len(args) == 1 and isinstance(args[0], Tup) else tuple(args)
            text = ", ".join(ast.unparse(a) for a in node.args)
            self.uses.views.append((owner, sizes, f".{name}({text})", node))
            return UNKNOWN
        if name in PASS_THROUGH:
            return owner
        if name in PER_POSITION_METHODS and _last_axis(name, args, kwargs):
            return _through(owner, PER_POSITION_METHODS[name], None)
        return UNKNOWN


def _result_item(r: Result, i: int) -> Value:
    packed = isinstance(r.call.input, Packed)
    if i == 0:
        return Out(r.call, "output", packed=packed)
    if r.call.layer.kind == "LSTM":
        return States(r.call)
    return Out(r.call, "h_n")


def _factory(args: list[Value], kwargs: dict[str, Value]) -> Value:
    sizes = args[0].items if len(args) == 1 and isinstance(args[0], Tup) else tuple(args)
    if "size" in kwargs and not args and isinstance(kwargs["size"], Tup):
        sizes = kwargs["size"].items
    if not sizes or not all(is_int(s) or isinstance(s, (Dim, Sym)) for s in sizes):
        return UNKNOWN
    return Tensor(tuple(sizes))


_DTYPES = {"torch.int64": "int64", "torch.long": "int64", "torch.int32": "int32", "torch.int": "int32",
           "torch.float32": "float32", "torch.float": "float32", "torch.float64": "float64",
           "torch.double": "float64"}


def _literal_tensor(data: Value, dtype: Value) -> Value:
    """`torch.tensor([5, 3, 2])` or `torch.tensor([[5], [3]])`, with the dtype torch gives it."""
    if not isinstance(data, Tup):
        return UNKNOWN
    rows = data.items
    if rows and all(isinstance(r, Tup) for r in rows):
        widths = {len(r.items) for r in rows if isinstance(r, Tup)}
        if len(widths) != 1:
            return UNKNOWN
        shape: tuple[Value, ...] = (len(rows), widths.pop())
        flat = tuple(i for r in rows if isinstance(r, Tup) for i in r.items)
    else:
        shape, flat = (len(rows),), rows
    if not all(isinstance(i, (int, float)) and not isinstance(i, bool) for i in flat):
        return UNKNOWN
    if dtype is None:
        name = "int64" if flat and all(is_int(i) for i in flat) else "float32"
    elif isinstance(dtype, Mod) and dtype.path in _DTYPES:
        name = _DTYPES[dtype.path]
    else:
        return UNKNOWN
    return Tensor(shape, flat, name)


def _per_position_layer(name: str, args: list[Value], kwargs: dict[str, Value]) -> Value:
    """`nn.Linear(20, 5)`, `nn.ReLU()`, `nn.Softmax(dim=-1)`, `nn.Dropout(0.1)`, as the run time names it."""
    if name == "Linear":
        return PerPosition("Linear", _given(args, kwargs, 1, "out_features", UNKNOWN))
    if name in ("Softmax", "LogSoftmax") and _given(args, kwargs, 0, "dim", None) != -1:
        return UNKNOWN
    return PerPosition(PER_POSITION_LAYERS[name])


def _last_axis(name: str, args: list[Value], kwargs: dict[str, Value]) -> bool:
    """A softmax works per position only over the last axis; the other functions always do."""
    return "softmax" not in name or _given(args, kwargs, 0, "dim", None) == -1


def _through(v: Value, name: str | None, features: Value) -> Value:
    """What a per-position layer makes of `v`: a layer's `output` keeps its layout, and its last axis
    becomes the layer's features (RNN512); a dropout (`name` None) keeps whatever it is given."""
    if name is None:
        return v if isinstance(v, Out) else UNKNOWN
    if not isinstance(v, Out) or v.name != "output" or v.packed:
        return UNKNOWN
    return replace(v, through=name, features=v.features if features is None else features)


def _given(args: list[Value], kwargs: dict[str, Value], position: int, name: str, default: Value) -> Value:
    """An argument passed by position or by keyword, or its default."""
    return args[position] if len(args) > position else kwargs.get(name, default)


def _padded(packed: Value, batch_first: Value) -> Value:
    if not (isinstance(packed, Out) and packed.packed and isinstance(packed.call.input, Packed)):
        return UNKNOWN
    output = Out(packed.call, "output", padded=(batch_first, packed.call.input.lengths))
    return Tup((output, UNKNOWN))


def _size(owner: Value, args: list[Value]) -> Value:
    if isinstance(owner, Sym):
        if not args:
            return Shape(owner)
        return Dim(owner, args[0]) if len(args) == 1 and is_int(args[0]) else UNKNOWN  # type: ignore[arg-type]
    if isinstance(owner, Tensor):
        if not args:
            return Tup(owner.shape)
        if len(args) == 1 and is_int(args[0]) and -len(owner.shape) <= args[0] < len(owner.shape):  # type: ignore[operator]
            return owner.shape[args[0]]  # type: ignore[index]
    return UNKNOWN


_STATEMENTS: dict[type[ast.AST], Callable[..., None]] = {
    ast.Assign: _Reader.s_assign, ast.AnnAssign: _Reader.s_annassign, ast.AugAssign: _Reader.s_augassign,
    ast.Expr: _Reader.s_expr, ast.Return: _Reader.s_expr, ast.If: _Reader.s_if,
    ast.For: _Reader.s_loop, ast.AsyncFor: _Reader.s_loop, ast.While: _Reader.s_loop,
    ast.With: _Reader.s_with, ast.AsyncWith: _Reader.s_with, ast.Try: _Reader.s_try,
    ast.FunctionDef: _Reader.s_function, ast.AsyncFunctionDef: _Reader.s_function,
    ast.ClassDef: _Reader.s_class, ast.Import: _Reader.s_import, ast.ImportFrom: _Reader.s_importfrom,
    ast.Delete: _Reader.s_delete, ast.Global: _Reader.s_global, ast.Nonlocal: _Reader.s_global,
    ast.Raise: _Reader.s_other, ast.Assert: _Reader.s_other,
}
if hasattr(ast, "TryStar"):
    _STATEMENTS[ast.TryStar] = _Reader.s_try
if hasattr(ast, "Match"):
    _STATEMENTS[ast.Match] = _Reader.s_other

_EXPRESSIONS: dict[type[ast.AST], Callable[..., Value]] = {
    ast.Constant: _Reader.e_constant, ast.Name: _Reader.e_name, ast.Attribute: _Reader.e_attribute,
    ast.BinOp: _Reader.e_binop, ast.UnaryOp: _Reader.e_unaryop, ast.JoinedStr: _Reader.e_joinedstr,
    ast.IfExp: _Reader.e_ifexp, ast.Tuple: _Reader.e_tuple, ast.List: _Reader.e_tuple,
    ast.ListComp: _Reader.e_comprehension, ast.SetComp: _Reader.e_comprehension,
    ast.GeneratorExp: _Reader.e_comprehension, ast.DictComp: _Reader.e_comprehension,
    ast.Lambda: _Reader.e_lambda, ast.Subscript: _Reader.e_subscript, ast.Call: _Reader.e_call,
    ast.Compare: _Reader.e_each, ast.BoolOp: _Reader.e_each, ast.Dict: _Reader.e_each, ast.Set: _Reader.e_each,
    ast.NamedExpr: _Reader.e_namedexpr,
}
