"""The reports the HTML tests render: every rule family, the article's three examples, a scan.

Each case renders with a fixed id, and says what the page must show: the
argument the text alternative names, and the highlighted cells with their
actual sizes. Both are read from the report's own findings, so that the tests
check the drawing against the data, for whatever the rules find.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rnndoctor import check, expected_shapes, explain, spec
from rnndoctor._demo import EXAMPLES
from rnndoctor._explain._render import explanation_html
from rnndoctor._record import replace
from rnndoctor.findings import Applicability, Dim, Finding, Fix, Location, Severity
from rnndoctor.render.html import report_html, shapes_html
from rnndoctor.render.html_scan import scan_html
from rnndoctor.report import Report
from rnndoctor.specs import Seq, TensorInfo
from rnndoctor.uses import judge

from ..rules.cases._uses import index, output

UID = "rnnd-test"
EVIL = '<script>alert(1)</script></style>"><svg onload=alert(2)>'


@dataclass(frozen=True)
class Case:
    name: str
    html: Callable[[str], str]  # a fixed id -> the HTML fragment
    culprit: str | None  # the argument the text alternative names
    wrong: tuple[tuple[str, int, str], ...]  # (tensor, dim, actual) of each highlighted cell
    drawn: bool = True  # False: no layer and no tensor is known (a use rule's finding)


def _report_case(name: str, report: Report, render: Callable[[str], str] | None = None) -> Case:
    first = report.first or next(iter(report.findings), None)  # a warning when there is no error
    culprit = first.arguments[0] if first is not None and first.arguments else None
    owner: dict[str, Finding] = {}
    wrong = []
    for f in report.findings:
        for d in f.dims:
            if owner.setdefault(d.tensor, f) is f and d.wrong:
                wrong.append((d.tensor, d.index, str(d.actual)))
    return Case(name, render or (lambda uid: report_html(report, uid)), culprit, tuple(wrong))


def _example(i: int) -> Report:
    ex = EXAMPLES[i]
    hx = Seq("tuple", tuple(TensorInfo(s) for s in ex.states)) if ex.states else None
    return check(ex.layer, TensorInfo(ex.input), hx)


def _evil() -> Report:
    """A finding whose every user-facing string tries to break out of the markup."""
    dims = (Dim(EVIL, 0, EVIL, 4, 2, EVIL),)
    finding = Finding("RNN203", "hidden-layer-count-mismatch", Severity.ERROR, f"`{EVIL}` {EVIL}",
                      (EVIL,), Location(EVIL, EVIL, EVIL), dims, (EVIL,),
                      (Fix(EVIL, Applicability.SAFE, EVIL),), "RuntimeError")
    return Report((finding,))


def _use_report() -> Report:
    produced, use = index(output("LSTM(3, 5, batch_first=True, bidirectional=True)", (4, 6, 10)),
                          slice(None), -1)
    return Report(judge(produced, use))


def _explained() -> Case:
    e = explain("RuntimeError: Expected hidden[0] size (4, 32, 100), got [2, 32, 100]")
    return _report_case("explain-hidden-layers", e, lambda uid: explanation_html(e, uid))


def report_cases() -> list[Case]:
    bi = spec("LSTM", 10, 20, num_layers=2, bidirectional=True)
    lstm = spec("LSTM", 10, 20)
    shapes = expected_shapes(spec("LSTM", 50, 100, num_layers=2, bidirectional=True, batch_first=True),
                             batch=32, seq_len=10)
    return [
        _report_case("example-1-input-size", _example(0)),
        _report_case("example-2-batch", _example(1)),
        _report_case("example-3-no-states", _example(2)),
        _report_case("rnn2-hidden-layers", check(bi, (5, 8, 10), ((2, 8, 20), (2, 8, 20)))),
        _report_case("rnn3-dropout", check(spec("GRU", 10, 20, dropout=0.5), (5, 3, 10))),
        _report_case("rnn4-lengths", check(lstm, (5, 3, 10), lengths=[6, 3, 2])),
        replace(_report_case("rnn5-last-step", _use_report()), drawn=False),
        _explained(),
        _report_case("xss", _evil()),
        Case("expected-shapes", lambda uid: shapes_html(shapes, uid), None, ()),
    ]


def scan_case() -> Case:
    """An encoder whose bidirectional output the decoder cannot take: the second link fails."""
    import torch
    from torch import nn

    import rnndoctor

    class Seq2Seq(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = nn.LSTM(50, 100, batch_first=True, bidirectional=True)
            self.decoder = nn.LSTM(100, 100, batch_first=True)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out, _ = self.encoder(x)
            return self.decoder(out)[0]

    report = rnndoctor.scan(Seq2Seq(), (32, 10, 50))
    row = next(r for r in report.rows if r.findings)
    first = Report(row.findings).first
    assert first is not None
    wrong = tuple((d.tensor, d.index, str(d.actual)) for d in first.dims if d.wrong)
    return Case("scan-chain", lambda uid: scan_html(report, uid), first.arguments[0], wrong)
