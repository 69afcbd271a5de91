"""On a GPU: cuDNN's messages, mixed devices, half and bfloat16, `lengths` on CUDA, autocast.

torch on the GPU is the oracle here as on the CPU: every call runs for real,
and rnndoctor's verdict (or its reading of the message) is compared with what
torch did. The triggers follow torch 2.13's cuDNN path
(aten/src/ATen/native/cudnn/RNN.cpp: `check_attributes` with dtypes, the hx/cx
contiguity check, the weight-buffer warning, backward only in training mode)
and ../shared/reference/torch-rnn-checks.md §5. Without a GPU every test is
skipped: `pytest -m cuda` on a machine with one runs them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
from torch.nn.utils.rnn import pack_padded_sequence

import rnndoctor
from rnndoctor import RnnDoctorWarning
from rnndoctor._runtime import postmortem as _postmortem

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]

CUDA = "cuda"


def raised(call: Callable[[], Any]) -> BaseException | None:
    """What torch raises for `call`, or None when it runs."""
    try:
        call()
    except Exception as e:
        return e
    return None


def lstm(*args: Any, **kwargs: Any) -> Any:
    torch.manual_seed(0)
    return nn.LSTM(*args, **kwargs).to(CUDA)


# ---- cuDNN's own messages ---------------------------------------------------------------------

def _non_contiguous_hx() -> tuple[Any, Any]:
    layer = lstm(10, 20)
    x = torch.randn(5, 3, 10, device=CUDA)
    h = torch.zeros(1, 3, 40, device=CUDA)[:, :, :20]  # a view: cuDNN wants hx contiguous
    return layer, lambda: layer(x, (h, torch.zeros(1, 3, 20, device=CUDA)))


def _backward_in_eval() -> tuple[Any, Any]:
    layer = lstm(10, 20).eval()
    x = torch.randn(5, 3, 10, device=CUDA, requires_grad=True)
    return layer, lambda: layer(x)[0].sum().backward()


def _hidden_dtype() -> tuple[Any, Any]:
    layer = lstm(10, 20)
    x = torch.randn(5, 3, 10, device=CUDA)
    h = torch.zeros(1, 3, 20, device=CUDA, dtype=torch.float64)
    return layer, lambda: layer(x, (h, h))


@pytest.mark.parametrize(("trigger", "pattern"), [
    (_non_contiguous_hx, "cudnn.contiguous"),
    (_backward_in_eval, "cudnn.train_mode"),
    (_hidden_dtype, "aten.dtype"),
], ids=["hx not contiguous", "backward in eval mode", "hidden dtype"])
def test_cudnn_errors_are_recognised(trigger: Callable[[], tuple[Any, Any]], pattern: str) -> None:
    _, call = trigger()
    error = raised(call)
    assert isinstance(error, RuntimeError), "torch ran it: the trigger no longer reaches cuDNN's check"
    e = rnndoctor.explain(f"{type(error).__name__}: {error}")
    assert (e.status, e.pattern) == ("recognised", pattern)


def test_a_hidden_dtype_torch_rejects_on_cudnn_is_an_error_for_check_too() -> None:
    layer, call = _hidden_dtype()
    assert raised(call) is not None
    h = torch.zeros(1, 3, 20, device=CUDA, dtype=torch.float64)
    report = rnndoctor.check(layer, torch.randn(5, 3, 10, device=CUDA), (h, h))
    assert report.first is not None and report.first.code == "RNN206"


def test_the_weight_buffer_warning_is_recognised() -> None:
    layer = lstm(10, 20)
    layer.weight_hh_l0 = nn.Parameter(layer.weight_hh_l0.detach().clone())  # no longer in cuDNN's buffer
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer(torch.randn(5, 3, 10, device=CUDA))
    (warning,) = [w for w in caught if "contiguous chunk of memory" in str(w.message)]
    e = rnndoctor.explain(f"UserWarning: {warning.message}")
    assert (e.status, e.pattern) == ("recognised", "cudnn.weights_warning")


# ---- mixed devices ----------------------------------------------------------------------------

@pytest.mark.parametrize(("where", "code"), [
    ({"x": "cuda", "h": "cpu", "layer": "cuda"}, "RNN207"),
    ({"x": "cpu", "h": "cpu", "layer": "cuda"}, "RNN207"),
    ({"x": "cuda", "h": "cuda", "layer": "cuda"}, None),
], ids=["states on the CPU", "input on the CPU", "all on the GPU"])
def test_mixed_devices_agree_with_torch(where: dict[str, str], code: str | None) -> None:
    layer = lstm(10, 20).to(where["layer"])
    x = torch.randn(5, 3, 10, device=where["x"])
    h = torch.zeros(1, 3, 20, device=where["h"])
    error = raised(lambda: layer(x, (h, h)))
    report = rnndoctor.check(layer, x, (h, h))
    assert (error is None) == bool(report)
    assert (report.first.code if report.first else None) == code
    if error is not None:
        assert rnndoctor.explain(f"RuntimeError: {error}").findings[0].code == code


def test_lengths_on_cuda_agree_with_torch() -> None:
    layer = lstm(10, 20)
    x = torch.randn(5, 3, 10, device=CUDA)
    lengths = torch.tensor([5, 3, 2], device=CUDA)
    error = raised(lambda: layer(pack_padded_sequence(x, lengths)))
    assert isinstance(error, RuntimeError) and "1D CPU int64 tensor" in str(error)
    report = rnndoctor.check(layer, x, lengths=lengths)
    assert report.first is not None and report.first.code == "RNN402"
    assert rnndoctor.explain(f"RuntimeError: {error}").findings[0].code == "RNN402"
    assert bool(rnndoctor.check(layer, x, lengths=lengths.cpu()))
    assert raised(lambda: layer(pack_padded_sequence(x, lengths.cpu()))) is None


def test_lengths_on_cuda_are_named_at_the_pack_call() -> None:
    """The guard and the post-mortem judge the pack call itself: torch's error, `lengths` first.
    tests/torch/test_packing.py covers the same call with `meta` standing in for CUDA."""
    x = torch.randn(5, 3, 10, device=CUDA)
    lengths = torch.tensor([5, 3, 2], device=CUDA)
    bare = raised(lambda: pack_padded_sequence(x, lengths))
    assert isinstance(bare, RuntimeError)
    with rnndoctor.guard():
        guarded = raised(lambda: pack_padded_sequence(x, lengths))
    assert isinstance(guarded, RuntimeError) and str(guarded) == str(bare)
    for report in (guarded.report, _postmortem.diagnose_exception(bare)):  # type: ignore[attr-defined]
        assert report is not None and report.first is not None
        assert (report.first.code, report.first.arguments[0]) == ("RNN402", "lengths")
        assert report.first.location.module_repr == "torch.nn.utils.rnn.pack_padded_sequence"
        assert report.first.fixes[0].snippet == "lengths = lengths.cpu()"
        assert "RNN410" not in {f.code for f in report}  # the values of CUDA lengths can be read


# ---- half and bfloat16 ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("input_dtype", ["same", "float32"])
def test_half_and_bfloat16_agree_with_torch(dtype: str, input_dtype: str) -> None:
    layer = lstm(10, 20).to(getattr(torch, dtype))
    x = torch.randn(5, 3, 10, device=CUDA, dtype=getattr(torch, dtype if input_dtype == "same" else input_dtype))
    error = raised(lambda: layer(x))
    report = rnndoctor.check(layer, x)
    assert (error is None) == bool(report), (error, str(report))


def test_the_guard_is_silent_on_a_valid_half_call() -> None:
    layer = lstm(10, 20).half()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RnnDoctorWarning)
        with rnndoctor.guard(layer):
            output, _ = layer(torch.randn(5, 3, 10, device=CUDA, dtype=torch.float16))
    assert output.dtype == torch.float16


# ---- autocast ---------------------------------------------------------------------------------

def test_under_autocast_the_guard_is_silent() -> None:
    layer = lstm(10, 20)
    x = torch.randn(5, 3, 10, device=CUDA)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RnnDoctorWarning)
        with rnndoctor.guard(layer), torch.autocast(CUDA):
            output, _ = layer(x)
    assert output.shape == (5, 3, 20)


def test_under_autocast_torchs_error_gets_the_post_mortem_diagnosis() -> None:
    layer = lstm(10, 20)
    x = torch.randn(5, 3, 25, device=CUDA)
    with rnndoctor.guard(layer), torch.autocast(CUDA):
        error = raised(lambda: layer(x))
    assert type(error) is RuntimeError  # torch's own error: the guard did not check this call
    assert str(error).startswith("input.size(-1) must be equal to input_size. Expected 10, got 25")
    assert "error[RNN103]: `input` has 25 features, but this LSTM expects 10" in \
        _postmortem.diagnosis_text(error)
