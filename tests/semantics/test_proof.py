"""Each semantic rule (RNN501-506) guards against a real bug: torch itself shows it.

For each rule, the flagged code and the rule's first fix run on the same layer
and data, and give different numbers. Which one is right is settled by torch,
never by a number written here: a sample, or a sequence, or a direction run on
its own through a layer with the same weights. Then the flagged code, under
`guard(semantics=True)`, warns with exactly that rule's code (and its first fix
is the code run here), and the fix, under the guard, warns with nothing.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import rnndoctor
from rnndoctor import RnnDoctorWarning
from rnndoctor._runtime import semantics as _semantics

Tensor = torch.Tensor
Use = Callable[..., Tensor]
H = 4


def layer(kind: type, *args: Any, **kwargs: Any) -> Any:
    torch.manual_seed(0)
    return kind(*args, **kwargs).double().eval()


def data(*shape: int, seed: int = 1) -> Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def guarded(module: Any, use: Use, *args: Any) -> tuple[list[str], list[Any]]:
    """Run `use(module, *args)` under the semantic guard: the codes it warned, and the findings collected."""
    before = len(_semantics.collected())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with rnndoctor.guard(module, semantics=True):
            use(module, *args)
    codes = []
    for w in caught:
        assert issubclass(w.category, RnnDoctorWarning), w.message
        match = re.match(r"warning\[(RNN\d+)\]", str(w.message))
        assert match is not None, w.message
        codes.append(match.group(1))
    return codes, list(_semantics.collected()[before:])


def assert_flagged(code: str, fix: str, module: Any, use: Use, *args: Any) -> None:
    codes, findings = guarded(module, use, *args)
    assert codes == [code]
    assert [f.code for f in findings] == [code]
    assert findings[0].fixes[0].snippet == fix  # the fix proven below is the one the rule gives first


def assert_clean(module: Any, use: Use, *args: Any) -> None:
    assert guarded(module, use, *args) == ([], [])


def directions(bi: Any) -> tuple[Any, Any]:
    """A one-layer bidirectional LSTM as two unidirectional ones with its weights: forward and backward."""
    forward, backward = (nn.LSTM(bi.input_size, bi.hidden_size, batch_first=bi.batch_first).double()
                         for _ in range(2))
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(forward, f"{name}_l0").copy_(getattr(bi, f"{name}_l0"))
            getattr(backward, f"{name}_l0").copy_(getattr(bi, f"{name}_l0_reverse"))
    return forward, backward


def final_state(lstm: Any, x: Tensor) -> Tensor:
    return lstm(x)[1][0][-1]


# ---- RNN501: output[-1] of a batch-first layer ------------------------------------------------

def rnn501_flagged(lstm: Any, x: Tensor) -> Tensor:
    output, (h_n, c_n) = lstm(x)
    return output[-1]


def rnn501_fixed(lstm: Any, x: Tensor) -> Tensor:
    output, (h_n, c_n) = lstm(x)
    return output[:, -1]


def test_rnn501_output_minus_one_is_the_last_sample_not_the_last_step() -> None:
    lstm = layer(nn.LSTM, 3, H, batch_first=True)
    x = data(5, 5, 3)  # N == L: the flagged result has the shape that was meant, and nothing raises
    flagged, fixed = rnn501_flagged(lstm, x), rnn501_fixed(lstm, x)
    assert flagged.shape == fixed.shape
    assert not torch.allclose(flagged, fixed)
    last_steps = torch.stack([lstm(x[n:n + 1])[0][0, -1] for n in range(5)])
    torch.testing.assert_close(fixed, last_steps)  # each sample run alone: its last step
    torch.testing.assert_close(flagged, lstm(x[-1:])[0][0])  # every step of the last sample

    assert_flagged("RNN501", "output[:, -1]", lstm, rnn501_flagged, x)
    assert_clean(lstm, rnn501_fixed, x)


# ---- RNN502: the last step of a bidirectional output -------------------------------------------

def rnn502_flagged(lstm: Any, x: Tensor) -> Tensor:
    output, (h_n, c_n) = lstm(x)
    return output[:, -1] if lstm.batch_first else output[-1]


def rnn502_fixed(lstm: Any, x: Tensor) -> Tensor:
    output, (h_n, c_n) = lstm(x)
    return torch.cat([h_n[-2], h_n[-1]], dim=-1)


@pytest.mark.parametrize("batch_first", [True, False], ids=["batch-first", "time-major"])
def test_rnn502_last_step_of_a_bidirectional_output_holds_a_backward_direction_of_one_step(
        batch_first: bool) -> None:
    lstm = layer(nn.LSTM, 3, H, batch_first=batch_first, bidirectional=True)
    time = 1 if batch_first else 0
    x = data(*((4, 6, 3) if batch_first else (6, 4, 3)))
    flagged, fixed = rnn502_flagged(lstm, x), rnn502_fixed(lstm, x)
    assert flagged.shape == fixed.shape
    assert not torch.allclose(flagged, fixed)

    forward, backward = directions(lstm)
    torch.testing.assert_close(fixed[:, :H], final_state(forward, x))  # forward: the whole sequence
    torch.testing.assert_close(fixed[:, H:], final_state(backward, x.flip(time)))  # backward: the whole sequence
    torch.testing.assert_close(flagged[:, :H], fixed[:, :H])
    last_token = x[:, -1:] if batch_first else x[-1:]
    torch.testing.assert_close(flagged[:, H:], final_state(backward, last_token))  # backward: one token
    assert not torch.allclose(flagged[:, H:], fixed[:, H:])

    assert_flagged("RNN502", "torch.cat([h_n[-2], h_n[-1]], dim=-1)", lstm, rnn502_flagged, x)
    assert_clean(lstm, rnn502_fixed, x)


# ---- RNN503: the last position of a padded output ----------------------------------------------

LENGTHS = [5, 3, 2, 5, 4]  # unsorted, as a data loader gives them; three shorter than the padded length


def packed_run(lstm: Any, x: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    packed_out, (h_n, c_n) = lstm(packed)
    output, out_lengths = pad_packed_sequence(packed_out, batch_first=True)
    return output, out_lengths, h_n


def rnn503_flagged(lstm: Any, x: Tensor, lengths: Tensor) -> Tensor:
    output, lengths, h_n = packed_run(lstm, x, lengths)
    return output[:, -1]


def rnn503_fixed(lstm: Any, x: Tensor, lengths: Tensor) -> Tensor:
    output, lengths, h_n = packed_run(lstm, x, lengths)
    return h_n[-1]


def rnn503_gathered(lstm: Any, x: Tensor, lengths: Tensor) -> Tensor:
    output, lengths, h_n = packed_run(lstm, x, lengths)
    return output[torch.arange(output.size(0)), lengths - 1]


def test_rnn503_last_position_after_pad_packed_sequence_is_padding_for_shorter_sequences() -> None:
    lstm = layer(nn.LSTM, 3, H, batch_first=True)
    x, lengths = data(len(LENGTHS), max(LENGTHS), 3), torch.tensor(LENGTHS)
    flagged, fixed = rnn503_flagged(lstm, x, lengths), rnn503_fixed(lstm, x, lengths)
    assert flagged.shape == fixed.shape
    assert not torch.allclose(flagged, fixed)

    for n, length in enumerate(LENGTHS):  # each sequence run alone, unpadded: its own last step
        truth = lstm(x[n:n + 1, :length])[0][0, -1]
        torch.testing.assert_close(fixed[n], truth)
        assert torch.allclose(flagged[n], truth) == (length == max(LENGTHS))
    torch.testing.assert_close(rnn503_gathered(lstm, x, lengths), fixed)  # the second fix agrees

    assert_flagged("RNN503", "h_n[-1]", lstm, rnn503_flagged, x, lengths)
    assert_clean(lstm, rnn503_fixed, x, lengths)
    assert_clean(lstm, rnn503_gathered, x, lengths)


# ---- RNN504: h_n[-1] alone of a bidirectional layer --------------------------------------------

def rnn504_flagged(lstm: Any, x: Tensor) -> Tensor:
    output, (h_n, c_n) = lstm(x)
    return h_n[-1]


def rnn504_fixed(lstm: Any, x: Tensor) -> Tensor:
    output, (h_n, c_n) = lstm(x)
    return torch.cat([h_n[-2], h_n[-1]], dim=-1)


def test_rnn504_h_n_minus_one_of_a_bidirectional_layer_is_the_backward_direction_only() -> None:
    lstm = layer(nn.LSTM, 3, H, bidirectional=True)
    x = data(6, 4, 3)
    flagged, fixed = rnn504_flagged(lstm, x), rnn504_fixed(lstm, x)

    forward, backward = directions(lstm)
    forward_summary = final_state(forward, x)
    torch.testing.assert_close(fixed, torch.cat([forward_summary, final_state(backward, x.flip(0))], dim=-1))
    torch.testing.assert_close(flagged, final_state(backward, x.flip(0)))
    assert not torch.allclose(flagged, forward_summary)  # the forward direction's summary is lost
    assert not torch.allclose(flagged, fixed[:, :H])

    assert_flagged("RNN504", "torch.cat([h_n[-2], h_n[-1]], dim=-1)", lstm, rnn504_flagged, x)
    assert_clean(lstm, rnn504_fixed, x)


# ---- RNN505: view where transpose was meant ----------------------------------------------------

L, N = 5, 3


def rnn505_view_time_major(lstm: Any, x: Tensor) -> Tensor:
    output, (h_n, c_n) = lstm(x)
    return output.view(N, L, -1)


def rnn505_flatten_time_major(lstm: Any, x: Tensor) -> Tensor:
    output, (h_n, c_n) = lstm(x)
    return output.view(N, -1)


def rnn505_reshape_batch_first(lstm: Any, x: Tensor) -> Tensor:
    output, (h_n, c_n) = lstm(x)
    return output.reshape(L, N, -1)  # `view` raises here on CPU: torch's batch-first output is not contiguous


def rnn505_transpose(lstm: Any, x: Tensor) -> Tensor:
    output, (h_n, c_n) = lstm(x)
    return output.transpose(0, 1)


def rnn505_transpose_flatten(lstm: Any, x: Tensor) -> Tensor:
    output, (h_n, c_n) = lstm(x)
    return output.transpose(0, 1).reshape(N, -1)


def by_sample(result: Tensor, batch_first: bool) -> Tensor:
    """What the program means by `result`, sample by sample: (N, L, H)."""
    if batch_first:  # the program asked for (L, N, H)
        return result.transpose(0, 1)
    return result.reshape(N, L, -1)  # the program asked for (N, L, H) or (N, L*H)


VIEWS = [
    pytest.param(False, rnn505_view_time_major, rnn505_transpose, "output.transpose(0, 1)", id="time-major-3d"),
    pytest.param(False, rnn505_flatten_time_major, rnn505_transpose_flatten,
                 f"output.transpose(0, 1).reshape({N}, -1)", id="time-major-flattened"),
    pytest.param(True, rnn505_reshape_batch_first, rnn505_transpose, "output.transpose(0, 1)",
                 id="batch-first-reshape"),
]


@pytest.mark.parametrize(("batch_first", "flagged_use", "fixed_use", "fix"), VIEWS)
def test_rnn505_view_of_an_output_scrambles_samples_and_steps(batch_first: bool, flagged_use: Use,
                                                              fixed_use: Use, fix: str) -> None:
    lstm = layer(nn.LSTM, 3, H, batch_first=batch_first)
    x = data(*((N, L, 3) if batch_first else (L, N, 3)))
    flagged, fixed = flagged_use(lstm, x), fixed_use(lstm, x)
    assert flagged.shape == fixed.shape
    assert not torch.allclose(flagged, fixed)

    samples = [lstm(x[n:n + 1] if batch_first else x[:, n:n + 1])[0].squeeze(0 if batch_first else 1)
               for n in range(N)]  # each sample run alone: (L, H)
    torch.testing.assert_close(by_sample(fixed, batch_first), torch.stack(samples))
    viewed = by_sample(flagged, batch_first)
    strangers = [(n, t) for n in range(N) for t in range(L)
                 if not any(torch.allclose(viewed[n, t], step) for step in samples[n])]
    assert strangers  # a step the view puts in sample n that is no step of sample n, nor the transpose's there
    n, t = strangers[0]
    assert not torch.allclose(viewed[n, t], by_sample(fixed, batch_first)[n, t])

    assert_flagged("RNN505", fix, lstm, flagged_use, x)
    assert_clean(lstm, fixed_use, x)


# ---- RNN506: h_n.view(N, -1) with several layers or directions ----------------------------------

def rnn506_flagged(lstm: Any, x: Tensor) -> Tensor:
    output, (h_n, c_n) = lstm(x)
    return h_n.view(N, -1)


def rnn506_fixed(lstm: Any, x: Tensor) -> Tensor:
    output, (h_n, c_n) = lstm(x)
    return h_n.transpose(0, 1).reshape(N, -1)


@pytest.mark.parametrize(("layers", "bidirectional"), [(2, True), (2, False), (1, True)],
                         ids=["2-layers-bidirectional", "2-layers", "1-layer-bidirectional"])
def test_rnn506_view_of_the_final_states_mixes_samples(layers: int, bidirectional: bool) -> None:
    lstm = layer(nn.LSTM, 3, H, num_layers=layers, bidirectional=bidirectional)
    x = data(L, N, 3)
    flagged, fixed = rnn506_flagged(lstm, x), rnn506_fixed(lstm, x)
    assert flagged.shape == fixed.shape
    assert not torch.allclose(flagged, fixed)

    alone = torch.stack([lstm(x[:, n:n + 1])[1][0].reshape(-1) for n in range(N)])  # each sample run alone
    torch.testing.assert_close(fixed, alone)
    assert not any(torch.allclose(flagged[n], alone[n]) for n in range(N))

    assert_flagged("RNN506", f"h_n.transpose(0, 1).reshape({N}, -1)", lstm, rnn506_flagged, x)
    assert_clean(lstm, rnn506_fixed, x)
