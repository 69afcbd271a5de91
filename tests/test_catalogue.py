"""The rule catalogue: codes, names, documentation, docs/rules.md, and the doc examples as tests.

Each rule doc's "Example" runs with real torch tensors and must produce exactly
its code; "Use instead" must produce nothing (rustc's `compile_fail,E0061`).
The snippets are our own text.

Construct and forward rules' snippets run with a stand-in `nn` whose six layer
classes record their constructor arguments and calls instead of running, and a
stand-in `pack_padded_sequence` that records its arguments: the last call (or,
without one, the last layer built) is diagnosed with rnndoctor. Without CUDA,
tensors asked for on a CUDA device are made on `meta`, which rnndoctor reads as
the layer's device.

Use and program rules (RNN5xx) judge what a program does with real results, so
their snippets run for real: plain `torch`, `nn`, `pack_padded_sequence` and
`pad_packed_sequence`, inside `guard(semantics=True)`, and the warnings it
gives are the snippet's findings.
"""

from __future__ import annotations

import importlib.util
import linecache
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from rnndoctor._api import _lengths
from rnndoctor._record import replace
from rnndoctor._torch import describe_call
from rnndoctor.engine import diagnose
from rnndoctor.findings import Finding, Severity
from rnndoctor.report import Report
from rnndoctor.rules import REGISTRY, RETIRED, family_stages, get, named, of_stage
from rnndoctor.rules._base import Rule
from rnndoctor.specs import KINDS, Call, Given, Other, RnnSpec, TensorInfo, Unpad, spec

from .semantic_support import under_semantics

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ["What it catches", "Why is this bad?", "Example", "Use instead", "Fixes, in order",
            "PyTorch reference"]
RULES = {rule.code: rule for rule in REGISTRY}
SEMANTIC = ("use", "program")  # the stages judged by `guard(semantics=True)` as a program runs


def test_codes_are_unique_sorted_and_never_retired() -> None:
    codes = [rule.code for rule in REGISTRY]
    assert codes == sorted(set(codes))
    assert not set(codes) & set(RETIRED)


@pytest.mark.parametrize("code", RULES)
def test_name_is_kebab_case_and_matches_the_file(code: str) -> None:
    rule = RULES[code]
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule.name)
    module = rule.check.__module__.rsplit(".", 1)[-1]
    assert module == f"rnn{code[3:]}_{rule.name.replace('-', '_')}"


@pytest.mark.parametrize("code", RULES)
def test_the_code_family_gives_the_stage(code: str) -> None:
    """The registry imports a stage's rules by family alone (RNN3xx construct, RNN5xx use or program)."""
    rule = RULES[code]
    assert rule.stage in family_stages(code)
    assert rule in of_stage(rule.stage)
    assert get(code.lower()) == named(rule.name) == rule


def test_of_stage_covers_the_registry() -> None:
    stages = ("construct", "forward", "use", "program")
    assert sorted(r.code for s in stages for r in of_stage(s)) == [r.code for r in REGISTRY]


@pytest.mark.parametrize("code", RULES)
def test_doc_has_every_section_in_order(code: str) -> None:
    rule = RULES[code]
    lines = rule.doc.strip().splitlines()
    assert lines[0] == f"{rule.code} {rule.name}"
    headings = [line[3:] for line in lines if line.startswith("## ")]
    assert headings == SECTIONS
    for name in SECTIONS:
        assert _section(rule, name).strip(), f"{code}: section {name!r} is empty"


def test_docs_rules_md_is_fresh() -> None:
    script = ROOT / "scripts" / "gen_rule_docs.py"
    loader = importlib.util.spec_from_file_location("gen_rule_docs", script)
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    current = (ROOT / "docs" / "rules.md").read_text()
    assert current == module.rules_markdown(), "docs/rules.md is stale: run " \
                                               "`python scripts/gen_rule_docs.py`"


@pytest.mark.parametrize("code", RULES)
def test_example_yields_exactly_its_code(code: str) -> None:
    if RULES[code].stage in SEMANTIC:
        found = run_semantic_snippet(_section(RULES[code], "Example"))
        assert [f.code for f in found] == [code], f"{code}: the Example gives {Report(found)}"
        return
    report = run_snippet(_section(RULES[code], "Example"))
    codes = {f.code for f in report if f.severity is not Severity.NOTE or f.code == code}
    assert codes == {code}, f"{code}: the Example gives {sorted(codes)}\n{report}"


@pytest.mark.parametrize("code", RULES)
def test_use_instead_yields_nothing(code: str) -> None:
    if RULES[code].stage in SEMANTIC:
        found = run_semantic_snippet(_section(RULES[code], "Use instead"))
        assert not found, f"{code}: the Use instead block gives {Report(found)}"
        return
    report = run_snippet(_section(RULES[code], "Use instead"))
    assert not list(report), f"{code}: the Use instead block gives\n{report}"


def test_snippet_runner_diagnoses_the_last_call() -> None:
    """The runner itself: it sees the call, the states and the packing."""
    report = run_snippet("lstm = nn.LSTM(50, 100)\n"
                         "h = c = torch.zeros(1, 32, 100)\n"
                         "out, (h_n, c_n) = lstm(torch.randn(10, 16, 50), (h, c))")
    assert [f.code for f in report] == ["RNN204"]
    packed = run_snippet("gru = nn.GRU(10, 20)\n"
                         "gru(pack_padded_sequence(torch.randn(5, 3, 10), torch.tensor([5, 3, 2])))")
    assert packed.call is not None and packed.call.lengths is not None
    assert packed.call.lengths.values == (5, 3, 2)
    moved = run_snippet("gru = nn.GRU(10, 20).to('cuda', torch.float64)\n"
                        "gru(torch.randn(5, 3, 10, device='cuda'), torch.zeros(1, 3, 20))")
    assert moved.spec is not None and (moved.spec.device, moved.spec.dtype) == ("cuda", "float64")
    assert moved.call is not None and isinstance(moved.call.input, TensorInfo)
    assert isinstance(moved.call.hx, TensorInfo)
    assert (moved.call.input.device, moved.call.hx.device) == ("cuda", "cpu")


def test_semantic_snippet_runner_sees_real_uses() -> None:
    """The runner itself: a real layer, real results, and the warnings of semantic mode."""
    found = run_semantic_snippet("gru = nn.GRU(10, 20, bidirectional=True)\n"
                                 "output, h_n = gru(torch.randn(5, 3, 10))\n"
                                 "x = output[-1]\n"
                                 "y = torch.cat([h_n[-2], h_n[-1]], dim=-1)\n"
                                 "z = h_n[-1]\n")
    assert [(f.code, f.location.call_site) for f in found] == [("RNN502", "<rule doc>:3"),
                                                                ("RNN504", "<rule doc>:5")]
    assert not run_semantic_snippet("lstm = nn.LSTM(10, 20, bidirectional=True)\n"
                                    "output, (h_n, c_n) = lstm(torch.randn(5, 3, 10))\n"
                                    "x = output[-1, :, :20]\n")


def _section(rule: Rule, name: str) -> str:
    match = re.search(rf"^## {re.escape(name)}\n(.*?)(?=^## |\Z)", rule.doc,
                      re.DOTALL | re.MULTILINE)
    assert match, f"{rule.code} has no section {name!r}"
    return textwrap.dedent(match.group(1)).strip() + "\n"


# ---- the snippet runner -------------------------------------------------------------------

@dataclass
class _Packing:
    """What `pack_padded_sequence(padded, lengths, ...)` was given."""

    padded: Any
    lengths: Any
    enforce_sorted: bool


@dataclass
class _Padding:
    """What `pad_sequence(sequences, batch_first, padding_side=...)` was given."""

    sequences: list[Any]
    batch_first: Any
    padding_side: Any = "right"
    padding_value: Any = 0.0


@dataclass
class _Unpadding:
    """What `pad_packed_sequence(sequence, total_length=...)` was given."""

    sequence: Any
    total_length: Any


@dataclass
class _Log:
    layers: list[RnnSpec] = field(default_factory=list)
    calls: list[tuple[RnnSpec, Any, Any]] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)  # what the snippet's `rnndoctor.check` gave


class _Rnndoctor:
    """Stands in for `rnndoctor` in a snippet: `check` takes the stand-in layers and records."""

    def __init__(self, log: _Log) -> None:
        self._log = log

    def check(self, layer: Any, *args: Any, **kwargs: Any) -> Report:
        import rnndoctor

        report = rnndoctor.check(layer.spec if isinstance(layer, _Layer) else layer, *args, **kwargs)
        self._log.reports.append(report)
        return report


class _Layer:
    """Stands in for an nn.X instance: records its calls instead of running."""

    def __init__(self, layer: RnnSpec, log: _Log) -> None:
        self.spec, self._log = layer, log

    def __call__(self, input: Any, hx: Any = None) -> Any:
        self._log.calls.append((self.spec, input, hx))
        state = (None, None) if self.spec.base == "LSTM" else None
        return state if self.spec.is_cell else (None, state)

    def to(self, *args: Any, **kwargs: Any) -> _Layer:
        """`module.to(device)`, `.to(dtype)` or both."""
        import torch

        changes = {}
        for value in (*args, *kwargs.values()):
            if isinstance(value, torch.dtype):
                changes["dtype"] = str(value).removeprefix("torch.")
            else:
                changes["device"] = str(value)
        moved = replace(self.spec, **changes)
        self._log.layers.append(moved)
        return _Layer(moved, self._log)


class _NN:
    """Stands in for `torch.nn`: the six layer classes record, everything else is torch's."""

    def __init__(self, log: _Log) -> None:
        self._log = log

    def __getattr__(self, name: str) -> Any:
        if name not in KINDS:
            import torch

            return getattr(torch.nn, name)

        def construct(*args: Any, **kwargs: Any) -> _Layer:
            layer = spec(name, *args, **kwargs)
            self._log.layers.append(layer)
            return _Layer(layer, self._log)

        return construct


class _Torch:
    """Stands in for `torch`: its `nn` records, and without CUDA, factories make CUDA tensors on meta."""

    FACTORIES = frozenset({"randn", "rand", "zeros", "ones", "empty", "full", "randint", "tensor"})

    def __init__(self, torch: Any, nn: _NN) -> None:
        self._torch, self.nn = torch, nn

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._torch, name)
        if name not in self.FACTORIES or self._torch.cuda.is_available():
            return value

        def factory(*args: Any, **kwargs: Any) -> Any:
            if str(kwargs.get("device", "")).startswith("cuda"):
                kwargs["device"] = "meta"
            return value(*args, **kwargs)

        return factory


def _pack_padded_sequence(input: Any, lengths: Any, batch_first: bool = False,
                          enforce_sorted: bool = True) -> _Packing:
    return _Packing(input, lengths, enforce_sorted)


def _pad_sequence(sequences: list[Any], batch_first: Any = False, padding_value: Any = 0.0,
                  padding_side: Any = "right") -> _Padding:
    return _Padding(list(sequences), batch_first, padding_side, padding_value)


def _pad_packed_sequence(sequence: Any, batch_first: bool = False, padding_value: float = 0.0,
                         total_length: Any = None) -> tuple[_Unpadding, None]:
    return _Unpadding(sequence, total_length), None


def run_snippet(code: str) -> Report:
    """Run a doc snippet with real tensors and diagnose its last layer call.

    A snippet that calls `rnndoctor.check` itself gives that report instead.
    """
    torch = pytest.importorskip("torch")
    from torch.nn.utils.rnn import PackedSequence

    log = _Log()
    nn = _NN(log)
    namespace = {"torch": _Torch(torch, nn), "nn": nn, "PackedSequence": PackedSequence,
                 "pack_padded_sequence": _pack_padded_sequence, "pad_sequence": _pad_sequence,
                 "pad_packed_sequence": _pad_packed_sequence, "rnndoctor": _Rnndoctor(log),
                 "np": pytest.importorskip("numpy")}
    exec(compile(code, "<rule doc>", "exec"), namespace)
    if log.reports:
        return log.reports[-1]
    if log.calls:
        layer, input, hx = log.calls[-1]
        return diagnose(layer, _call(layer, input, hx))
    assert log.layers, f"the snippet builds no layer with nn.X:\n{code}"
    return diagnose(log.layers[-1], None)


def _call(layer: RnnSpec, input: Any, hx: Any) -> Call:
    if isinstance(input, _Padding):
        items = tuple(TensorInfo(tuple(s.shape), str(s.dtype).removeprefix("torch.")) for s in input.sequences)
        steps = max(s.shape[0] for s in items)
        shape = (len(items), steps) if input.batch_first else (steps, len(items))
        padded = TensorInfo((*shape, *items[0].shape[1:]), items[0].dtype)
        side = input.padding_side if isinstance(input.padding_side, str) else Other(type(input.padding_side).__name__)
        given = Given("pad_sequence", (("batch_first", type(input.batch_first).__name__),
                                       ("padding_value", type(input.padding_value).__name__)))
        return Call(padded, describe_call(layer, padded, hx).hx, sequences=items, padding_side=side, given=given)
    if isinstance(input, _Unpadding):
        total = input.total_length
        total = total if total is None or isinstance(total, (int, float)) else Other(type(total).__name__)
        return replace(describe_call(layer, input.sequence, hx), unpad=Unpad(total))
    if not isinstance(input, _Packing):
        return describe_call(layer, input, hx)
    described = describe_call(layer, input.padded, hx)
    lengths = replace(_lengths(input.lengths), enforce_sorted=input.enforce_sorted)
    return Call(described.input, described.hx, lengths)


# ---- the semantic snippet runner -----------------------------------------------------------

def run_semantic_snippet(code: str) -> tuple[Finding, ...]:
    """Run a doc snippet for real inside `guard(semantics=True)`: what it warned, in order."""
    torch = pytest.importorskip("torch")
    from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

    namespace = {
        "torch": torch, "nn": torch.nn, "PackedSequence": PackedSequence,
        "pack_padded_sequence": pack_padded_sequence, "pad_packed_sequence": pad_packed_sequence,
        # a module name for the warnings: `warnings.warn_explicit(..., module=None)` drops them
        "__name__": "rule_doc",
    }
    linecache.cache["<rule doc>"] = (len(code), None, code.splitlines(True), "<rule doc>")  # as IPython does
    found, texts = under_semantics(lambda: exec(compile(code, "<rule doc>", "exec"), namespace))
    assert len(texts) == len(found), f"{len(found)} findings, but {len(texts)} warnings: {texts}"
    return found
