"""RNN207 device-mismatch

## What it catches
`input`, `h_0`/`c_0` (or `hx`) and the layer's weights on different devices:
a model moved to the GPU with `.to("cuda")` while the batch, or the initial
state built with `torch.zeros(...)`, stayed on the CPU. It covers the
modules, packed input and the cells. `lengths` on the GPU is RNN402's.

## Why is this bad?
For dense input PyTorch raises `Input and parameter tensors are not at the
same device, found input tensor at cpu and parameter tensor at cuda:0` (or
`Input and hidden tensors ...`) only after every shape check has passed.
Cells, and packed input on the native path, compare no devices at all: they
fail inside a kernel with `Expected all tensors to be on the same device, but
found at least two devices, cuda:0 and cpu!`, which names no argument.
`rnndoctor.check()` reads meta tensors as being on the layer's device, so a
check on the meta device never reports this rule.

## Example
    lstm = nn.LSTM(10, 20).to("cuda")
    h_0 = c_0 = torch.zeros(1, 3, 20)
    lstm(torch.randn(5, 3, 10, device="cuda"), (h_0, c_0))

## Use instead
    lstm = nn.LSTM(10, 20).to("cuda")
    h_0 = c_0 = torch.zeros(1, 3, 20, device="cuda")
    lstm(torch.randn(5, 3, 10, device="cuda"), (h_0, c_0))

## Fixes, in order
1. Move the odd ones out to the common device (safe). Tensors are created on
   the CPU unless given a `device`, so when exactly one accelerator is
   involved, the tensors on the CPU are the ones ranked to move; otherwise the
   majority decides, and a tie goes to the weights' device.
2. Move everything to the odd ones' device instead (safe), e.g. run the model
   on the CPU.

## PyTorch reference
ATen `check_attributes` (aten/src/ATen/native/RNN.h): every hidden tensor,
then every parameter, must be on `input`'s device.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from .._record import replace
from ..findings import Severity
from ..specs import TensorInfo
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import combine, convert_layer, set_input, set_states

WEIGHTS = "weights"


def check(b: Bound) -> Iterator[Candidate]:
    if b.x is None:
        return
    seen = {"input": _canon(b.x.device)}
    seen |= {name: _canon(t.device) for name, t in b.states.items()}
    seen[WEIGHTS] = _canon(b.spec.device)
    if len(set(seen.values())) == 1:
        return
    target = _target(seen)
    odd = [name for name, device in seen.items() if device != target]
    yield Candidate(
        RULE.finding(
            _title(b, seen, odd, target),
            tuple(_argument(n) for n in odd) + tuple(_argument(n) for n in seen if n not in odd),
            notes=_notes(b, seen, odd, target),
            raises="RuntimeError",
        ),
        Order.DEVICE,
        _fixes(b, seen, odd, target),
    )


def _canon(device: str) -> str:
    """A device without an index (`cuda`) means the current one, taken to be index 0."""
    return device if ":" in device or device in ("cpu", "meta") else f"{device}:0"


def _target(seen: dict[str, str]) -> str:
    """The device the odd ones out should move to."""
    accelerators = {d for d in seen.values() if d != "cpu"}
    if len(accelerators) == 1:
        return accelerators.pop()  # what is on the CPU was most likely never moved
    ranked = Counter(seen.values()).most_common()
    if ranked[0][1] > ranked[1][1]:
        return ranked[0][0]
    return seen[WEIGHTS]


def _argument(name: str) -> str:
    return "device" if name == WEIGHTS else name


def _label(b: Bound, name: str) -> str:
    return f"this {b.spec.kind}'s weights" if name == WEIGHTS else f"`{name}`"


def _join(items: list[str]) -> str:
    """`a`, `a and b`, `a, b, and c`."""
    if len(items) < 3:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def _title(b: Bound, seen: dict[str, str], odd: list[str], target: str) -> str:
    names = _join([_label(b, n) for n in odd])
    verb = "is" if len(odd) == 1 and odd != [WEIGHTS] else "are"
    where = " and ".join(sorted({seen[n] for n in odd}))
    ref = next(n for n in seen if n not in odd)  # `input` first, the weights last
    ref_verb = "are" if ref == WEIGHTS else "is"
    return f"{names} {verb} on {where}, but {_label(b, ref)} {ref_verb} on {target}"


def _notes(b: Bound, seen: dict[str, str], odd: list[str], target: str) -> tuple[str, ...]:
    facts = ", ".join(f"{'the weights' if n == WEIGHTS else f'`{n}`'} {d}" for n, d in seen.items())
    notes = [f"devices: {facts}"]
    if target != "cpu" and any(seen[n] == "cpu" for n in odd):
        notes.append("tensors are created on the CPU unless given a `device`, so the ones on the "
                     "CPU are ranked as the ones to move")
    if b.spec.is_cell:
        notes.append("cells compare no devices: torch fails inside a kernel, naming no argument")
    return tuple(notes)


def _fixes(b: Bound, seen: dict[str, str], odd: list[str],
           target: str) -> tuple[ProposedFix, ...]:
    fixes = [_move(b, odd, target)]
    others = {seen[n] for n in odd}
    if len(others) == 1:
        rest = [n for n in seen if n not in odd]
        fixes.append(_move(b, rest, others.pop()))
    return tuple(fixes)


def _move(b: Bound, names: list[str], device: str) -> ProposedFix:
    """Move the named tensors (and the weights) to `device`, as one change."""
    parts: list[ProposedFix] = []
    lines: list[str] = []
    if "input" in names:
        given = b.call.input if isinstance(b.call.input, TensorInfo) else b.x  # padded, or data
        assert given is not None
        keep = "  # keep `lengths` on the CPU" if b.call.lengths is not None else ""
        parts.append(set_input("", replace(given, device=device)))
        lines.append(f'input = input.to("{device}"){keep}')
    states = {n: replace(t, device=device) for n, t in b.states.items() if n in names}
    if states:
        parts.append(set_states("", states))
        lines += [f'{n} = {n}.to("{device}")' for n in states]
    if WEIGHTS in names:
        parts.append(convert_layer("", "", device=device))
        lines.append(f'model.to("{device}")')
    moved = _join(["the model" if n == WEIGHTS else f"`{n}`" for n in names])
    return combine(f"move {moved} to {device}", parts, "\n".join(lines))


RULE = Rule(
    code="RNN207",
    name="device-mismatch",
    severity=Severity.ERROR,
    summary="`input`, the states and the weights are on different devices",
    stage="forward",
    check=check,
)
