"""explain: the corpus of verbatim torch messages, the text variants, the traceback, the CLI."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnndoctor import cli
from rnndoctor._explain import READERS, Explanation, explain
from rnndoctor._explain.patterns import PATTERNS
from rnndoctor.rules import REGISTRY

from ..golden import check_golden

HERE = Path(__file__).parent
CORPUS = sorted((HERE / "corpus").rglob("*.txt"))
HEADER = re.compile(r"# expect: (?P<code>RNN\d{3}|-) (?P<pattern>[\w.]+) (?P<status>recognised|partial)\n# source: .+\n")


def corpus(name: str) -> str:
    return (HERE / "corpus" / name).read_text()


def _expectation(path: Path) -> re.Match[str]:
    m = HEADER.match(path.read_text())
    assert m, f"{path.name}: the header must be '# expect: CODE PATTERN STATUS' then '# source: ...'"
    return m


def _code(e: Explanation) -> str:
    return e.findings[0].code if e.findings else "-"


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_corpus_message_gives_its_code(path: Path) -> None:
    want = _expectation(path)
    e = explain(path.read_text())
    assert (_code(e), e.pattern, e.status) == (want["code"], want["pattern"], want["status"])


def test_corpus_covers_three_torch_lines() -> None:
    lines = {p.parent.name for p in CORPUS}
    assert lines == {"torch-1.x", "torch-2.0-2.5", "torch-2.6+"}
    for line in lines:
        assert sum(p.parent.name == line for p in CORPUS) >= 10


def test_every_pattern_has_a_reader() -> None:
    assert {p.id for p in PATTERNS} <= set(READERS)
    assert len({p.id for p in PATTERNS}) == len(PATTERNS)


def test_codes_are_the_rules_codes_where_registered() -> None:
    names = {r.code: r.name for r in REGISTRY}
    for path in CORPUS:
        for f in explain(path.read_text()).findings:
            assert f.origin == "explain"
            if f.code in names:
                assert f.rule == names[f.code], path.name


# ---- the same message, pasted in other ways -------------------------------------------------

PLAIN = corpus("torch-2.6+/hidden0-bidirectional.txt")
MESSAGE = "RuntimeError: Expected hidden[0] size (4, 32, 100), got [2, 32, 100]"


def _ansi(text: str) -> str:
    """As IPython colours it: names red, paths green, arrows bold."""
    return (text.replace("RuntimeError", "\x1b[0;31mRuntimeError\x1b[0m")
                .replace("File ", "\x1b[0;32mFile \x1b[0m")
                .replace("line ", "\x1b[1;36mline \x1b[0m"))


VARIANTS = {
    "ansi": _ansi(PLAIN),
    "rank prefix": "".join(f"[rank0]: {line}\n" for line in PLAIN.splitlines()),
    "timestamps": "".join(f"2024-05-01 12:00:00,123 - ERROR - {line}\n" for line in PLAIN.splitlines()),
    "pytest": "    def test_lstm():\n>       out, _ = lstm(x, (h0, c0))\n\n"
              "test_model.py:12: \n"
              f"E   {MESSAGE}\n\n"
              ".venv/lib/python3.11/site-packages/torch/nn/modules/rnn.py:362: RuntimeError\n",
    "crlf bytes": PLAIN.replace("\n", "\r\n").encode() + b"\xff\xfe",
    "terminal wrap": "\n".join(MESSAGE[i : i + 30] for i in range(0, len(MESSAGE), 30)),
    "chat wrap": "RuntimeError: Expected hidden[0] size (4, 32,\n100), got [2, 32, 100]",
    "bare line": MESSAGE.removeprefix("RuntimeError: "),
    "log tail": f"epoch 3 step 120\n{MESSAGE}\nsaving checkpoint\n",
    "cpp context": f"{MESSAGE}\nException raised from check at RNN.cpp:12 (most recent call first):\nframe #0: x",
}


@pytest.mark.parametrize("text", VARIANTS.values(), ids=list(VARIANTS))
def test_pasted_variants_explain_alike(text: str | bytes) -> None:
    e = explain(text)
    assert (e.status, e.pattern, _code(e)) == ("recognised", "fwd.hidden_size", "RNN203")
    assert e.findings[0].dims[0].expected == 4 and e.findings[0].dims[0].actual == 2


# ---- log prefixes: each family as its formatter writes it, varied -------------------------------

LEVELS = st.sampled_from(["ERROR", "WARNING", "CRITICAL", "INFO"])
LOGGERS = st.from_regex(r"(?:__main__|[a-z_][a-z0-9_]{0,12}(?:\.[a-z_][a-z0-9_]{0,12}){0,3})", fullmatch=True)
DATES = st.dates().map(lambda d: d.isoformat())
TIMES = st.times().map(lambda t: t.strftime("%H:%M:%S"))
MILLIS = st.integers(0, 999).map(lambda ms: f"{ms:03d}")
RANKS = st.integers(0, 4095)


def _asctime(date: str, time: str, ms: str, level: str, name: str, layout: int) -> str:
    stamp = f"{date} {time},{ms}"
    return [f"{stamp} {level} {name}: ", f"{stamp} - {name} - {level} - ",
            f"{stamp} {level:<8} {name}: ", f"{stamp} | {level:<8} | {name}:fit:12 - "][layout]


def _tqdm(desc: str, done: int, total: int) -> str:
    filled = done * 10 // total
    bar = "█" * filled + " " * (10 - filled)
    return f"{desc + ': ' if desc else ''}{done * 100 // total:3d}%|{bar}| {done}/{total} [00:01<00:08, 10.50it/s]"


PREFIXES = {
    "logging default": st.builds(lambda level, name: f"{level}:{name}:", LEVELS, LOGGERS),
    "asctime": st.builds(_asctime, DATES, TIMES, MILLIS, LEVELS, LOGGERS, st.integers(0, 3)),
    "hydra": st.builds(lambda d, t, ms, name, level: f"[{d} {t},{ms}][{name}][{level}] - ",
                       DATES, TIMES, MILLIS, LOGGERS, LEVELS),
    "accelerate": st.builds(lambda d, t, level, name: f"{d[5:7]}/{d[8:]}/{d[:4]} {t} - {level} - {name} - ",
                            DATES, TIMES, LEVELS, LOGGERS),
    "lightning": st.builds(lambda r: f"[rank: {r}] ", RANKS),
    "torchrun": st.builds(lambda r, role: f"[{role}{r}]: " if role == "rank" else f"[{role}{r}]:",
                          RANKS, st.sampled_from(["rank", "default"])),
    "tqdm": st.builds(_tqdm, st.sampled_from(["", "Epoch 0", "train", "Validation DataLoader 0"]),
                      st.integers(0, 100), st.integers(100, 1000)),
}


@settings(max_examples=60, deadline=None)
@given(family=st.sampled_from(sorted(PREFIXES)), data=st.data())
def test_log_prefixes_are_read_past(family: str, data: st.DataObject) -> None:
    prefix = data.draw(PREFIXES[family], label="prefix")
    rank = data.draw(st.sampled_from(["", "[rank1]: "]), label="outer")  # a launcher around a logger
    e = explain(f"epoch 3 step 120\n{rank}{prefix}{MESSAGE}\n")
    assert (e.status, e.pattern, _code(e)) == ("recognised", "fwd.hidden_size", "RNN203")
    assert e.findings[0].dims[0].expected == 4 and e.findings[0].dims[0].actual == 2


@pytest.mark.parametrize("family", sorted(PREFIXES))
def test_each_family_has_its_verbatim_corpus_line(family: str) -> None:
    names = {"logging default": "log-python-default", "asctime": "log-asctime", "hydra": "log-hydra",
             "accelerate": "log-accelerate", "lightning": "log-lightning-rank",
             "torchrun": "log-torchrun-rank", "tqdm": "log-tqdm"}
    assert (HERE / "corpus" / "torch-2.6+" / f"{names[family]}.txt").is_file()


def test_a_logger_name_is_never_taken_for_the_exception() -> None:
    e = explain(f"2026-01-01 12:00:00,123 ERROR {MESSAGE}\n")
    assert (e.status, e.findings[0].title) == ("recognised", explain(MESSAGE).findings[0].title)


def test_wrapped_message_says_it_was_reflowed() -> None:
    assert explain(VARIANTS["terminal wrap"]).reflowed
    assert not explain(MESSAGE).reflowed


def test_the_last_of_several_errors_is_explained() -> None:
    chained = (corpus("torch-2.6+/input-size.txt")
               + "\nDuring handling of the above exception, another exception occurred:\n\n"
               + corpus("torch-2.6+/gru-hidden-batch.txt"))
    assert _code(explain(chained)) == "RNN204"


# ---- the traceback -------------------------------------------------------------------------------

def test_call_site_is_the_users_line() -> None:
    f = explain(PLAIN).findings[0]
    assert f.location.call_site == "/home/user/project/hidden0_bidirectional.py:8"
    assert "the layer is called as `out, _ = lstm(x, (h0, c0))`" in f.notes


class _Nested:
    """A model whose recurrent layer sits two modules down, as most models' do."""

    SOURCE = """\
import torch
from torch import nn

class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(50, 100, num_layers=2, bidirectional=True)

    def forward(self, x):
        h0 = c0 = torch.zeros(2, x.shape[1], 100)
        out, _ = self.rnn(x, (h0, c0))
        return out

class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()

    def forward(self, src):
        return self.encoder(src)

model = Seq2Seq()
model(torch.randn(10, 32, 50))
"""


def test_call_site_in_a_nested_model_is_the_line_that_calls_the_layer(tmp_path: Path) -> None:
    """Not `model(src)` at the top, nor `self.encoder(src)`: the line that calls into rnn.py."""
    pytest.importorskip("torch")
    import subprocess
    import sys

    script = tmp_path / "seq2seq.py"
    script.write_text(_Nested.SOURCE)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert "RuntimeError: Expected hidden[0] size (4, 32, 100), got [2, 32, 100]" in done.stderr
    f = explain(done.stderr).findings[0]
    rnn_line = _Nested.SOURCE.splitlines().index("        out, _ = self.rnn(x, (h0, c0))") + 1
    assert f.location.call_site == f"{script}:{rnn_line}"
    assert "the layer is called as `out, _ = self.rnn(x, (h0, c0))`" in f.notes


IPYTHON = """\
---------------------------------------------------------------------------
RuntimeError                              Traceback (most recent call last)
Cell In[3], line 5
      3 encoder = nn.LSTM(50, 100, num_layers=2, bidirectional=True)
      4 h0 = c0 = torch.zeros(2, 32, 100)
----> 5 out, _ = encoder(x, (h0, c0))

File ~/venv/lib/python3.11/site-packages/torch/nn/modules/module.py:1511, in Module._wrapped_call_impl(self, *args, **kwargs)
-> 1511     return self._call_impl(*args, **kwargs)

File ~/venv/lib/python3.11/site-packages/torch/nn/modules/rnn.py:362, in RNNBase.check_hidden_size(self, hx, expected_hidden_size, msg)
--> 362     raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

RuntimeError: Expected hidden[0] size (4, 32, 100), got [2, 32, 100]
"""


def test_ipython_cell_gives_call_site_and_constructor() -> None:
    f = explain(IPYTHON).findings[0]
    assert f.location.call_site == "Cell In[3]:5"
    assert f.location.module_repr == "LSTM(50, 100, num_layers=2, bidirectional=True)"
    assert [x.title for x in f.fixes][1] == "construct the LSTM with `bidirectional=False`"
    assert "D*num_layers = D=2 (bidirectional=True) × num_layers=2 = 4" in f.notes


def test_constructor_with_names_is_shown_as_written() -> None:
    text = IPYTHON.replace("nn.LSTM(50, 100,", "nn.LSTM(emb_dim, hid,")
    f = explain(text).findings[0]
    assert f.location.module_repr == "nn.LSTM(emb_dim, hid, num_layers=2, bidirectional=True)"
    assert len(f.fixes) == 2  # no constructor change without the layer's values


# ---- the inference ----------------------------------------------------------------------------------

def _first(text: str) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    f = explain(text).findings[0]
    return f.code, f.title, f.notes, tuple(x.title for x in f.fixes)


def test_batch_first_states_are_recognised() -> None:
    code, title, notes, _ = _first("Expected hidden[0] size (1, 32, 100), got [32, 1, 100]")
    assert code == "RNN204" and "batch-first" in title
    assert "`batch_first` applies to `input` and `output` only, never to the states" in notes


def test_cell_state_narrower_than_hidden_size_means_proj_size() -> None:
    code, title, notes, _ = _first("Expected hidden[1] size (1, 3, 20), got [1, 3, 5]")
    assert code == "RNN205" and title == "`c_0` has 5 features, but this LSTM needs 20"
    assert any("proj_size=5" in n for n in notes)


def test_feature_size_gives_both_numbers() -> None:
    e = explain("input.size(-1) must be equal to input_size. Expected 50, got 25")
    d = e.findings[0].dims[0]
    assert (e.first.code, d.tensor, d.expected, d.actual) == ("RNN103", "input", 50, 25)


def test_integer_input_needs_an_embedding() -> None:
    _, title, _, fixes = _first("ValueError: RNN input dtype (torch.int64) does not match weight dtype "
                                "(torch.float32). Convert input: input.to(torch.float32), or convert "
                                "model: model.to(torch.int64)")
    assert "integer ids" in title and fixes[0] == "embed the ids before the layer"


def test_generic_message_without_context_is_a_partial_match() -> None:
    e = explain("RuntimeError: The size of tensor a (16) must match the size of tensor b (32) at "
                "non-singleton dimension 0")
    assert e.status == "partial" and e.exit_code == 1
    assert "partial match" in str(e)


def test_broadcast_under_a_packed_lstm_is_the_states_batch() -> None:
    e = explain(corpus("torch-2.6+/packed-lstm-states-batch.txt"))
    assert e.first is not None and e.first.title == "`h_0` has batch 4, but the packed `input` has batch 3"


def test_warning_exits_zero_and_is_truthy() -> None:
    e = explain(corpus("torch-1.x/cudnn-weights-warning-1x.txt"))
    assert (e.status, e.exit_code, bool(e)) == ("recognised", 0, True)


# ---- unknown text ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "hello", "ValueError: something else entirely",
                                  "Traceback (most recent call last):\n  File \"a.py\", line 1\nKeyError: 'x'"])
def test_unknown_text_is_unrecognised_not_clean(text: str) -> None:
    e = explain(text)
    assert (e.status, e.exit_code, bool(e), e.findings) == ("unrecognised", 3, False, ())
    assert "unrecognised: this is not a recurrent-layer error rnndoctor knows" in str(e)
    assert "no problems found" not in str(e)


def test_message_under_another_exception_type_is_partial() -> None:
    e = explain("ValueError: Expected hidden size (1, 3, 20), got [1, 4, 20]")
    assert e.status == "partial" and any("raises this message as RuntimeError" in n for n in e.notes)


# ---- the command line ------------------------------------------------------------------------------

def run(argv: list[str], monkeypatch: pytest.MonkeyPatch | None = None, stdin: bytes = b"") -> tuple[int, str]:
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(argv)
    return code, out.getvalue()


def test_cli_exit_codes() -> None:
    assert run(["explain", MESSAGE, "--color", "never"])[0] == 1
    assert run(["explain", "no torch here", "--color", "never"])[0] == 3
    assert run(["explain", "--color", "never"])[0] == 2


def test_cli_reads_stdin_and_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out = run(["explain", "-", "--color", "never"], monkeypatch, PLAIN.encode())
    assert code == 1 and "error[RNN203]" in out
    path = tmp_path / "tb.txt"
    path.write_bytes(PLAIN.encode())
    assert run(["explain", "--file", str(path), "--color", "never"]) == (code, out)


def test_cli_json_follows_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((HERE.parents[1] / "docs" / "report.schema.json").read_text())
    for text in (PLAIN, "unknown", corpus("torch-1.x/cudnn-backward-eval.txt")):
        doc = json.loads(run(["explain", text, "--format", "json"])[1])
        jsonschema.validate(doc, schema)
        assert doc["explain"]["exit_code"] in (0, 1, 3)


# ---- goldens ---------------------------------------------------------------------------------------

GOLDEN_CASES = [
    "torch-2.6+/hidden0-bidirectional.txt",
    "torch-2.6+/hidden0-batch-first-states.txt",
    "torch-2.6+/hidden1-proj-size.txt",
    "torch-2.6+/int64-input.txt",
    "torch-2.6+/lstm-hx-one-tensor.txt",
    "torch-2.6+/packed-lstm-feature-size.txt",
    "torch-2.6+/bidirectional-int.txt",
    "torch-2.0-2.5/gru-num-layers-3-ipython.txt",
    "torch-1.x/hidden-4d-state.txt",
    "torch-1.x/cudnn-backward-eval.txt",
]


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_rendered_text_matches_explain_golden(name: str, update_goldens: bool) -> None:
    _explain_golden(name.replace("/", "__"), str(explain(corpus(name))), update_goldens)


def test_rendered_unknown_and_partial_match_goldens(update_goldens: bool) -> None:
    _explain_golden("unknown.txt", str(explain("KeyError: 'weight'")), update_goldens)
    _explain_golden("partial.txt", str(explain("mat1 and mat2 shapes cannot be multiplied (10x7 and 10x80)")),
            update_goldens)


def test_colour_and_json_goldens(update_goldens: bool) -> None:
    text = corpus("torch-2.6+/hidden0-bidirectional.txt")
    _explain_golden("colour.txt", run(["explain", text, "--color", "always"])[1], update_goldens)
    _explain_golden("json.txt", run(["explain", text, "--format", "json"])[1], update_goldens)


def _explain_golden(name: str, text: str, update: bool) -> None:
    check_golden(f"explain/{name}", text, update)
