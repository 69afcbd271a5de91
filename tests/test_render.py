"""The renderers on fixed data: plain text, colour on top of it, JSON, and the other views."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from rnndoctor._demo import run_examples
from rnndoctor.engine import diagnose
from rnndoctor.findings import Applicability, Dim, Finding, Fix, Location, Severity
from rnndoctor.render import json as json_render
from rnndoctor.render.colour import colour, styled
from rnndoctor.render.output import use_color, write_document, write_report
from rnndoctor.render.text import call_summary, render_report
from rnndoctor.render.views import render_demo, render_rule, render_rules, render_shapes
from rnndoctor.report import Report
from rnndoctor.rules._base import Bound, Candidate, Rule
from rnndoctor.shapes import ExpectedShapes
from rnndoctor.specs import Call, Lengths, Seq, TensorInfo, spec

from .golden import check_golden

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
LAYER = spec("LSTM", 10, 20, num_layers=2, bidirectional=True)

ERROR = Finding(
    code="RNN203",
    rule="hidden-layer-count-mismatch",
    severity=Severity.ERROR,
    title="`h_0` has 2 layers, but this LSTM needs 4",
    arguments=("h_0", "num_layers"),
    location=Location(module_path="encoder.rnn", module_repr=repr(LAYER)),
    dims=(Dim("h_0", 0, "D*num_layers", 4, 2, "D=2 (bidirectional=True) × num_layers=2"),
          Dim("h_0", 1, "N", 8, 8, "dim 1 of `input` (batch_first=False)"),
          Dim("h_0", 2, "H_out", 20, 20, "hidden_size=20")),
    notes=("D is 2 because `bidirectional=True`, so D*num_layers = 2*2 = 4",),
    fixes=(Fix("allocate `h_0` (and `c_0`) with 4 layers", Applicability.SAFE,
               "h_0 = torch.zeros(4, 8, 20)"),
           Fix("construct the LSTM with `bidirectional=False`", Applicability.CHANGES_MODEL)),
    raises="RuntimeError",
)
WARNING = Finding(
    code="RNN105",
    rule="input-looks-transposed",
    severity=Severity.WARNING,
    title="`input` looks batch-first, but the LSTM has `batch_first=False`",
    arguments=("input", "batch_first"),
    location=Location(module_repr=repr(LAYER)),
    notes=("dim 0 of `input` (8) equals the batch size of `h_0` (8); dim 1 (5) does not",),
)
CALL = Call(TensorInfo((5, 8, 10)), Seq("tuple", (TensorInfo((2, 8, 20)), TensorInfo((2, 8, 20)))))
REPORT = Report((ERROR, WARNING), spec=LAYER, call=CALL)
SHAPES = [
    ExpectedShapes(spec("LSTM", 50, 100, num_layers=2, bidirectional=True, batch_first=True),
                   32, 10),
    ExpectedShapes(spec("LSTM", 10, 20, proj_size=5), None, None),
    ExpectedShapes(spec("GRU", 10, 20), None, 7, unbatched=True),
    ExpectedShapes(spec("LSTMCell", 10, 20), 8, None),
    ExpectedShapes(spec("RNNCell", 10, 20), None, None, unbatched=True),
]


def _no_check(b: Bound) -> Iterator[Candidate]:
    return iter(())


FAKE_RULES = [
    Rule("RNN101", "input-not-tensor", Severity.ERROR, "`input` is not a tensor", "forward",
         _no_check, doc="RNN101 input-not-tensor\n\n## What it catches\nA list.\n\n"
                        "## Example\n    lstm([1.0, 2.0])\n"),
    Rule("RNN301", "dropout-on-single-layer", Severity.WARNING,
         "`dropout` with `num_layers=1` does nothing", "construct", _no_check),
    Rule("RNN504", "backward-state-only", Severity.WARNING,
         "`h_n[-1]` of a bidirectional layer: the backward direction alone", "use", _no_check,
         doc="RNN504 backward-state-only\n\n## What it catches\n`h_n[-1]` alone.\n"),
]


def schema_validator() -> Draft202012Validator:
    schema = json.loads((ROOT / "docs" / "report.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def rich_colour(text: str) -> str:
    """`text` with the house styles as rich writes them, to compare `colour` with."""
    from rich.console import Console

    out = io.StringIO()
    console = Console(width=40, file=out, force_terminal=True, color_system="standard",
                      legacy_windows=False, highlight=False, markup=False, emoji=False,
                      soft_wrap=True, _environ={})
    console.print(styled(text), end="", soft_wrap=True)
    return out.getvalue()


def all_views() -> list[str]:
    return [render_report(REPORT), render_report(Report(())), *map(render_shapes, SHAPES),
            render_rules(FAKE_RULES), render_rule(FAKE_RULES[0]),
            render_demo(run_examples(use_torch=False), "The article")]


# ---- plain text ---------------------------------------------------------------------------

def test_report_text(update_goldens: bool) -> None:
    check_golden("render/report.txt", render_report(REPORT), update_goldens)


def test_views_text(update_goldens: bool) -> None:
    text = "\n".join(render_shapes(s) for s in SHAPES)
    check_golden("render/shapes.txt", text, update_goldens)
    check_golden("render/rules.txt", render_rules(FAKE_RULES), update_goldens)
    check_golden("render/rule.txt", render_rule(FAKE_RULES[0]), update_goldens)
    check_golden("render/rule-use.txt", render_rule(FAKE_RULES[2]), update_goldens)


def test_views_have_no_trailing_spaces() -> None:
    for text in all_views():
        assert not [line for line in text.splitlines() if line != line.rstrip()]


# ---- colour -------------------------------------------------------------------------------

def test_colour_is_exact(update_goldens: bool) -> None:
    check_golden("render/report.ansi", colour(render_report(REPORT)), update_goldens)


@pytest.mark.parametrize("index", range(len(all_views())))
def test_colour_only_adds_styles(index: int) -> None:
    text = all_views()[index]
    assert styled(text).plain == text
    coloured = colour(text)
    assert "\x1b[" in coloured
    assert ANSI.sub("", coloured) == text  # no wrapping, no padding


@pytest.mark.parametrize("index", range(len(all_views())))
def test_colour_writes_what_rich_writes(index: int) -> None:
    text = all_views()[index]
    assert colour(text) == rich_colour(text)


# Lines made of the pieces the styles look for, with tabs and control characters.
PIECES = st.sampled_from(["error", "[RNN204]", "warning", "note", "ok", "help", ":", " ", "   = ", "  -->",
                          "   |", "^", "`", "`h_0`", "found 2 ", "where", "For more on this ", "## ",
                          "Example 2:", "RNN301 ", "x", "\t", "\r", "\x07", "é", "\n"])


@given(st.lists(PIECES, max_size=40).map("".join))
def test_colour_writes_what_rich_writes_on_any_text(text: str) -> None:
    assert colour(text) == rich_colour(text)


# ---- JSON ---------------------------------------------------------------------------------

def test_report_json(update_goldens: bool) -> None:
    doc = json_render.document("report", json_render.report_body(REPORT))
    assert not list(schema_validator().iter_errors(doc))
    assert [f["first"] for f in doc["findings"]] == [True, False]
    check_golden("render/report.json", json_render.dumps(doc), update_goldens)


def test_every_json_document_matches_the_schema() -> None:
    validator = schema_validator()
    docs = [
        json_render.document("report", json_render.report_body(Report(()))),
        json_render.document("report", json_render.report_body(diagnose(  # values of lengths unread
            spec("LSTM", 10, 20), Call(TensorInfo((5, 3, 10)), None, Lengths((1, 1), readable=False))))),
        *(json_render.document("shapes", json_render.shapes_body(s)) for s in SHAPES),
        json_render.document("rules", json_render.rules_body(FAKE_RULES)),
        json_render.document("rule", json_render.rule_body(FAKE_RULES[0])),
        json_render.document("demo", json_render.demo_body(run_examples(False), "The article")),
    ]
    for doc in docs:
        assert not [e.message for e in validator.iter_errors(doc)], doc["kind"]


@pytest.mark.parametrize("breakage", ["drop first", "extra field", "bad severity", "kind"])
def test_schema_rejects_drift(breakage: str) -> None:
    doc = json.loads(json_render.dumps(json_render.document("report",
                                                            json_render.report_body(REPORT))))
    finding = doc["findings"][0]
    if breakage == "drop first":
        del finding["first"]
    elif breakage == "extra field":
        finding["hint"] = "x"
    elif breakage == "bad severity":
        finding["severity"] = "fatal"
    else:
        doc["kind"] = "shapes"
    assert list(schema_validator().iter_errors(doc))


# ---- output -------------------------------------------------------------------------------

class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("color", "env", "tty", "expected"), [
    ("auto", {}, False, False),
    ("auto", {}, True, True),
    ("auto", {"NO_COLOR": "1"}, True, False),
    ("auto", {"FORCE_COLOR": "1"}, False, True),
    ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
    ("always", {"NO_COLOR": "1"}, False, True),
    ("never", {"FORCE_COLOR": "1"}, True, False),
])
def test_use_color(color: str, env: dict[str, str], tty: bool, expected: bool,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    file = _Terminal() if tty else io.StringIO()
    assert use_color(color, file) is expected


def test_write_report_formats() -> None:
    plain, coloured, as_json = io.StringIO(), io.StringIO(), io.StringIO()
    write_report(REPORT, color="never", file=plain)
    write_report(REPORT, color="always", file=coloured)
    write_report(REPORT, fmt="json", color="always", file=as_json)
    assert plain.getvalue() == render_report(REPORT)
    assert ANSI.sub("", coloured.getvalue()) == plain.getvalue() != coloured.getvalue()
    assert json.loads(as_json.getvalue())["schema"] == 1


def test_bad_format_and_colour_list_the_valid_values() -> None:
    with pytest.raises(ValueError, match="expected one of text, json"):
        write_document("x", "rules", {}, fmt="yaml", file=io.StringIO())
    with pytest.raises(ValueError, match="expected one of auto, always, never"):
        use_color("sometimes", io.StringIO())


def test_lengths_whose_values_were_not_read_show_no_values() -> None:
    """A meta or fake `lengths`: the text, the JSON and the diagram show no value for it."""
    from rnndoctor.render.diagram import call_diagram

    report = diagnose(spec("LSTM", 10, 20), Call(TensorInfo((5, 3, 10)), None, Lengths((1, 1, 1), readable=False)))
    assert "lengths [?, ?, ?] (int64, cpu)" in call_summary(report.call)
    assert json_render.report_body(report)["call"]["lengths"]["values"] == [None, None, None]
    diagram = call_diagram(report)
    assert diagram is not None
    box = next(t for t in diagram.inputs if t.name == "lengths")
    assert [c.expected for c in box.cells] == ["?", "?", "?"]
