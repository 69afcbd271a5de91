"""The HTML as text: goldens with fixed ids, escaping, the notebook protocol, `--format html`."""

from __future__ import annotations

import re

import pytest

import rnndoctor
from rnndoctor.render import html as render_html

from ..golden import check_golden
from .cases import UID, report_cases, scan_case

CASES = {c.name: c for c in report_cases()}


@pytest.mark.parametrize("name", list(CASES))
def test_html_matches_its_golden(name: str, update_goldens: bool) -> None:
    check_golden(f"html/{name}.html", render_html.page(CASES[name].html(UID), name), update_goldens)


def test_scan_chain_matches_its_golden(update_goldens: bool) -> None:
    check_golden("html/scan-chain.html", render_html.page(scan_case().html(UID), "scan-chain"),
                 update_goldens)


def test_user_strings_are_escaped_everywhere() -> None:
    html = CASES["xss"].html(UID)
    assert "<script" not in html and "<svg onload" not in html
    assert html.count("</style>") == 1  # the stylesheet's own
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_no_script_and_nothing_fetched() -> None:
    for name, case in CASES.items():
        html = case.html(UID)
        assert not re.search(r"<script|\bsrc=|\bhref=|url\(|@import|javascript:", html), name


def test_a_report_in_a_notebook_offers_html_and_its_text() -> None:
    report = rnndoctor.check(rnndoctor.spec("LSTM", 50, 100), (10, 32, 25))
    bundle = report._repr_mimebundle_()
    assert bundle["text/plain"] == str(report)
    assert bundle["text/html"].startswith('<div class="rnnd-repr">') and "<svg" in bundle["text/html"]


def test_each_render_has_its_own_ids() -> None:
    report = rnndoctor.check(rnndoctor.spec("LSTM", 50, 100), (10, 32, 25))
    ids = [re.findall(r' id="([^"]+)"', report._repr_html_()) for _ in range(2)]
    assert ids[0] and not set(ids[0]) & set(ids[1])


def test_expected_shapes_draw_no_mismatch() -> None:
    shapes = rnndoctor.expected_shapes(rnndoctor.spec("GRU", 10, 20, num_layers=2), batch=3)
    html = render_html.shapes_html(shapes)
    assert "<svg" in html and "rnnd-cell rnnd-bad" not in html and "h_n" in html


def test_the_stylesheet_is_read_once() -> None:
    assert render_html.style() is render_html.style()
    assert "--jp-content-font-color0" in render_html.style() and "body.vscode-dark" in render_html.style()


def test_the_layer_box_lists_each_constructor_argument_whole() -> None:
    from rnndoctor.render.diagram import layer_lines

    layer = rnndoctor.spec("RNN", (1, 2), 20, nonlinearity="re, lu")
    assert layer_lines(layer) == ("RNN", ("input_size=(1, 2)", "hidden_size=20", "nonlinearity='re, lu'"))
