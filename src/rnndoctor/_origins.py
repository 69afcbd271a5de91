"""Gathering provenance after a failure: the user's frames, their locals, and the AST of their code.

Run only once a call has failed. From the frame that called the layer it
reads the call's source line, finds the expressions passed as `input` and
the states, and follows each one back through the function's assignments
(`ast`, never `eval`) to the line that made it: a `torch.zeros(...)`, an
`init_hidden(...)` call (and that method's own source when it takes no
batch), a parameter passed by the caller (the frame above), or the layer's
own result carried over from an earlier call. Values are read from frame
locals only for plain names and `self.<field>`; a DataLoader among the
locals gives the size of the last batch (`rnndoctor.loader`).

Source comes through `linecache`, so IPython cells are readable; code
without source (a REPL, `exec`) or a construct this does not follow gives
fewer facts, never an error: every entry point catches its own failures and
returns what it has. Nothing here imports torch.
"""

from __future__ import annotations

import ast
import functools
import linecache
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any

from .findings import Finding
from .loader import LoaderFacts, find_loaders
from .provenance import Kind, Origin, Provenance
from .specs import _POSITIONAL, KINDS
from .specs import Kind as LayerKind

__all__ = ["constructor", "gather", "pack_call"]

Frames = Sequence[tuple[FrameType, int]]  # outermost first, each with the line it is at
Scope = ast.FunctionDef | ast.AsyncFunctionDef | ast.Module

_MAKERS = frozenset({"zeros", "ones", "randn", "rand", "empty", "full", "zeros_like", "randn_like",
                     "new_zeros", "new_ones", "new_empty", "new_full"})
_WRAPPERS = frozenset({"to", "cuda", "cpu", "float", "double", "half", "detach", "requires_grad_",
                       "contiguous", "clone", "type", "Variable", "Parameter"})
_DEPTH = 4  # frames followed upwards through parameters, and methods followed downwards
_STATES = ("h_0", "c_0")


@dataclass(frozen=True)
class _Site:
    """Where a piece of source is: its file's display name, scope and frame (None: not running)."""

    filename: str
    display: str
    scope: Scope
    frame: FrameType | None
    show: Any = None  # filename -> display name, for the files followed from here

    def at(self, line: int) -> str:
        return f"{self.display}:{line}"


@dataclass(frozen=True)
class _Made:
    """The statement that made a value, and the expression within it."""

    site: _Site
    stmt: ast.stmt
    value: ast.expr
    carried: bool = False
    element: int | None = None  # the state's position in a tuple the maker returns


def gather(frames: Frames, layer: object, finding: Finding, *, input_batch: int | None,
           batch_axis: int, history: tuple[tuple[int, int], ...] = (),
           display: Any = None) -> Provenance:
    """The provenance of `layer`'s call at the innermost of the user's `frames`; never raises."""
    show = display or (lambda name: name)
    loader = _loader(frames)
    try:
        origins = tuple(_origins(frames, layer, finding, input_batch, batch_axis, show))
    except Exception:  # an odd construct: fewer facts, never an error
        origins = ()
    return Provenance(origins=origins, loader=loader, history=history, input_batch=input_batch)


def constructor(user: tuple[FrameType, int], finding: Finding, display: Any = None) -> Provenance:
    """The line that built a layer whose constructor failed: the expression of each bad argument.

    `dim / 2` for an int size gets the note that `/` makes a float and the
    same line with `//` as its first fix. Never raises.
    """
    try:
        origin = _constructor_origin(user, finding, display or (lambda name: name))
    except Exception:
        origin = None
    if origin is None:
        return Provenance()
    return Provenance(origins=(origin, Origin("layer", origin.site, origin.line, "constructed")))


def _constructor_origin(user: tuple[FrameType, int], finding: Finding, show: Any) -> Origin | None:
    frame, line = user
    site = _site(frame, line, show)
    stmt = _stmt_at(site.scope, line) if site is not None else None
    if site is None or stmt is None or not finding.arguments:
        return None
    name = finding.arguments[0]
    calls = [n for n in ast.walk(stmt) if isinstance(n, ast.Call) and _func_name(n.func) in KINDS]
    if len(calls) != 1:
        return None
    call = calls[0]
    params = _POSITIONAL[_kind(call)]
    given = {**dict(zip(params, call.args)), **{k.arg: k.value for k in call.keywords if k.arg}}
    expr = given.get(name)
    if expr is None:
        return None
    divisions = [n for n in ast.walk(expr) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)]
    text = _line(site, stmt)
    if not divisions:
        return Origin(name, site.at(stmt.lineno), text, "built", ast.unparse(expr))
    changes: dict[ast.expr, str | None] = {
        d: ast.unparse(ast.BinOp(d.left, ast.FloorDiv(), d.right)) for d in divisions}
    edit = _rewritten(site, stmt, changes) if len(divisions) == 1 else None
    return Origin(name, site.at(stmt.lineno), text, "built", ast.unparse(expr),
                  f"`{ast.unparse(expr)}` is a float: `/` always divides to a float; `//` keeps an int",
                  edit, f"divide with `//` where `{name}` is computed")


def _kind(call: ast.Call) -> LayerKind:
    name = _func_name(call.func)
    return next(k for k in KINDS if k == name)


def _loader(frames: Frames) -> LoaderFacts | None:
    try:
        found = find_loaders(frame.f_locals for frame, _ in reversed(frames))
    except Exception:
        return None
    return found[0] if len(found) == 1 else None


def _origins(frames: Frames, layer: object, finding: Finding, input_batch: int | None,
             batch_axis: int, show: Any) -> Iterator[Origin]:
    user = list(frames)
    if not user:
        return
    frame, line = user[-1]
    site = _site(frame, line, show)
    if site is None:
        return
    call = _call_to(site, line, layer)
    if call is None:
        return
    built = _constructed(call.func, site, line)
    if built is not None:
        yield built
    data = ast.unparse(call.args[0]) if call.args else None
    states = _state_expressions(call)
    for name, expr in states.items():
        if name not in finding.arguments:
            continue
        made = _trace(expr[0], site, line, user, _DEPTH)
        if made is None:
            continue
        element = expr[1] if expr[1] is not None else made.element
        here, axis = data, batch_axis
        if made.site.frame is not frame:  # made in another function: its own name for the data
            here, axis = _data_in(made.site, user, input_batch) or (None, batch_axis)
        yield _state_origin(name, made, element, finding, here, input_batch, axis, user)
    if call.args:
        made = _trace(call.args[0], site, line, user, _DEPTH)
        if made is not None:
            yield _input_origin(made, finding)
            packing = _pack_lengths(made)
            if packing is not None:
                yield packing


# ---- source -------------------------------------------------------------------------------

def _site(frame: FrameType, line: int, show: Any) -> _Site | None:
    filename = frame.f_code.co_filename
    tree = _tree(filename)
    if tree is None:
        return None
    return _Site(filename, show(filename), _scope_at(tree, line, frame.f_code.co_name), frame, show)


def _tree(filename: str) -> ast.Module | None:
    lines = linecache.getlines(filename)
    return _parse("".join(lines)) if lines else None


@functools.lru_cache(maxsize=64)
def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _scope_at(tree: ast.Module, line: int, name: str) -> Scope:
    """The innermost function named `name` that holds `line`; the module outside any."""
    found = [node for node in _functions(tree) if node.name == name
             and node.lineno <= line <= (node.end_lineno or node.lineno)]
    return max(found, key=lambda node: node.lineno) if found else tree


@functools.lru_cache(maxsize=64)
def _functions(tree: ast.Module) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef, ...]:
    return tuple(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))


@functools.lru_cache(maxsize=256)
def _own_nodes(scope: Scope) -> tuple[ast.AST, ...]:
    """The nodes of `scope`, without those of the functions and classes defined inside it."""
    return tuple(_walk_own(scope))


def _walk_own(scope: Scope) -> Iterator[ast.AST]:
    stack: list[ast.AST] = list(scope.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.append(child)


def _call_to(site: _Site, line: int, target: object) -> ast.Call | None:
    """The call on `line` of `target` (`self.rnn(...)`, `model(...)`); the outermost call otherwise."""
    calls = [n for n in _own_nodes(site.scope) if isinstance(n, ast.Call) and n.args
             and n.lineno <= line <= (n.end_lineno or n.lineno)]
    if target is not None and site.frame is not None:
        named = [c for c in calls if _resolve(c.func, site.frame) is target]
        if named:
            return named[0]
    return min(calls, key=lambda c: (c.lineno, c.col_offset)) if calls else None


def _resolve(expr: ast.expr, frame: FrameType) -> object:
    """The object a plain name or `self.<field>` stands for in `frame`; None for anything else."""
    if isinstance(expr, ast.Name):
        return frame.f_locals.get(expr.id, frame.f_globals.get(expr.id))
    if isinstance(expr, ast.Attribute) and _is_self(expr.value):
        owner = frame.f_locals.get("self")
        modules = getattr(owner, "_modules", None)
        if isinstance(modules, dict) and expr.attr in modules:
            return modules[expr.attr]
        return vars(owner).get(expr.attr) if hasattr(owner, "__dict__") else None
    return None


def _state_expressions(call: ast.Call) -> dict[str, tuple[ast.expr, int | None]]:
    """`h_0` and `c_0` (or the one state) as written at the call, each with its tuple position."""
    hx = call.args[1] if len(call.args) > 1 else next(
        (k.value for k in call.keywords if k.arg == "hx"), None)
    if hx is None:
        return {}
    if isinstance(hx, ast.Tuple) and len(hx.elts) == 2 and all(isinstance(e, ast.Call) for e in hx.elts):
        return {"h_0": (hx, 0), "c_0": (hx, 1)}  # both built right in the call: one line, one edit
    if isinstance(hx, ast.Tuple) and len(hx.elts) == 2:
        return {"h_0": (hx.elts[0], None), "c_0": (hx.elts[1], None)}
    return {"h_0": (hx, 0), "c_0": (hx, 1), "hx": (hx, None)}


# ---- following a value back -----------------------------------------------------------------

def _trace(expr: ast.expr, site: _Site, line: int, frames: Frames, depth: int) -> _Made | None:
    """The statement that made `expr`'s value, following names, parameters and carried results."""
    while True:
        if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
            expr = expr.value  # hidden[0]: the tuple it comes from
        elif (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)
              and expr.func.attr in _WRAPPERS):
            expr = expr.func.value  # h.detach(), h.to(device)
        else:
            break
    if isinstance(expr, ast.Attribute) and _is_self(expr.value):
        return _field(expr.attr, site)
    if isinstance(expr, (ast.Call, ast.Tuple)):  # made right in the call: lstm(x, self.init_hidden())
        stmt = _stmt_at(site.scope, line)
        return _Made(site, stmt, expr) if stmt is not None else None
    if not isinstance(expr, ast.Name):
        return None
    reaching = _reaching(site.scope, expr.id, line)
    if reaching is None:
        return _from_caller(expr.id, site, frames, depth) if depth else None
    stmt, value, carried = reaching
    if not carried and _passes_through(value, expr.id):
        earlier = _reaching(site.scope, expr.id, stmt.lineno)
        if earlier is None:
            return None
        stmt, value, carried = earlier
    element = _element(stmt, expr.id)
    return _Made(site, stmt, value, carried, element)


def _stmt_at(scope: Scope, line: int) -> ast.stmt | None:
    """The innermost statement that holds `line`."""
    found = [n for n in _own_nodes(scope) if isinstance(n, ast.stmt)
             and n.lineno <= line <= (n.end_lineno or n.lineno)]
    return max(found, key=lambda n: n.lineno) if found else None


def _is_self(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Name) and expr.id == "self"


@functools.lru_cache(maxsize=1024)
def _assignments(scope: Scope, name: str) -> list[tuple[ast.stmt, ast.expr]]:
    found: list[tuple[ast.stmt, ast.expr]] = []
    for node in _own_nodes(scope):
        if isinstance(node, ast.Assign) and any(_binds(t, name) for t in node.targets):
            found.append((node, node.value))
        elif isinstance(node, ast.AnnAssign) and node.value is not None and _binds(node.target, name):
            found.append((node, node.value))
    return sorted(found, key=lambda p: p[0].lineno)


def _binds(target: ast.expr, name: str) -> bool:
    if isinstance(target, ast.Name):
        return target.id == name
    if isinstance(target, (ast.Tuple, ast.List)):
        return any(_binds(t, name) for t in target.elts)
    return False


def _reaching(scope: Scope, name: str, line: int) -> tuple[ast.stmt, ast.expr, bool] | None:
    """The assignment of `name` that the value at `line` comes from, and whether it is carried.

    In a loop, a value assigned before the loop and again at or after `line`
    inside it (`out, h = rnn(x, h)`) is carried from the previous iteration:
    the assignment before the loop made it first.
    """
    assigns = _assignments(scope, name)
    before = [a for a in assigns if a[0].lineno < line]
    loop = _loop_at(scope, line)
    if loop is not None:
        inside = [a for a in before if _within(a[0], loop)]
        if inside:
            return (*inside[-1], False)
        later = [a for a in assigns if _within(a[0], loop) and a[0].lineno >= line]
        if later and before:
            return (*before[-1], True)
    return (*before[-1], False) if before else None


def _loop_at(scope: Scope, line: int) -> ast.For | ast.While | None:
    loops = [n for n in _own_nodes(scope) if isinstance(n, (ast.For, ast.While))
             and n.lineno <= line <= (n.end_lineno or n.lineno)]
    return max(loops, key=lambda n: n.lineno) if loops else None


def _within(node: ast.AST, outer: ast.AST) -> bool:
    start, end = getattr(outer, "lineno", 0), getattr(outer, "end_lineno", 0) or 0
    return start <= getattr(node, "lineno", -1) <= end


def _passes_through(value: ast.expr, name: str) -> bool:
    """`h = tuple(e.data for e in h)`, `h = h.detach()`: the value is `name`'s, passed on."""
    return _maker_call(value) is None and any(
        isinstance(n, ast.Name) and n.id == name for n in ast.walk(value))


def _element(stmt: ast.stmt, name: str) -> int | None:
    """`h_0`'s position when the statement unpacks a pair: `h, c = ...` gives 0 for `h`."""
    return None if not isinstance(stmt, ast.Assign) else next(
        (i for t in stmt.targets if isinstance(t, ast.Tuple)
         for i, e in enumerate(t.elts) if isinstance(e, ast.Name) and e.id == name), None)


def _from_caller(name: str, site: _Site, frames: Frames, depth: int) -> _Made | None:
    """A parameter: the argument the caller passed for it, followed in the caller's frame."""
    scope = site.scope
    if site.frame is None or not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    params = [a.arg for a in (*scope.args.posonlyargs, *scope.args.args)]
    if name not in params:
        return None
    index = [f for f, _ in frames].index(site.frame) if site.frame in [f for f, _ in frames] else -1
    callers = [(f, line) for f, line in frames[:index] if f is not site.frame]
    if not callers:
        return None
    frame, line = callers[-1]
    caller = _site(frame, line, site.show)
    call = _call_to(caller, line, site.frame.f_locals.get("self")) if caller is not None else None
    if caller is None or call is None:
        return None
    offset = 1 if params and params[0] == "self" else 0
    position = params.index(name) - offset
    argument = (call.args[position] if 0 <= position < len(call.args) else
                next((k.value for k in call.keywords if k.arg == name), None))
    return _trace(argument, caller, line, frames[:index], depth - 1) if argument is not None else None


def _field(attr: str, site: _Site) -> _Made | None:
    """`self.<attr>`: its last assignment in the class that holds `site`'s function."""
    tree = _tree(site.filename)
    if tree is None:
        return None
    owner = next((c for c in ast.walk(tree) if isinstance(c, ast.ClassDef)
                  and any(f is site.scope for f in c.body)), None)
    if owner is None:
        return None
    for method in owner.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in _own_nodes(method):
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Attribute) and _is_self(node.targets[0].value)
                    and node.targets[0].attr == attr):
                return _Made(_Site(site.filename, site.display, method, site.frame, site.show),
                             node, node.value)
    return None


# ---- what the maker shows ------------------------------------------------------------------

def _maker_call(value: ast.expr) -> ast.Call | None:
    """`torch.zeros(...)` inside wrappers (`Variable(...)`, `.to(device)`), or None."""
    while isinstance(value, ast.Call):
        name = _func_name(value.func)
        if name in _MAKERS:
            return value
        if name in _WRAPPERS:
            if isinstance(value.func, ast.Attribute) and name != "Variable":
                value = value.func.value
            elif value.args:
                value = value.args[0]
            else:
                return None
        else:
            return None
    return None


def _func_name(func: ast.expr) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _size_args(call: ast.Call) -> list[ast.expr]:
    if len(call.args) == 1 and isinstance(call.args[0], (ast.Tuple, ast.List)):
        return list(call.args[0].elts)
    return list(call.args)


def _state_origin(name: str, made: _Made, element: int | None, finding: Finding, data: str | None,
                  input_batch: int | None, batch_axis: int, frames: Frames) -> Origin:
    value = made.value
    together = value.elts if isinstance(value, ast.Tuple) else []  # (h_0, c_0) on one line
    if element is not None and isinstance(value, ast.Tuple) and element < len(value.elts):
        value = value.elts[element]
        if isinstance(value, ast.Name):  # return (h, c): where `h` was made
            inner = _trace(value, made.site, made.stmt.lineno, (), 0)
            if inner is not None:
                return _state_origin(name, inner, inner.element, finding, data, input_batch,
                                     batch_axis, frames)
    site, stmt = made.site, made.stmt
    kind: Kind = "carried" if made.carried else "built"
    maker = _maker_call(value)
    if maker is None and isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
        return _method_origin(name, made, value, element, finding, data, input_batch, frames, kind)
    text = _line(site, stmt)
    if maker is None:
        edit, title = _suffix_edit(stmt, name, finding)
        return Origin(name, site.at(stmt.lineno), text, kind, edit=edit, edit_title=title)
    sizes = _size_args(maker)
    changes: dict[ast.expr, str | None] = {}
    reads = None
    for index, symbol, expected, rank in _wrong_axes(finding, name, len(sizes), input_batch):
        if len(sizes) != rank:
            continue
        arg = sizes[index]
        reads = ast.unparse(arg)
        new = f"{data}.size({batch_axis})" if symbol == "N" and data else str(expected)
        changes[arg] = new
        for other in (_maker_call(e) for e in together if symbol in ("N", "D*num_layers")):
            other_sizes = _size_args(other) if other is not None else []
            if len(other_sizes) == rank and ast.unparse(other_sizes[index]) == reads:
                changes[other_sizes[index]] = new
    edit = _rewritten(site, stmt, changes)
    batch = any(symbol == "N" for _, symbol, _, _ in _wrong_axes(finding, name, len(sizes), input_batch))
    title = None if edit is None else (
        f"size the states from the batch of `{data}` where they are built" if batch and data
        else "build the states with the sizes this layer needs, where they are built")
    if edit is not None and made.carried:
        edit += "  # inside the loop, for each batch"
        title = f"build the states for each batch from the size of `{data}`" if data else title
    if edit is None:
        edit, title = _suffix_edit(stmt, name, finding)
    binding = _binding(reads, made, frames) if reads else None
    return Origin(name, site.at(stmt.lineno), text, kind, reads, binding, edit, title)


def _wrong_axes(finding: Finding, name: str, made_rank: int,
                input_batch: int | None) -> list[tuple[int, str, int, int]]:
    """(axis, symbol, expected size, rank) for each wrong axis of state `name`.

    A batch mismatch that ranks the input first shows no table for the
    states; their batch axis is then the one second from the end.
    """
    rank = sum(d.tensor == name for d in finding.dims)
    axes = [(d.index, d.symbol, d.expected, rank) for d in finding.dims
            if d.tensor == name and d.wrong and d.expected is not None]
    if not rank and finding.code == "RNN204" and input_batch is not None and made_rank in (2, 3):
        axes = [(made_rank - 2, "N", input_batch, made_rank)]
    return axes


def _method_origin(name: str, made: _Made, value: ast.Call, element: int | None, finding: Finding,
                   data: str | None, input_batch: int | None, frames: Frames, kind: Kind) -> Origin:
    """`net.init_hidden(batch_size)`: the batch passed in, or, with none, the method's own line."""
    site, stmt = made.site, made.stmt
    text = _line(site, stmt)
    batch_wrong = any(d.tensor == name and d.wrong and d.symbol == "N" for d in finding.dims)
    argument = value.args[0] if len(value.args) == 1 else None
    if argument is not None and batch_wrong:
        source = _data_in(site, frames, input_batch) or data
        replacement = f"{source[0]}.size({source[1]})" if isinstance(source, tuple) else None
        edit = _rewritten(site, stmt, {argument: replacement}) if replacement else None
        if edit is not None and kind == "carried":
            edit += "  # inside the loop, for each batch"
        title = (f"build the states for each batch from the size of `{source[0]}`"
                 if isinstance(source, tuple) else None)
        reads = ast.unparse(argument)
        return Origin(name, site.at(stmt.lineno), text, kind, reads, _binding(reads, made, frames),
                      edit, title)
    inner = _method_return(value, site) if not (argument is not None and batch_wrong) else None
    if inner is not None:
        return _state_origin(name, inner, element, finding, None, input_batch, 0, frames)
    return Origin(name, site.at(stmt.lineno), text, kind)


def _method_return(value: ast.Call, site: _Site) -> _Made | None:
    """`self.init_hidden()`: the statement in the method that made what it returns."""
    assert isinstance(value.func, ast.Attribute)
    owner = _resolve(value.func.value, site.frame) if site.frame is not None else None
    method = getattr(type(owner), value.func.attr, None) if owner is not None else None
    code = getattr(method, "__code__", None)
    tree = _tree(code.co_filename) if code is not None else None
    if code is None or tree is None:
        return None
    scope = _scope_at(tree, code.co_firstlineno + 1, code.co_name)
    if scope is tree:
        return None
    inner = _Site(code.co_filename, site.show(code.co_filename) if site.show else code.co_filename,
                  scope, None, site.show)
    returned = [n for n in _own_nodes(scope) if isinstance(n, ast.Return) and n.value is not None]
    if len(returned) != 1:
        return None
    ret = returned[0]
    assert ret.value is not None
    if isinstance(ret.value, ast.Name):
        return _trace(ret.value, inner, ret.lineno, (), 0)
    return _Made(inner, ret, ret.value)


def _data_in(site: _Site, frames: Frames, batch: int | None) -> tuple[str, int] | None:
    """The data in `site`'s frame that has this batch: its name and axis (0 preferred)."""
    if site.frame is None or batch is None:
        return None
    found = []
    for key, value in site.frame.f_locals.items():
        shape = getattr(value, "shape", None)
        if key.startswith("_") or not isinstance(shape, tuple) or len(shape) < 2:
            continue
        axes = [i for i in (0, 1) if int(shape[i]) == batch]
        if axes:
            found.append((key, axes[0]))
    return min(found, key=lambda f: f[1]) if found else None


def _rewritten(site: _Site, stmt: ast.stmt, changes: dict[ast.expr, str | None]) -> str | None:
    """The statement's line with each expression replaced; None for a statement over several lines."""
    if not changes or any(v is None for v in changes.values()) or stmt.end_lineno != stmt.lineno:
        return None
    if stmt.end_col_offset is None:
        return None
    line = linecache.getline(site.filename, stmt.lineno)[:stmt.end_col_offset]
    for node in sorted(changes, key=lambda n: n.col_offset, reverse=True):
        if node.lineno != stmt.lineno or node.end_col_offset is None:
            return None
        line = line[:node.col_offset] + str(changes[node]) + line[node.end_col_offset:]
    return line.strip()


def _line(site: _Site, stmt: ast.stmt) -> str:
    return linecache.getline(site.filename, stmt.lineno).strip()


def _binding(reads: str, made: _Made, frames: Frames) -> str | None:
    """`self.batch_size` is 32, set at model.py:9: the value read, from the running frame."""
    try:
        expr = ast.parse(reads, mode="eval").body
    except SyntaxError:
        return None
    frame = made.site.frame
    if isinstance(expr, ast.Attribute) and _is_self(expr.value):
        assigned = _field(expr.attr, made.site)
        owner = frame.f_locals.get("self") if frame is not None else None
        value = getattr(owner, expr.attr, None) if owner is not None else None
        shown = f" is {value}" if isinstance(value, int) else ""
        where = (f"{',' if shown else ' is'} set at {assigned.site.at(assigned.stmt.lineno)}"
                 if assigned else "")
        return f"`{reads}`{shown}{where}" if shown or where else None
    if isinstance(expr, ast.Name) and frame is not None:
        value = frame.f_locals.get(expr.id, frame.f_globals.get(expr.id))
        return f"`{reads}` is {value}" if isinstance(value, int) and not isinstance(value, bool) else None
    return None


def _constructed(func: ast.expr, site: _Site, line: int) -> Origin | None:
    """Where the layer called was built: `self.rnn = nn.LSTM(...)` in `__init__`, or a plain name."""
    made = _trace(func, site, line, (), 0)
    if made is None or not isinstance(made.value, ast.Call):
        return None
    return Origin("layer", made.site.at(made.stmt.lineno), _line(made.site, made.stmt), "constructed")


def _input_origin(made: _Made, finding: Finding) -> Origin:
    """The line that made `input`; a fix at the call of the form `input = input.f(...)` moves there."""
    site, stmt = made.site, made.stmt
    edit, title = _suffix_edit(stmt, "input", finding)
    return Origin("input", site.at(stmt.lineno), _line(site, stmt), "built", edit=edit, edit_title=title)


def _pack_lengths(made: _Made) -> Origin | None:
    """`pack_padded_sequence(x, lengths, ...)` made the input: where `lengths` was made, clamped to T.

    torch 2.13 packs lengths longer than the padded sequence without an error;
    the layer then fails (or runs on) with batch sizes that do not match its data.
    """
    value, frame = made.value, made.site.frame
    if not (isinstance(value, ast.Call) and _func_name(value.func) == "pack_padded_sequence"
            and len(value.args) >= 2 and frame is not None):
        return None
    padded = _resolve(value.args[0], frame)
    shape = getattr(padded, "shape", None)
    first = next((k.value for k in value.keywords if k.arg == "batch_first"), None)
    batch_first = isinstance(first, ast.Constant) and first.value is True
    if not isinstance(shape, tuple) or len(shape) < 2:
        return None
    return _lengths_origin(value, made, int(shape[1] if batch_first else shape[0]))


def pack_call(frames: Frames, finding: Finding, steps: int | None, display: Any = None) -> tuple[Origin, ...]:
    """At a failed `pack_padded_sequence(input, lengths, ...)` call: the line that made `lengths`.

    With RNN406 (lengths beyond the `steps` of the padded input), that line
    clamped is the edit. Only the source is read, never a frame's locals: the
    guard calls this while the program runs. Never raises.
    """
    try:
        frame, line = frames[-1]
        site = _site(frame, line, display or (lambda name: name))
        stmt = _stmt_at(site.scope, line) if site is not None else None
        if site is None or stmt is None:
            return ()
        calls = [n for n in _own_nodes(site.scope) if isinstance(n, ast.Call) and len(n.args) >= 2
                 and _func_name(n.func) == "pack_padded_sequence" and n.lineno <= line <= (n.end_lineno or n.lineno)]
        if len(calls) != 1:
            return ()
        origin = _lengths_origin(calls[0], _Made(site, stmt, calls[0]),
                                 steps if finding.code == "RNN406" else None)
    except Exception:  # an odd construct: fewer facts
        return ()
    return () if origin is None else (origin,)


def _lengths_origin(value: ast.Call, made: _Made, steps: int | None) -> Origin | None:
    """Where the `lengths` given to `pack_padded_sequence` at `made` were made; with `steps`,
    that line clamped to them."""
    lengths = _trace(value.args[1], made.site, made.stmt.lineno, (), 0)
    if lengths is None:
        return None
    stmt, site = lengths.stmt, lengths.site
    if steps is None:
        return Origin("lengths", site.at(stmt.lineno), _line(site, stmt), "built")
    edit = None
    if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            and stmt.end_lineno == stmt.lineno):
        edit = f"{stmt.targets[0].id} = {ast.unparse(stmt.value)}.clamp(max={steps})"
    return Origin("lengths", site.at(stmt.lineno), _line(site, stmt), "built",
                  None, f"the padded input has {steps} steps ({ast.unparse(value.args[0])}, "
                  f"packed at {made.site.at(made.stmt.lineno)})", edit,
                  f"clamp `lengths` to the {steps} steps of the padded input, or compute them after it is cut")


def _suffix_edit(stmt: ast.stmt, name: str, finding: Finding) -> tuple[str | None, str | None]:
    """A fix at the call of the form `input = input.unsqueeze(-1)`, moved to the line that made it."""
    lead = f"{name} = {name}."
    suffix = next((line[len(lead) - 1:].split("  #")[0] for f in finding.fixes if f.snippet
                   for line in f.snippet.splitlines() if line.startswith(lead)), None)
    if (suffix is None or not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1
            or stmt.end_lineno != stmt.lineno or not isinstance(stmt.targets[0], ast.Name)):
        return None, None
    target = stmt.targets[0].id
    return (f"{target} = {ast.unparse(stmt.value)}{suffix}",
            f"make `{target}` with `{suffix}` where it is built")
