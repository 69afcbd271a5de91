"""Scan a whole model without running it: every recurrent call, every problem, no memory.

`scan(model, *example_inputs)` runs the model's forward on meta tensors. Each
recurrent layer is checked by the engine instead of being run, and returns
correctly shaped meta outputs, so one scan reports every problem in the model.
The torch side lives in `trace.py`, imported only when a scan runs; the
report is plain data (`report.py`).
"""

from __future__ import annotations

from typing import Any

from .report import ScanReport

__all__ = ["scan"]


def scan(model: Any, *example_inputs: Any, **example_kwargs: Any) -> ScanReport:
    """Run `model(*example_inputs, **example_kwargs)` on meta tensors; check each recurrent call.

    Nothing is computed and no memory is allocated for activations or weights;
    the model itself is neither moved nor modified, and may live on any
    device, meta included. Recurrent layers are checked instead of run, so
    huge layers and long sequences cost nothing.

    >>> report = rnndoctor.scan(model, (32, 10, 50))   # a shape, a tensor, or a meta tensor
    >>> print(report)                                   # a table of recurrent calls, then findings
    >>> report.rows[0].output                           # TensorInfo(shape=(32, 10, 200), ...)

    Args:
        model: an `nn.Module` containing at least one nn.RNN / LSTM / GRU or cell.
        example_inputs: what the model's forward takes. A tuple of ints such as
            `(32, 10, 50)` stands for a float tensor of that shape; tensors are
            replaced by meta tensors of the same shape and dtype, except 1-D
            integer CPU tensors (the `lengths` of a packed batch), which are
            kept because `pack_padded_sequence` reads them. Lists, tuples and
            dicts (of any subclass) are converted item by item, and batch
            objects (dataclasses, or any object with attributes) are copied
            with the tensors inside them converted; numpy arrays, numbers,
            strings and None pass as they are.
        example_kwargs: keyword arguments for the forward, converted the same way.

    Returns:
        A `ScanReport`: one row per recurrent module, and the failures of other modules.

    Raises:
        TypeError: `model` is not an `nn.Module`.
        ValueError: the model has no recurrent layers.
    """
    from . import trace

    return trace.run(model, example_inputs, example_kwargs)
