"""A torch function that failed on a tensor a recurrent layer produced, explained in the layer's terms.

Semantic mode sees every torch function the program calls. When one raises
(a loss, `bmm` in attention, `cat`, a Linear) and one of its operands is a
tagged result of nn.RNN, nn.LSTM or nn.GRU, this says which layer produced
which operand, its layout as the layer returned it, what the function reads
on those axes, and the change at the use. The text is kept on the exception
(`EXPLAINED`), where the post-mortem and `rnndoctor run` print it under the
traceback; the exception's type and message are torch's, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..uses import Produced

__all__ = ["EXPLAINED", "explain", "explained"]

EXPLAINED = "_rnndoctor_downstream"  # the attribute the explanation is kept under, on the exception

# What the function reads on each axis of its first operand, and the change for a layer's output.
_READS: dict[str, str] = {
    "cross_entropy": "(N, C) or (N, C, d1, ...): the batch on dim 0 and the classes on dim 1",
    "nll_loss": "(N, C) or (N, C, d1, ...): the batch on dim 0 and the classes on dim 1",
    "ctc_loss": "log_probs as (T, N, C): time on dim 0 and the batch on dim 1",
    "bmm": "(b, n, m): the batch of matrices on dim 0",
    "linear": "(*, in_features): the features on the last axis",
    "cat": "tensors of the same shape on every axis but `dim`",
    "mse_loss": "input and target of the same shape, element by element",
}


def _fix(name: str, p: Produced) -> str | None:
    """The change at the use, for a layer's output meeting `name`; None where none is sure."""
    if p.name != "output" or p.unbatched:
        return None
    if name in ("cross_entropy", "nll_loss") and len(p.shape) == 3:
        if p.batch_first:
            return "put the classes on dim 1, `logits.transpose(1, 2)`, or score every step as a row: " \
                   "`logits.reshape(-1, C)` against `target.reshape(-1)`"
        return "put the batch first and the classes on dim 1, `logits.permute(1, 2, 0)`"
    if name == "ctc_loss" and p.batch_first:
        return "pass time first, `log_probs.transpose(0, 1)`, or build the layer with `batch_first=False`"
    if name == "bmm" and not p.batch_first:
        return "put the batch first, `output.transpose(0, 1)`, or build the layer with `batch_first=True`"
    return None


def _operands(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for i, value in enumerate(args):
        if isinstance(value, (tuple, list)):
            for j, item in enumerate(value):
                yield f"argument {i}, item {j}", item
        else:
            yield f"argument {i}", value
    for key, value in kwargs.items():
        yield f"`{key}=`", value


def explain(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
            produced_by: Callable[[Any], Produced | None]) -> str | None:
    """The explanation for `func` failing on these operands, or None if no operand is a layer's."""
    name = getattr(func, "__name__", str(func))
    lines = []
    fixes = []
    for where, value in _operands(args, kwargs):
        p = produced_by(value)
        if p is None:
            continue
        layer = ": ".join(part for part in (p.module_path and f"`{p.module_path}`", p.layer) if part)
        lines.append(f"   = note: {where} of `{name}` comes from {layer}: {p.describe()}")
        fix = _fix(name, p)
        if fix is not None and fix not in fixes:
            fixes.append(fix)
    if not lines:
        return None
    reads = _READS.get(name)
    if reads is not None:
        lines.append(f"   = note: `{name}` reads {reads}")
    lines += [f"help: {fix}" for fix in fixes]
    return "\n".join([f"rnndoctor: `{name}` failed on a tensor a recurrent layer returned", *lines]) + "\n"


def explained(exc: BaseException) -> str | None:
    """The explanation semantic mode kept on `exc`, or on the error that caused it."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        text = getattr(current, EXPLAINED, None)
        if isinstance(text, str):
            return text
        current = current.__cause__ or current.__context__
    return None
