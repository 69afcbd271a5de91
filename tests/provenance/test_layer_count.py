"""The layer count an edit writes where the states are built: the layer's own attributes, read
through any name that reaches the layer there (`net.rnn`, `self.body.rnn`, `self.layers[0]`), and a
number, said so, only where none does. `h_0` and `c_0` built on two lines in a row are named
together (`model.py:12-13`), and both lines are edited; put into the program, they make it run
under real torch.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

pytest.importorskip("torch")

from rnndoctor.cli import main  # noqa: E402

from .test_corpus import _applied, _first  # noqa: E402

HEAD = "import torch\nfrom torch import nn\n\n\n"
CASES = {  # name -> (program after HEAD, the line of h_0, what the count is written as)
    "held-one-module-down": ('''class Body(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(4, 8, num_layers=2, bidirectional=True)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = Body()

    def forward(self, x):
        h_0 = torch.zeros(2, x.size(1), 8)
        c_0 = torch.zeros(2, x.size(1), 8)
        return self.body.rnn(x, (h_0, c_0))


Net()(torch.randn(5, 3, 4))
''', 17, "self.body.rnn.num_layers * (2 if self.body.rnn.bidirectional else 1)"),
    "a-model-at-module-level": ('''class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(4, 8, num_layers=3)

    def forward(self, x, state):
        return self.rnn(x, state)


net = Net()
x = torch.randn(5, 3, 4)
h_0 = torch.zeros(1, x.size(1), 8)
c_0 = torch.zeros(1, x.size(1), 8)
net(x, (h_0, c_0))
''', 16, "net.rnn.num_layers"),
    "a-module-list": ('''class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.LSTM(4, 8, num_layers=2)])

    def forward(self, x):
        h_0 = torch.zeros(1, x.size(1), 8)
        c_0 = torch.zeros(1, x.size(1), 8)
        return self.layers[0](x, (h_0, c_0))


Net()(torch.randn(5, 3, 4))
''', 11, "self.layers[0].num_layers"),
    "a-local-of-another-function": ('''def main(hx):
    lstm = nn.LSTM(4, 8, num_layers=2)
    return lstm(torch.randn(5, 3, 4), hx)


h_0 = torch.zeros(1, 3, 8)
c_0 = torch.zeros(1, 3, 8)
main((h_0, c_0))
''', 10, None),
}


@pytest.mark.parametrize("case", CASES)
def test_the_layer_count_is_read_through_a_name_that_reaches_the_layer(case: str, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    body, line, count = CASES[case]
    source = HEAD + body
    (tmp_path / "model.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuntimeError):
        runpy.run_path("model.py", run_name="__main__")
    assert main(["run", "--report-json", "report.json", "model.py"]) == 1
    first = _first(tmp_path / "report.json")
    fix = first["fixes"][0]  # type: ignore[index]
    assert fix["site"] == f"model.py:{line}"
    edited = fix["snippet"].splitlines()
    assert [e.split(" = ")[0] for e in edited] == ["h_0", "c_0"]  # both lines
    assert any(f"are built at model.py:{line}-{line + 1} (one witness)" in n
               for n in first["notes"])  # type: ignore[union-attr]
    if count is not None:
        assert all(f"torch.zeros({count}, " in e for e in edited), edited
    else:  # no name where the states are built reaches the layer: a number, and the note says so
        assert all("torch.zeros(2, " in e for e in edited), edited
        assert any(f"no name at model.py:{line} reaches the layer" in n for n in first["notes"])  # type: ignore[union-attr]
    (tmp_path / "edited.py").write_text("\n".join(_applied(source.splitlines(), line, fix["snippet"])) + "\n")
    runpy.run_path("edited.py", run_name="__main__")
