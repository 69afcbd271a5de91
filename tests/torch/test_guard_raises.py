"""The guard's error is an instance of the exception torch raises for the same call.

User code that catches torch's exception (`except AttributeError:`) must catch
the guard's. Each call runs twice, bare and under the guard, in this process
(none of them crashes torch); torch's type is the ground truth.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import rnndoctor
from rnndoctor import RnnArgumentError


def z(*shape: int, dtype: Any = None) -> Any:
    return torch.zeros(*shape, dtype=dtype)


CALLS: dict[str, tuple[Callable[[], Any], Any, Any]] = {
    "LSTM, hx a dict": (lambda: nn.LSTM(2, 3), z(4, 2, 2), {"h_0": z(1, 2, 3), "c_0": z(1, 2, 3)}),
    "LSTMCell, hx a dict": (lambda: nn.LSTMCell(2, 3), z(2, 2), {"h_0": z(2, 3), "c_0": z(2, 3)}),
    "GRU, hx a dict": (lambda: nn.GRU(2, 3), z(4, 2, 2), {"h_0": z(1, 2, 3)}),
    "LSTM, hx a shape": (lambda: nn.LSTM(2, 3), z(4, 2, 2), (1, 2, 3)),
    "LSTM, hx two ints": (lambda: nn.LSTM(2, 3), z(4, 2, 2), (2, 3)),
    "GRU, hx a shape": (lambda: nn.GRU(2, 3), z(4, 2, 2), (1, 2, 3)),
    "RNNCell, hx a shape": (lambda: nn.RNNCell(2, 3), z(2, 2), (2, 3)),
    "LSTMCell, hx a shape": (lambda: nn.LSTMCell(2, 3), z(2), (2, 3)),
}


def raised(run: Callable[[], Any]) -> BaseException:
    with pytest.raises(Exception) as caught:
        run()
    return caught.value


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_guards_error_is_an_instance_of_torchs(name: str) -> None:
    make, x, hx = CALLS[name]
    layer = make()
    theirs = raised(lambda: layer(x, hx))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rnndoctor.RnnDoctorWarning)
        with rnndoctor.guard(layer):
            ours = raised(lambda: layer(x, hx))
    assert isinstance(ours, RnnArgumentError), ours
    assert isinstance(ours, type(theirs)), f"torch: {theirs!r}; the guard: {type(ours).__mro__}"


def test_an_lstm_cells_items_are_checked_for_rank_before_anything_else() -> None:
    zero_d = torch.tensor(0.0)
    for hx in [(zero_d, None), (z(2, 3), z(2, 3), zero_d)]:
        layer = nn.LSTMCell(2, 3)
        theirs = raised(partial(layer, z(2, 2), hx))
        with rnndoctor.guard(layer):
            ours = raised(partial(layer, z(2, 2), hx))
        assert isinstance(ours, RnnArgumentError) and isinstance(ours, type(theirs)), (ours, theirs)
