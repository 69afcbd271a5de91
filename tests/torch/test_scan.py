"""`rnndoctor.scan` and `rnndoctor scan`: whole models on meta tensors, no compute, no memory."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
np = pytest.importorskip("numpy")
from jsonschema import Draft202012Validator
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import rnndoctor
from rnndoctor import cli
from rnndoctor._scan.report import ScanReport, ScanRow
from rnndoctor.render.scan_table import render_scan, write_scan

from ..golden import check_golden

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Seq2Seq(nn.Module):
    """The README's model: a bidirectional encoder feeding a decoder built for 100 features."""

    def __init__(self, pass_state: bool = False) -> None:
        super().__init__()
        self.pass_state = pass_state
        self.encoder = nn.LSTM(50, 100, batch_first=True, bidirectional=True)
        self.decoder = nn.LSTM(100, 100, batch_first=True)
        self.head = nn.Linear(100, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, state = self.encoder(x)
        out, _ = self.decoder(out, state if self.pass_state else None)
        return self.head(out[:, -1])


class WrongHead(nn.Module):
    """A Linear built for H features after a bidirectional GRU, then a second, broken GRU."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.GRU(8, 16, bidirectional=True)
        self.proj = nn.Linear(16, 12)
        self.post = nn.GRU(10, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.encoder(x)
        return self.post(self.proj(out))[0]


class CellLoop(nn.Module):
    """An LSTMCell stepped over the sequence in Python."""

    def __init__(self) -> None:
        super().__init__()
        self.cell = nn.LSTMCell(6, 9)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = c = torch.zeros(x.shape[1], 9)
        for step in x:
            h, c = self.cell(step, (h, c))
        return h


class ReadsValues(nn.Module):
    """A recurrent layer, then a module that needs tensor values, then another recurrent layer."""

    def __init__(self) -> None:
        super().__init__()
        self.first = nn.GRU(4, 5)
        self.gate = Threshold()
        self.second = nn.GRU(5, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.second(self.gate(self.first(x)[0]))[0]


class Threshold(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x if x.max().item() > 0 else -x


@torch.library.custom_op("rnndoctor_test::cpu_only", mutates_args=())
def cpu_only(x: torch.Tensor) -> torch.Tensor:
    return x.clone()


class NoMetaKernel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.RNN(3, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return cpu_only(self.rnn(x)[0])


class Packed(nn.Module):
    """pack_padded_sequence with CPU lengths, an LSTM, and pad_packed_sequence."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(7, 11, batch_first=True)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        return pad_packed_sequence(out, batch_first=True)[0]


def row(report: ScanReport, path: str) -> ScanRow:
    return next(r for r in report.rows if r.path == path)


def shape(value: Any) -> tuple[int, ...]:
    return tuple(value.data.shape if hasattr(value, "batch_sizes") else value.shape)


# ---- what the README shows ----------------------------------------------------------------

@pytest.mark.parametrize("pass_state", [False, True], ids=["input", "input-and-state"])
def test_chaining_errors_are_reported_in_model_terms(pass_state: bool,
                                                     update_goldens: bool) -> None:
    report = rnndoctor.scan(Seq2Seq(pass_state), (32, 10, 50))
    name = "scan/seq2seq-state.txt" if pass_state else "scan/seq2seq.txt"
    check_golden(name, str(report), update_goldens)
    notes = [n for f in report.findings for n in f.notes]
    assert ("`encoder` is bidirectional, so its output has 2*100 = 200 features, but `decoder` "
            "was built with `input_size=100`") in notes
    assert [f.code for f in report.findings] == (["RNN103", "RNN203"] if pass_state else ["RNN103"])
    assert all(f.origin == "scan" and f.location.module_path == "decoder" for f in report.findings)


def test_table_rows_hold_every_shape() -> None:
    report = rnndoctor.scan(Seq2Seq(pass_state=True), (32, 10, 50))
    encoder, decoder = report.rows
    assert (encoder.path, encoder.calls, encoder.spec.D, encoder.spec.H_out) == (
        "encoder", 1, 2, 100)
    assert encoder.input.shape == (32, 10, 50) and encoder.h_0 is None
    assert (encoder.output.shape, encoder.h_n.shape, encoder.c_n.shape) == (
        (32, 10, 200), (2, 32, 100), (2, 32, 100))
    assert decoder.h_0.shape == decoder.c_0.shape == (2, 32, 100)
    assert (decoder.output.shape, decoder.h_n.shape) == ((32, 10, 100), (1, 32, 100))
    assert (encoder.status, decoder.status) == ("ok", "error")
    assert report.finished and not report


def test_json_follows_the_schema() -> None:
    report = rnndoctor.scan(WrongHead(), torch.randn(5, 3, 8))
    out = io.StringIO()
    write_scan(report, fmt="json", file=out)
    doc = json.loads(out.getvalue())
    schema = json.loads((ROOT / "docs" / "report.schema.json").read_text())
    Draft202012Validator(schema).validate(doc)
    assert (doc["kind"], doc["valid"], doc["summary"]["failed_modules"]) == ("scan", False, 1)
    assert [layer["path"] for layer in doc["layers"]] == ["encoder", "post"]
    assert doc["failures"][0]["upstream"] == ["encoder"]


def test_rich_table_on_a_wide_terminal_plain_text_on_a_narrow_one(
        monkeypatch: pytest.MonkeyPatch, update_goldens: bool) -> None:
    report = rnndoctor.scan(Seq2Seq(), (32, 10, 50))
    for columns in ("200", "80"):
        monkeypatch.setenv("COLUMNS", columns)
        out = io.StringIO()
        write_scan(report, color="always", file=out)
        text = ANSI.sub("", out.getvalue())
        if columns == "80":
            assert text == render_scan(report, 80)
        else:
            check_golden("scan/seq2seq-rich.txt", "\n".join(s.rstrip() for s in text.split("\n")),
                         update_goldens)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("columns", [100, 80, 64])
def test_the_table_fits_the_terminal_folding_its_cells(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    report = rnndoctor.scan(Seq2Seq(), (32, 10, 50))
    natural = render_scan(report).split("\n\n")[0].splitlines()
    assert max(map(len, natural)) > columns
    monkeypatch.setenv("COLUMNS", str(columns))
    out = _Terminal()
    write_scan(report, color="never", file=out)
    table, _, details = out.getvalue().partition("\n\n")
    assert max(map(len, table.splitlines())) <= columns
    assert details == render_scan(report).partition("\n\n")[2]  # the findings are never folded
    def characters(lines: list[str]) -> list[str]:  # folding moves characters, never drops one
        return sorted("".join(line for line in lines if set(line) != {"="}).replace(" ", ""))

    assert characters(table.splitlines()) == characters(natural)


def test_piped_output_is_never_folded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    report = rnndoctor.scan(Seq2Seq(), (32, 10, 50))
    out = io.StringIO()
    write_scan(report, color="never", file=out)
    assert out.getvalue() == render_scan(report)


# ---- every call, every problem --------------------------------------------------------------

def test_the_scan_goes_on_past_a_failed_linear_and_names_the_layer_upstream() -> None:
    report = rnndoctor.scan(WrongHead(), (5, 3, 8))
    (failure,) = report.failures
    assert (failure.module_path, failure.kind, failure.recovered) == ("proj", "error", True)
    assert failure.upstream == ("encoder",) and failure.inputs == ((5, 3, 32),)
    assert "`encoder` is bidirectional, so its output has 2*16 = 32 features" in failure.notes
    assert failure.help == "construct `proj` with `in_features=32` (changes the model)"
    post = row(report, "post")
    assert post.calls == 1 and post.input.shape == (5, 3, 12)
    assert [f.code for f in post.findings] == ["RNN103"]
    assert "failed downstream of `encoder`" in render_scan(report)


class TimeMajorChain(nn.Module):
    """Batch-first data into a time-major encoder, its output and the states on to a decoder."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.LSTM(50, 100)
        self.decoder = nn.LSTM(100, 100)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.zeros(1, x.size(0), 100)
        out, _ = self.encoder(x, (h, h))
        return self.decoder(out, (h, h))[0]


def test_after_an_error_no_fix_downstream_fits_the_wrong_shape() -> None:
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(1, 10, 100\)"):
        TimeMajorChain()(torch.randn(32, 10, 50))  # torch stops at the encoder
    report = rnndoctor.scan(TimeMajorChain(), (32, 10, 50))
    (upstream,), (downstream,) = row(report, "encoder").findings, row(report, "decoder").findings
    assert upstream.code == downstream.code == "RNN204"
    assert "construct the LSTM with `batch_first=True`" in [f.title for f in upstream.fixes]
    assert downstream.fixes == ()  # not `batch_first=True` on the decoder, nor its states for batch 10
    assert downstream.notes[-1] == ("`input` takes its shape from `encoder`, which has an error (RNN204): "
                                    "fix `encoder` first; no fix is offered here until then")


def test_a_cell_looped_over_time_is_one_row_with_its_count() -> None:
    report = rnndoctor.scan(CellLoop(), (7, 4, 6))
    (cell,) = report.rows
    assert (cell.calls, cell.input.shape, cell.h_0.shape, cell.h_n.shape) == (
        7, (4, 6), (4, 9), (4, 9))
    assert cell.output is None and not cell.findings


def test_repeated_invalid_calls_give_one_finding() -> None:
    class Loop(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.cell = nn.GRUCell(6, 9)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            h = torch.zeros(3, 9)
            for step in x:
                h = self.cell(step, h)
            return h

    (cell,) = rnndoctor.scan(Loop(), (5, 4, 6)).rows
    assert cell.calls == 5
    assert len(cell.findings) == 1


LAYERS = [
    (nn.RNN(4, 6), (5, 3, 4)),
    (nn.GRU(4, 6, num_layers=2, batch_first=True), (3, 5, 4)),
    (nn.LSTM(4, 6, bidirectional=True), (5, 3, 4)),
    (nn.LSTM(4, 6, proj_size=3, num_layers=2, bidirectional=True), (5, 3, 4)),
    (nn.LSTM(4, 6), (5, 4)),
    (nn.RNNCell(4, 6), (3, 4)),
    (nn.LSTMCell(4, 6), (4,)),
    (nn.GRUCell(4, 6), (3, 4)),
]


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize(("layer", "input_shape"), LAYERS, ids=lambda v: repr(v))
def test_stand_in_outputs_have_the_shapes_torch_gives(layer: nn.Module,
                                                      input_shape: tuple[int, ...]) -> None:
    real = layer(torch.randn(input_shape))
    (scanned,) = rnndoctor.scan(layer, input_shape).rows
    if isinstance(layer, nn.RNNCellBase):
        states = real if isinstance(real, tuple) else (real,)
        output = None
    else:
        output, hidden = real
        states = hidden if isinstance(hidden, tuple) else (hidden,)
        assert scanned.output.shape == tuple(output.shape)
    got = [s.shape for s in (scanned.h_n, scanned.c_n) if s is not None]
    assert got == [tuple(s.shape) for s in states]
    assert scanned.status == "ok"


def test_packed_sequences_scan_with_their_cpu_lengths() -> None:
    lengths = torch.tensor([6, 2, 4])
    report = rnndoctor.scan(Packed(), torch.randn(3, 6, 7), lengths)
    (lstm,) = report.rows
    assert report.finished and not report.failures
    assert lstm.input.data.shape == (12, 7) and lstm.input.batch_sizes == (3, 3, 2, 2, 1, 1)
    assert lstm.output.data.shape == (12, 11) and lstm.h_n.shape == (1, 3, 11)
    assert "packed (12, 7)" in render_scan(report)


# ---- no real compute, no memory, no changes to the model ----------------------------------

def test_the_recurrent_kernel_never_runs_so_huge_layers_cost_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def kernel(*args: object, **kwargs: object) -> None:
        raise AssertionError("the LSTM kernel ran")

    monkeypatch.setattr(torch._VF, "lstm", kernel)
    with torch.device("meta"):
        model = nn.LSTM(16384, 16384, num_layers=4, bidirectional=True)
    (lstm,) = rnndoctor.scan(model, (1_000_000, 8, 16384)).rows
    assert lstm.output.shape == (1_000_000, 8, 32768) and lstm.spec.device == "meta"


def test_the_model_is_neither_moved_nor_modified() -> None:
    model = nn.Sequential(nn.BatchNorm1d(10), Seq2Seq())
    before = {k: (v.clone(), v.data_ptr(), v.device) for k, v in model.state_dict().items()}
    params = list(model.parameters())
    forwards = {cls: cls.__dict__["forward"] for cls in (nn.LSTM, nn.Linear, nn.Embedding)}
    rnndoctor.scan(model, (32, 10, 50))
    assert list(model.parameters()) == params
    after = model.state_dict()
    for name, (value, pointer, device) in before.items():
        assert after[name].data_ptr() == pointer and after[name].device == device
        assert torch.equal(after[name], value), name
    assert {cls: cls.__dict__["forward"] for cls in forwards} == forwards
    assert not nn.modules.module._global_forward_hooks
    assert not nn.modules.module._global_forward_pre_hooks


def test_real_tensors_shapes_and_meta_tensors_give_the_same_rows() -> None:
    model = Seq2Seq()
    reports = [rnndoctor.scan(model, x) for x in
               ((32, 10, 50), torch.randn(32, 10, 50), torch.empty(32, 10, 50, device="meta"))]
    assert reports[0].rows == reports[1].rows == reports[2].rows


def test_a_model_built_on_meta_scans_as_meta() -> None:
    with torch.device("meta"):
        model = Seq2Seq()
    report = rnndoctor.scan(model, (32, 10, 50))
    assert [r.spec.device for r in report.rows] == ["meta", "meta"]
    assert [f.code for f in report.findings] == ["RNN103"]


# ---- what cannot be scanned -----------------------------------------------------------------

def test_a_module_that_reads_values_stops_the_scan_and_keeps_the_rest() -> None:
    report = rnndoctor.scan(ReadsValues(), (5, 2, 4))
    (failure,) = report.failures
    assert (failure.module_path, failure.module_type, failure.kind) == ("gate", "Threshold",
                                                                        "needs-values")
    assert failure.upstream == ("first",) and failure.op == "item"
    assert [(r.path, r.status) for r in report.rows] == [("first", "ok"), ("second", "not reached")]
    assert not report.finished and bool(report)
    text = render_scan(report)
    assert "`gate` (Threshold) reads tensor values, which a scan does not have" in text
    assert text.endswith(
        "found 1 failed module; the scan stopped in `gate` before 1 recurrent layer\n")


def test_an_op_with_no_meta_kernel_is_named() -> None:
    report = rnndoctor.scan(NoMetaKernel(), (5, 2, 3))
    (failure,) = report.failures
    assert (failure.module_path, failure.kind, failure.op) == ("", "no-meta-kernel",
                                                               "rnndoctor_test::cpu_only")
    assert failure.upstream == ("rnn",)
    assert "`(model)` (NoMetaKernel) uses `rnndoctor_test::cpu_only`, which has no meta kernel" in (
        render_scan(report))


def test_float_ids_for_an_embedding_are_explained() -> None:
    model = nn.Sequential(nn.Embedding(100, 8), nn.GRU(8, 4))
    report = rnndoctor.scan(model, (5, 3))
    (failure,) = report.failures
    assert failure.module_path == "0" and failure.recovered
    assert "`0` needs integer indices, but its input (5, 3) is float32" in failure.notes
    assert row(report, "1").input.shape == (5, 3, 8)


@pytest.mark.parametrize(("model", "args", "error", "message"), [
    (nn.Sequential(nn.Linear(3, 4)), ((2, 3),), ValueError,
     ("Sequential has no recurrent layers (nn.RNN, nn.LSTM, nn.GRU or their cells); "
      "a scan has nothing to check")),
    (nn.LSTM(3, 4).state_dict(), ((2, 3),), TypeError,
     "scan() needs an nn.Module, got OrderedDict"),
])
def test_bad_input_gets_a_clear_message(model: Any, args: tuple[Any, ...], error: type,
                                        message: str) -> None:
    with pytest.raises(error) as raised:
        rnndoctor.scan(model, *args)
    assert str(raised.value).startswith(message)


# ---- inputs as models take them: numpy lengths, batch objects ------------------------------

class Tagger(nn.Module):
    """Embeds token ids and packs them by their lengths, as most text models do."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(100, 8)
        self.rnn = nn.GRU(8, 16, batch_first=True)

    def encode(self, tokens: torch.Tensor, lengths: Any) -> torch.Tensor:
        packed = pack_padded_sequence(self.embed(tokens), lengths, batch_first=True, enforce_sorted=False)
        _, h_n = self.rnn(packed)
        return h_n[-1]


class NumpyLengths(Tagger):
    """A collate function that returns the lengths as a numpy array."""

    def forward(self, tokens: torch.Tensor, lengths: Any) -> torch.Tensor:
        return self.encode(tokens, lengths)


@dataclasses.dataclass(frozen=True)
class Batch:
    tokens: torch.Tensor
    lengths: torch.Tensor


class DataclassBatch(Tagger):
    """A batch as a dataclass."""

    def forward(self, batch: Batch) -> torch.Tensor:
        return self.encode(batch.tokens, batch.lengths)


class MaskedTagger(Tagger):
    """Also masks the padding of `tokens` with a mask built from `lengths`, which mixes the
    lengths with tensors of the model: on meta in the scan, where the lengths stay on the CPU."""

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = torch.arange(tokens.shape[1], device=tokens.device)[None, :] < lengths[:, None]
        embedded = self.embed(tokens) * mask[..., None]
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        _, h_n = self.rnn(packed)
        return h_n[-1] * lengths.to(h_n.dtype)[:, None]


class LegacyBatch:
    """A batch object with attributes, as legacy torchtext's `Batch`: `text` is (tokens, lengths)."""

    def __init__(self, tokens: torch.Tensor, lengths: torch.Tensor, label: torch.Tensor) -> None:
        self.text, self.label = (tokens, lengths), label


class AttributeBatch(Tagger):
    def forward(self, batch: LegacyBatch) -> torch.Tensor:
        tokens, lengths = batch.text
        return self.encode(tokens, lengths)


def _tokens_and_lengths() -> tuple[torch.Tensor, torch.Tensor]:
    return torch.randint(1, 100, (4, 7)), torch.tensor([7, 3, 5, 2])


@pytest.mark.parametrize("build", [
    lambda t, n: (NumpyLengths(), (t, n.numpy())),
    lambda t, n: (DataclassBatch(), (Batch(t, n),)),
    lambda t, n: (AttributeBatch(), (LegacyBatch(t, n, torch.zeros(4)),)),
    lambda t, n: (NumpyLengths(), (t, n.float())),
    lambda t, n: (MaskedTagger(), (t, n)),
    lambda t, n: (MaskedTagger(), (t, n.float())),
], ids=["numpy lengths", "dataclass", "batch object", "float lengths", "lengths mixed with the model's tensors",
        "float lengths mixed with the model's tensors"])
def test_correct_models_taking_numpy_lengths_or_batch_objects_scan_clean(build: Any) -> None:
    model, inputs = build(*_tokens_and_lengths())
    assert model(*inputs).shape == (4, 16)  # torch runs it: the model is correct
    report = rnndoctor.scan(model, *inputs)
    assert report and report.finished and not report.failures and not report.findings
    (rnn,) = report.rows
    assert type(rnn.input).__name__ == "Packed" and rnn.input.data.shape == (17, 8)  # type: ignore[union-attr]


class LengthsMisused(Tagger):
    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.embed(tokens) * lengths  # (4, 7, 8) by (4,): torch raises


def test_a_failure_mixing_lengths_with_the_models_tensors_is_the_models_own() -> None:
    tokens, lengths = _tokens_and_lengths()
    with pytest.raises(RuntimeError):
        LengthsMisused()(tokens, lengths)
    report = rnndoctor.scan(LengthsMisused(), tokens, lengths)
    (failure,) = report.failures
    assert "broadcast" in failure.message and "device" not in failure.message
    assert failure.inputs == ((4, 7, 8), (4,))


def test_batch_objects_are_copied_not_changed() -> None:
    tokens, lengths = _tokens_and_lengths()
    batch = LegacyBatch(tokens, lengths, torch.zeros(4))
    rnndoctor.scan(AttributeBatch(), batch)
    assert batch.text[0] is tokens and batch.text[1] is lengths and batch.label.device.type == "cpu"


def test_dict_subclasses_keep_their_type() -> None:
    from collections import OrderedDict

    from rnndoctor._scan import trace as _scan_trace

    given = OrderedDict(x=torch.zeros(3, 4), n=np.arange(3), shape=(3, 4))
    converted = _scan_trace._stand_in(given, "example input 0", torch.float32)
    assert type(converted) is OrderedDict and converted["x"].device.type == "meta"
    assert converted["n"] is given["n"] and converted["shape"].shape == (3, 4)


# ---- the command line -----------------------------------------------------------------------

MODELS = '''
import torch
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.LSTM(50, 100, batch_first=True, bidirectional=True)
        self.decoder = nn.LSTM(200, 100, batch_first=True)

    def forward(self, x):
        return self.decoder(self.encoder(x)[0])[0]


def build_model():
    return Seq2Seq()


def tagger():
    return nn.Sequential(nn.Embedding(1000, 50), nn.LSTM(50, 100, batch_first=True))


def broken():
    raise RuntimeError("no checkpoint at /data/model.pt")


def no_rnn():
    return nn.Linear(3, 4)


value = 3


def with_inputs():
    return build_model(), torch.zeros(32, 10, 50)


built_on = []


def recorded():
    model = build_model()
    built_on.append(next(model.parameters()).device.type)
    return model


def needs_values():
    layers = int(torch.tensor(1).item())
    return nn.LSTM(50, 100, num_layers=layers)
'''


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    path = tmp_path / "models_for_scan.py"
    path.write_text(MODELS)
    return path


def test_cli_scans_a_factory_from_a_file(models: Path) -> None:
    code, out, err = run(["scan", f"{models}:build_model", "--input", "32,10,50"])
    assert (code, err) == (0, "")
    assert out.startswith("rnndoctor scan: Seq2Seq\n") and out.endswith("ok: no problems found\n")


def test_cli_scans_a_module_factory_with_an_integer_input(models: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(models.parent)
    code, out, _ = run(["scan", "models_for_scan:tagger", "--input", "32,10:int64",
                        "--format", "json"])
    doc = json.loads(out)
    assert code == 0 and doc["layers"][0]["input"]["shape"] == [32, 10, 50]


@pytest.mark.parametrize(("target", "message"), [
    (":broken", ("broken() raised RuntimeError: no checkpoint at /data/model.pt "
                 "(at models_for_scan.py:25)")),
    (":no_rnn", "Linear has no recurrent layers"),
    (":missing", "`missing` is not defined in"),
    (":value", "`value` is not callable in"),
    (":with_inputs", "with_inputs() returned tuple, not an nn.Module"),
    ("", "cannot read"),
])
def test_cli_bad_factories_are_usage_errors(models: Path, target: str, message: str) -> None:
    code, out, err = run(["scan", f"{models}{target}" if target else "models_for_scan",
                          "--input", "3,4"])
    assert (code, out) == (2, "")
    assert err.startswith("rnndoctor scan: error: ") and message in err and err.count("\n") == 1


def test_cli_builds_the_model_on_meta(models: Path) -> None:
    code, out, err = run(["scan", f"{models}:recorded", "--input", "32,10,50"])
    assert (code, err) == (0, "") and out.endswith("ok: no problems found\n")
    assert sys.modules["_rnndoctor_scan_models_for_scan"].built_on == ["meta"]


def test_a_model_the_cli_built_on_meta_is_shown_as_the_factory_builds_it(models: Path) -> None:
    """The scan's own meta device shows nowhere: not in the table, the findings, nor a fix to paste."""
    code, out, _ = run(["scan", f"{models}:tagger", "--input", "8,20,50"])
    as_api = rnndoctor.scan(nn.Sequential(nn.Embedding(1000, 50), nn.LSTM(50, 100, batch_first=True)), (8, 20, 50))
    assert code == 1 and "meta" not in out
    assert out.split("\n", 1)[1] == str(as_api).split("\n", 1)[1]  # the same, but for the model's name


def test_cli_scan_reads_an_empty_shape_as_a_0d_input_like_check(models: Path) -> None:
    code, out, _ = run(["scan", f"{models}:build_model", "--input", "()"])
    assert code == 1 and "error[RNN102]: `input` is 0-D, but this LSTM takes 2-D or 3-D input" in out


def test_cli_builds_as_written_when_the_factory_needs_values(models: Path) -> None:
    code, out, err = run(["scan", f"{models}:needs_values", "--input", "10,32,50"])
    assert code == 0 and out.endswith("ok: no problems found\n")
    line = MODELS.splitlines().index("    layers = int(torch.tensor(1).item())") + 1
    assert err == ("rnndoctor scan: needs_values() failed on the meta device (RuntimeError: Tensor.item() "
                   f"cannot be called on meta tensors (at models_for_scan.py:{line})); the model was built "
                   "as written instead, which allocates its weights\n")


def test_cli_import_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad_syntax.py"
    bad.write_text("def build(:\n")
    code, _, err = run(["scan", f"{bad}:build"])
    assert code == 2 and f"importing {bad} raised SyntaxError" in err
    assert "(at bad_syntax.py:1)" in err
    code, _, err = run(["scan", "no_such_package_here.models:build"])
    assert code == 2 and "importing no_such_package_here.models raised ModuleNotFoundError" in err


def test_cli_help_says_it_imports_user_code() -> None:
    code, out, _ = run(["scan", "--help"])
    assert code == 0
    assert "This is the\nonly rnndoctor command that imports and runs your code" in out


def test_cli_plugin_imports_no_torch() -> None:
    probe = "import sys, rnndoctor._scan.cli; print('torch' in sys.modules)"
    child = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True)
    assert child.stdout.strip() == "False"
