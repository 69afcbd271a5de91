"""Where torch runs an nn.LSTM call on the CPU: oneDNN or ATen's own kernels.

ATen's `use_mkldnn` (aten/src/ATen/native/RNN.cpp) takes a call when oneDNN is
enabled and `input` is float32, bfloat16 on a CPU whose oneDNN supports it, or
float16 on such a CPU with grad mode off. The verdict depends on the path, so
each fact is part of it. The differential test runs real torch on this
machine's CPU; the CPU's support is then replaced by the other answer to check
the model of a CPU that has it, which this machine may lack.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import rnndoctor
from rnndoctor import _torch
from rnndoctor.engine import diagnose
from rnndoctor.specs import Backend

LAYER_DTYPES = ("float32", "bfloat16", "float16", "float64")
STATE_DTYPES = ("float32", "float64", "bfloat16", "int64", "bool", "complex64")


def zeros(*shape: int, dtype: str) -> Any:
    return torch.zeros(*shape, dtype=getattr(torch, dtype))


def grid() -> Iterator[tuple[str, str, bool, bool, int]]:
    yield from itertools.product(LAYER_DTYPES, STATE_DTYPES, (True, False), (True, False), (1, 3))


@pytest.mark.parametrize("layer_dtype,c_dtype,grad,onednn,steps", list(grid()))
def test_c_0_dtypes_match_torch_here(layer_dtype: str, c_dtype: str, grad: bool, onednn: bool,
                                     steps: int) -> None:
    lstm = nn.LSTM(4, 5, dtype=getattr(torch, layer_dtype))
    x = zeros(steps, 2, 4, dtype=layer_dtype)
    hx = (zeros(1, 2, 5, dtype=layer_dtype), zeros(1, 2, 5, dtype=c_dtype))
    with torch.backends.mkldnn.flags(enabled=onednn), torch.set_grad_enabled(grad):
        report = rnndoctor.check(lstm, x, hx)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lstm(x, hx)
        except RuntimeError:
            raised = True
        else:
            raised = False
    assert [f.raises for f in report.errors if f.raises] == (["RuntimeError"] if raised else [])


@pytest.fixture
def capable_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's CPU, as one whose oneDNN supports bfloat16 and float16."""
    monkeypatch.setattr(_torch, "_SUPPORT", [True, True])


def codes(layer_dtype: str, c_dtype: str, steps: int = 3) -> list[tuple[str, str | None]]:
    lstm = nn.LSTM(4, 5, dtype=getattr(torch, layer_dtype))
    x = zeros(steps, 2, 4, dtype=layer_dtype)
    hx = (zeros(1, 2, 5, dtype=layer_dtype), zeros(1, 2, 5, dtype=c_dtype))
    return [(f.code, f.raises) for f in rnndoctor.check(lstm, x, hx).errors]


@pytest.mark.usefixtures("capable_cpu")
def test_a_float32_c_0_runs_beside_bfloat16_on_onednn() -> None:
    assert codes("bfloat16", "float32") == []


@pytest.mark.usefixtures("capable_cpu")
@pytest.mark.parametrize("c_dtype", ["int64", "bool", "complex64", "float64"])
def test_onednn_rejects_what_it_has_no_type_for(c_dtype: str) -> None:
    assert codes("bfloat16", c_dtype) == [("RNN206", "RuntimeError")]


@pytest.mark.usefixtures("capable_cpu")
def test_float16_goes_to_onednn_only_without_grad() -> None:
    assert codes("float16", "float32") == [("RNN206", "RuntimeError")]  # ATen: the next step fails
    with torch.no_grad():
        assert codes("float16", "float32") == []
    with torch.inference_mode():
        assert codes("float16", "float32") == []


@pytest.mark.usefixtures("capable_cpu")
def test_the_guards_verdicts_are_kept_apart_by_grad_mode() -> None:
    from rnndoctor._runtime import guard as guard_module
    lstm = nn.LSTM(4, 5, dtype=torch.float16)
    x = zeros(3, 2, 4, dtype="float16")
    hx = (zeros(1, 2, 5, dtype="float16"), zeros(1, 2, 5, dtype="float32"))
    grad_key = guard_module._lookup_key(lstm, x, hx)
    with torch.no_grad():
        assert guard_module._lookup_key(lstm, x, hx) != grad_key
    with torch.backends.mkldnn.flags(enabled=False):
        assert guard_module._lookup_key(lstm, x, hx) != grad_key


def test_a_complex_c_0_on_a_float64_layer_is_an_error() -> None:
    assert codes("float64", "complex64") == [("RNN206", "RuntimeError")]
    assert codes("float64", "complex64", steps=1) == [("RNN206", None)]  # complex outputs


def test_without_a_live_layer_the_finding_says_the_verdict_depends_on_the_cpu() -> None:
    layer = rnndoctor.spec("LSTM", 4, 5, dtype="bfloat16")
    report = rnndoctor.check(layer, (3, 2, 4), None)
    assert report  # nothing to say: both paths run it
    x = _torch.TensorInfo((3, 2, 4), "bfloat16")
    call = _torch.Call(x, _torch.Seq("tuple", (_torch.TensorInfo((1, 2, 5), "bfloat16"),
                                               _torch.TensorInfo((1, 2, 5), "int64"))))
    (finding,) = diagnose(layer, call).findings
    assert finding.raises is None  # ATen's kernels promote an int64 c_0: a warning
    assert finding.notes[-1] == (
        "this is the verdict on a CPU whose oneDNN lacks bf16 support "
        "(`torch.ops.mkldnn._is_mkldnn_bf16_supported()` is False); where it has it, torch 2.13 "
        "runs this call through oneDNN, and raises RuntimeError first (RNN206)")
    assert call.backend == Backend()


def test_a_0_d_input_beside_a_complex_c_0_is_checked() -> None:
    lstm = nn.LSTM(1, 3, dtype=torch.bfloat16)
    hx = (zeros(1, 0, 3, dtype="bfloat16"), zeros(1, 0, 3, dtype="complex64"))
    report = rnndoctor.check(lstm, torch.tensor(0.0, dtype=torch.bfloat16), hx)
    assert report.first is not None and report.first.code == "RNN102"
