"""An encoder's state changed on the way to a decoder that does not fit it: `hidden[-1]`,
`hidden[-1].unsqueeze(0)`, a bridge `nn.Linear`, the two directions concatenated.

Each program is run under `rnndoctor run`: the state is followed back through the change
to the encoder's call, the first fix edits the line a user would change, and every fix
that edits a line is put into the program and run under real torch, which must accept it.
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
        self.rnn = rnn

    def forward(self, src):
        return self.rnn(src)


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = {encoder}
        self.fc = nn.Linear({fc_in}, {fc_out})
        self.decoder = nn.GRU(5, {dec_hidden}, num_layers={dec_layers})

    def forward(self, src, tgt):
        _, hidden = self.encoder(src)
        {assigned}
        out, _ = self.decoder(tgt, {handed})
        return out


Seq2Seq()(torch.randn(6, 3, 5), torch.randn(4, 3, 5))
'''
CHANGE_LINE, CALL_LINE, FC_LINE, DECODER_LINE = 23, 24, 18, 19

# name -> ((encoder hidden, layers, bidirectional), (fc in, out), (decoder hidden, layers), change,
#          the first argument, the line of the first fix when the change is its own line)
CASES = {
    "last-layer-2d": ((8, 2, False), (8, 8), (8, 2), "hidden[-1]", "h_0", CHANGE_LINE),
    "last-layer-2d-one-layer-decoder": ((8, 2, False), (8, 8), (8, 1), "hidden[-1]", "h_0", CHANGE_LINE),
    "last-layer-unsqueezed": ((8, 2, False), (8, 8), (8, 2), "hidden[-1].unsqueeze(0)", "h_0", CHANGE_LINE),
    "last-layer-of-one": ((8, 1, False), (8, 8), (8, 2), "hidden[-1].unsqueeze(0)", "num_layers", DECODER_LINE),
    "bridge": ((8, 1, False), (8, 6), (8, 1), "torch.tanh(self.fc(hidden))", "h_0", FC_LINE),
    "directions-concatenated": ((8, 1, True), (8, 8), (8, 1), "torch.cat((hidden[-2], hidden[-1]), dim=1).unsqueeze(0)",
                                "hidden_size", DECODER_LINE),
    "directions-concatenated-bridged": ((8, 1, True), (16, 6), (8, 1),
                                        "torch.tanh(self.fc(torch.cat((hidden[-2], hidden[-1]), dim=1))).unsqueeze(0)",
                                        "h_0", FC_LINE),
    # laid out again with view/reshape: that line hands the decoder the directions summed (or side by
    # side, for a decoder of twice the size), of the last num_layers layers
    "view-last-layer": ((8, 2, True), (8, 8), (8, 1), "hidden.view(2, 2, src.size(1), 8)[-1]", "h_0", CHANGE_LINE),
    "view-summed-layers": ((8, 2, True), (8, 8), (8, 1), "hidden.view(2, 2, src.size(1), 8).sum(1)", "h_0",
                           CHANGE_LINE),
    "view-averaged-unsqueezed": ((8, 2, True), (8, 8), (8, 1), "hidden.view(2, 2, -1, 8).mean(dim=1)[-1]", "h_0",
                                 CHANGE_LINE),
    "view-summed-for-twice-the-size": ((8, 2, True), (8, 8), (16, 1), "hidden.view(2, 2, src.size(1), 8).sum(1)",
                                       "h_0", CHANGE_LINE),
    "reshape-rows-mixed": ((8, 1, True), (8, 8), (8, 1), "hidden.reshape(1, src.size(1), -1)", "h_0", CHANGE_LINE),
    "reshape-one-direction": ((8, 2, False), (8, 8), (8, 1), "hidden.reshape(2, -1, 8)", "h_0", CHANGE_LINE),
    # a bridge applied to the whole state before a layer is picked: the pick edited, the bridge kept
    "bridged-then-last-layer": ((8, 2, False), (8, 6), (6, 2), "self.fc(hidden)[-1]", "h_0", CHANGE_LINE),
    "bridged-then-last-layer-unsqueezed": ((8, 3, False), (8, 6), (6, 2),
                                           "torch.tanh(self.fc(hidden))[-1].unsqueeze(0)", "h_0", CHANGE_LINE),
    "transposed-side-by-side": ((8, 1, True), (8, 8), (8, 1), "hidden.transpose(0, 1).reshape(1, src.size(1), -1)",
                                "h_0", CHANGE_LINE),
}
PLACES = ("assigned", "at-the-call")
WRAPPED = (False, True)
GRID = list(itertools.product(CASES, PLACES, WRAPPED))


@pytest.mark.parametrize(("case", "place", "wrapped"), GRID,
                         ids=[f"{c}-{p}{'-wrapped' if w else ''}" for c, p, w in GRID])
def test_each_fix_of_a_changed_state_runs_under_torch(case: str, place: str, wrapped: bool, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (enc_hidden, enc_layers, bidirectional), (fc_in, fc_out), (dec_hidden, dec_layers), change, argument, line = \
        CASES[case]
    layer = f"nn.GRU(5, {enc_hidden}, num_layers={enc_layers}, bidirectional={bidirectional})"
    assigned = f"hidden = {change}" if place == "assigned" else "pass"
    source = PROGRAM.format(encoder=f"Encoder({layer})" if wrapped else layer, fc_in=fc_in, fc_out=fc_out,
                            dec_hidden=dec_hidden, dec_layers=dec_layers, assigned=assigned,
                            handed="hidden" if place == "assigned" else change)
    first = first_finding(source, RuntimeError, tmp_path, monkeypatch)
    fixes = first["fixes"]
    assert first["arguments"][0] == argument
    expected_line = CALL_LINE if place == "at-the-call" and line == CHANGE_LINE else line
    assert fixes[0].get("site") == f"seq2seq.py:{expected_line}"
    assert not any("torch.zeros" in (f.get("snippet") or "") for f in fixes)
    assert any("changed on the way" in n and "returned at seq2seq.py:22" in n
               for n in first["notes"])
    run_each_edit(source, fixes, tmp_path)


CELL_PROGRAM = '''import torch
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.{kind}(5, 8, num_layers={layers}, bidirectional={bidirectional})
        self.cell = nn.{kind}Cell(5, {cell_hidden})

    def forward(self, src, tgt):
        _, {returned} = self.encoder(src)
        {alias}
        for x in tgt:
            {stepped} = self.cell(x, {handed})
        return {stepped}


Seq2Seq()(torch.randn(6, 3, 5), torch.randn(4, 3, 5))
'''
# kind -> (what the encoder's state is unpacked into, the line naming it for the cell, what the cell is given,
#          what the cell's step returns into); the first fix is at the alias's line where there is one
CELL_FORMS = {
    "GRU": [("hidden", "h = hidden", "h", "h"), ("hidden", "pass", "hidden", "hidden")],
    "LSTM": [("(h, c)", "pass", "(h, c)", "h, c"), ("hidden", "hx = hidden", "hx", "hx"),
             ("(h, c)", "state = (h, c)", "state", "state")],
}
# the encoder's directions, and the cell's hidden_size: the last layer; its two directions summed;
# its two directions side by side, for a cell of twice the size
DIRECTIONS = {"one-direction": (False, 8), "summed": (True, 8), "side-by-side": (True, 16)}
CELL_GRID = [(k, f, n, d) for k, forms in CELL_FORMS.items() for f in forms for n in (1, 2) for d in DIRECTIONS]


@pytest.mark.parametrize(("kind", "form", "layers", "directions"), CELL_GRID,
                         ids=[f"{k}Cell-{f[2]}-{n}-layers-{d}" for k, f, n, d in CELL_GRID])
def test_a_cell_decoder_given_an_encoders_state_gets_its_last_layer(
        kind: str, form: tuple[str, str, str, str], layers: int, directions: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    returned, alias, handed, stepped = form
    bidirectional, cell_hidden = DIRECTIONS[directions]
    source = CELL_PROGRAM.format(kind=kind, layers=layers, returned=returned, alias=alias, handed=handed,
                                 stepped=stepped, bidirectional=bidirectional, cell_hidden=cell_hidden)
    first = first_finding(source, ValueError, tmp_path, monkeypatch)  # the cell's rank check
    fixes = first["fixes"]
    assert first["arguments"][0] == "h_0"
    assert fixes[0].get("site") == f"seq2seq.py:{12 if alias == 'pass' else 13}"
    assert not any("torch.zeros" in (f.get("snippet") or "") for f in fixes)
    assert any("returned at seq2seq.py:12" in n for n in first["notes"])
    run_each_edit(source, fixes, tmp_path)


OTHER_KIND_PROGRAM = '''import torch
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.{encoder}(5, 8, num_layers={layers})
        self.decoder = nn.{decoder}(5, 8, num_layers={layers})

    def forward(self, src, tgt):
        _, hidden = self.encoder(src)
        out, _ = self.decoder(tgt, hidden)
        return out


Seq2Seq()(torch.randn(6, 3, 5), torch.randn(4, 3, 5))
'''
# (encoder, decoder, layers) -> what torch 2.13 raises and what the first fix hands the decoder
OTHER_KIND = {
    ("GRU", "LSTM", 1): (IndexError, "(hidden, torch.zeros_like(hidden))"),
    ("GRU", "LSTM", 2): (RuntimeError, "(hidden, torch.zeros_like(hidden))"),  # "hx and cx should also be 3-D"
    ("RNN", "LSTM", 2): (RuntimeError, "(hidden, torch.zeros_like(hidden))"),
    ("LSTM", "GRU", 1): (AttributeError, "hidden[0]"),  # a tuple has no .dim()
    ("LSTM", "GRU", 2): (AttributeError, "hidden[0]"),
    ("LSTM", "RNN", 2): (AttributeError, "hidden[0]"),
}


@pytest.mark.parametrize(("encoder", "decoder", "layers"), list(OTHER_KIND),
                         ids=[f"{e}-to-{d}-{n}-layers" for e, d, n in OTHER_KIND])
def test_a_decoder_of_another_kind_gets_the_state_as_it_takes_it(encoder: str, decoder: str, layers: int,
                                                                 tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """An LSTM handed a GRU's single tensor pairs it with a zero cell state at the call; a GRU handed an
    LSTM's pair takes its `h`. The second fix builds the decoder as the encoder is."""
    raised, handed = OTHER_KIND[encoder, decoder, layers]
    source = OTHER_KIND_PROGRAM.format(encoder=encoder, decoder=decoder, layers=layers)
    first = first_finding(source, raised, tmp_path, monkeypatch)
    fixes = first["fixes"]
    assert first["arguments"][0] == "hx"
    assert [f.get("site") for f in fixes[:2]] == ["seq2seq.py:13", "seq2seq.py:9"]
    assert fixes[0]["snippet"] == f"out, _ = self.decoder(tgt, {handed})"
    assert fixes[1]["snippet"] == f"self.decoder = nn.{encoder}(5, 8, num_layers={layers})"
    assert any("returned at seq2seq.py:12" in n for n in first["notes"])
    run_each_edit(source, fixes[:2], tmp_path)


LSTM_PAIR_PROGRAM = '''import torch
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.LSTM(5, 8, num_layers=2)
        self.decoder = nn.LSTM(5, 8, num_layers={dec_layers})

    def forward(self, src, tgt):
        _, (h, c) = self.encoder(src)
        {h_line}
        {c_line}
        out, _ = self.decoder(tgt, {handed})
        return out


Seq2Seq()(torch.randn(6, 3, 5), torch.randn(4, 3, 5))
'''
PAIR_FORMS = {  # name -> (the two lines, what the decoder is given, the line of the first fix)
    "two-lines": ("h = h[-1]", "c = c[-1]", "(h, c)", 13),
    "two-lines-unsqueezed": ("h = h[-1].unsqueeze(0)", "c = c[-1].unsqueeze(0)", "(h, c)", 13),
    "at-the-call": ("pass", "pass", "(h[-1].unsqueeze(0), c[-1].unsqueeze(0))", 15),
}
PAIR_GRID = [(f, n) for f in PAIR_FORMS for n in (1, 2) if n == 2 or f == "two-lines"]  # the others are valid


@pytest.mark.parametrize(("form", "dec_layers"), PAIR_GRID, ids=[f"{f}-{n}" for f, n in PAIR_GRID])
def test_an_lstms_h_and_c_changed_the_same_way_are_edited_together(form: str, dec_layers: int, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    h_line, c_line, handed, line = PAIR_FORMS[form]
    source = LSTM_PAIR_PROGRAM.format(dec_layers=dec_layers, h_line=h_line, c_line=c_line, handed=handed)
    first = first_finding(source, RuntimeError, tmp_path, monkeypatch)  # a 2-D state, or one layer for a decoder of two
    fix = first["fixes"][0]
    assert fix["site"] == f"seq2seq.py:{line}"
    assert fix["snippet"].count("[-self.decoder.num_layers:]") == 2
    run_each_edit(source, [fix], tmp_path)


BRIDGED_PROGRAM = '''import torch
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.GRU(5, 8, num_layers={enc_layers})
        self.bridge = nn.Linear(8, 6)
        self.decoder = nn.GRU(5, 6, num_layers={dec_layers})

    def forward(self, src, tgt):
        _, hidden = self.encoder(src)
        {bridged} = self.bridge(hidden)
        h = {bridged}[-1]{unsqueezed}
        out, _ = self.decoder(tgt, h)
        return out


Seq2Seq()(torch.randn(6, 3, 5), torch.randn(4, 3, 5))
'''
BRIDGED_GRID = [(name, layers, unsqueezed) for name in ("hidden", "bridged") for layers in ((2, 2), (3, 2), (2, 1))
                for unsqueezed in ("", ".unsqueeze(0)") if not (layers[1] == 1 and unsqueezed)]  # the last one runs


@pytest.mark.parametrize(("bridged", "layers", "unsqueezed"), BRIDGED_GRID,
                         ids=[f"{b}-{e}-to-{d}{u and '-unsqueezed'}" for b, (e, d), u in BRIDGED_GRID])
def test_a_layer_picked_after_a_bridge_is_picked_again(bridged: str, layers: tuple[int, int], unsqueezed: str,
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`hidden = self.bridge(hidden)` then `h = hidden[-1]`: both steps followed back to the encoder, and
    the line that picked one layer hands the decoder its last `num_layers` layers of the bridged state."""
    source = BRIDGED_PROGRAM.format(enc_layers=layers[0], dec_layers=layers[1], bridged=bridged,
                                    unsqueezed=unsqueezed)
    first = first_finding(source, RuntimeError, tmp_path, monkeypatch)
    fix = first["fixes"][0]
    assert first["arguments"][0] == "h_0"
    assert fix["site"] == "seq2seq.py:15" and "[-self.decoder.num_layers:]" in fix["snippet"]
    assert any("changed on the way" in n and "seq2seq.py:14" in n for n in first["notes"])
    run_each_edit(source, [fix], tmp_path)


LSTM_CHANGED_PROGRAM = '''import torch
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.LSTM(5, 8, bidirectional={bidirectional})
        self.fc_h = nn.Linear(8, 6)
        self.fc_c = nn.Linear(8, 6)
        self.decoder = nn.LSTM(5, 8)

    def forward(self, src, tgt):
        _, (h, c) = self.encoder(src)
        {h_line}
        {c_line}
        out, _ = self.decoder(tgt, {handed})
        return out


Seq2Seq()(torch.randn(6, 3, 5), torch.randn(4, 3, 5))
'''
# name -> (bidirectional encoder, the two lines, the line of the first fix, the edit of both ways: its line and
#          what it writes there)
LSTM_CHANGED = {
    "two-bridges": (False, "h = self.fc_h(h)", "c = self.fc_c(c)", 9,
                    (9, "self.fc_h = nn.Linear(8, 8)\nself.fc_c = nn.Linear(8, 8)")),
    "two-bridges-tanh": (False, "h = torch.tanh(self.fc_h(h))", "c = torch.tanh(self.fc_c(c))", 9,
                         (9, "self.fc_h = nn.Linear(8, 8)\nself.fc_c = nn.Linear(8, 8)")),
    "one-bridge": (False, "h = self.fc_h(h)", "c = self.fc_h(c)", 9, (9, "self.fc_h = nn.Linear(8, 8)")),
    "concatenated": (True, "h = torch.cat((h[-2], h[-1]), dim=1).unsqueeze(0)",
                     "c = torch.cat((c[-2], c[-1]), dim=1).unsqueeze(0)", 11,  # made on purpose: a decoder of 2H
                     (15, "h = (h[-2] + h[-1]).unsqueeze(0)\nc = (c[-2] + c[-1]).unsqueeze(0)")),
    "laid-out-again": (True, "h = h.reshape(1, src.size(1), -1)", "c = c.reshape(1, src.size(1), -1)", 15,
                       (15, "h = h.view(-1, 2, *h.shape[1:]).sum(dim=1)\nc = c.view(-1, 2, *c.shape[1:]).sum(dim=1)")),
    "concatenated-at-the-call": (True, "pass", "pass", 11,
                                 (17, "out, _ = self.decoder(tgt, ((h[-2] + h[-1]).unsqueeze(0), "
                                      "(c[-2] + c[-1]).unsqueeze(0)))")),
}
CONCATENATED_AT_THE_CALL = ("(torch.cat((h[-2], h[-1]), dim=1).unsqueeze(0), "
                            "torch.cat((c[-2], c[-1]), dim=1).unsqueeze(0))")


@pytest.mark.parametrize("form", list(LSTM_CHANGED))
def test_an_lstms_h_and_c_bridged_or_concatenated_apart_are_edited_together(
        form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`h` and `c` each through a bridge, or each concatenated, on two lines in a row: one edit of both
    (of the two bridges' constructors, or of the two lines), never an edit of `h` alone."""
    bidirectional, h_line, c_line, line, (both_line, both) = LSTM_CHANGED[form]
    source = LSTM_CHANGED_PROGRAM.format(bidirectional=bidirectional, h_line=h_line, c_line=c_line,
                                         handed=CONCATENATED_AT_THE_CALL if form.endswith("at-the-call") else "(h, c)")
    fixes = first_finding(source, RuntimeError, tmp_path, monkeypatch)["fixes"]
    assert fixes[0]["site"] == f"seq2seq.py:{line}"
    assert any(f.get("site") == f"seq2seq.py:{both_line}" and f["snippet"] == both
               for f in fixes)
    run_each_edit(source, fixes, tmp_path)
