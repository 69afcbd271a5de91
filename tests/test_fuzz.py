"""The differential fuzzer (tests/fuzz.py): its machinery always, a real run under `-m slow`.

`scripts/fuzz.py --calls 200000` is the long run; this one is short enough for
a test session and fails on a disagreement of a kind that has none left.
"""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
from hypothesis import HealthCheck, Phase, given, settings

from .fuzz import Recipe, T, Tally, Workers, each_mode, recipes

# A packed nn.LSTM whose c_0 has no layers: ATen reads past it and the process dies.
CRASHES = Recipe("LSTM", (1, 2), (("batch_first", False), ("bidirectional", False),
                                  ("num_layers", 1)), "bfloat16", T((1, 3, 1), "bfloat16"),
                 (T((1, 3, 2, 1), "bfloat16"), T((0, 3, 2), "bfloat16")), (1, 1, 1), False,
                 "grad", False)
RUNS = Recipe("GRU", (2, 3), (), "float32", T((4, 2, 2), "float32"), T((1, 2, 3), "float32"),
              None, True, "grad", True)

# Kinds of disagreement the fuzzer still finds, each with its reason (see the report in
# scripts/fuzz.py's output); every other kind must stay at zero.
KNOWN = {
    "first-error": "explain names another code for torch's message, where two rules describe "
                   "one fault (a cell's 1-D h_0 beside a batched input: a rank, or a batch)",
    "type": "a re-sorted packed nn.LSTM permutes hx[0] (index_select, RuntimeError) before "
            "it reads hx[1]; and an LSTMCell's 1-D c_0 beside a batched input, judged IndexError",
    "unflagged-crash": "a re-sorted packed nn.LSTM with 4-D states and oneDNN off segfaults "
                       "where RNN202 says RuntimeError",
}


@pytest.fixture(scope="module")
def workers() -> Workers:
    runner = Workers()
    yield runner  # type: ignore[misc]
    runner.close()


def test_a_crash_is_recorded_and_the_worker_replaced(workers: Workers) -> None:
    workers.submit([RUNS, CRASHES, RUNS])
    outcomes = [result.outcome for _, result in workers.collect()]
    assert outcomes == ["ok", "crash", "ok"]
    assert workers.restarts == 1


def test_each_call_runs_in_every_mode() -> None:
    modes = {(r.grad, r.onednn) for r in each_mode(RUNS)}
    assert modes == {(g, o) for g in ("grad", "no_grad", "inference_mode") for o in (True, False)}


@pytest.mark.slow
def test_rnndoctor_agrees_with_torch(workers: Workers) -> None:
    tally = Tally()
    drawn: list[Recipe] = []

    @settings(max_examples=2000, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(recipes())
    def draw(r: Recipe) -> None:
        drawn.extend(each_mode(r))

    draw()
    for start in range(0, len(drawn), 300):
        workers.submit(drawn[start:start + 300])
        for _, result in workers.collect():
            tally.add(result, keep=3)
    unexpected = {k: n for k, n in tally.kinds.items() if k not in KNOWN}
    assert not unexpected, "\n".join([*tally.lines(), *(e for k in unexpected
                                                         for e in tally.examples[k])])
