"""The machine format: versioned JSON documents, described by docs/report.schema.json.

Every document is an object with `"schema": 1` and a `"kind"`: "report" (a
check), "shapes", "rules", "rule" or "demo". Fields are only ever added within
a schema version; renaming or removing one raises the version.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..findings import Dim, Finding, Fix, Location, Severity
from ..report import Report
from ..rules._base import Rule
from ..shapes import ExpectedShapes
from ..specs import Call, Hx, Lengths, Other, Packed, Seq, TensorInfo

if TYPE_CHECKING:
    from .._demo import Outcome, TorchRun
    from .._scan.report import Failure, ScanReport, ScanRow

__all__ = [
    "SCHEMA",
    "demo_body",
    "document",
    "dumps",
    "report_body",
    "rule_body",
    "rules_body",
    "scan_body",
    "shapes_body",
]

SCHEMA = 1
Json = dict[str, Any]


def document(kind: str, body: Json) -> Json:
    """A complete document: the schema version and kind, then the body's fields."""
    return {"schema": SCHEMA, "kind": kind, **body}


def dumps(doc: Json) -> str:
    import json  # not on the text path: it costs a tenth of Python's start-up

    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def report_body(report: Report) -> Json:
    """A report: the layer, the call, the verdict, and every finding in torch's order."""
    counts = {s.value: sum(1 for f in report if f.severity is s) for s in Severity}
    return {
        "layer": repr(report.spec) if report.spec is not None else None,
        "call": _call(report.call) if report.call is not None else None,
        "valid": bool(report),
        "summary": counts,
        "findings": [_finding(f, first=f is report.first) for f in report],
    }


def _finding(f: Finding, first: bool = False) -> Json:
    return {
        "code": f.code,
        "rule": f.rule,
        "severity": f.severity.value,
        "title": f.title,
        "arguments": list(f.arguments),
        "location": _location(f.location),
        "dims": [_dim(d) for d in f.dims],
        "notes": list(f.notes),
        "fixes": [_fix(x) for x in f.fixes],
        "raises": f.raises,
        "first": first,
        "origin": f.origin,
    }


def _location(loc: Location) -> Json:
    return {"module_path": loc.module_path, "module_repr": loc.module_repr,
            "call_site": loc.call_site}


def _dim(d: Dim) -> Json:
    return {"tensor": d.tensor, "index": d.index, "symbol": d.symbol, "expected": d.expected,
            "actual": d.actual, "wrong": d.wrong, "derivation": d.derivation}


def _fix(x: Fix) -> Json:
    fix: Json = {"title": x.title, "applicability": x.applicability.value, "snippet": x.snippet}
    if x.site is not None:
        fix["site"] = x.site
    return fix


def _call(call: Call) -> Json:
    lengths = _lengths(call.lengths) if call.lengths is not None else None
    return {"input": _value(call.input), "hx": _value(call.hx), "lengths": lengths}


def _value(v: Hx | Packed | TensorInfo | Other) -> Json | None:
    if v is None:
        return None
    if isinstance(v, TensorInfo):
        return {"type": "tensor", "shape": list(v.shape), "dtype": v.dtype, "device": v.device}
    if isinstance(v, Packed):
        return {"type": "packed", "data": _value(v.data), "batch_sizes": list(v.batch_sizes),
                "sorted_indices": v.sorted_indices}
    if isinstance(v, Seq):
        return {"type": v.kind, "items": [_value(i) for i in v.items]}
    return {"type": "other", "type_name": v.type_name}


def _lengths(lengths: Lengths) -> Json:
    return {"values": list(lengths.values) if lengths.readable else [None] * len(lengths.values),
            "dtype": lengths.dtype, "device": lengths.device, "ndim": lengths.ndim,
            "enforce_sorted": lengths.enforce_sorted}


def shapes_body(shapes: ExpectedShapes) -> Json:
    """Each tensor's shape, axis by axis, with the symbol and where the size comes from."""
    return {
        "layer": repr(shapes.spec),
        "batch": shapes.batch,
        "seq_len": shapes.seq_len,
        "unbatched": shapes.unbatched,
        "tensors": [
            {"name": name, "shape": list(shapes[name]),
             "dims": [{"symbol": d.symbol, "size": d.expected, "derivation": d.derivation}
                      for d in shapes.dims(name)]}
            for name in shapes
        ],
    }


def rules_body(rules: Iterable[Rule]) -> Json:
    return {"rules": [_rule(r) for r in rules]}


def rule_body(rule: Rule) -> Json:
    return _rule(rule) | {"doc": rule.doc}


def _rule(r: Rule) -> Json:
    return {"code": r.code, "name": r.name, "severity": r.severity.value, "summary": r.summary,
            "stage": r.stage}


def demo_body(outcomes: Sequence[Outcome], article: str) -> Json:
    """The article's examples: each with its code, claim, torch's verdict and the report."""
    return {"article": article, "examples": [_example(o) for o in outcomes]}


def _example(o: Outcome) -> Json:
    ex = o.example
    return {
        "title": ex.title,
        "code": ex.code,
        "article_says": ex.claim,
        "article_claims_failure": ex.claims_failure,
        "command": ex.command,
        "torch": _torch_run(o.torch),
        "report": report_body(o.report),
        "expected_shapes": shapes_body(o.shapes),
    }


def _torch_run(run: TorchRun | None) -> Json | None:
    if run is None:
        return None
    return {"version": run.version, "error": run.error, "message": run.message,
            "outputs": {name: list(shape) for name, shape in run.outputs}}


def scan_body(report: ScanReport) -> Json:
    """A scan: one entry per recurrent module, with its first call and findings; then other failures."""
    counts = {s.value: sum(1 for f in report.findings if f.severity is s) for s in Severity}
    return {
        "model": report.model,
        "valid": bool(report),
        "finished": report.finished,
        "summary": counts | {"failed_modules": len(report.failures)},
        "layers": [_scan_row(row) for row in report.rows],
        "failures": [_failure(f) for f in report.failures],
    }


def _scan_row(row: ScanRow) -> Json:
    first = Report(row.findings).first
    tensors = {"input": row.input, "h_0": row.h_0, "c_0": row.c_0, "output": row.output,
               "h_n": row.h_n, "c_n": row.c_n}
    return {
        "path": row.path, "layer": repr(row.spec), "calls": row.calls, "status": row.status,
        **{name: _value(v) for name, v in tensors.items()},
        "D": row.spec.D, "H_out": row.spec.H_out, "dtype": row.spec.dtype,
        "findings": [_finding(f, first=f is first) for f in row.findings],
    }


def _failure(f: Failure) -> Json:
    return {
        "module_path": f.module_path, "module_type": f.module_type, "module_repr": f.module_repr,
        "kind": f.kind, "error": f.error, "message": f.message, "op": f.op,
        "inputs": [list(shape) for shape in f.inputs], "upstream": list(f.upstream),
        "notes": list(f.notes), "help": f.help, "recovered": f.recovered,
    }
