"""RNN311's proof: the parameter it names is the one real torch sets from that position.

For every layer class and every position of a flag, a layer is built with a
bool there; torch's own attributes say which parameter received it, and
RNN311 must name that parameter (and only when it is a flag).
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from rnndoctor.engine import diagnose
from rnndoctor.specs import _POSITIONAL, KINDS, spec

PREFIX = {"RNN": (10, 20, 1, "tanh"), "LSTM": (10, 20, 1), "GRU": (10, 20, 1),
          "RNNCell": (10, 20), "LSTMCell": (10, 20), "GRUCell": (10, 20)}
FLAGS = ("bias", "batch_first", "bidirectional")
# a value torch tells from the default, for each parameter that may follow the sizes
CHANGED = {"bias": False, "batch_first": True, "dropout": 0.25, "bidirectional": True}


def cases() -> list[tuple[str, int]]:
    """Each position of a layer, up to `bidirectional`, after the sizes."""
    found = []
    for kind in KINDS:
        params = _POSITIONAL[kind]
        last = params.index("bidirectional") if "bidirectional" in params else params.index("bias")
        found += [(kind, i) for i in range(len(PREFIX[kind]), last + 1)]
    return found


@pytest.mark.parametrize(("kind", "index"), cases())
def test_rnn311_names_the_parameters_torch_sets(kind: str, index: int) -> None:
    params = _POSITIONAL[kind]
    args = (*PREFIX[kind], *(CHANGED[p] for p in params[len(PREFIX[kind]):index + 1]))
    if "dropout" in params[:index + 1]:
        args = (*args[:2], 2, *args[3:])  # two layers, so that dropout is used
    layer = getattr(torch.nn, kind)(*args)
    for p, a in zip(params, args):
        if p in CHANGED:
            assert getattr(layer, p) == a, f"torch set `{p}` from another position"
    flags = [p for p, a in zip(params, args) if p in FLAGS and isinstance(a, bool)]
    found = [list(f.arguments) for f in diagnose(spec(kind, *args), None) if f.code == "RNN311"]
    assert found == ([flags] if flags else [])
