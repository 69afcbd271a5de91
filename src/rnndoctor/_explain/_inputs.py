"""Reading the input's messages: rank, features, dtype, device, empty sequences, non-tensors."""

from __future__ import annotations

from ..findings import Dim, Fix
from ._evidence import Confidence, Diagnosis, Evidence, change, diagnose_as, safe

__all__ = ["INPUTS", "empty_sequence", "packed_matmul", "token_ids"]

_INTEGER = ("int64", "int32", "int16", "int8", "uint8", "long", "int")


def input_rank(ev: Evidence) -> Diagnosis:
    """`LSTM: Expected input to be 2D or 3D, got 4D instead`, and 2.0's, 1.x's and the cells' forms."""
    ndim = ev.int("ndim")
    kind = ev.g.get("module") or ev.g.get("cell") or ev.kind("RNN")
    cell = kind.endswith("Cell")
    accepted = "1-D or 2-D" if cell else "2-D or 3-D"
    notes = [_rank_meaning(cell)]
    if ev.match.pattern.id == "fwd.input_ndim":
        want = ev.int("expected_ndim")
        accepted = f"{want}-D"
        notes = [_input_ndim_note(ev, want, ndim)]
    return diagnose_as(
        ev, "input-rank", f"`input` is {ndim}-D, but this {kind} takes {accepted} input", ("input",),
        notes=tuple(notes), fixes=_rank_fixes(cell, ndim),
    )


def _rank_meaning(cell: bool) -> str:
    if cell:
        return "a cell runs one time step: `input` is (N, H_in), or (H_in,) unbatched"
    return "`input` is (L, N, H_in), (N, L, H_in) with `batch_first=True`, or (L, H_in) unbatched"


def _input_ndim_note(ev: Evidence, want: int, ndim: int) -> str:
    if want == 2:
        return "with a PackedSequence, torch checks the packed data, which is (sum(lengths), H_in)"
    if ndim == want - 1:
        return ("torch 1.8-1.10 takes only 3-D input; 1.11-1.13 print this for a 1-D input, "
                "after adding a batch dim")
    return "torch 1.8-1.13 print this for input that is not 3-D"


def _rank_fixes(cell: bool, ndim: int) -> tuple[Fix, ...]:
    if cell and ndim == 3:
        return (safe("loop over the time steps and call the cell once per step",
                     "for x_t in input:  # input is (L, N, H_in)\n    hx = cell(x_t, hx)"),
                change("use the full layer (nn.RNN, nn.LSTM or nn.GRU), which takes the whole sequence"))
    if ndim == 4:
        return (safe("merge or drop the extra dim of `input`", "input = input.flatten(0, 1)  # or .squeeze(k)"),)
    if ndim < 2:
        return (safe("add the missing dims to `input`", "input = input.view(seq_len, batch, input_size)"),)
    return ()


def input_size(ev: Evidence) -> Diagnosis:
    """`input.size(-1) must be equal to input_size. Expected 50, got 25` and the cell form."""
    want = ev.int("input_size") if "input_size" in ev.g else ev.int("expected")
    got = ev.int("got")
    kind = ev.kind("cell" if ev.match.pattern.id == "cell.input_size" else "layer")
    notes = ["H_in, the last dim of `input`, must equal the layer's `input_size`"]
    notes += _size_clues(want, got)
    if ev.match.pattern.id == "cell.input_size":
        notes.append("this wording (with a comma) is torch 1.8's" if "comma" in ev.g else "raised by ATen (torch 1.9 or later)")
    return _input_size_diagnosis(ev, kind, want, got, tuple(notes))


def _input_size_diagnosis(
    ev: Evidence, kind: str, want: int, got: int, notes: tuple[str, ...], confidence: Confidence = "high"
) -> Diagnosis:
    return diagnose_as(
        ev, "input-size-mismatch", f"`input` has {got} features, but this {kind} expects {want}",
        ("input", "input_size"), dims=(Dim("input", -1, "H_in", want, got, "input_size"),), notes=notes,
        fixes=(safe(f"give `input` {want} features (its last dim)"),
               change(f"construct the {kind} with `input_size={got}`")),
        confidence=confidence,
    )


def _size_clues(want: int, got: int) -> list[str]:
    if got == 2 * want:
        return [f"{got} is twice {want}: the layer before may be bidirectional, whose output has D*H_out features"]
    if got == 1 and want > 1:
        return ["a last dim of 1 suggests `input` lacks its feature dim, e.g. token ids that need an nn.Embedding"]
    return []


def packed_matmul(ev: Evidence) -> Diagnosis:
    """`mat1 and mat2 shapes cannot be multiplied (10x7 and 10x80)` from a recurrent layer."""
    cols, rows = ev.int("m1_cols"), ev.int("m2_rows")
    notes = ["mat1 is the input rows by their features (H_in); mat2 is the weights by input_size"]
    if ev.trace.packed or ev.trace.kind == "LSTM":
        notes.append("torch 2.1 and later run no Python check for a packed nn.LSTM, so a wrong feature "
                     "size surfaces in a matrix product")
    return _input_size_diagnosis(ev, ev.kind("layer"), rows, cols, tuple(notes), "medium")


def input_dtype(ev: Evidence) -> Diagnosis:
    """`RNN input dtype (torch.int64) does not match weight dtype (torch.float32). ...` and 2.1's form."""
    got, want = ev.g["input_dtype"], ev.g["weight_dtype"]
    if got.removeprefix("torch.") in _INTEGER:
        return token_ids(ev, got, want)
    return diagnose_as(
        ev, "input-dtype-mismatch", f"`input` is {got}, but the layer's weights are {want}", ("input",),
        notes=("torch 2.1 and later compare `input`'s dtype with the first weight's",),
        fixes=(safe(f"convert `input` to {want}", f"input = input.to({want})"),
               change(f"convert the model to {got}", f"model = model.to({got})")),
    )


def token_ids(ev: Evidence, got: str, want: str = "torch.float32") -> Diagnosis:
    """Integer `input`: token ids that skipped an nn.Embedding."""
    notes = ["integer input to a recurrent layer is almost always token ids that skipped an nn.Embedding"]
    if ev.match.pattern.id == "fwd.dtype_v3":
        notes.append(f"torch's advice `model.to({got})` cannot work: integer weights cannot require gradients")
    return diagnose_as(
        ev, "input-dtype-mismatch", f"`input` is {got}: integer ids, where the layer needs {want} features",
        ("input",), notes=tuple(notes),
        fixes=(change("embed the ids before the layer",
                      "self.embed = nn.Embedding(vocab_size, input_size)\noutput, h_n = self.rnn(self.embed(input))"),
               safe(f"convert them, if the values are real features: `input.to({want})`")),
    )


def cudnn_dtype(ev: Evidence) -> Diagnosis:
    """`Input and parameter tensors are not the same dtype, found input tensor with Double and ...`."""
    what, got, want = ev.g["what"], ev.g["input_dtype"], ev.g["other_dtype"]
    if what == "hidden":
        return diagnose_as(
            ev, "hidden-dtype-mismatch", f"`hx` is {want}, but `input` is {got}", ("hx", "input"),
            notes=("cuDNN compares the states' dtype with `input`'s",),
            fixes=(safe("create the states with `input`'s dtype", "h_0 = torch.zeros(..., dtype=input.dtype)"),),
        )
    return diagnose_as(
        ev, "input-dtype-mismatch", f"`input` is {got}, but the layer's weights are {want}", ("input",),
        notes=("cuDNN compares `input`'s dtype with the weights'; torch 2.1 and later check it in Python first",),
        fixes=(safe("convert `input` to the weights' dtype", "input = input.to(next(model.parameters()).dtype)"),),
    )


def device(ev: Evidence) -> Diagnosis:
    """`Input and hidden tensors are not at the same device, found input tensor at cuda:0 and ...`."""
    what, here, there = ev.g["what"], ev.g["input_device"], ev.g["other_device"]
    culprit = "the layer's parameters" if what == "parameter" else "`hx`"
    fixes = ((safe(f"move `input` to {there}", "input = input.to(next(model.parameters()).device)"),
              safe(f"move the model to {here}", f"model = model.to('{here}')"))
             if what == "parameter" else
             (safe("create `hx` on `input`'s device", "h_0 = torch.zeros(..., device=input.device)"),
              safe(f"move it: `hx.to('{here}')`")))
    return diagnose_as(
        ev, "device-mismatch", f"`input` is on {here}, but {culprit} {'are' if what == 'parameter' else 'is'} on {there}",
        ("input", "hx" if what == "hidden" else "device"), notes=(_device_note(what),), fixes=fixes,
    )


def _device_note(what: str) -> str:
    if what == "parameter":
        return "torch picks the kernel by `input`'s device; every parameter must be there too"
    return "torch makes zero states on `input`'s device when `hx` is omitted; given states must match it"


def empty_sequence(ev: Evidence) -> Diagnosis:
    """`Expected sequence length to be larger than 0 in RNN` (1.10+), and `stack expects ...` before."""
    notes = [("the sequence length L is the dim of `input` that is not the batch or the features: "
             "dim 0, or dim 1 with `batch_first=True`")]
    if ev.match.pattern.id == "aten.stack_empty":
        notes.append("torch 1.8-1.9 print this for a zero-length sequence; 1.8-2.1 also for `num_layers=0`")
    return diagnose_as(
        ev, "empty-sequence", "`input` has a sequence length of 0", ("input", "batch_first"), notes=tuple(notes),
        fixes=(safe("skip empty sequences before the call", "if input.size(1 if batch_first else 0) > 0: ..."),
               change("construct the layer with `batch_first=True`, if `input` is (N, L, H_in)")),
        confidence="high" if ev.match.pattern.id == "aten.seq_len_zero" else "medium",
    )


INPUTS = {
    "fwd.ndim_value": input_rank,
    "fwd.ndim_assert": input_rank,
    "fwd.input_ndim": input_rank,
    "cell.ndim_value": input_rank,
    "cell.ndim_assert": input_rank,
    "fwd.input_size": input_size,
    "cell.input_size": input_size,
    "fwd.dtype_v3": input_dtype,
    "fwd.dtype_v2": input_dtype,
    "aten.device": device,
    "aten.dtype": cudnn_dtype,
    "aten.seq_len_zero": empty_sequence,
}
