"""An encoder's state handed to a decoder that does not fit it, over a grid of layers and hand-offs.

Each program is run under `rnndoctor run`; every fix that edits a line is put into the
program and run under real torch, which must accept it. Zero states in place of the
encoder's state are never offered: they would drop what the encoder computed.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

pytest.importorskip("torch")

from .handoffs import first_finding, run_each_edit  # noqa: E402

PROGRAM = '''import torch
from torch import nn


class Encoder(nn.Module):
    def __init__(self, rnn):
        super().__init__()
        self.embedding = nn.Identity()
        self.rnn = rnn

    def forward(self, src):
        return self.rnn(self.embedding(src))


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = {encoder}
        self.decoder = nn.{kind}(5, {dec_hidden}, num_layers={dec_layers})

    def forward(self, src, tgt):
        _, {returned} = self.encoder(src)
        out, _ = self.decoder(tgt, {handed})
        return out


Seq2Seq()(torch.randn(6, 3, 5), torch.randn(4, 3, 5))
'''

# (encoder hidden, layers, bidirectional) against (decoder hidden, layers): one mismatch each
MISMATCHES = {
    "hidden_size": ((8, 1, False), (6, 1)),
    "num_layers": ((8, 1, False), (8, 2)),
    "directions": ((8, 1, True), (8, 1)),
    "directions-2-layers": ((8, 2, True), (8, 2)),
    "num_layers-and-hidden_size": ((8, 2, False), (6, 1)),
}
HANDOFFS = {  # kind -> (what the encoder's state is unpacked into, what the decoder is given)
    "GRU": [("hidden", "hidden")],
    "LSTM": [("hidden", "hidden"), ("(h, c)", "(h, c)")],
}
WRAPPED = (False, True)  # the layer itself, or an `Encoder` module whose forward returns its layer's result
CASES = [(m, k, r, h, w) for m, (k, forms), w in itertools.product(MISMATCHES, HANDOFFS.items(), WRAPPED)
         for r, h in forms]


@pytest.mark.parametrize(("mismatch", "kind", "returned", "handed", "wrapped"), CASES,
                         ids=[f"{m}-{k}-{r}{'-wrapped' if w else ''}" for m, k, r, _, w in CASES])
def test_each_handoff_fix_runs_under_torch(mismatch: str, kind: str, returned: str, handed: str, wrapped: bool,
                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (enc_hidden, enc_layers, bidirectional), (dec_hidden, dec_layers) = MISMATCHES[mismatch]
    layer = f"nn.{kind}(5, {enc_hidden}, num_layers={enc_layers}, bidirectional={bidirectional})"
    source = PROGRAM.format(kind=kind, encoder=f"Encoder({layer})" if wrapped else layer,
                            dec_hidden=dec_hidden, dec_layers=dec_layers, returned=returned, handed=handed)
    first = first_finding(source, RuntimeError, tmp_path, monkeypatch)
    fixes = first["fixes"]
    assert fixes and fixes[0].get("site")
    assert not any("torch.zeros" in (f.get("snippet") or "") for f in fixes)
    assert any("returned at seq2seq.py:22" in n for n in first["notes"])
    expected_first = {"hidden_size": "hidden_size", "num_layers": "num_layers",
                      "num_layers-and-hidden_size": "num_layers"}.get(mismatch, "h_0")
    assert first["arguments"][0] == expected_first
    run_each_edit(source, fixes, tmp_path)
