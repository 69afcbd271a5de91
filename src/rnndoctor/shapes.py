"""Expected shapes of a recurrent layer's tensors, each size with where it comes from."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ._record import record, replace
from .findings import Dim
from .specs import RnnSpec

__all__ = ["ExpectedShapes", "expected_dims", "layer_derivation", "with_actual"]

STATE_NAMES = ("h_0", "c_0", "h_n", "c_n")


def layer_derivation(s: RnnSpec) -> str:
    """Why the states have `D*num_layers` rows: `D=2 (bidirectional=True) × num_layers=2`."""
    if s.D == 2:
        return f"D=2 (bidirectional={s.bidirectional!r}) × num_layers={s.num_layers!r}"
    return f"D=1 (bidirectional={s.bidirectional!r}) × num_layers={s.num_layers!r}"


def hidden_derivation(s: RnnSpec, name: str) -> tuple[str, int, str]:
    """The symbol, size and reason for the last dim of a state."""
    if name.startswith("c"):
        return "H_cell", s.H, f"hidden_size={s.hidden_size!r}"
    if s.P > 0:
        return "H_out", s.P, f"proj_size={s.proj_size!r}"
    return "H_out", s.H, f"hidden_size={s.hidden_size!r}"


def batch_derivation(s: RnnSpec, packed: bool = False) -> str:
    if packed:
        return "`batch_sizes[0]` of the packed `input`"
    if s.is_cell:
        return "dim 0 of `input`"
    if s.is_batch_first:
        return "dim 0 of `input` (batch_first=True)"
    return "dim 1 of `input` (batch_first=False)"


def expected_dims(
    s: RnnSpec,
    name: str,
    *,
    batch: int | None,
    seq_len: int | None = None,
    unbatched: bool = False,
    packed: bool = False,
    batch_reason: str | None = None,
) -> tuple[Dim, ...]:
    """The axes of tensor `name` ("input", "h_0", "c_0", "output", "h_n", "c_n") for layer `s`.

    `batch=None` leaves N open; `seq_len=None` leaves L open.
    """
    N = ("N", batch, batch_reason or batch_derivation(s, packed))
    if name in ("input", "output"):
        if name == "input":
            last = ("H_in", s.I, f"input_size={s.input_size!r}")
        elif s.D == 2:
            last = ("D*H_out", 2 * s.H_out, f"D=2 (bidirectional=True) × H_out={s.H_out}")
        else:
            last = ("H_out", s.H_out, hidden_derivation(s, "h")[2])
        if packed:
            return _dims(name, [("sum(lengths)", None, "rows of the packed data"), last])
        if s.is_cell:
            return _dims(name, [last] if unbatched else [N, last])
        L = ("L", seq_len, "sequence length")
        if unbatched:
            return _dims(name, [L, last])
        return _dims(name, [N, L, last] if s.is_batch_first else [L, N, last])
    last = hidden_derivation(s, name)
    if s.is_cell:
        return _dims(name, [last] if unbatched else [N, last])
    layers = ("D*num_layers", s.D * s.layers, layer_derivation(s))
    if unbatched:
        return _dims(name, [layers, last])
    return _dims(name, [layers, N, last])


def with_actual(expected: tuple[Dim, ...], shape: tuple[int, ...]) -> tuple[Dim, ...]:
    """The expected axes with the actual sizes filled in; empty when the ranks differ."""
    if len(expected) != len(shape):
        return ()
    return tuple(replace(d, actual=shape[d.index]) for d in expected)


def _dims(name: str, axes: list[tuple[str, int | None, str]]) -> tuple[Dim, ...]:
    return tuple(
        Dim(tensor=name, index=i, symbol=sym, expected=size, actual=None, derivation=reason)
        for i, (sym, size, reason) in enumerate(axes)
    )


@record
class ExpectedShapes(Mapping[str, tuple[int | None, ...]]):
    """The shapes of input, states and outputs of one layer for one batch size.

    Iterates like a dict of name -> shape; `None` stands for a size left open
    (the sequence length when none was given). `dims(name)` gives each axis
    with its symbol and derivation.
    """

    spec: RnnSpec
    batch: int | None
    seq_len: int | None
    unbatched: bool = False

    def _names(self) -> tuple[str, ...]:
        names: tuple[str, ...] = ("input", "h_0", "c_0", "output", "h_n", "c_n")
        if self.spec.base != "LSTM":
            names = ("input", "h_0", "output", "h_n")
        if self.spec.is_cell:
            return tuple(n for n in names if n not in ("output",))
        return names

    def dims(self, name: str) -> tuple[Dim, ...]:
        if name not in self._names():
            raise KeyError(name)
        return expected_dims(
            self.spec, _state_alias(name), batch=self.batch, seq_len=self.seq_len,
            unbatched=self.unbatched,
        )

    def __getitem__(self, name: str) -> tuple[int | None, ...]:
        return tuple(d.expected for d in self.dims(name))

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={_fmt(v)}" for k, v in self.items())
        return f"ExpectedShapes({inner})"


def _state_alias(name: str) -> str:
    return {"h_n": "h_0", "c_n": "c_0"}.get(name, name)


def _fmt(shape: tuple[int | None, ...]) -> str:
    inner = ", ".join("L" if v is None else str(v) for v in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"
