"""What a scan says about links between layers, in model terms; plain data in, sentences out.

`encoder` is bidirectional, so its output has 2*100 = 200 features, but
`decoder` was built with `input_size=100`: the notes here connect a finding
(or a failure) to the recurrent layer whose output caused it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..findings import Dim, Finding
from ..specs import RnnSpec
from .report import FailureKind

__all__ = ["Upstream", "classify", "finding_links", "reason"]


@dataclass(frozen=True, slots=True)
class Upstream:
    """A tensor that comes from a recurrent layer's output."""

    path: str  # the recurrent layer's qualified name
    spec: RnnSpec
    tensor: str  # "output", "h_n", "c_n" ("h_1", "c_1" for the cells)
    direct: bool  # True: the very tensor the layer returned; False: computed from it


def finding_links(
    finding: Finding, name: str, spec: RnnSpec, sources: dict[str, tuple[Upstream, ...]]
) -> tuple[str, ...]:
    """One note per upstream layer of each culprit tensor of `finding` (layer `name`)."""
    notes = [_link(arg, wrong, up, name, spec)
             for arg, wrong in _culprits(finding).items() for up in sources.get(arg, ())]
    return tuple(dict.fromkeys(notes))


def _culprits(finding: Finding) -> dict[str, Dim | None]:
    """The tensors a finding blames, each with its first wrong axis (None when it has no table)."""
    culprits: dict[str, Dim | None] = {}
    for d in finding.dims:
        if d.wrong and culprits.get(d.tensor) is None:
            culprits[d.tensor] = d
    if culprits:
        return culprits
    return {arg: None for arg in finding.arguments if arg in ("input", "h_0", "c_0")}


def _link(arg: str, wrong: Dim | None, up: Upstream, name: str, spec: RnnSpec) -> str:
    because = reason(wrong, up)
    if wrong is None or because is None:
        verb = "is" if up.direct else "comes from"
        return f"`{arg}` {verb} `{up.path}`'s `{up.tensor}`"
    return f"{because}, but `{name}` {_need(wrong, spec)}"


def reason(wrong: Dim | None, up: Upstream) -> str | None:
    """Why the upstream tensor has the size found on the wrong axis; None when it does not."""
    if wrong is None:
        return None
    if wrong.symbol in ("H_in", "H_out", "H_cell") and wrong.actual == _features(up):
        return _features_reason(up)
    layers = up.spec.D * up.spec.layers
    if wrong.symbol == "D*num_layers" and up.tensor in ("h_n", "c_n") and wrong.actual == layers:
        return _layers_reason(up)
    return None


def _features(up: Upstream) -> int:
    s = up.spec
    if up.tensor == "output":
        return s.D * s.H_out
    return s.H if up.tensor.startswith("c") else s.H_out


def _features_reason(up: Upstream) -> str:
    s, what = up.spec, "output" if up.tensor == "output" else f"`{up.tensor}`"
    has = f"so its {what} has"
    if up.tensor == "output" and s.D == 2:
        return f"`{up.path}` is bidirectional, {has} 2*{s.H_out} = {2 * s.H_out} features"
    if s.P > 0 and not up.tensor.startswith("c"):
        return f"`{up.path}` has `proj_size={s.proj_size!r}`, {has} {s.P} features"
    return f"`{up.path}` has `hidden_size={s.hidden_size!r}`, {has} {s.H} features"


def _layers_reason(up: Upstream) -> str:
    """The layer count of all the upstream layer's final states, which h_0 and c_0 share."""
    s, n = up.spec, up.spec.layers
    states = "`h_n` and `c_n` have" if s.base == "LSTM" else "`h_n` has"
    if s.D == 2:
        return (f"`{up.path}` is bidirectional with `num_layers={s.num_layers!r}`, "
                f"so its {states} 2*{n} = {2 * n} layers")
    noun = "layer" if n == 1 else "layers"
    return f"`{up.path}` has `num_layers={s.num_layers!r}`, so its {states} {n} {noun}"


def _need(wrong: Dim, spec: RnnSpec) -> str:
    if wrong.symbol == "H_in":
        return f"was built with `input_size={spec.input_size!r}`"
    if wrong.symbol == "D*num_layers":
        return f"needs D*num_layers = {wrong.expected}"
    if wrong.symbol == "H_out" and spec.P > 0:
        return f"was built with `proj_size={spec.proj_size!r}`"
    return f"was built with `hidden_size={spec.hidden_size!r}`"


_NO_KERNEL = (
    re.compile(r"([\w.]+::\w+): attempted to run this operator with Meta tensors"),
    re.compile(r"Could not run '([\w.]+::\w+)' with arguments from the 'Meta' backend"),
    re.compile(r"no fake impl registered for <CustomOpDef\(([\w.]+::\w+)\)>"),
)
_NEEDS_VALUES = (
    "cannot be called on meta tensors",
    "Cannot copy out of meta tensor",
    "as a correct data-independent implementation does not exist",
)


def classify(message: str) -> tuple[FailureKind, str | None]:
    """Whether torch rejected the call, has no meta kernel (and which), or needs real values."""
    for pattern in _NO_KERNEL:
        found = pattern.search(message)
        if found:
            return "no-meta-kernel", found.group(1)
    if any(text in message for text in _NEEDS_VALUES):
        return "needs-values", None
    return "error", None
