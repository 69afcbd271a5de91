"""What a rule is, what it yields, and the facts every forward rule shares."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, Generic, Literal, TypeVar, overload

from .._record import record
from ..findings import Dim, Finding, Fix, Location, Severity
from ..shapes import expected_dims
from ..specs import Call, Lengths, Other, Packed, RnnSpec, Seq, TensorInfo

__all__ = ["Bound", "Candidate", "Order", "ProposedFix", "Rule"]

Stage = Literal["construct", "forward", "use", "program"]
Transform = Callable[[RnnSpec, Call], tuple[RnnSpec, Call]]
T = TypeVar("T")


class cached_property(Generic[T]):  # noqa: N801 - named as functools' is
    """`functools.cached_property` without its lock (Python 3.11 takes an RLock on each first read).

    A `Bound` lives within one diagnosis in one thread; the value is stored in
    the instance's `__dict__`, which then shadows this descriptor.
    """

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached_property[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object, owner: type | None = None) -> T | cached_property[T]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


class Order:
    """Where each check sits in torch 2.13's sequence; the lowest failing one is what torch raises.

    The constructor runs `RNN.__init__`, then `RNNBase.__init__`; forward runs
    the Python checks of `RNNBase.forward` / `LSTM.forward`, then ATen's.
    """

    PROJ_KWARG = 10
    NONLINEARITY = 11
    DROPOUT = 13
    DROPOUT_WARNING = 14
    BIAS_TYPE = 15
    BATCH_FIRST_TYPE = 16
    INPUT_SIZE = 17
    HIDDEN_SIZE = 19
    NUM_LAYERS = 21
    PROJ_SIZE = 22
    LAYER_LOOP = 23  # range(num_layers)
    ALLOCATION = 24  # the first weight's dimensions are parsed
    NEGATIVE_DIM = 25  # torch.empty rejects a negative dimension
    WEIGHT_DTYPE = 26  # the first weight becomes a Parameter
    LATER_WEIGHTS = 27  # weight_hh and weight_hr dimensions
    WEIGHT_INIT = 28  # reset_parameters
    CONSTRUCT_WARNING = 30
    # forward
    # pad_sequence, before the layer: its argument parser, its checks, then its copies
    PAD_ITERABLE = 94  # `sequences` is iterated, in Python
    PAD_ELEMENTS = 95  # every sequence is a tensor (pack_sequence reads each one's length first)
    PAD_ARGUMENTS = 96  # `padding_side` is a str
    PAD_EMPTY = 97  # at least one sequence
    PAD_SIDE = 98  # `padding_side` is 'left' or 'right'
    # pad_packed_sequence, before the layer: `sequence.batch_sizes`, `total_length`, then the data
    UNPAD_SIZES = 96
    UNPAD_LENGTH = 97
    UNPAD_DATA = 98
    PACK_LENGTHS_TYPE = 99  # pack_padded_sequence makes `lengths` a tensor first of all
    INPUT_TYPE = 100
    PAD = INPUT_TYPE  # pad_sequence copies each sequence into the padded input: before packing
    PACK = 101  # pack_padded_sequence runs before the layer; its steps, in torch's order:
    PACK_SORT = PACK  # enforce_sorted=False: lengths.sort(), its order moved to input's device
    PACK_REORDER = PACK + 1  # ... then input.index_select(batch_dim, order)
    PACK_EMPTY = PACK + 2  # input.numel() > 0, then the transpose for batch_first
    PACK_LENGTHS = PACK + 3  # lengths 1-D and on the CPU
    PACK_BATCH = PACK + 4  # input.size(1): the padded input has a batch axis
    PACK_COUNT = PACK + 5  # len(lengths) == batch
    PACK_POSITIVE = PACK + 6  # the last length > 0
    PACK_SORTED = PACK + 7  # lengths in decreasing order
    BATCH_SIZES = PACK + 8  # packed input: batch_sizes[0] is read before anything else
    INPUT_RANK = 110
    HX_INDEX = 115  # packed with sorted_indices: hx.index_select(1, ...)
    HX_STRUCTURE = 120
    HX_RANK = 130
    CELL_NONLINEARITY = 135
    CELL_TWO_STATES = 136  # LSTMCell: len(hx) == 2, before ATen's input size check
    INPUT_DTYPE = 140
    PACKED_RANK = 145
    INPUT_SIZE_FWD = 150
    HIDDEN = 160  # + 0 for h_0 / hx, + 1 for c_0
    TWO_STATES = 170
    KERNEL_ARGS = 175  # _VF.rnn_tanh/lstm/gru parse their arguments: bools and ints exactly
    DEVICE = 180
    SEQ_LEN = 190
    CELL_DTYPE = 195  # cells compare no dtypes: their first matrix product rejects `input`
    HX_DTYPE = 200
    PACKED_LATE = 210  # errors that only the kernels or later calls reveal
    ONEDNN_STATES = 215  # oneDNN selects each layer's state after viewing packed data as dense
    SILENT = 220  # errors torch 2.13 lets through: any error it does raise comes first
    WARNING = 300


@record
class ProposedFix:
    """A fix and the change it makes; shown only if the change clears the finding."""

    fix: Fix
    apply: Transform


@record
class Candidate:
    """A finding before its fixes are checked."""

    finding: Finding
    order: int
    fixes: tuple[ProposedFix, ...] = ()


@record
class Rule:
    """One rule: its code, its name, its doc and its check.

    Construct and forward rules check a `Bound` and yield `Candidate`s; use
    rules (RNN5xx) check a `uses.UseBound`, and program rules a
    `uses.Reordering`, and both yield `uses.UseCandidate`s.
    """

    code: str
    name: str
    severity: Severity
    summary: str
    stage: Stage
    check: Callable[[Any], Iterator[Any]]
    doc: str = ""

    def finding(
        self,
        title: str,
        arguments: tuple[str, ...],
        *,
        dims: tuple[Dim, ...] = (),
        notes: tuple[str, ...] = (),
        raises: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            code=self.code,
            rule=self.name,
            severity=severity or self.severity,
            title=title,
            arguments=arguments,
            location=Location(),
            dims=dims,
            notes=notes,
            raises=raises,
        )

    def __post_init__(self) -> None:
        if not re.fullmatch(r"RNN[1-5]\d\d", self.code):
            raise ValueError(f"bad rule code {self.code!r}")


class Bound:
    """A layer and a call, with the facts the forward rules share, computed once."""

    def __init__(self, spec: RnnSpec, call: Call | None) -> None:
        self.spec = spec
        self.has_call = call is not None  # False: only the constructor is being checked
        self.call = call or Call(input=Other("no call"))

    @property
    def layer(self) -> str:
        """The class name as the user wrote it: LSTM, GRUCell, ..."""
        return self.spec.kind

    @cached_property
    def packed(self) -> Packed | None:
        """The packed input, given directly or made from `input` and `lengths`."""
        if isinstance(self.call.input, Packed):
            return self.call.input
        if self.call.lengths is not None and isinstance(self.call.input, TensorInfo):
            return pack(self.call.input, self.call.lengths, self.spec.is_batch_first)
        return None

    @cached_property
    def x(self) -> TensorInfo | None:
        """The tensor the layer reads: the dense input, or the packed data."""
        if self.packed is not None:
            return self.packed.data
        return self.call.input if isinstance(self.call.input, TensorInfo) else None

    @cached_property
    def input_ok_rank(self) -> bool:
        """The input is a tensor whose rank this layer accepts, and not token ids (RNN104)."""
        return self.x is not None and not self.token_ids and self._accepts_rank(self.x.ndim)

    @cached_property
    def token_ids(self) -> bool:
        """The input holds integer ids with no feature axis: what `nn.Embedding` takes.

        An integer tensor whose last dim is already `input_size`, at a rank the
        layer accepts, counts as integer features instead.
        """
        x = self.x
        if x is None or not x.dtype.startswith(("int", "uint")):
            return False
        if self._accepts_rank(x.ndim) and x.ndim > 0 and x.shape[-1] == self.spec.I:
            return False
        return self._accepts_rank(x.ndim + 1)

    def _accepts_rank(self, ndim: int) -> bool:
        if self.packed is not None:
            # a packed nn.LSTM's kernels also take a single 1-D value when input_size is 1
            single = self.packed.data.shape == (1,) and self.spec.base == "LSTM"
            return ndim == 2 or (single and self.spec.I == 1 and not self.spec.is_cell)
        return ndim in ((1, 2) if self.spec.is_cell else (2, 3))

    @cached_property
    def via_onednn(self) -> bool | None:
        """torch 2.13 runs this nn.LSTM call through oneDNN (ATen's `use_mkldnn`); None: unknown.

        A CPU call without projections, with oneDNN enabled, of a float32
        `input`, a bfloat16 one where the CPU's oneDNN supports bfloat16, or a
        float16 one where it supports float16 and grad mode is off. The CPU's
        support is None (unknown) where no live call tells it.
        """
        x, s, be = self.x, self.spec, self.call.backend
        if x is None or s.kind != "LSTM" or s.P > 0 or not be.onednn or 0 in x.shape:
            return False
        if s.device != "cpu" or x.device != "cpu":
            return False
        if x.dtype == "float32":
            return True
        if x.dtype == "bfloat16":
            return be.bf16
        if x.dtype == "float16":
            return False if be.grad else be.fp16
        return False

    @cached_property
    def packed_lstm_via_onednn(self) -> bool:
        """A packed nn.LSTM call that torch 2.13 hands to oneDNN (x86 CPU builds) unchecked.

        When every sequence has the full length (all `batch_sizes` equal), with
        data and weights of one dtype that oneDNN takes (`via_onednn`), torch
        views the packed data as a dense (L, N, data.size(-1)) batch and oneDNN
        checks no sizes: a wrong `input_size`, or states of the wrong size, run
        silently.
        """
        p, s = self.packed, self.spec
        if p is None or s.base != "LSTM" or s.is_cell or len(set(p.batch_sizes)) != 1:
            return False
        return s.dtype == p.data.dtype and self.via_onednn is True

    @cached_property
    def packed_lstm_gates_as_rows(self) -> bool:
        """A packed nn.LSTM on ATen's native path whose data is one 1-D value (`input_size=1`).

        The first layer's input product is then a 1-D (4H,) tensor, and the
        packed loop takes each step's `batch_sizes[t]` rows from it: with every
        batch size 1 and no more than 4H steps the slices fit and broadcast
        with the gates, and torch 2.13 runs on silently, whatever `batch_sizes`
        claim about the data.
        """
        p, s = self.packed, self.spec
        if p is None or s.base != "LSTM" or s.is_cell or self.packed_lstm_via_onednn:
            return False
        if p.data.shape != (1,) or s.I != 1:
            return False
        return bool(p.batch_sizes) and set(p.batch_sizes) == {1} and len(p.batch_sizes) <= 4 * s.H

    @cached_property
    def unbatched(self) -> bool:
        if self.x is None or self.packed is not None:
            return False
        return self.x.ndim == (1 if self.spec.is_cell else 2)

    @cached_property
    def batch(self) -> int | None:
        """N as torch computes it, or None when the input does not tell."""
        if self.packed is not None:
            return self.packed.batch
        if not self.input_ok_rank or self.x is None:
            return None
        if self.unbatched:
            return 1
        return self.x.shape[self.batch_axis]

    @property
    def batch_axis(self) -> int:
        return 0 if (self.spec.is_cell or self.spec.is_batch_first) else 1

    @property
    def state_names(self) -> tuple[str, ...]:
        return ("h_0", "c_0") if self.spec.base == "LSTM" else ("h_0",)

    @cached_property
    def states(self) -> dict[str, TensorInfo]:
        """The initial states by name, when `hx` holds them as tensors; else empty.

        For an LSTM these are `hx[0]` and `hx[1]`, the items torch reads; extra
        items (RNN201) do not hide them.
        """
        hx = self.call.hx
        if self.spec.base == "LSTM":
            if isinstance(hx, Seq) and len(hx.items) >= 2:
                h, c = hx.items[:2]
                if isinstance(h, TensorInfo) and isinstance(c, TensorInfo):
                    return {"h_0": h, "c_0": c}
            return {}
        return {"h_0": hx} if isinstance(hx, TensorInfo) else {}

    @cached_property
    def states_ok_rank(self) -> bool:
        """Every state has the rank torch wants for this input (it is then reshaped alike)."""
        if not self.states or not self.input_ok_rank:
            return False
        return all(t.ndim == self.state_rank for t in self.states.values())

    @property
    def state_rank(self) -> int:
        """The rank torch wants of each state: 3 (2 unbatched) for modules, 2 (1) for cells."""
        if self.spec.is_cell:
            return 1 if self.unbatched else 2
        return 2 if self.unbatched else 3

    def state_dims(self, name: str) -> tuple[Dim, ...]:
        """The axes torch wants of state `name` ("h_0" or "c_0") in this call."""
        return expected_dims(self.spec, name, batch=self.batch, unbatched=self.unbatched,
                             packed=self.packed is not None)


def pack(padded: TensorInfo, lengths: Lengths, batch_first: bool) -> Packed:
    """What `pack_padded_sequence` returns for these shapes, including its silent cases.

    Lengths are truncated to integers, as torch does; a length beyond the
    padded sequence still counts in `batch_sizes`, as it does in torch 2.13.
    """
    ints = lengths.ints
    if padded.ndim < 2:
        return Packed(padded, (), not lengths.enforce_sorted)
    time_axis, batch_axis = padded_axes(batch_first)
    T, batch = padded.shape[time_axis], padded.shape[batch_axis]
    kept = sorted(ints, reverse=True)[:batch]
    rows = sum(min(max(n, 0), T) for n in kept)
    longest = max(kept) if kept else 0
    batch_sizes = tuple(sum(1 for n in kept if n > t) for t in range(max(longest, 0)))
    data = TensorInfo((rows, *padded.shape[2:]), padded.dtype, padded.device)
    return Packed(data, batch_sizes, not lengths.enforce_sorted)


def padded_axes(batch_first: bool) -> tuple[int, int]:
    """The time and batch axes of a padded input to `pack_padded_sequence`."""
    return (1, 0) if batch_first else (0, 1)


def index_select_error(shape: tuple[int, ...], axis: int) -> str:
    """The exception torch 2.13's CPU `index_select` raises for an index past `shape[axis]`."""
    if axis == 0 and len(shape) > 1 and 0 not in shape:
        return "IndexError"  # "index out of range in self"
    if axis == 0 and len(shape) == 1:
        return "IndexError"
    return "RuntimeError"  # "INDICES element is out of DATA bounds", or a 0-size axis
