"""Generic messages that mean something precise when the traceback shows a recurrent layer.

`index 1 is out of bounds for dimension 0 with size 1` is any indexing error,
unless it was raised in `LSTM.forward`, where it means a single tensor was
passed as `hx`. Each reader here looks at the traceback (the frames, their
source lines and the layer) and returns a partial match when it shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from ..findings import Dim, Fix
from ._evidence import (
    Diagnosis,
    Evidence,
    article,
    change,
    diagnose_as,
    facts,
    partial_reading,
    safe,
)
from ._inputs import empty_sequence, packed_matmul, token_ids

__all__ = ["CONTEXT"]

_INTEGER_NAMES = ("Long", "Int", "Short", "Byte", "Char")
_LSTM_SIG = ("Tensor", "tuple", "list", "bool", "int", "float", "bool", "bool", "bool")
_OTHER_SIG = ("Tensor", "Tensor", "list", "bool", "int", "float", "bool", "bool", "bool")
_SLOTS = ("input", "hx", "params", "bias", "num_layers", "dropout", "train", "bidirectional", "batch_first")
_PACKED_SLOTS = ("data", "batch_sizes", "hx", "params", "bias", "num_layers", "dropout", "train", "bidirectional")


def hx_one_tensor(ev: Evidence) -> Diagnosis:
    """`index 1 is out of bounds for dimension 0 with size 1` raised in `LSTM.forward`."""
    if not _in(ev, "hx[", "LSTM") or ev.g.get("index") != "1":
        return partial_reading(ev, "hx-structure", "an index is out of bounds",
                        "an nn.LSTM was given one tensor as `hx` and read `hx[1]` from its dim 0")
    return _hx_tuple(ev, "`hx` is one tensor, but an LSTM takes the tuple `(h_0, c_0)`",
                     f"torch read `hx[1]` from dim 0 of that tensor, whose size is {ev.g['size']}")


def hx_short_tuple(ev: Evidence) -> Diagnosis:
    """`tuple index out of range` raised in `LSTM.forward` or `LSTMCell.forward`."""
    if not _in(ev, "hx[", "LSTM"):
        return partial_reading(ev, "hx-structure", "a tuple index is out of range",
                        "an LSTM was given a 1-tuple as `hx`")
    return _hx_tuple(ev, "`hx` has one element, but an LSTM takes the tuple `(h_0, c_0)`",
                     "torch read `hx[1]` and the tuple had no second element")


def two_hidden(ev: Evidence) -> Diagnosis:
    """`lstm expects two hidden states` (ATen)."""
    cell = ev.g["op"] == "lstm_cell"
    return _hx_tuple(ev, f"`hx` does not have two states, but an {'LSTMCell' if cell else 'LSTM'} takes "
                     "`(h_0, c_0)`", "ATen counts the tensors of `hx`: it got a tuple of another length")


def cell_hx_type(ev: Evidence) -> Diagnosis:
    """`lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not Tensor`."""
    if ev.g["arg"] != "hx":
        return partial_reading(ev, "hx-structure", f"argument `{ev.g['arg']}` has the wrong type", "its type is wrong")
    return _hx_tuple(ev, f"`hx` is a {ev.g['got_type']}, but {ev.g['op']} takes {ev.g['expected']}",
                     "torch's argument parser rejected the type of `hx`")


def _hx_tuple(ev: Evidence, title: str, fact: str) -> Diagnosis:
    return diagnose_as(
        ev, "hx-structure", title, ("hx",), notes=(fact,),
        fixes=(safe("pass the states as a tuple", "output, (h_n, c_n) = lstm(input, (h_0, c_0))"),
               safe("omit `hx` to start from zeros", "output, (h_n, c_n) = lstm(input)")),
    )


def no_attribute(ev: Evidence) -> Diagnosis:
    """`'tuple' object has no attribute 'dim'`: a tuple as `hx` of a GRU, or a list as `input`."""
    pytype, attr = ev.g["pytype"], ev.g["attr"]
    src = ev.trace.raising_source
    if attr == "dim" and ("hx" in src or (not src and pytype == "tuple" and ev.trace.in_rnn)):
        return diagnose_as(
            ev, "hx-structure", f"`hx` is a {pytype}, but an {ev.kind('RNN or GRU')} takes one tensor",
            ("hx",), notes=(f"torch called `hx.dim()` on a {pytype}",) + _tuple_note(pytype, ev),
            fixes=(safe("pass `h_0` alone", "output, h_n = gru(input, h_0)"),
                   change("use nn.LSTM, which takes `(h_0, c_0)`")),
        )
    if attr == "dim" and ("input" in src or ev.trace.in_rnn):
        return diagnose_as(
            ev, "input-not-tensor", f"`input` is a {pytype}, not a tensor", ("input",),
            notes=(f"torch called `input.dim()` on a {pytype}",),
            fixes=(safe("convert it to a tensor", "input = torch.as_tensor(input, dtype=torch.float32)"),),
            confidence="high" if src else "medium",
        )
    if attr == "batch_sizes":  # read by pad_packed_sequence, and by nothing that takes a tensor
        in_unpad = any(f.func == "pad_packed_sequence" for f in ev.trace.frames)
        notes = ["`pad_packed_sequence` takes the PackedSequence a recurrent layer returns for packed input"]
        fixes: tuple[Fix, ...] = ()
        if pytype == "tuple":
            notes.append("a recurrent layer returns `(output, h_n)`, and only `output` is packed")
            fixes = (safe("pass the first element, the layer's packed `output`",
                          "output, h_n = sequence\npadded, lengths = pad_packed_sequence(output)"),)
        return diagnose_as(ev, "sequence-not-packed", f"`sequence` is a {pytype}, not a PackedSequence",
                           ("sequence",), notes=tuple(notes), fixes=fixes,
                           confidence="high" if in_unpad else "medium")
    return partial_reading(ev, "input-not-tensor", f"a {pytype} was used where a tensor belongs",
                    "an argument that must be a tensor is a " + pytype)


def _tuple_note(pytype: str, ev: Evidence) -> tuple[str, ...]:
    if pytype == "tuple":
        return ("only nn.LSTM takes a tuple `(h_0, c_0)`; nn.RNN and nn.GRU take one tensor",)
    if pytype == "NoneType" and ev.trace.kind == "LSTM":
        return ("one element of `(h_0, c_0)` is None",)
    return ()


def vf_parser(ev: Evidence) -> Diagnosis:
    """`lstm() received an invalid combination of arguments - got (...)`: one argument of the wrong type."""
    got = tuple(t.strip() for t in ev.g["got"].split(","))
    packed = len(got) > 3 and got[3] == "list"  # the packed signatures put `params` fourth
    slots = _PACKED_SLOTS if packed else _SLOTS
    sig = _packed_sig(ev.g["op"]) if packed else (_LSTM_SIG if ev.g["op"] == "lstm" else _OTHER_SIG)
    bad = [i for i, (g, w) in enumerate(zip(got, sig)) if g != w and i != 2]
    if not bad or len(got) != len(sig):
        return partial_reading(ev, "flag-not-bool", f"{ev.g['op']}() got an argument of the wrong type",
                        "a constructor argument or `hx` has the wrong type")
    return _vf_slot(ev, slots[bad[0]], got[bad[0]], sig[bad[0]])


def _packed_sig(op: str) -> tuple[str, ...]:
    return ("Tensor", "Tensor", "tuple" if op == "lstm" else "Tensor", "list", "bool", "int", "float", "bool", "bool")


_SLOT_RULES = {"bidirectional": "truthy-flag", "bias": "flag-not-bool", "batch_first": "flag-not-bool",
               "num_layers": "size-not-int", "dropout": "dropout-invalid"}


def _vf_slot(ev: Evidence, slot: str, got: str, want: str) -> Diagnosis:
    kind = ev.kind({"lstm": "LSTM", "gru": "GRU"}.get(ev.g["op"], "RNN"))
    if slot == "hx":
        return _hx_tuple(ev, f"`hx` is a {got}, but an {kind} takes a {want} of states",
                         "torch's argument parser saw the type of `hx` and rejected it")
    return diagnose_as(
        ev, _SLOT_RULES.get(slot, "flag-not-bool"), f"`{slot}` is {article(got)}, but torch needs {article(want)}", (slot,),
        notes=((f"the constructor stored `{slot}` as given; the call passes it on to _VF.{ev.g['op']}, "
               f"whose parser takes only a {want}"),),
        fixes=(safe(f"construct the {kind} with `{slot}` as {article(want)}", f"nn.{kind}(..., {slot}={_example(want)})"),),
    )


def _example(want: str) -> str:
    return {"bool": "True", "int": "2", "float": "0.0"}.get(want, want)


def broadcast(ev: Evidence) -> Diagnosis:
    """`The size of tensor a (16) must match the size of tensor b (32)`: a packed LSTM's states' batch."""
    a, b, dim = ev.int("a"), ev.int("b"), ev.int("dim")
    if not (ev.trace.in_rnn and ev.trace.packed) or dim != 0:
        return partial_reading(ev, "hidden-batch-mismatch", f"two tensors disagree at dim {dim}: {a} and {b}",
                        "with a PackedSequence, `h_0`/`c_0` have batch a, and the packed input batch b")
    return _packed_batch(ev, a, b)


def meta_broadcast(ev: Evidence) -> Diagnosis:
    """The meta device's wording of the same broadcast failure."""
    had = [int(v) for v in ev.g["had"].split(",") if v.strip()]
    to = [int(v) for v in ev.g["to"].split(",") if v.strip()]
    if not (ev.trace.in_rnn and ev.trace.packed) or len(had) != 2 or len(to) != 2:
        return partial_reading(ev, "hidden-batch-mismatch", "a dimension cannot be broadcast",
                        "the states' batch differs from the packed input's")
    return _packed_batch(ev, to[0], had[0])


def _packed_batch(ev: Evidence, states: int, batch: int) -> Diagnosis:
    return diagnose_as(
        ev, "hidden-batch-mismatch", f"`h_0` has batch {states}, but the packed `input` has batch {batch}",
        ("h_0", "c_0", "input"),
        dims=(Dim("h_0", 1, "N", batch, states, "batch_sizes[0] of the packed input"),),
        notes=(("torch 2.1 and later run no Python check for a packed nn.LSTM: the states' batch is "
               "found wrong inside ATen, as a broadcast"),
               "the batch of a PackedSequence is `batch_sizes[0]`, the number of sequences"),
        fixes=(safe("size the states from the packed input",
                    "h_0 = torch.zeros(D * num_layers, packed.batch_sizes[0], hidden_size)"),
               safe("omit `hx` to start from zeros")),
        confidence="medium",
    )


def index_select(ev: Evidence) -> Diagnosis:
    """`INDICES element is out of DATA bounds` / `index out of range in self` while re-ordering."""
    funcs = " ".join(f.func for f in ev.trace.frames)
    if "pack_padded_sequence" in funcs:
        return diagnose_as(
            ev, "lengths-count-mismatch", "`lengths` has more entries than `input` has sequences",
            ("lengths", "input"), notes=(("with `enforce_sorted=False`, torch re-orders `input` by the sorted "
                                         "lengths before it counts them"),),
            fixes=(safe("give one length per sequence of `input`"),), confidence="medium",
        )
    if "permute_hidden" in funcs or "apply_permutation" in funcs:
        return diagnose_as(
            ev, "hidden-batch-mismatch", "`hx` has fewer sequences than the packed `input`", ("hx", "input"),
            notes=(("with `enforce_sorted=False`, torch re-orders `hx` along dim 1 by the packed input's "
                   "order before checking it"),),
            fixes=(safe("size the states from `batch_sizes[0]` of the packed input"),), confidence="medium",
        )
    return partial_reading(ev, "hidden-batch-mismatch", "an index is out of range",
                    "`hx` has fewer sequences than the packed input, or `lengths` more than `input`")


def narrow(ev: Evidence) -> Diagnosis:
    """`start (5) + length (1) exceeds dimension size (5).`: lengths longer than the padded sequence."""
    if not (ev.trace.in_rnn or ev.trace.packed):
        return partial_reading(ev, "lengths-exceed-sequence", "a slice runs past the end of a tensor",
                        "an entry of `lengths` is longer than the padded sequence")
    return diagnose_as(
        ev, "lengths-exceed-sequence", "an entry of `lengths` is longer than the padded sequence",
        ("lengths", "input"),
        notes=((f"the packed data has {ev.g['size']} rows, but `batch_sizes` adds up to more: "
               "pack_padded_sequence does not check that every length fits in `input`"),),
        fixes=(safe("clip the lengths to the padded length", "lengths = lengths.clamp(max=input.size(0 if not batch_first else 1))"),
               safe("pad `input` to the longest length")),
        confidence="medium",
    )


def view(ev: Evidence) -> Diagnosis:
    """`shape '[4, 1, 4]' is invalid for input of size 8` in pad_packed_sequence."""
    if "pad_packed_sequence" not in " ".join(f.func for f in ev.trace.frames):
        return partial_reading(ev, "lengths-exceed-sequence", "a view does not fit its tensor",
                        "`lengths` given to pack_padded_sequence were longer than the padded sequence")
    return diagnose_as(
        ev, "lengths-exceed-sequence", "the PackedSequence's `batch_sizes` do not fit its data", ("lengths",),
        notes=("pack_padded_sequence accepts lengths longer than the padded input; unpacking then fails",),
        fixes=(safe("clip the lengths to the padded length before packing"),), confidence="medium",
    )


def mm_shape(ev: Evidence) -> Diagnosis:
    if not ev.trace.in_rnn:
        return partial_reading(ev, "input-size-mismatch", "a matrix product has mismatched shapes",
                        f"`input` has {ev.g['m1_cols']} features where the layer expects {ev.g['m2_rows']}")
    return packed_matmul(ev)


def meta_reduction(ev: Evidence) -> Diagnosis:
    a = [int(v) for v in ev.g["a"].split(",") if v.strip()]
    b = [int(v) for v in ev.g["b"].split(",") if v.strip()]
    if not ev.trace.in_rnn or len(a) != 2 or len(b) != 2:
        return partial_reading(ev, "input-size-mismatch", "a matrix product has mismatched shapes",
                        "`input` has the wrong number of features")
    return diagnose_as(
        ev, "input-size-mismatch", f"`input` has {a[1]} features, but this layer expects {b[0]}",
        ("input", "input_size"), dims=(Dim("input", -1, "H_in", b[0], a[1], "input_size"),),
        notes=("the meta device words a failed matrix product this way",), confidence="medium",
        fixes=(safe(f"give `input` {b[0]} features (its last dim)"),),
    )


def dtype_kernel(ev: Evidence) -> Diagnosis:
    """`mat1 and mat2 must have the same dtype`, `expected scalar type ...`, `get_mkldnn_dtype: ...`."""
    pid = ev.match.pattern.id
    if pid != "aten.mkldnn_dtype" and not ev.trace.in_rnn:
        return partial_reading(ev, "hidden-dtype-mismatch", "two tensors of different dtypes met in a kernel",
                        "`input` or `hx` has another dtype than the layer's weights")
    first = ev.g.get("expected") or ev.g.get("lhs_dtype") or ""
    if first in _INTEGER_NAMES:
        return token_ids(ev, first)
    if pid == "aten.mkldnn_dtype" or (pid == "kernel.mm_dtype" and first and not _unchecked_input(ev)):
        return _state_dtype(ev, pid)
    return diagnose_as(
        ev, "input-dtype-mismatch", "`input` or `hx` has another dtype than the layer's weights",
        ("input", "hx"), notes=(("torch before 2.1, the cells and packed LSTMs do not check `input`'s "
                                "dtype; a kernel meets the mismatch"),),
        fixes=(safe("convert `input` (and `hx`) to the weights' dtype", "input = input.float()"),),
        confidence="medium",
    )


def _unchecked_input(ev: Evidence) -> bool:
    """Cells and packed LSTMs reach the kernels without torch's Python dtype check."""
    kind = ev.trace.kind or ""
    return (ev.trace.packed and kind == "LSTM") or kind.endswith("Cell")


def _state_dtype(ev: Evidence, pid: str) -> Diagnosis:
    notes = ["torch checks no state's dtype in Python; a kernel meets the mismatch"]
    if pid == "aten.mkldnn_dtype":
        notes.append("this is the oneDNN LSTM kernel (x86 CPU, torch 2.0 and later)")
    return diagnose_as(
        ev, "hidden-dtype-mismatch", "`hx` has another dtype than `input` and the weights",
        ("hx", "input"), notes=tuple(notes),
        fixes=(safe("create the states with `input`'s dtype", "h_0 = torch.zeros(..., dtype=input.dtype)"),
               safe("convert them", "hx = tuple(h.to(input.dtype) for h in hx)")),
        confidence="medium",
    )


def device_kernel(ev: Evidence) -> Diagnosis:
    if not ev.trace.in_rnn:
        return partial_reading(ev, "device-mismatch", "tensors on different devices met in a kernel",
                        "`input`, `hx` and the layer's parameters are not all on one device")
    return diagnose_as(
        ev, "device-mismatch", "`input`, `hx` and the parameters are not all on one device",
        ("input", "hx", "device"),
        notes=("cells and packed sequences reach the kernels without torch's device check",),
        fixes=(safe("move everything to the model's device", "input, hx = input.to(device), hx.to(device)"),),
        confidence="medium",
    )


def stack_empty(ev: Evidence) -> Diagnosis:
    if not ev.trace.in_rnn:
        return partial_reading(ev, "empty-sequence", "torch.stack was given no tensors",
                        "`input` has a sequence length of 0 (torch 1.8-1.9), or `num_layers=0`")
    return empty_sequence(ev)


def param_count(ev: Evidence) -> Diagnosis:
    """`got an incorrect number of RNN parameters`: for a packed LSTM, h and c of different widths."""
    if not ev.trace.packed and ev.trace.kind not in (None, "LSTM"):
        return partial_reading(ev, "hidden-size-mismatch", "the layer's parameters do not add up",
                        "its weights were replaced or removed")
    return diagnose_as(
        ev, "hidden-size-mismatch", "the last dims of `h_0` and `c_0` disagree", ("h_0", "c_0", "proj_size"),
        notes=(("ATen infers projections from `h_0.size(2) != c_0.size(2)` and then counts one weight "
               "too many or too few"),
               "torch 2.1 and later run no Python check for a packed nn.LSTM"),
        fixes=(safe("give `h_0` H_out features (proj_size, else hidden_size) and `c_0` hidden_size"),),
        confidence="medium",
    )


def stacked_or_odd(ev: Evidence) -> Diagnosis:
    """`Expected more hidden states in stacked_rnn` / `Odd number of params or hiddens ...`."""
    if ev.g.get("what") == "weights":
        return partial_reading(ev, "hidden-layer-count-mismatch", "the layer has fewer weights than layers",
                        "its weights were replaced or removed")
    return diagnose_as(
        ev, "hidden-layer-count-mismatch", "`h_0`/`c_0` do not have D*num_layers layers", ("h_0", "c_0", "num_layers"),
        notes=("ATen splits the states into one per layer and direction and ran short or had one left",
               "torch 2.1 and later run no Python check for a packed nn.LSTM"),
        fixes=(safe("allocate the states with D*num_layers layers",
                    "h_0 = torch.zeros(num_layers * (2 if bidirectional else 1), batch, hidden_size)"),),
        confidence="medium",
    )


def dim_range(ev: Evidence) -> Diagnosis:
    """`Dimension out of range (...)` raised while reading `input.size(...)` or a state."""
    src = ev.trace.raising_source
    if "input" in src or "pack_padded_sequence" in " ".join(f.func for f in ev.trace.frames):
        return diagnose_as(
            ev, "input-rank", "`input` has too few dims", ("input",),
            notes=("torch read a dim of `input` that it does not have (torch 1.8-1.10, or pack_padded_sequence)",),
            fixes=(safe("give `input` its batch and feature dims"),), confidence="medium",
        )
    if ev.trace.in_rnn:
        return diagnose_as(
            ev, "hidden-rank", "a state has too few dims", ("hx",),
            notes=("torch read a dim of `hx` that it does not have: packed nn.LSTM and the cells check no rank",),
            fixes=(safe("give the states the rank of `input`"),), confidence="low",
        )
    return partial_reading(ev, "input-rank", "a dimension is out of range", "`input` or `hx` has too few dims")


def not_contiguous(ev: Evidence) -> Diagnosis:
    name = "h_0" if ev.g["which"] == "hx" else "c_0"
    return facts((f"cuDNN takes only contiguous states; `{name}` is a slice or a transpose of another tensor",),
                 safe(f"pass `{name}.contiguous()`"))


def _in(ev: Evidence, source: str, kind: str) -> bool:
    """The error was raised at a source line containing `source`, or inside `kind`'s forward."""
    return source in ev.trace.raising_source or any(
        f.in_rnn_module and f.func.split(".")[0] in (kind, "forward") for f in ev.trace.frames[-2:]
    )


CONTEXT: dict[str, Callable[[Evidence], Diagnosis]] = {
    "fwd.tensor_index": hx_one_tensor,
    "fwd.tuple_index": hx_short_tuple,
    "aten.two_hidden": two_hidden,
    "fwd.vf_cell_hx": cell_hx_type,
    "fwd.no_attr": no_attribute,
    "fwd.vf_parser": vf_parser,
    "kernel.broadcast": broadcast,
    "kernel.meta_broadcast": meta_broadcast,
    "kernel.index_select": index_select,
    "kernel.narrow": narrow,
    "kernel.view": view,
    "kernel.mm_shape": mm_shape,
    "kernel.meta_reduction": meta_reduction,
    "kernel.mm_dtype": dtype_kernel,
    "kernel.scalar_type": dtype_kernel,
    "aten.mkldnn_dtype": dtype_kernel,
    "kernel.device_mm": device_kernel,
    "aten.stack_empty": stack_empty,
    "aten.param_count": param_count,
    "aten.stacked": stacked_or_odd,
    "aten.odd_bidir": stacked_or_odd,
    "kernel.dim_range": dim_range,
    "kernel.no_dims": dim_range,
    "cudnn.contiguous": not_contiguous,
}
