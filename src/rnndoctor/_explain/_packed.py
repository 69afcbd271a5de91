"""Reading torch.nn.utils.rnn's messages, and the ones no rule covers (cuDNN, MPS, warnings)."""

from __future__ import annotations

from collections.abc import Callable

from ..findings import Fix
from ._evidence import Diagnosis, Evidence, change, diagnose_as, facts, safe

__all__ = ["PACKED"]


def lengths_tensor(ev: Evidence) -> Diagnosis:
    ndim, device = ev.g["ndim"], ev.g["device"]
    funcs = " ".join(f.func for f in ev.trace.frames)
    if "pad_packed_sequence" in funcs or ev.g["dtype"] != "Long":
        return _hand_built(ev, "`batch_sizes` is not a 1-D CPU int64 tensor")
    if device != "cpu":
        fix = safe("keep `lengths` on the CPU", "pack_padded_sequence(input, lengths.cpu(), ...)")
        note = "since torch 1.7 `lengths` must stay on the CPU even when `input` is on the GPU"
    else:
        fix = safe("pass `lengths` as a 1-D tensor or list", "lengths = lengths.flatten()")
        note = f"`lengths` is {ndim}-D"
    return diagnose_as(ev, "lengths-not-1d-cpu", f"`lengths` is a {ndim}-D tensor on {device}", ("lengths",),
                       notes=(note,), fixes=(fix,))


def empty(ev: Evidence) -> Diagnosis:
    return diagnose_as(ev, "unpackable-padded-input", "the padded `input` is empty", ("input",),
                       notes=("a zero-length or zero-batch padded tensor cannot be packed",),
                       fixes=(safe("skip empty batches before packing"),))


def count(ev: Evidence) -> Diagnosis:
    n, b = ev.int("len"), ev.int("batch_size")
    return diagnose_as(
        ev, "lengths-count-mismatch", f"`lengths` has {n} entries, but `input` has {b} sequences",
        ("lengths", "input", "batch_first"),
        notes=("the batch is dim 1 of the padded `input`, or dim 0 with `batch_first=True`",),
        fixes=(safe("give one length per sequence"),
               safe("pass the `batch_first` that matches `input`'s layout")),
    )


def nonpositive(ev: Evidence) -> Diagnosis:
    return diagnose_as(ev, "nonpositive-length", "an entry of `lengths` is 0 or negative", ("lengths",),
                       notes=("every sequence needs at least one step; torch checks the last (smallest) entry",),
                       fixes=(safe("drop the empty sequences, or give them length 1"),))


def unsorted(ev: Evidence) -> Diagnosis:
    return diagnose_as(ev, "unsorted-lengths", "`lengths` is not in decreasing order", ("lengths",),
                       fixes=(safe("pass `enforce_sorted=False`", "pack_padded_sequence(input, lengths, enforce_sorted=False)"),
                              safe("sort the batch by length, longest first")))


def total_length(ev: Evidence) -> Diagnosis:
    t, m = ev.int("total_length"), ev.int("max_len")
    return diagnose_as(ev, "total-length-invalid", f"`total_length` is {t}, but the longest sequence has {m} steps",
                       ("total_length",),
                       notes=("`total_length` pads the result to that many steps, at least as many as the data has",),
                       fixes=(safe("pass no `total_length`, which pads to the longest sequence",
                                   "padded, lengths = pad_packed_sequence(sequence)"),))


def total_length_type(ev: Evidence) -> Diagnosis:
    return diagnose_as(ev, "total-length-invalid", f"`total_length` is a {ev.g['got_type']}, not an int",
                       ("total_length",), fixes=(safe("pass `total_length=int(...)`"),))


def padding_side(ev: Evidence) -> Diagnosis:
    side = ev.g["padding_side"]
    meant = side.strip().lower()
    sides = (meant,) if meant in ("left", "right") else ("right", "left")
    return diagnose_as(ev, "unknown-padding-side",
                       f"`padding_side` is {side!r}, but `pad_sequence` takes 'left' or 'right'", ("padding_side",),
                       notes=("`pad_sequence` compares `padding_side` exactly: case and spaces count",),
                       fixes=tuple(safe(f"pass `padding_side={s!r}`", f"pad_sequence(sequences, padding_side={s!r})")
                                   for s in sides))


def no_sequences(ev: Evidence) -> Diagnosis:
    return diagnose_as(ev, "unpaddable-sequences", "`sequences` is empty, so there is nothing to pad",
                       ("sequences",), notes=("pad_sequence or pack_sequence was given no sequences",),
                       fixes=(safe("skip empty batches"),))


def _hand_built(ev: Evidence, title: str) -> Diagnosis:
    return diagnose_as(
        ev, "inconsistent-batch-sizes", title, ("input",),
        notes=("a PackedSequence should come from pack_padded_sequence or pack_sequence",),
        fixes=(safe("build it with pack_padded_sequence(input, lengths)"),), confidence="medium",
    )


def batch_sizes_cpu(ev: Evidence) -> Diagnosis:
    return _hand_built(ev, "the PackedSequence's `batch_sizes` is not on the CPU")


def tuple_form(ev: Evidence) -> Diagnosis:
    return _hand_built(ev, "PackedSequence was given data without `batch_sizes`")


_ENVIRONMENT: dict[str, Callable[[Evidence], Diagnosis]] = {
    "cudnn.train_mode": lambda ev: facts(
        ("cuDNN computes an RNN's gradient only in training mode; this backward ran after `model.eval()`",),
        safe("call `model.train()` before the backward pass (and set dropout to 0 if it must be off)"),
        safe("disable cuDNN for that pass", "with torch.backends.cudnn.flags(enabled=False): ...")),
    "cudnn.weights_warning": lambda ev: facts(
        (("the weights are no longer one contiguous block (after DataParallel, weight norm or replacing a "
         "weight), so cuDNN copies them at every call"),),
        safe("call `self.rnn.flatten_parameters()` at the start of forward")),
    "cudnn.status": lambda ev: facts(
        ((f"cuDNN returned {ev.g['status']}; the 'non-contiguous input' hint is added to every "
         "CUDNN_STATUS_NOT_SUPPORTED, whatever the cause"),),
        safe("run once on the CPU, or with `torch.backends.cudnn.enabled = False`, to get torch's own checks")),
    "cudnn.not_compiled": lambda ev: facts(("this torch build has no cuDNN: a CUDA-only path was taken",),),
    "cudnn.illegal_cx": lambda ev: facts(("a cell state `c_0` was passed to nn.RNN or nn.GRU on cuDNN",),
                                          safe("pass `h_0` alone")),
    "cudnn.batch_sizes": lambda ev: facts(("the PackedSequence's `batch_sizes` must be a 1-D CPU tensor",),
                                           safe("build it with pack_padded_sequence, with CPU lengths")),
    "aten.backend_fallback_warning": lambda ev: facts(
        (f"{ev.g['backend']} has no LSTM with {ev.g['feature']}; torch runs its own, slower kernel",)),
    "aten.mps_proj": lambda ev: facts(("the MPS backend has no LSTM with `proj_size`",),
                                       safe("run this LSTM on the CPU, or construct it with `proj_size=0`")),
    "aten.mps_multilayer": lambda ev: facts(("multi-layer LSTMs on MPS need macOS 13 (torch 2.0-2.4)",),
                                             safe("update macOS, or stack single-layer LSTMs")),
    "cell.weight_dim": lambda ev: facts(
        ((f"`weight_{ev.g['which']}` has {ev.g['got']} rows, but a cell with these states needs "
         f"{ev.g['gates']} * hidden_size = {ev.g['expected']}: a weight was replaced or resized"),),
        change("restore the weight's shape, (gates * hidden_size, input_size)")),
    "fwd.hx_none": lambda ev: facts((("an internal assertion of torch 2.11 and later: `hx` was None where "
                                      "torch had to have created it"),)),
    "kernel.not_implemented_dtype": lambda ev: facts(
        (f"the kernel `{ev.g['kernel']}` has no {ev.g['dtype']} version in this build",),
        safe("run the layer in float32, e.g. outside autocast")),
    "misc.apply_permutation": lambda ev: facts(("`apply_permutation` is deprecated",),
                                                safe("use `tensor.index_select(dim, permutation)`")),
    "pack.trace_warning": lambda ev: facts(
        ("under tracing, a Python list of lengths becomes a constant of the trace",),
        safe("pass `lengths` as a tensor")),
    "pack.arg_type": lambda ev: facts((f"pack_padded_sequence's `{ev.g['arg']}` is a {ev.g['got_type']}",),
                                       safe(f"pass `{ev.g['arg']}` as a {ev.g['expected']}")),
    "pad.empty_batch_sizes": lambda ev: facts(("the PackedSequence has no steps: a hand-built one",),
                                               safe("build it with pack_padded_sequence")),
    "padseq.not_iterable": lambda ev: facts((f"pad_sequence was given a {ev.g['pytype']}",),
                                             safe("pass a list of tensors")),
    "kernel.mm_dim_cuda": lambda ev: _in_rnn(ev, (
        "a matrix product inside the layer got `input` with the wrong number of features",),
        safe("give `input` `input_size` features (its last dim)")),
    "kernel.expand": lambda ev: _in_rnn(ev, (
        "a bias does not have the layer's gate size: a bias was replaced or resized",),
        change("restore the bias's shape, (gates * hidden_size,)")),
    "kernel.arrayref": lambda ev: _in_rnn(ev, (("pad_sequence was given 0-D tensors; each sequence needs a "
                                                "length dim"),), safe("pass tensors of shape (L, *)")),
    "padseq.element_type": lambda ev: _in_rnn(ev, ((f"pad_sequence was given a {ev.g['got_type']} where a "
                                                   "tensor belongs"),), safe("convert each sequence with torch.as_tensor")),
    "padseq.empty_py": lambda ev: _in_rnn(ev, ("torch 1.8's pad_sequence was given an empty list",),
                                          safe("skip empty batches")),
    "padseq.meta_copy": lambda ev: _in_rnn(ev, ("pad_sequence mixed a meta tensor with real ones",),
                                           safe("put every sequence on one device")),
    "unpad.zip_strict": lambda ev: _in_rnn(ev, (("unpad_sequence got a different number of lengths than "
                                                "sequences (torch 2.10 and later)"),),
                                           safe("give one length per sequence")),
}


def _in_rnn(ev: Evidence, notes: tuple[str, ...], *fixes: Fix) -> Diagnosis:
    """Facts that hold only when the traceback shows torch's recurrent code."""
    if ev.trace.in_rnn:
        return facts(notes, *fixes, confidence="medium")
    return Diagnosis((), "low", partial=True, notes=(
        f"`{ev.match.pattern.id}` is a generic message; nothing in the text shows a recurrent layer",
        "if it comes from one: " + notes[0]))


PACKED: dict[str, Callable[[Evidence], Diagnosis]] = {
    "pack.lengths_tensor": lengths_tensor,
    "pack.empty": empty,
    "pack.len_mismatch": count,
    "pack.nonpositive": nonpositive,
    "pack.unsorted": unsorted,
    "pad.total_length": total_length,
    "pad.total_length_type": total_length_type,
    "padseq.empty": no_sequences,
    "padseq.side": padding_side,
    "ps.batch_sizes_cpu": batch_sizes_cpu,
    "ps.tuple_form": tuple_form,
    **_ENVIRONMENT,
}
