"""Test support for semantic mode: real layers, real results, and uses applied to them.

`result_of` runs a real nn.LSTM, nn.GRU or nn.RNN built from a `Produced`'s
layer and returns the tensor the `Produced` describes; `apply_use` does the
`Use` to it. Called inside `guard(semantics=True)`, the runtime judges that
use; `under_semantics` collects what it warned. Warnings are deduplicated per
(code, file, line) for the whole process, so each run starts from nothing
warned, and leaves nothing behind.
"""

from __future__ import annotations

import ast
import contextlib
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from rnndoctor._parse import parse_layer
from rnndoctor._runtime import semantics as _semantics
from rnndoctor.findings import Finding
from rnndoctor.uses import Indices, Produced, Slice, Use

from .support import build_module

INPUT_SIZE = 3  # what `layer_of` gives a layer built from a Produced without `layer`


@contextlib.contextmanager
def fresh_semantics() -> Iterator[None]:
    """Nothing warned and nothing collected, before and after."""
    state = _semantics._state
    state.warned.clear()
    state.findings.clear()
    try:
        yield
    finally:
        state.warned.clear()
        state.findings.clear()


def under_semantics(run: Callable[[], object]) -> tuple[tuple[Finding, ...], list[str]]:
    """Run `run()` inside `guard(semantics=True)`: the findings collected, and the warnings' text.

    Findings waiting on a partner (`h_n[-1]` beside `h_n[-2]`) are settled when
    the guard exits, so both are read after it.
    """
    import rnndoctor

    with fresh_semantics(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with rnndoctor.guard(semantics=True):
            run()
        findings = _semantics.collected()
    texts = [str(w.message) for w in caught if issubclass(w.category, rnndoctor.RnnDoctorWarning)]
    return findings, texts


def layer_of(p: Produced) -> Any:
    """A real layer with the configuration `p` describes: `p.layer` when given, else an LSTM."""
    if p.layer is not None:
        return build_module(parse_layer(p.layer))
    import torch

    return torch.nn.LSTM(INPUT_SIZE, p.hidden, num_layers=p.layers, batch_first=p.batch_first,
                         bidirectional=p.directions == 2)


def result_of(p: Produced, seed: int = 0) -> Any:
    """Run the real layer on random data of matching shape; return the tensor `p` describes."""
    return results_of(p, seed)[p.name]


def results_of(p: Produced, seed: int = 0) -> dict[str, Any]:
    """Everything the real run gives: `output` (padded, when `p` is), `h_n`, `c_n`, `lengths`."""
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    torch.manual_seed(seed)
    layer = layer_of(p)
    features = layer.input_size
    if p.lengths is not None:
        lead = (p.batch, p.steps) if p.batch_first else (p.steps, p.batch)
        packed = pack_padded_sequence(torch.randn(*lead, features), torch.tensor(p.lengths),
                                      batch_first=p.batch_first, enforce_sorted=False)
        packed_out, states = layer(packed)
        output, lengths = pad_packed_sequence(packed_out, batch_first=p.batch_first,
                                              total_length=p.steps)
    else:
        output, states = layer(torch.randn(*_input_shape(p), features))
        lengths = None
    h_n, c_n = states if isinstance(states, tuple) else (states, None)
    return {"output": output, "h_n": h_n, "c_n": c_n, "lengths": lengths}


def _input_shape(p: Produced) -> tuple[int, ...]:
    """(N, L), (L, N) or (L,): the input's leading axes, from the output or the states."""
    steps = p.steps if p.is_output else 4
    if p.unbatched:
        return (steps,)
    return (p.batch, steps) if p.batch_first else (steps, p.batch)


def apply_use(tensor: Any, use: Use) -> Any:
    """Do `use` to `tensor`, as a program would: this line is the use's call site."""
    if use.op == "index":
        return tensor[real_key(use.key, tuple(tensor.shape))]
    written = ast.literal_eval("(" + use.text.split("(", 1)[1].rstrip(")") + ",)")
    return getattr(tensor, use.op)(*written)


def real_key(key: tuple[object, ...], shape: tuple[int, ...]) -> tuple[Any, ...]:
    """The subscript `key` with real values: a slice for `Slice`, a tensor for `Indices`.

    An integer index is `[0]`; a bool mask is all True, over the axes it covers.
    """
    import torch

    real: list[Any] = []
    axis = 0
    rest = sum(k.ndim if isinstance(k, Indices) and k.bool else 1
               for k in key if k is not None and k is not Ellipsis)
    for k in key:
        if isinstance(k, Slice):
            real.append(slice(k.start, k.stop, k.step))
        elif isinstance(k, Indices) and k.bool:
            dims = shape[axis:axis + k.ndim]  # past the last axis, torch rejects the mask anyway
            real.append(torch.ones(dims + (1,) * (k.ndim - len(dims)), dtype=torch.bool))
        elif isinstance(k, Indices):
            real.append(torch.tensor([0]))
        else:
            real.append(k)
        if k is Ellipsis:
            axis += len(shape) - rest
        elif k is not None:
            axis += k.ndim if isinstance(k, Indices) and k.bool else 1
    return tuple(real)
