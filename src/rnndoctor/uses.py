"""What a recurrent layer returned, and what the program then did with it.

The semantic rules (RNN5xx) judge one `Use` of one `Produced` tensor: a
subscript such as `output[:, -1]`, or a `view`/`reshape`. Both are plain
data. The guard's semantic mode builds them from real tensors as the program
runs; anything else that knows a layer's configuration and a subscript (a
static lint of source code) can build them too.

>>> out = Produced("output", (32, 10, 40), batch_first=True, directions=2, layers=1, hidden=20)
>>> judge(out, Use.index(slice(None), -1))      # out[:, -1] of a bidirectional layer
(Finding(code='RNN502', ...),)
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from types import EllipsisType
from typing import Literal

from ._record import field, record, replace
from .findings import Finding, Fix

__all__ = ["All", "Indices", "Judged", "Produced", "Reordering", "Slice", "Unpadding", "Use",
           "UseBound", "UseCandidate", "UseFix", "judge", "judge_all", "judge_reordering", "selection"]

Result = Literal["output", "h_n", "c_n"]


@record
class Produced:
    """A tensor returned by nn.RNN, nn.LSTM or nn.GRU, or by `pad_packed_sequence` on its output.

    `hidden` is the features per direction: H_out for `output` and `h_n`,
    H_cell for `c_n`. `lengths` are the true lengths of a padded output, as
    `pad_packed_sequence` returned them. `through` names a per-position layer
    (a Linear, an activation, a norm over the last axis) the output went
    through: every axis but the last is the output's, the last is F.
    """

    name: Result
    shape: tuple[int, ...]
    batch_first: bool
    directions: int
    layers: int
    hidden: int
    lengths: tuple[int, ...] | None = None
    layer: str | None = None  # "LSTM(10, 20, bidirectional=True)"
    module_path: str | None = None  # "encoder.rnn"
    through: str | None = None  # the output after a per-position layer ("Linear"): its last axis is F

    @property
    def is_output(self) -> bool:
        return self.name == "output"

    @property
    def unbatched(self) -> bool:
        return len(self.shape) == 2

    @property
    def batch_axis(self) -> int | None:
        if self.unbatched:
            return None
        return (0 if self.batch_first else 1) if self.is_output else 1

    @property
    def time_axis(self) -> int | None:
        if not self.is_output:
            return None
        return 0 if self.unbatched or not self.batch_first else 1

    @property
    def batch(self) -> int:
        axis = self.batch_axis
        return 1 if axis is None else self.shape[axis]

    @property
    def steps(self) -> int:
        axis = self.time_axis
        return 0 if axis is None else self.shape[axis]

    @property
    def padded(self) -> bool:
        """Some sequence is shorter than the padded length: its last steps are padding."""
        return self.lengths is not None and min(self.lengths, default=self.steps) < self.steps

    def state(self, name: Literal["h_n", "c_n"] = "h_n") -> Produced:
        """The final states returned by the same call as this output."""
        shape = (self.directions * self.layers, *((self.batch,) if not self.unbatched else ()),
                 self.hidden)
        return replace(self, name=name, shape=shape, lengths=None)

    def symbols(self) -> tuple[str, ...]:
        """PyTorch's doc symbol for each axis: ("N", "L", "D*H_out")."""
        last = "D*H_out" if self.is_output else ("H_cell" if self.name == "c_n" else "H_out")
        if self.through is not None:
            last = "F"
        lead: tuple[str, ...]
        if self.is_output:
            lead = ("L",) if self.unbatched else (("N", "L") if self.batch_first else ("L", "N"))
        else:
            lead = ("D*num_layers",) + (() if self.unbatched else ("N",))
        return (*lead, last)

    def layout(self) -> str:
        """The tensor's axes with their sizes: `(N=32, L=10, D*H_out=2*20=40)`."""
        parts = []
        for symbol, size in zip(self.symbols(), self.shape):
            if symbol == "D*H_out":
                parts.append(f"D*H_out={self.directions}*{self.hidden}={size}")
            elif symbol == "D*num_layers":
                parts.append(f"D*num_layers={self.directions}*{self.layers}={size}")
            else:
                parts.append(f"{symbol}={size}")
        return "(" + ", ".join(parts) + ")"

    def describe(self) -> str:
        """One note: which tensor this is, and its layout."""
        who = f"`{self.name}`"
        if self.lengths is not None:
            who = "`output`, padded by `pad_packed_sequence`,"
        if self.through is not None:
            who = f"`output` after a {self.through} over its last axis"
        order = ""
        if self.is_output and not self.unbatched:
            order = ", batch-first" if self.batch_first else ", time-major"
        return f"{who} has the layout {self.layout()}{order}"


@record
class Slice:
    """`start:stop:step` in a subscript."""

    start: int | None = None
    stop: int | None = None
    step: int | None = None

    def range(self, size: int) -> range:
        return range(*slice(self.start, self.stop, self.step).indices(size))


@record
class Indices:
    """A tensor or list used as an index (advanced indexing); `ndim` axes of a bool mask."""

    ndim: int = 1
    bool: bool = False


@record
class All:
    """An axis a subscript leaves whole."""


Item = int | Slice | Indices | EllipsisType | None
Picked = int | Slice | Indices | All  # what a subscript does to one axis


@record
class Use:
    """One operation on a produced tensor: a subscript, a view/reshape to `shape`, or an
    unpacking into `shape[0]` names (`h, c = h_n`).

    `text` is how the operation reads in Python, without the tensor's name:
    `[:, -1]`, `.view(32, 10, -1)`, ` unpacked into 2 names`.
    """

    op: Literal["index", "view", "reshape", "unpack"]
    key: tuple[Item, ...] = ()
    shape: tuple[int, ...] = ()  # view / reshape: the result's shape
    text: str = ""

    @classmethod
    def index(cls, *key: object) -> Use:
        """`Use.index(slice(None), -1)` is `[:, -1]`; a tensor index is `Indices()`."""
        items = tuple(_item(k) for k in key)
        return cls("index", items, text="[" + ", ".join(map(_item_text, items)) + "]")

    @classmethod
    def view(cls, *shape: int, op: Literal["view", "reshape"] = "view",
             written: tuple[object, ...] | None = None) -> Use:
        """`.view(*shape)`; `written` is the arguments as given (with -1), for the text."""
        args = written if written is not None else shape
        return cls(op, shape=tuple(shape), text=f".{op}({', '.join(map(str, args))})")

    @classmethod
    def unpack(cls, names: int) -> Use:
        """`a, b = tensor`: Python iterates dim 0, one name per entry."""
        return cls("unpack", shape=(names,), text=f" unpacked into {names} names")


def _item(k: object) -> Item:
    if isinstance(k, bool):  # torch reads True and False as new axes, not as 1 and 0
        raise TypeError(f"not a subscript item this reads: {k!r}")
    if isinstance(k, slice):
        return Slice(k.start, k.stop, k.step)
    if k is None or k is Ellipsis or isinstance(k, (int, Slice, Indices)):
        return k
    raise TypeError(f"not a subscript item: {k!r}")


def _item_text(k: Item) -> str:
    if k is Ellipsis:
        return "..."
    if isinstance(k, Slice):
        parts = ["" if v is None else str(v) for v in (k.start, k.stop, k.step)]
        return ":".join(parts[:2] if k.step is None else parts)
    if isinstance(k, Indices):
        return "<mask>" if k.bool else "<indices>"
    return str(k)


@record
class UseFix:
    """A fix and the uses it makes in place of the flagged one; kept if they judge clean."""

    fix: Fix
    uses: tuple[tuple[Produced, Use], ...] = ()


@record
class UseCandidate:
    """A semantic finding before its fixes are checked.

    `partners` are selections that complete this one: concatenated with a
    use that picks one of them from the same tensor (`h_n[-2]` beside
    `h_n[-1]`), the flagged use is correct, and no finding stands. With
    `forward`, keeping only the first `forward` features of the result's last
    axis (`output[-1][:, :H]`, or a split into directions) also makes it
    correct. With `as_state`, the finding stands only once the result is
    given to a recurrent layer as its initial state (`h_n[:2]` starting a
    decoder); until then the use may be right (`h_n[-2:]` as features).
    """

    finding: Finding
    fixes: tuple[UseFix, ...] = ()
    partners: frozenset[tuple[Picked, ...]] = frozenset()
    forward: int | None = None
    as_state: bool = False


@record
class Judged:
    """A finding with its checked fixes, what would complete the use, and whether it stands only
    as a layer's initial state (see `UseCandidate`)."""

    finding: Finding
    partners: frozenset[tuple[Picked, ...]] = field(default_factory=frozenset)
    forward: int | None = None
    as_state: bool = False

    @property
    def waits(self) -> bool:
        """Whether a later operation may still make the use correct."""
        return bool(self.partners) or self.forward is not None


class UseBound:
    """A use of a produced tensor, with what the rules ask of it, computed once."""

    def __init__(self, produced: Produced, use: Use) -> None:
        self.produced = produced
        self.use = use

    @cached_property
    def picked(self) -> tuple[Picked, ...] | None:
        """What the subscript does to each axis of the tensor, or None when not a subscript."""
        if self.use.op != "index":
            return None
        return selection(self.use.key, self.produced.shape)

    def picks(self, axis: int | None) -> Picked | None:
        """What the subscript does to `axis` (an int is made non-negative), or None."""
        if axis is None or self.picked is None or axis >= len(self.picked):
            return None
        return self.picked[axis]

    def picks_last(self, axis: int | None) -> bool:
        """The subscript takes the last position of `axis` alone."""
        return axis is not None and self.picks(axis) == self.produced.shape[axis] - 1


def selection(key: tuple[Item, ...], shape: tuple[int, ...]) -> tuple[Picked, ...] | None:
    """What `key` does to each axis of a tensor of `shape`; None for a key that would fail.

    Ints become non-negative, slices become their `range` and axes left whole
    become `All()`; trailing whole axes are dropped, so `h_n[-1]` and
    `h_n[3, :, :]` of a (4, B, H) tensor give the same selection.
    """
    consumed = sum(k.ndim if isinstance(k, Indices) and k.bool else 1
                   for k in key if k is not None and k is not Ellipsis)
    if consumed > len(shape) or sum(k is Ellipsis for k in key) > 1:
        return None
    picked: list[Picked] = []
    for k in key:
        if k is None:
            continue
        if k is Ellipsis:
            picked += [All()] * (len(shape) - consumed)
        elif isinstance(k, int):
            size = shape[len(picked)]
            if not -size <= k < size:
                return None
            picked.append(k % size)
        elif isinstance(k, Indices):
            picked += [k] * (k.ndim if k.bool else 1)
        else:
            if k.step is not None and k.step <= 0:
                return None  # torch takes positive steps only; Python rejects a zero step
            span = k.range(shape[len(picked)])
            whole = span == range(shape[len(picked)])
            picked.append(All() if whole else Slice(span.start, span.stop, span.step))
    while picked and isinstance(picked[-1], All):
        picked.pop()
    return tuple(picked)


@record
class Reordering:
    """A batch sorted by length for packing, and what the program did with the sort order.

    `applied` counts the tensors the order was applied to (`x[order]`,
    `index_select`, or an assignment through it), not counting the lengths the
    sorted batch was then packed with (`lengths[order]`); `inverted` is whether its
    inverse was ever made (`order.argsort()`); `escaped` is whether it went
    anywhere else (`gather`, `.tolist()`, `.to(device)`), where what it did is
    not known.
    """

    size: int
    applied: int
    inverted: bool
    packed: bool
    escaped: bool = False


@record
class Unpadding:
    """`pad_packed_sequence` on a layer's packed output, with the layouts on either side.

    `packed_batch_first` is what `pack_padded_sequence` was given for the
    layer's input, `layer_batch_first` the layer's own flag, and
    `padded_batch_first` what `pad_packed_sequence` was given; `shape` is
    the padded output's.
    """

    layer: str
    packed_batch_first: bool
    layer_batch_first: bool
    padded_batch_first: bool
    shape: tuple[int, ...]


def judge_reordering(r: Reordering | Unpadding) -> tuple[Finding, ...]:
    """The findings for a program-wide fact: a sort order once it is gone (the program can no
    longer undo it), or an unpadding."""
    from .rules import of_stage

    return tuple(_checked(c) for rule in of_stage("program") for c in rule.check(r))


def judge(produced: Produced, use: Use) -> tuple[Finding, ...]:
    """The semantic findings for one use, each with its checked fixes."""
    return tuple(j.finding for j in judge_all(produced, use))


def judge_all(produced: Produced, use: Use) -> tuple[Judged, ...]:
    """`judge`, keeping for each finding the selections that would complete the use."""
    return tuple(Judged(_checked(c), c.partners, c.forward, c.as_state)
                 for c in _candidates(produced, use))


def _candidates(produced: Produced, use: Use) -> Iterator[UseCandidate]:
    from .rules import of_stage

    if produced.through is not None and use.op != "view" and use.op != "reshape":
        return  # after a per-position layer, only a view's reading of the memory is judged (RNN512)
    bound = UseBound(produced, use)
    for rule in of_stage("use"):
        yield from rule.check(bound)


MAX_FIXES = 3


def _checked(c: UseCandidate) -> Finding:
    """Keep the fixes whose own uses judge clean, taken together."""
    kept = [f.fix for f in c.fixes if _clean(f.uses)]
    return replace(c.finding, fixes=tuple(kept[:MAX_FIXES]))


def _clean(uses: tuple[tuple[Produced, Use], ...]) -> bool:
    """No use has a finding, except one that another use here completes (`h_n[-2]`, `h_n[-1]`)."""
    picked = {(p, UseBound(p, u).picked) for p, u in uses}
    for p, u in uses:
        for c in _candidates(p, u):
            if not any((p, partner) in picked for partner in c.partners):
                return False
    return True
