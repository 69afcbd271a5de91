"""RNN408 inconsistent-batch-sizes

## What it catches
A PackedSequence given as `input` whose `batch_sizes` cannot describe its
data: empty, negative, increasing from one time step to the next, or not
summing to the number of rows of `data`. Such objects are built by hand, or
come from `pack_padded_sequence` with lengths longer than the padded sequence
(RNN406).

## Why is this bad?
Step t of a packed batch holds the `batch_sizes[t]` sequences still running,
so `batch_sizes` never increases and its sum is the number of rows of `data`.
Neither the `PackedSequence` constructor nor the layer checks this in torch
2.13. An empty `batch_sizes` fails with `IndexError: index 0 is out of bounds
for dimension 0 with size 0`; a sum above the rows or an increase fails in a
kernel with messages such as `start (8) + length (1) exceeds dimension size
(8).` or `output with shape [1, 20] doesn't match the broadcast shape [2, 20]`;
and a sum below the rows raises nothing: the layer silently ignores the extra
rows. A packed `nn.LSTM` outside oneDNN (with `proj_size`, or not float32)
whose data is a single 1-D value (`input_size=1`) raises nothing either when
every batch size is 1 and there are at most 4*hidden_size steps: it reads
each step's row from the first layer's 1-D gate product. rnndoctor flags
these cases as errors too.

## Example
    gru = nn.GRU(10, 20)
    packed = PackedSequence(torch.randn(12, 10), torch.tensor([3, 3, 2, 1, 1]))
    gru(packed)

## Use instead
    gru = nn.GRU(10, 20)
    packed = pack_padded_sequence(torch.randn(5, 3, 10), torch.tensor([5, 3, 2]))
    gru(packed)

## Fixes, in order
None can be derived from the shapes: build the PackedSequence with
`pack_padded_sequence` or `pack_sequence` instead of by hand, and keep every
length within the padded sequence.

## PyTorch reference
`torch.nn.utils.rnn.PackedSequence`: "Instances of this class should never be
created manually."
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..specs import Packed
from ._base import Bound, Candidate, Order, Rule
from ._fixes import fmt_count, fmt_lengths


def check(b: Bound) -> Iterator[Candidate]:
    packed = b.call.input
    if not isinstance(packed, Packed):
        return
    sizes = packed.batch_sizes
    rows = packed.data.shape[0] if packed.data.ndim > 0 else sum(sizes)
    rise = next((t for t in range(1, len(sizes)) if sizes[t] > sizes[t - 1]), None)
    negative = next((t for t, n in enumerate(sizes) if n < 0), None)
    if sizes and rise is None and negative is None and sum(sizes) == rows:
        return
    silent = bool(sizes) and rise is None and negative is None and sum(sizes) < rows
    raises, order = _outcome(sizes, silent or b.packed_lstm_gates_as_rows)
    notes = _notes(sizes, rows, rise, negative)
    if b.packed_lstm_gates_as_rows:
        notes += (GATES_AS_ROWS,)
    yield Candidate(
        RULE.finding(
            _title(sizes, rows, rise, negative),
            ("input",),
            notes=notes,
            raises=raises,
        ),
        order,
    )


GATES_AS_ROWS = ("torch 2.13 raises nothing here: with a single 1-D value as data, this nn.LSTM "
                 "takes each step's row from the first layer's 1-D gate product instead")


def _outcome(sizes: tuple[int, ...], silent: bool) -> tuple[str | None, int]:
    if not sizes:
        return "IndexError", Order.BATCH_SIZES
    if silent:
        return None, Order.SILENT
    return "RuntimeError", Order.PACKED_LATE


def _title(sizes: tuple[int, ...], rows: int, rise: int | None, negative: int | None) -> str:
    subject = "`batch_sizes` of the packed `input`"
    if not sizes:
        return f"{subject} is empty"
    if negative is not None:
        return f"{subject} has {sizes[negative]} at step {negative}"
    if rise is not None:
        return f"{subject} rises from {sizes[rise - 1]} to {sizes[rise]} at step {rise}"
    return f"{subject} sums to {sum(sizes)}, but its data has {fmt_count(rows, 'row')}"


def _notes(sizes: tuple[int, ...], rows: int, rise: int | None,
           negative: int | None) -> tuple[str, ...]:
    if not sizes:
        return ("torch reads `batch_sizes[0]` as the batch size before anything else",)
    notes = [f"`batch_sizes` is {fmt_lengths(sizes)}; step t holds the next `batch_sizes[t]` "
             "rows of the data, so the sizes never increase and sum to its rows"]
    if rise is not None or negative is not None:
        return tuple(notes)
    if sum(sizes) > rows:
        notes.append("`pack_padded_sequence` returns such a PackedSequence, without an error, "
                     "when `lengths` exceed the padded sequence")
    else:
        notes.append(f"torch 2.13 reads the first {fmt_count(sum(sizes), 'row')} and silently ignores "
                     f"the other {rows - sum(sizes)}")
    return tuple(notes)


RULE = Rule(
    code="RNN408",
    name="inconsistent-batch-sizes",
    severity=Severity.ERROR,
    summary="a PackedSequence's `batch_sizes` do not describe its data",
    stage="forward",
    check=check,
)
