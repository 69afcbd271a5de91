"""What a scan found, as plain data: one row per recurrent module, and other modules' failures.

Torch-free; `rnndoctor._scan.trace` fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..findings import Finding, Severity
from ..report import Report
from ..specs import Call, Packed, RnnSpec, Seq, TensorInfo

__all__ = ["Failure", "FailureKind", "ScanReport", "ScanRow"]

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
        from ..render.scan_table import render_scan

        return render_scan(self)

    def _repr_html_(self) -> str:
        """The recurrent layers as a chain with the failing link highlighted, for Jupyter."""
        from ..render.html_scan import scan_html

        return scan_html(self)

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        return {"text/plain": str(self), "text/html": self._repr_html_()}
