"""A real notebook, run by nbclient on an IPython kernel, under `%load_ext rnndoctor`.

The failing cell's outputs must be torch's error, then one display of the
diagnosis whose HTML holds the diagram; the diagnosis is not in the
traceback too. A guard error and `expected_shapes()` are displayed the same way.
"""

from __future__ import annotations

from typing import Any

import nbformat
from nbclient import NotebookClient

SETUP = """\
import torch
from torch import nn
import rnndoctor
lstm = nn.LSTM(10, 20, num_layers=2)
x = torch.randn(5, 3, 10)
bad = (torch.zeros(1, 3, 20), torch.zeros(1, 3, 20))"""


def _run(*sources: str) -> list[Any]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True).execute()
    return [cell.outputs for cell in nb.cells]


def _text(output: Any) -> str:
    """The traceback as the notebook shows it (it ends with the exception's message)."""
    return "\n".join(output.traceback)


def test_an_error_in_a_notebook_shows_the_diagram_under_its_traceback() -> None:
    _, _, post_mortem, guarded, shapes = _run(
        "%load_ext rnndoctor", SETUP, "lstm(x, bad)", "with rnndoctor.guard(lstm):\n    lstm(x, bad)",
        "rnndoctor.expected_shapes(lstm, batch=3)")
    error, shown = post_mortem
    assert error.output_type == "error" and error.ename == "RuntimeError"
    assert error.evalue == "Expected hidden[0] size (2, 3, 20), got [1, 3, 20]"
    assert "error[RNN203]" not in _text(error)
    assert shown.output_type == "display_data"
    assert shown.data["text/plain"].startswith("error[RNN203]")
    assert '<g class="rnnd-cell rnnd-bad" data-tensor="h_0" data-dim="0"' in shown.data["text/html"]
    error, shown = guarded
    assert _text(error).count("error[RNN203]") == 1 and "help:" not in _text(error)
    assert "<svg" in shown.data["text/html"]
    (result,) = shapes
    assert "<svg" in result.data["text/html"] and "rnnd-cell rnnd-bad" not in result.data["text/html"]
