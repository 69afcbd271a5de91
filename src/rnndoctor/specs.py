"""Plain-data descriptions of a recurrent layer and of one call to it.

Nothing here imports torch. `rnndoctor._torch` builds these from real modules
and tensors; the CLI builds them from text; tests build them directly.
"""

from __future__ import annotations

import numbers
from typing import Literal

from ._record import field, fields, record, replace

__all__ = ["Backend", "BatchEvidence", "Call", "Given", "Lengths", "Other", "Packed", "RnnSpec", "Seq", "TensorInfo",
           "Unpad", "spec"]

Kind = Literal["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]
KINDS: tuple[Kind, ...] = ("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell")
FLOAT_DTYPES = frozenset({"float16", "bfloat16", "float32", "float64"})

# Positional parameters of each constructor in torch 2.13, after `self`.
# nn.RNN takes `nonlinearity` 4th (since torch 2.3); RNN and GRU still accept
# `proj_size` positionally, which their keyword check does not see.
_POSITIONAL: dict[Kind, tuple[str, ...]] = {
    "RNN": ("input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first",
            "dropout", "bidirectional", "proj_size", "device", "dtype"),
    "LSTM": ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
             "bidirectional", "proj_size", "device", "dtype"),
    "GRU": ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
            "bidirectional", "proj_size", "device", "dtype"),
    "RNNCell": ("input_size", "hidden_size", "bias", "nonlinearity", "device", "dtype"),
    "LSTMCell": ("input_size", "hidden_size", "bias", "device", "dtype"),
    "GRUCell": ("input_size", "hidden_size", "bias", "device", "dtype"),
}
_DEFAULTS: dict[str, object] = {
    "num_layers": 1, "nonlinearity": "tanh", "bias": True, "batch_first": False,
    "dropout": 0.0, "bidirectional": False, "proj_size": 0, "device": None, "dtype": None,
}


class SpecError(ValueError):
    """The description of a layer cannot be built (unknown class, unknown argument)."""


@record
class RnnSpec:
    """A recurrent layer's constructor arguments, exactly as given.

    Values are kept raw (a `True` where an int belongs stays `True`) so the
    constructor rules can judge them the way torch does; the properties give
    the values torch then computes with.
    """

    kind: Kind
    input_size: object
    hidden_size: object
    num_layers: object = 1
    nonlinearity: object = "tanh"
    bias: object = True
    batch_first: object = False
    dropout: object = 0.0
    bidirectional: object = False
    proj_size: object = 0
    device: str = "cpu"
    dtype: str = "float32"
    keywords: frozenset[str] = frozenset()  # the arguments given by keyword
    # how many arguments were given by position, where the construction's source says (RNN311);
    # 0 when it is not known, as for a module. Not part of equality: the layer is the same.
    positional: int = field(default=0, compare=False)

    @property
    def is_cell(self) -> bool:
        return self.kind.endswith("Cell")

    @property
    def base(self) -> str:
        """The recurrence without the Cell suffix: RNN, LSTM or GRU."""
        return self.kind.removesuffix("Cell")

    @property
    def I(self) -> int:  # noqa: E743 - PyTorch's own symbol
        return _as_int(self.input_size)

    @property
    def H(self) -> int:
        return _as_int(self.hidden_size)

    @property
    def layers(self) -> int:
        return 1 if self.is_cell else _as_int(self.num_layers)

    @property
    def D(self) -> int:
        return 2 if (not self.is_cell and bool(self.bidirectional)) else 1

    @property
    def P(self) -> int:
        # 0.0 and False construct a layer without projections, as 0 does
        return 0 if self.is_cell or self.proj_size == 0 else _as_int(self.proj_size)

    @property
    def H_out(self) -> int:
        return self.P if self.P > 0 else self.H

    @property
    def is_batch_first(self) -> bool:
        return not self.is_cell and bool(self.batch_first)

    @property
    def key(self) -> tuple[object, ...]:
        """A hashable identity that, unlike `==`, tells `True` from `1` and `2.0` from `2`."""
        values = tuple(getattr(self, name) for name in fields(type(self)))
        return values + tuple(type(v) for v in values)

    def __repr__(self) -> str:
        return constructor_repr(self)


def _as_int(value: object) -> int:
    """The integer torch computes with; bools count as 0 and 1, as in Python."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    raise TypeError(f"not an integer: {value!r}")


def constructor_repr(s: RnnSpec) -> str:
    """The layer as torch prints it: `LSTM(10, 20, num_layers=2, bidirectional=True)`."""
    parts = [repr(s.input_size), repr(s.hidden_size)]
    if s.is_cell:
        if s.bias is not True:
            parts.append(f"bias={s.bias!r}")
        if s.kind == "RNNCell" and s.nonlinearity != "tanh":
            parts.append(f"nonlinearity={s.nonlinearity!r}")
    else:
        for name in ("proj_size", "num_layers", "nonlinearity", "bias", "batch_first",
                     "dropout", "bidirectional"):
            value = getattr(s, name)
            if name == "nonlinearity" and s.kind != "RNN":
                continue
            keyword_proj = name == "proj_size" and "proj_size" in s.keywords and s.kind != "LSTM"
            if _differs(value, _DEFAULTS[name]) or keyword_proj:
                parts.append(f"{name}={value!r}")
    if s.dtype != "float32":
        parts.append(f"dtype=torch.{s.dtype}")
    if s.device != "cpu":
        parts.append(f"device={s.device!r}")
    return f"{s.kind}({', '.join(parts)})"


def constructor_args(s: RnnSpec) -> tuple[list[object], dict[str, object]]:
    """Arguments that rebuild the layer as described: sizes positional, the rest by keyword.

    A `proj_size` given positionally to nn.RNN or nn.GRU stays positional, since
    torch's keyword check does not see it there.
    """
    params = [p for p in _POSITIONAL[s.kind] if p not in ("device", "dtype")]
    if s.kind in ("RNN", "GRU") and _differs(s.proj_size, 0) and "proj_size" not in s.keywords:
        return [getattr(s, p) for p in params], {}
    extra = [p for p in params[2:] if p in s.keywords or _differs(getattr(s, p), _DEFAULTS[p])]
    if s.kind in ("RNN", "GRU") and "proj_size" in s.keywords:
        extra.append("proj_size")
    return [s.input_size, s.hidden_size], {p: getattr(s, p) for p in extra}


def _differs(value: object, default: object) -> bool:
    return type(value) is not type(default) or value != default


def spec(kind: str, *args: object, **kwargs: object) -> RnnSpec:
    """Describe a layer from constructor arguments, as `nn.<kind>(*args, **kwargs)` would get them.

    >>> spec("LSTM", 50, 100, num_layers=2, bidirectional=True)
    LSTM(50, 100, num_layers=2, bidirectional=True)

    Raises:
        SpecError: for an unknown class, too many positional arguments, or an
            argument the class does not take.
    """
    name = kind.removeprefix("torch.").removeprefix("nn.")
    if name not in KINDS:
        raise SpecError(f"unknown layer class {kind!r}; expected one of {', '.join(KINDS)}")
    k: Kind = name
    params = _POSITIONAL[k]
    if len(args) > len(params):
        raise SpecError(f"{k}() takes at most {len(params)} positional arguments, got {len(args)}")
    values: dict[str, object] = dict(zip(params, args))
    for key, value in kwargs.items():
        if key == "proj_size" and k in ("RNN", "GRU"):
            values[key] = value  # accepted here, judged by rule RNN308
        elif key not in params:
            raise SpecError(f"{k}() got an unexpected keyword argument {key!r}")
        elif key in values:
            raise SpecError(f"{k}() got multiple values for argument {key!r}")
        else:
            values[key] = value
    for required in ("input_size", "hidden_size"):
        if required not in values:
            raise SpecError(f"{k}() missing required argument {required!r}")
    device = values.pop("device", None)
    dtype = values.pop("dtype", None)
    return RnnSpec(
        kind=k,
        device=_device_name(device),
        dtype=_dtype_name(dtype),
        keywords=frozenset(kwargs),
        positional=len(args),
        **values,
    )


# The device types torch 2.13's device strings accept, as its error for another one lists them.
DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone")


def _device_name(device: object) -> str:
    if device is None:
        return "cpu"
    text = str(device)
    kind, _, index = text.partition(":")
    if kind not in DEVICE_TYPES or (index and not (index.isascii() and index.isdigit())):
        raise SpecError(f"unknown device {text!r}; expected a device type ({', '.join(DEVICE_TYPES)}), "
                        "with an optional index such as cuda:0")
    return text


def _dtype_name(dtype: object) -> str:
    if dtype is None:
        return "float32"
    return str(dtype).removeprefix("torch.")


@record
class TensorInfo:
    """What the rules need to know about a tensor: its shape, dtype and device."""

    shape: tuple[int, ...]
    dtype: str = "float32"
    device: str = "cpu"

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def with_shape(self, *shape: int) -> TensorInfo:
        return replace(self, shape=tuple(shape))


@record
class Other:
    """An argument that is not a tensor: a list, a numpy array, an int."""

    type_name: str


@record
class Seq:
    """A tuple or list passed as `hx`."""

    kind: Literal["tuple", "list"]
    items: tuple[TensorInfo | Other | None, ...]


@record
class Packed:
    """A `PackedSequence`: its data, its `batch_sizes`, and whether it carries a sort order."""

    data: TensorInfo
    batch_sizes: tuple[int, ...]
    sorted_indices: bool = False

    @property
    def batch(self) -> int:
        return self.batch_sizes[0] if self.batch_sizes else 0


@record
class Lengths:
    """The `lengths` given to `pack_padded_sequence` together with a padded `input`.

    `readable` is False for a tensor whose values can't be read (a meta or
    fake tensor): `values` then holds a 1 per sequence, which only counts them,
    and the rules that judge the values leave it alone (RNN410 says so).
    """

    values: tuple[float, ...]
    dtype: str = "int64"
    device: str = "cpu"
    ndim: int = 1
    enforce_sorted: bool = True
    readable: bool = True

    @property
    def ints(self) -> tuple[int, ...]:
        """The lengths as torch packs them: cast to int64, which truncates toward zero."""
        return tuple(int(v) for v in self.values)


Hx = TensorInfo | Seq | Other | None


@record
class BatchEvidence:
    """What is known of the batch from outside the call: its size, and where that comes from.

    `axis` is the axis of `input` that holds the batch, when the source says
    (a tensor from a DataLoader batch); None leaves it to the sizes.
    """

    size: int
    source: str  # "the DataLoader's batch_size=32"
    axis: int | None = None


@record
class Backend:
    """What decides whether torch 2.13 runs an nn.LSTM call on the CPU through oneDNN.

    ATen's `use_mkldnn` takes a CPU call without projections when oneDNN is
    enabled and `input` is float32, bfloat16 on a CPU whose oneDNN supports it,
    or float16 on such a CPU with grad mode off. A live call knows every fact;
    without one (`check` on a spec, `explain`) the CPU's support is None, unknown.
    """

    onednn: bool = True  # torch.backends.mkldnn.enabled, in a build with oneDNN
    bf16: bool | None = None  # torch.ops.mkldnn._is_mkldnn_bf16_supported()
    fp16: bool | None = None  # torch.ops.mkldnn._is_mkldnn_fp16_supported()
    grad: bool = True  # torch.is_grad_enabled()


@record
class Unpad:
    """`pad_packed_sequence(input, batch_first=layer.batch_first, total_length=total_length)`,
    whose padded result the layer runs on.

    `total_length` is an int or a float as given, or the type of anything else.
    `fields` lists the fields of a PackedSequence `input` that are not tensors,
    with their types (`(("data", "list"),)`); `input` is then
    `Other("PackedSequence")`, and `steps` the length of its `batch_sizes`
    where that is a tensor.
    """

    total_length: int | float | Other | None = None
    fields: tuple[tuple[str, str], ...] = ()
    steps: int | None = None


@record
class Given:
    """A packing call's arguments that torch checks by their type, as given (RNN414).

    `function` is `pack_padded_sequence`, `pack_sequence`, `pad_packed_sequence`
    or `pad_sequence`. `types` holds (argument, type name) in torch's order:
    `batch_first` and `padding_value` where the function takes them; `lengths`
    and `sequences` only where torch can't read them (None, an object that
    can't be iterated; for `pack_sequence`, an iterator: `iterator`). A
    tensor's type name carries its rank: `0-D Tensor`.
    """

    function: str
    types: tuple[tuple[str, str], ...] = ()
    iterator: bool = False  # `sequences` is an iterator, which `pack_sequence` reads twice


@record
class Call:
    """One forward call: `layer(input, hx)`.

    With `lengths`, `input` is the padded tensor that was (or will be) packed
    with `pack_padded_sequence(input, lengths, batch_first=layer.batch_first)`.
    With `sequences`, `input` was made from them by `pad_sequence`.
    """

    input: TensorInfo | Packed | Other
    hx: Hx = None
    lengths: Lengths | None = None
    batch: BatchEvidence | None = None  # evidence of the batch, for RNN106
    backend: Backend = Backend()  # where an nn.LSTM call runs on the CPU
    # the sequences `pad_sequence` (or `pack_sequence`) made `input` from, first to last (RNN409)
    sequences: tuple[TensorInfo | Other, ...] | None = None
    padding_side: str | Other = "right"  # pad_sequence's, for `sequences` (RNN413)
    unpad: Unpad | None = None  # `input` goes through pad_packed_sequence first (RNN411, RNN412)
    given: Given | None = None  # the packing call's arguments, by type (RNN414)
