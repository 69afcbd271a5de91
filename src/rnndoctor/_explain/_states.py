"""Reading the states' messages: layers, batch, hidden size, rank and structure of `hx`."""

from __future__ import annotations

from ..findings import Dim, Fix
from ..shapes import layer_derivation
from ._evidence import Diagnosis, Evidence, change, diagnose_as, fmt, safe, shape, state_dims

__all__ = ["STATES"]

_STATE = {"hidden": "h_0", "hidden[0]": "h_0", "hidden[1]": "c_0", "cell": "c_0",
          "d_hidden": "h_0", "d_cell": "c_0"}
_AXIS = ("layers", "batch", "size")


def hidden_size(ev: Evidence) -> Diagnosis:
    """`Expected hidden[0] size (4, 32, 100), got [2, 32, 100]` and its relatives."""
    which = ev.g["which"]
    name = _STATE[which]
    kind = ev.kind("LSTM" if which != "hidden" else "RNN or GRU")
    want, got = shape(ev.g["expected"]), shape(ev.g["got"])
    if len(want) != len(got):
        return _rank_from_sizes(ev, name, kind, want, got)
    if len(want) == 3 and want[0] != want[1] and got == (want[1], want[0], want[2]):
        return _batch_first_states(ev, name, kind, want, got)
    wrong = [i for i in range(len(want)) if want[i] != got[i]]
    parts = [_AXIS_READERS[_AXIS[i]](ev, name, kind, want, got) for i in wrong if i < 3]
    if not parts:
        return diagnose_as(ev, "hidden-size-mismatch", f"`{name}` has an unexpected shape",
                           (name,), confidence="low", partial=True)
    findings = tuple(f for d in parts for f in d.findings)
    return Diagnosis(findings, min((d.confidence for d in parts), key=_RANK.index))


_RANK = ("low", "medium", "high")


def _layer_notes(ev: Evidence, want: int, got: int) -> tuple[str, ...]:
    s = ev.spec
    if s is not None and not s.is_cell:
        return (f"D*num_layers = {layer_derivation(s)} = {s.D * s.layers}",)
    notes = ["dim 0 of a state is D*num_layers, where D is 2 for a bidirectional layer"]
    if want == 2 * got:
        notes.append(f"dim 0 is off by a factor of 2 ({got} for {want}): the second direction of a "
                     "bidirectional layer, or a second layer, was not counted")
    elif got == 2 * want:
        notes.append(f"dim 0 is twice what it should be ({got} for {want}): the states were built for a "
                     "bidirectional layer, or for twice the layers")
    return tuple(notes)


def _layers(ev: Evidence, name: str, kind: str, want: tuple[int, ...], got: tuple[int, ...]) -> Diagnosis:
    return diagnose_as(
        ev, "hidden-layer-count-mismatch",
        f"`{name}` has {got[0]} {'layer' if got[0] == 1 else 'layers'}, but this {kind} needs {want[0]}",
        (name, "num_layers", "bidirectional"),
        dims=state_dims(name, want, got), notes=_layer_notes(ev, want[0], got[0]),
        fixes=_layer_fixes(ev, name, kind, want, got),
        confidence="high" if ev.spec is not None or want[0] == 2 * got[0] else "medium",
    )


def _layer_fixes(ev: Evidence, name: str, kind: str, want: tuple[int, ...], got: tuple[int, ...]) -> tuple[Fix, ...]:
    fixes = [safe(f"allocate `{name}` with {want[0]} layers", f"{name} = torch.zeros{fmt(want)}")]
    s = ev.spec
    if s is None:
        fixes.append(safe(f"size `{name}` from the layer's own settings",
                          "D = 2 if rnn.bidirectional else 1\n"
                          f"{name} = torch.zeros(D * rnn.num_layers, batch, {want[-1]})"))
        return tuple(fixes)
    if s.D == 2 and got[0] == s.layers:
        fixes.append(change(f"construct the {kind} with `bidirectional=False`"))
    if got[0] % s.D == 0 and 0 < got[0] // s.D != s.layers:
        fixes.append(change(f"construct the {kind} with `num_layers={got[0] // s.D}`"))
    return tuple(fixes)


def _batch(ev: Evidence, name: str, kind: str, want: tuple[int, ...], got: tuple[int, ...]) -> Diagnosis:
    n, m = want[1], got[1]
    notes = [("dim 1 of a state is the batch N, which torch takes from `input` (dim 1, or dim 0 with "
             "`batch_first=True`, or `batch_sizes[0]` of a PackedSequence)"),
             "`batch_first` applies to `input` and `output` only, never to the states"]
    fixes = [safe(f"size `{name}` from the batch of `input`",
                  f"{name} = torch.zeros({want[0]}, input.size(0 if batch_first else 1), {want[2]})")]
    if m > n:
        notes.append(f"the states were built for batch {m} but this batch has {n}: typical of the last, "
                     "smaller batch of an epoch")
        fixes.append(safe("drop the incomplete last batch", "DataLoader(..., drop_last=True)"))
    else:
        notes.append(f"the input comes from the data and the states are built to match it, so `{name}` "
                     "is ranked as the one to change")
        fixes.append(change(f"construct the {kind} with `batch_first=True`, if `input` is (N, L, H_in)"))
    return diagnose_as(
        ev, "hidden-batch-mismatch", f"`{name}` has batch {m}, but `input` has batch {n}",
        (name, "input", "batch_first"), dims=state_dims(name, want, got), notes=tuple(notes),
        fixes=tuple(fixes), confidence="high",
    )


def _batch_first_states(
    ev: Evidence, name: str, kind: str, want: tuple[int, ...], got: tuple[int, ...]
) -> Diagnosis:
    return diagnose_as(
        ev, "hidden-batch-mismatch", f"`{name}` is laid out batch-first, {fmt(got)}, but states are "
        f"(D*num_layers, N, H_out)", (name, "batch_first"),
        dims=state_dims(name, want, got),
        notes=(f"dims 0 and 1 of `{name}` are swapped: {fmt(got)} for {fmt(want)}",
               "`batch_first` applies to `input` and `output` only, never to the states"),
        fixes=(safe(f"allocate `{name}` as (D*num_layers, N, H_out)", f"{name} = torch.zeros{fmt(want)}"),
               safe(f"pass `{name}.transpose(0, 1).contiguous()`")),
    )


def _size(ev: Evidence, name: str, kind: str, want: tuple[int, ...], got: tuple[int, ...]) -> Diagnosis:
    h, g = want[-1], got[-1]
    notes, fixes = _size_reasons(ev, name, kind, h, g)
    symbol = "H_cell (hidden_size)" if name == "c_0" else "H_out (proj_size, else hidden_size)"
    return diagnose_as(
        ev, "hidden-size-mismatch", f"`{name}` has {g} features, but this {kind} needs {h}",
        (name, "proj_size" if kind == "LSTM" else "hidden_size"),
        dims=state_dims(name, want, got), notes=(f"the last dim of `{name}` is {symbol}", *notes),
        fixes=(safe(f"allocate `{name}` with {h} features", f"{name} = torch.zeros{fmt(want)}"), *fixes),
        confidence="high",
    )


def _size_reasons(
    ev: Evidence, name: str, kind: str, h: int, g: int
) -> tuple[tuple[str, ...], tuple[Fix, ...]]:
    if name == "c_0" and g < h:
        return (f"with `proj_size={g}`, `h_0` has proj_size features but `c_0` keeps hidden_size={h}",), ()
    if name == "h_0" and kind == "LSTM" and g > h:
        return ((f"this LSTM projects its output: with `proj_size={h}`, `h_0` has {h} features, "
                f"not hidden_size={g}"),), ()
    if g == 2 * h:
        return (f"{g} is twice {h}: the states may come from a bidirectional layer's output (D*H_out)",), ()
    return (), (change(f"construct the {kind} with `hidden_size={g}`"),)


_AXIS_READERS = {"layers": _layers, "batch": _batch, "size": _size}


def _rank_from_sizes(
    ev: Evidence, name: str, kind: str, want: tuple[int, ...], got: tuple[int, ...]
) -> Diagnosis:
    """`got [32, 100]` for `(1, 32, 100)`: a state without its layer dim, or with one too many."""
    if got == want[1:]:
        fix = safe(f"add the layer dim to `{name}`", f"{name} = {name}.unsqueeze(0)")
    elif got[1:] == want:
        fix = safe(f"drop the extra leading dim of `{name}`", f"{name} = {name}.squeeze(0)")
    else:
        fix = safe(f"allocate `{name}` as {fmt(want)}", f"{name} = torch.zeros{fmt(want)}")
    return diagnose_as(
        ev, "hidden-rank", f"`{name}` is {len(got)}-D, but this {kind} needs {len(want)}-D states",
        (name,), notes=(f"expected {fmt(want)}, got {fmt(got)}",
                        ("torch before 1.11 (and any version with a PackedSequence) prints this for a state "
                        "of the wrong rank")), fixes=(fix,),
    )


def hx_rank(ev: Evidence) -> Diagnosis:
    """`For batched 3-D input, hx should also be 3-D but got 2-D tensor` and the LSTM variant."""
    batched = ev.g["input_kind"].startswith("batched")
    want = int(ev.g["expected_ndim"])
    names = ("h_0", "c_0") if "h_ndim" in ev.g else ("h_0",)
    got = (ev.int("h_ndim"), ev.int("c_ndim")) if "h_ndim" in ev.g else (ev.int("hx_ndim"),)
    wrong = tuple(n for n, r in zip(names, got) if r != want)
    return diagnose_as(
        ev, "hidden-rank", f"{_join(wrong)} {'is' if len(wrong) == 1 else 'are'} "
        f"{'/'.join(f'{r}-D' for n, r in zip(names, got) if n in wrong)}, but "
        f"{'batched 3-D' if batched else 'unbatched 2-D'} `input` needs {want}-D states",
        (*wrong, "input"), notes=_hx_rank_notes(batched, names, got),
        fixes=_hx_rank_fixes(batched, wrong),
    )


def _hx_rank_notes(batched: bool, names: tuple[str, ...], got: tuple[int, ...]) -> tuple[str, ...]:
    notes = [("a state has the same rank as `input`: (D*num_layers, N, H_out) for 3-D input, "
             "(D*num_layers, H_out) for unbatched 2-D input")]
    if len(names) == 2 and got[0] == got[1] == (2 if batched else 1):
        notes.append("both are one dim short: a single tensor passed as `hx` is split along dim 0 "
                     "into `hx[0]` and `hx[1]`")
    return tuple(notes)


def _hx_rank_fixes(batched: bool, wrong: tuple[str, ...]) -> tuple[Fix, ...]:
    if batched:
        return tuple(safe(f"add the layer dim to `{n}`", f"{n} = {n}.unsqueeze(0)") for n in wrong)[:2]
    return (safe("add the batch dim to `input`", "input = input.unsqueeze(1)  # or unsqueeze(0) with batch_first"),
            safe(f"give {_join(wrong)} as (D*num_layers, H_out), without a batch dim"))


def cell_hx_rank(ev: Evidence) -> Diagnosis:
    """`RNNCell: Expected hidden to be 1D or 2D, got 3D instead` and `LSTMCell: Expected hx[1] ...`."""
    cell = ev.g.get("cell", "LSTMCell")
    name = "hx" if cell != "LSTMCell" else ("h_0", "c_0")[int(ev.g.get("idx", "0")) % 2]
    ndim = ev.int("ndim")
    fix = safe(f"drop the layer dim of `{name}`", f"{name} = {name}.squeeze(0)") if ndim == 3 else None
    return diagnose_as(
        ev, "hidden-rank", f"`{name}` is {ndim}-D, but a {cell} takes (N, H) or (H,)", (name,),
        notes=("a cell runs one time step of one layer: its state has no layer dim",),
        fixes=(fix,) if fix else (),
    )


def lstm_hx_layers(ev: Evidence) -> Diagnosis:
    """ATen's check on torch's main branch: `Expected h_0 size(0) to be 4 (...), but got 2`."""
    name, want, got = ev.g["name"], ev.int("expected"), ev.int("got")
    return diagnose_as(
        ev, "hidden-layer-count-mismatch",
        f"`{name}` has {got} {'layer' if got == 1 else 'layers'}, but this LSTM needs {want}",
        (name, "num_layers", "bidirectional"), dims=(Dim(name, 0, "D*num_layers", want, got),),
        notes=_layer_notes(ev, want, got),
        fixes=(safe(f"allocate `{name}` with {want} layers"),),
    )


def lstm_hx_ndim(ev: Evidence) -> Diagnosis:
    name, ndim = ev.g["name"], ev.int("ndim")
    return diagnose_as(
        ev, "hidden-rank", f"`{name}` is {ndim}-D, but batched 3-D `input` needs 3-D states", (name,),
        fixes=(safe(f"allocate `{name}` as (D*num_layers, N, H_out)"),),
    )


def cell_batch(ev: Evidence) -> Diagnosis:
    """`Input batch size 3 doesn't match hidden0 batch size 5`."""
    name = _cell_state(ev.g.get("label", ""))
    n, m = ev.int("input_batch"), ev.int("hidden_batch")
    return diagnose_as(
        ev, "hidden-batch-mismatch", f"`{name}` has batch {m}, but `input` has batch {n}", ("input", name),
        notes=(_cell_version(ev.g.get("label", "")),),
        fixes=(safe(f"size `{name}` from the batch of `input`", f"{name} = torch.zeros(input.size(0), hidden_size)"),),
    )


def cell_hidden(ev: Evidence) -> Diagnosis:
    """`hidden0 has inconsistent hidden_size: got 15, expected 20`."""
    name = _cell_state(ev.g.get("label", ""))
    h, g = ev.int("expected"), ev.int("got")
    return diagnose_as(
        ev, "hidden-size-mismatch", f"`{name}` has {g} features, but this cell needs {h}", (name, "hidden_size"),
        notes=(_cell_version(ev.g.get("label", "")),),
        fixes=(safe(f"allocate `{name}` with {h} features"), change(f"construct the cell with `hidden_size={g}`")),
    )


def _cell_state(label: str) -> str:
    return {"": "hx", "0": "h_0", "[0]": "h_0", "1": "c_0", "[1]": "c_0"}[label]


def _cell_version(label: str) -> str:
    if label in ("", "[0]", "[1]"):
        return "this wording (label `hidden`, `hidden[0]` or `hidden[1]`) is torch 1.8's Python-side cell check"
    return f"`hidden{label}` is ATen's name for {'h' if label == '0' else 'c'}, torch 1.9 or later"


def _join(names: tuple[str, ...]) -> str:
    return " and ".join(f"`{n}`" for n in names)


STATES = {
    "fwd.hidden_size": hidden_size,
    "fwd.hx_ndim": hx_rank,
    "fwd.hcx_ndim": hx_rank,
    "cell.hx_ndim_value": cell_hx_rank,
    "cell.lstm_hx_ndim_value": cell_hx_rank,
    "aten.lstm_hx_shape_layers": lstm_hx_layers,
    "aten.lstm_hx_shape_ndim": lstm_hx_ndim,
    "cell.batch": cell_batch,
    "cell.hidden_size": cell_hidden,
}
