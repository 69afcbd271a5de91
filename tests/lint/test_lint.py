"""`rnndoctor lint`: what it resolves, what it finds, and what it leaves alone.

Each case is a short module and the codes the linter must report for it;
the source is only read, never run.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from rnndoctor._lint import lint_source
from rnndoctor.rules import REGISTRY

HEAD = ("import torch\nimport torch.nn as nn\n"
        "from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence\n")


def codes(source: str) -> list[str]:
    return [d.finding.code for d in lint_source(textwrap.dedent(source))]


RESOLVED = [
    # aliases of torch.nn
    ("import torch.nn as nn\nnn.LSTM(10, 20, dropout=0.5)", ["RNN301"]),
    ("from torch import nn\nnn.GRU(10, 20, dropout=0.5)", ["RNN301"]),
    ("from torch.nn import LSTM as L\nL(10, 20, dropout=0.5)", ["RNN301"]),
    ("import torch\ntorch.nn.RNN(10, 20, dropout=0.5)", ["RNN301"]),
    ("import torch.nn.modules.rnn as r\nr.LSTM(10, 20, dropout=0.5)", ["RNN301"]),
    # module constants, arithmetic, f-strings
    ("import torch.nn as nn\nH = 40\nnn.LSTM(10, H / 2)", ["RNN302"]),
    ("import torch.nn as nn\nH = 40\nnn.LSTM(10, H // 2, proj_size=H - 10)", ["RNN308"]),
    ("import torch.nn as nn\nA = 're'\nnn.RNN(10, 20, nonlinearity=f'{A}lu')", []),
    ("import torch.nn as nn\nA = 'sig'\nnn.RNN(10, 20, nonlinearity=f'{A}moid')", ["RNN309"]),
    # default arguments and self.<name> set in __init__
    ("""\
     import torch, torch.nn as nn
     class M(nn.Module):
         def __init__(self, n=2, bf=True):
             super().__init__()
             self.rnn = nn.LSTM(10, 20, num_layers=n, batch_first=bf)
         def forward(self, x):
             out, _ = self.rnn(x)
             return out[-1]
     model = M(3)
     """, ["RNN501"]),
    # a default that no call in the file overrides
    ("import torch.nn as nn\nclass E(nn.Module):\n    def __init__(self, h, n_layers=1, dropout=0.1):\n"
     "        self.gru = nn.GRU(h, h, n_layers, dropout=dropout)\nencoder = E(10)", ["RNN301"]),
    # a use through the state tuple of an LSTM
    ("""\
     import torch, torch.nn as nn
     class M(nn.Module):
         def __init__(self):
             super().__init__()
             self.rnn = nn.LSTM(10, 20, bidirectional=True)
         def forward(self, x):
             output, hidden = self.rnn(x)
             return hidden[0][-1]
     """, ["RNN504"]),
    # a GRU's state unpacked as an LSTM's pair, in the call's statement or later
    ("import torch.nn as nn\ngru = nn.GRU(10, 20, bidirectional=True)\n"
     "def f(x):\n    out, (h, c) = gru(x)\n    return h", ["RNN509"]),
    ("import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n"
     "        self.rnn = nn.RNN(10, 20, num_layers=2)\n    def forward(self, x):\n"
     "        out, h_n = self.rnn(x)\n        first, second = h_n\n        return second", ["RNN509"]),
    # unpadded time-major from a batch packed batch-first (given by position) into a batch-first layer
    ("""\
     import torch.nn as nn
     from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
     class M(nn.Module):
         def __init__(self):
             self.rnn = nn.GRU(10, 20, batch_first=True)
         def forward(self, x, lengths):
             packed = pack_padded_sequence(x, lengths, True, enforce_sorted=False)
             out, h = self.rnn(packed)
             out, _ = pad_packed_sequence(out)
             return out
     """, ["RNN510"]),
    # a view after a per-position layer: a module built in __init__, a function, a method
    ("""\
     import torch.nn as nn
     class M(nn.Module):
         def __init__(self):
             self.rnn = nn.LSTM(10, 20)
             self.drop = nn.Dropout(0.1)
             self.fc = nn.Linear(20, 5)
         def forward(self, x):
             out, _ = self.rnn(x)
             return self.fc(self.drop(out)).view(x.size(1), x.size(0), 5)
     """, ["RNN512"]),
    ("import torch, torch.nn.functional as F\nrnn = torch.nn.GRU(10, 20, batch_first=True)\n"
     "def f(x):\n    out, _ = rnn(x)\n    return F.relu(out).view(x.size(1), x.size(0), -1)", ["RNN512"]),
    ("import torch\nrnn = torch.nn.GRU(10, 20)\n"
     "def f(x):\n    out, _ = rnn(x)\n    return out.tanh().reshape(x.size(1), -1)", ["RNN512"]),
    # literal shapes at a call, and states sized by constants
    ("""\
     import torch, torch.nn as nn
     L, N = 2, 8
     lstm = nn.LSTM(10, 20, num_layers=L)
     h = torch.zeros(1, N, 20)
     lstm(torch.randn(5, N, 10), (h, h))
     """, ["RNN203"]),
]

SKIPPED = [
    # unresolvable: a parameter without a default, a value from a call, a loop variable
    "import torch.nn as nn\ndef f(p):\n    return nn.LSTM(10, 20, dropout=p)",
    "import torch.nn as nn\nimport cfg\nnn.LSTM(10, 20, dropout=cfg.get('d'))",
    "import torch.nn as nn\nfor n in (1, 2):\n    nn.LSTM(10, 20, num_layers=n, dropout=0.5)",
    # a name bound differently in two branches
    "import torch.nn as nn\nimport sys\nif sys.argv:\n    n = 1\nelse:\n    n = 2\nnn.LSTM(10, 20, n, dropout=0.5)",
    # without an import of torch, `nn` is not torch.nn
    "nn.LSTM(10, 20, dropout=0.5)",
    # the sizes of the input unknown: a call rule needs them
    "import torch.nn as nn\ndef f(x):\n    return nn.LSTM(10, 20)(x)",
    # a bidirectional use completed by its partner
    "import torch, torch.nn as nn\nrnn = nn.GRU(4, 8, bidirectional=True)\n"
    "def f(x):\n    o, h = rnn(x)\n    return torch.cat([h[-2], h[-1]], 1)",
    # a size the source names but does not fix: the use's meaning depends on it
    "import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self, bf):\n"
    "        self.rnn = nn.LSTM(10, 20, batch_first=bf)\n"
    "    def forward(self, x):\n        o, _ = self.rnn(x)\n        return o[-1]",
    # a default of a function the file never calls: a caller elsewhere may pass anything
    "import torch.nn as nn\ndef build(n=1):\n    return nn.LSTM(10, 20, n, dropout=0.5)",
    # a default that a call in the same file overrides
    "import torch.nn as nn\nclass E(nn.Module):\n    def __init__(self, h, n_layers=1, dropout=0.1):\n"
    "        self.gru = nn.GRU(h, h, n_layers, dropout=dropout)\nencoder = E(10, 2)",
    # a use under a test of the layout: which branch runs is the test's to say
    "import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n"
    "        self.rnn = nn.LSTM(10, 20, batch_first=True)\n"
    "    def forward(self, x):\n        o, _ = self.rnn(x)\n"
    "        return o[:, -1] if self.rnn.batch_first else o[-1]",
    "import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n"
    "        self.rnn = nn.LSTM(10, 20, batch_first=True)\n"
    "    def forward(self, x):\n        o, _ = self.rnn(x)\n        if not self.rnn.batch_first:\n"
    "            return o[-1]\n        return o[:, -1]",
    # a state unpacked into two names where the layer count is unknown, or is not two
    "import torch.nn as nn\ndef f(x, n):\n    gru = nn.GRU(10, 20, num_layers=n)\n    out, (h, c) = gru(x)",
    "import torch.nn as nn\ngru = nn.GRU(10, 20, num_layers=3)\ndef f(x):\n    out, (h, c) = gru(x)",
    # an LSTM's pair
    "import torch.nn as nn\nlstm = nn.LSTM(10, 20, num_layers=2)\ndef f(x):\n    out, (h, c) = lstm(x)",
    # unpadded in the layout the pipeline has, or with a `batch_first` the source does not fix
    "import torch.nn as nn\nfrom torch.nn.utils.rnn import pack_padded_sequence as pack, pad_packed_sequence as pad\n"
    "gru = nn.GRU(10, 20)\ndef f(x, lengths):\n    out, h = gru(pack(x, lengths))\n    return pad(out)[0]",
    "import torch.nn as nn\nfrom torch.nn.utils.rnn import pack_padded_sequence as pack, pad_packed_sequence as pad\n"
    "gru = nn.GRU(10, 20, batch_first=True)\ndef f(x, lengths, bf):\n"
    "    out, h = gru(pack(x, lengths, batch_first=True))\n    return pad(out, batch_first=bf)[0]",
    # after a layer that is not per position, or on a state, or a flattening view
    "import torch.nn as nn\nrnn = nn.GRU(10, 20)\nsm = nn.Softmax(dim=1)\n"
    "def f(x):\n    out, _ = rnn(x)\n    return sm(out).view(x.size(1), x.size(0), -1)",
    "import torch.nn as nn\nrnn = nn.GRU(10, 20)\nfc = nn.Linear(20, 5)\n"
    "def f(x):\n    out, h = rnn(x)\n    return fc(h).view(x.size(1), -1)",
    "import torch.nn as nn\nrnn = nn.GRU(10, 20)\nfc = nn.Linear(20, 5)\n"
    "def f(x):\n    out, h = rnn(x)\n    return fc(out).view(-1, 5)",
    # a call guarded by a test of its input
    "import torch, torch.nn as nn\ng = nn.GRU(10, 20)\nx = torch.randn(0, 4, 10)\nif x.size(0) > 0:\n    g(x)",
]


@pytest.mark.parametrize(("source", "expected"), RESOLVED)
def test_resolves_and_finds(source: str, expected: list[str]) -> None:
    assert codes(source) == expected


@pytest.mark.parametrize("source", SKIPPED)
def test_skips_what_it_cannot_resolve(source: str) -> None:
    assert codes(source) == []


def _section(code: str, name: str) -> str:
    doc = next(r.doc for r in REGISTRY if r.code == code)
    found = re.search(rf"## {re.escape(name)}\n(.*?)(?=\n## |\Z)", doc, re.S)
    assert found is not None
    return textwrap.dedent(found.group(1))


# Examples whose culprit the source does not show: a dtype or device (the model may be
# moved later), a numpy array, the loader's batch size, a PackedSequence built by hand, the
# sequences given to `pad_sequence` (their shapes come from the data).
NOT_STATIC = {"RNN101", "RNN104", "RNN106", "RNN107", "RNN206", "RNN207", "RNN310", "RNN408", "RNN409",
              "RNN410"}
# What lint does not read yet: the arguments of `pad_packed_sequence`, `padding_side`, and the
# types of the packing calls' arguments.
NOT_LINTED = {"RNN411", "RNN412", "RNN413", "RNN414"}


@pytest.mark.parametrize("code", [r.code for r in REGISTRY])
def test_catalogue_example_is_found(code: str) -> None:
    found = codes(HEAD + _section(code, "Example"))
    assert found == ([] if code in NOT_STATIC | NOT_LINTED else [code])


@pytest.mark.parametrize("code", [r.code for r in REGISTRY])
def test_catalogue_fixed_twin_is_clean(code: str) -> None:
    assert codes(HEAD + _section(code, "Use instead")) == []


def test_noqa_silences_the_code_named_and_a_bare_noqa_every_code() -> None:
    source = "import torch.nn as nn\nnn.LSTM(10, 20, dropout=0.5)  # noqa: {}\n"
    assert codes(source.format("RNN301")) == []
    assert codes(source.format("RNN999")) == ["RNN301"]
    assert codes("import torch.nn as nn\nnn.LSTM(10, 20, dropout=0.5)  # noqa\n") == []


def test_caret_sits_under_the_argument() -> None:
    [d] = lint_source("import torch.nn as nn\nrnn = nn.LSTM(10, 20, dropout=0.5)\n")
    assert (d.line, d.source[d.column - 1:d.end_column - 1]) == (2, "0.5")
    [_, d] = lint_source("import torch.nn as nn\nrnn = nn.LSTM(10, 20, 1, True, 'yes')  # é\n")
    assert d.source[d.column - 1:d.end_column - 1] == "'yes'"


def test_a_positional_true_in_bias_read_batch_first_is_an_error() -> None:
    source = ("import torch.nn as nn\nclass T(nn.Module):\n    def __init__(self):\n"
              "        self.rnn = nn.LSTM(32, 64, 2, True)\n    def forward(self, x):\n"
              "        output, _ = self.rnn(x)\n        return output[:, -1]\n")
    [d, symptom] = lint_source(source)
    assert (d.finding.code, d.finding.severity.value, symptom.finding.code) == ("RNN311", "error", "RNN501")
    assert d.finding.fixes[0].snippet == "nn.LSTM(32, 64, 2, batch_first=True)"
    assert "`output[:, -1]` on line 7 reads the results batch-first" in d.finding.notes[-1]
    [d] = lint_source(source.replace("output[:, -1]", "output[-1]"))
    assert (d.finding.code, d.finding.severity.value) == ("RNN311", "note")
