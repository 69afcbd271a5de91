"""Edits upstream, over a grid: where the states are made, and what is wrong in them.

Each program is run under `rnndoctor run`; its first fix must edit a line of the program,
write no size as a number, and, put into the program, make it run under real torch
with a batch other than the one that failed: an edit right for one batch only fails that.
"""

from __future__ import annotations

import itertools
import runpy
from pathlib import Path

import pytest

pytest.importorskip("torch")

from rnndoctor.cli import main  # noqa: E402

from .test_corpus import _applied, _first  # noqa: E402

PROGRAM = '''import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, batch_size):
        super().__init__()
        self.num_layers, self.hidden, self.batch_size = {layers}, 6, batch_size
        self.lstm = nn.LSTM(4, 6, num_layers={layers}, bidirectional={bidirectional})

{maker}

model = Model(batch_size=5)
for n in (5, 5, 3, 2):
    model(torch.randn(7, n, 4))
'''

# where the states are made; {count} and {batch} are what is written for their first two sizes
MAKERS = {
    "forward": '''    def forward(self, x):
        h_0 = torch.zeros({count}, {batch}, self.hidden)
        c_0 = torch.zeros({count}, {batch}, self.hidden)
        return self.lstm(x, (h_0, c_0))''',
    "init_hidden(n)": '''    def init_hidden(self, n):
        return (torch.zeros({count}, n, self.hidden), torch.zeros({count}, n, self.hidden))

    def forward(self, x):
        return self.lstm(x, self.init_hidden({batch}))''',
    "init_hidden()": '''    def init_hidden(self):
        return (torch.zeros({count}, {batch}, self.hidden), torch.zeros({count}, {batch}, self.hidden))

    def forward(self, x):
        return self.lstm(x, self.init_hidden())''',
}
RIGHT_BATCH = {"forward": "x.size(1)", "init_hidden(n)": "x.size(1)", "init_hidden()": None}
WRONG = {  # what is wrong: (count as written, batch as written)
    "layers": ("self.num_layers", "{right}"),
    "batch": ("{count}", "self.batch_size"),
}
CASES = [c for c in itertools.product(MAKERS, WRONG, (False, True), (1, 2))
         if not (c[0] == "init_hidden()" and c[1] == "layers")]  # there the batch is all it can get wrong


@pytest.mark.parametrize(("maker", "wrong", "bidirectional", "layers"), CASES,
                         ids=[f"{m}-{w}-{'bi' if b else 'uni'}-{n}" for m, w, b, n in CASES])
def test_the_first_fix_holds_for_every_batch(maker: str, wrong: str, bidirectional: bool, layers: int,
                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    right_count = "self.num_layers * 2" if bidirectional else "self.num_layers"
    count, batch = WRONG[wrong]
    if wrong == "layers" and not bidirectional:
        count = "self.num_layers + 1"  # a count that is wrong without directions
    batch = batch.format(right=RIGHT_BATCH[maker] or "self.batch_size")
    count = count.format(count=right_count)
    source = PROGRAM.format(layers=layers, bidirectional=bidirectional,
                            maker=MAKERS[maker].format(count=count, batch=batch))
    (tmp_path / "model.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuntimeError):
        runpy.run_path("model.py", run_name="__main__")
    assert main(["run", "--report-json", "report.json", "model.py"]) == 1
    fix = _first(tmp_path / "report.json")["fixes"][0]  # type: ignore[index]
    assert fix.get("site"), fix
    lines = source.splitlines()
    (tmp_path / "edited.py").write_text("\n".join(_applied(lines, int(fix["site"].rpartition(":")[2]),
                                                           fix["snippet"])) + "\n")
    runpy.run_path("edited.py", run_name="__main__")
