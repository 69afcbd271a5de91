"""Scan a whole model without running it: every recurrent call, every problem, no memory.

`scan(model, *example_inputs)` runs the model's forward on meta tensors. Each
recurrent layer is checked by the engine instead of being run, and returns
correctly shaped meta outputs, so one scan reports every problem in the model.
The torch side lives in `rnndoctor._scan_trace`, imported only when a scan runs;
this module is plain data and imports no torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .findings import Finding, Severity
from .report import Report
from .spec import Call, Packed, RnnSpec, Seq, TensorInfo

__all__ = ["Failure", "ScanReport", "ScanRow", "scan"]

FailureKind = Literal["error", "no-meta-kernel", "needs-values"]
Status = Literal["ok", "warning", "error", "not called", "not reached"]


@dataclass(frozen=True, slots=True)
class ScanRow:
    """One recurrent module: its configuration, its first call, and the findings over all calls."""

    path: str  # qualified name from named_modules(); "" for the model itself
    spec: RnnSpec
    calls: int = 0
    call: Call | None = None  # the first call, as the rules saw it
    output: TensorInfo | Packed | None = None  # None for the cells, which return states only
    h_n: TensorInfo | None = None
    c_n: TensorInfo | None = None
    findings: tuple[Finding, ...] = ()
    reached: bool = True  # False: the scan stopped before this module could be called

    @property
    def name(self) -> str:
        return self.path or "(model)"

    @property
    def input(self) -> TensorInfo | Packed | None:
        found = self.call.input if self.call is not None else None
        return found if isinstance(found, (TensorInfo, Packed)) else None

    @property
    def h_0(self) -> TensorInfo | None:
        return self._state(0)

    @property
    def c_0(self) -> TensorInfo | None:
        return self._state(1)

    def _state(self, index: int) -> TensorInfo | None:
        hx = self.call.hx if self.call is not None else None
        if isinstance(hx, TensorInfo):
            return hx if index == 0 else None
        if isinstance(hx, Seq) and index < len(hx.items):
            item = hx.items[index]
            return item if isinstance(item, TensorInfo) else None
        return None

    @property
    def status(self) -> Status:
        if not self.calls:
            return "not called" if self.reached else "not reached"
        severities = {f.severity for f in self.findings}
        if Severity.ERROR in severities:
            return "error"
        return "warning" if Severity.WARNING in severities else "ok"


@dataclass(frozen=True, slots=True)
class Failure:
    """A non-recurrent part of the model that failed on meta tensors."""

    module_path: str  # the innermost module running when it failed; "" for the model itself
    module_type: str  # "Linear"
    module_repr: str  # "Linear(in_features=200, out_features=10, bias=True)"
    kind: FailureKind  # error: torch rejected the call; or the part cannot run without data
    error: str  # the exception's type: "RuntimeError"
    message: str  # the exception's message, first line
    op: str | None = None  # the torch function or operator that failed: "linear", "aten::unique"
    inputs: tuple[tuple[int, ...], ...] = ()  # shapes of the tensors it was given
    upstream: tuple[str, ...] = ()  # recurrent modules those tensors derive from
    notes: tuple[str, ...] = ()
    help: str | None = None
    recovered: bool = False  # True: the scan went on with a correctly shaped stand-in output

    @property
    def name(self) -> str:
        return self.module_path or "(model)"


@dataclass(frozen=True)
class ScanReport:
    """Every recurrent module of a model, its calls and findings, and what else failed.

    Truthy when no recurrent call has an error and no other module failed with one;
    `finished` says whether the whole forward could be scanned.
    `str(report)` is the plain-text table followed by the findings.

    >>> report = rnndoctor.scan(model, (32, 10, 50))
    >>> [row.path for row in report.rows if row.status == "error"]
    ['decoder']
    """

    model: str  # the model's class name
    rows: tuple[ScanRow, ...]
    failures: tuple[Failure, ...] = ()
    finished: bool = True  # False: a failure stopped the forward before its end

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for row in self.rows for f in row.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return Report(self.findings).errors

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return Report(self.findings).warnings

    @property
    def calls(self) -> int:
        return sum(row.calls for row in self.rows)

    def __bool__(self) -> bool:
        return not self.errors and all(f.kind != "error" for f in self.failures)

    def __str__(self) -> str:
        from .render.scan_table import render_scan

        return render_scan(self)

    def _repr_html_(self) -> str:
        """The recurrent layers as a chain with the failing link highlighted, for Jupyter."""
        from .render.html_scan import scan_html

        return scan_html(self)

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        return {"text/plain": str(self), "text/html": self._repr_html_()}


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
            dicts are converted item by item; numbers, strings and None pass.
        example_kwargs: keyword arguments for the forward, converted the same way.

    Returns:
        A `ScanReport`: one row per recurrent module, and the failures of other modules.

    Raises:
        TypeError: `model` is not an `nn.Module`, or an example input has a type
            the scan cannot stand in for (a numpy array, for instance).
        ValueError: the model has no recurrent layers.
    """
    from . import _scan_trace

    return _scan_trace.run(model, example_inputs, example_kwargs)
