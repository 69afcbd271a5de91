"""Builders for the use rules' fixtures (RNN5xx): `FLAGGED` then `OK`, as (Produced, Use) pairs.

A `Produced` is made from the layer as written, the way semantic mode makes
it from the module: `hidden` is `proj_size` where the layer has one (H_out),
and `hidden_size` for `c_n` (H_cell). Each pair also runs for real: the layer
is built, run on random data, and the use applied to its result under
`guard(semantics=True)` (see test_rules.py).

    index(output("LSTM(3, 20, batch_first=True)", (32, 7, 20)), -1)    # output[-1]
    view(h_n("GRU(3, 20, num_layers=2)", (2, 32, 20)), 32, -1)        # h_n.view(32, -1)
"""

from __future__ import annotations

from math import prod
from typing import Literal

from rnndoctor._parse import parse_layer
from rnndoctor._record import replace
from rnndoctor.uses import All, Indices, Produced, Slice, Use

__all__ = ["All", "Indices", "Pair", "Slice", "c_n", "h_n", "index", "output", "reshape", "unpack",
           "through", "view"]

Pair = tuple[Produced, Use]


def output(layer: str, shape: tuple[int, ...], lengths: tuple[int, ...] | None = None) -> Produced:
    """`output` of `layer`; with `lengths`, the padded output of `pad_packed_sequence`."""
    return _produced("output", layer, shape, lengths)


def h_n(layer: str, shape: tuple[int, ...]) -> Produced:
    return _produced("h_n", layer, shape)


def c_n(layer: str, shape: tuple[int, ...]) -> Produced:
    return _produced("c_n", layer, shape)


def _produced(name: Literal["output", "h_n", "c_n"], layer: str, shape: tuple[int, ...],
              lengths: tuple[int, ...] | None = None) -> Produced:
    s = parse_layer(layer)
    hidden = s.H if name == "c_n" else s.H_out
    return Produced(name, shape, batch_first=s.is_batch_first, directions=s.D, layers=s.layers,
                    hidden=hidden, lengths=lengths, layer=repr(s))


def through(p: Produced, layer: str, features: int | None = None) -> Produced:
    """`p` after a per-position layer: "Linear" to `features`, or an activation ("ReLU", "Tanh")."""
    last = p.shape[-1] if features is None else features
    return replace(p, shape=(*p.shape[:-1], last), through=layer)


def index(p: Produced, *key: object) -> Pair:
    """`p[key]`: `index(p, slice(None), -1)` is `p[:, -1]`."""
    return p, Use.index(*key)


def view(p: Produced, *written: int) -> Pair:
    """`p.view(*written)`, with at most one -1."""
    return p, Use.view(*_resolve(p.shape, written), written=written)


def reshape(p: Produced, *written: int) -> Pair:
    return p, Use.view(*_resolve(p.shape, written), op="reshape", written=written)


def unpack(p: Produced, names: int) -> Pair:
    """`a, b = p`: unpacked into `names` names."""
    return p, Use.unpack(names)


def _resolve(shape: tuple[int, ...], written: tuple[int, ...]) -> tuple[int, ...]:
    known = prod(n for n in written if n != -1)
    return tuple(prod(shape) // known if n == -1 else n for n in written)
