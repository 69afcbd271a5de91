"""RNN311 at run time: a live layer's positional arguments, read from the source that built it."""

from __future__ import annotations

import linecache
import warnings

import pytest

from rnndoctor._lint.runtime import positional_arguments

from .owners import tagger


def test_positional_arguments_from_the_owners_source() -> None:
    assert positional_arguments(tagger.Tagger, "rnn") == 4
    assert positional_arguments(tagger.Tagger, "by_keyword") == 2
    assert positional_arguments(tagger.Tagger, "either") == 0  # two constructions: not known
    assert positional_arguments(tagger.Tagger, "missing") == 0
    assert positional_arguments(int, "rnn") == 0  # no source


def test_positional_arguments_from_a_base_class() -> None:
    assert positional_arguments(tagger.Tuned, "rnn") == 4
    assert positional_arguments(tagger.Tuned, "by_keyword") == 2


def test_scan_reports_a_positional_bool() -> None:
    pytest.importorskip("torch")
    import rnndoctor

    report = rnndoctor.scan(tagger.Tagger(), (5, 3, 10))
    found = {row.path: [f.code for f in row.findings] for row in report.rows}
    assert found["rnn"] == ["RNN311"]
    assert found["by_keyword"] == []


def cell(source: str) -> dict[str, object]:
    """Run `source` as a script or a notebook cell does: its lines in linecache, under `__main__`."""
    filename = "<rnndoctor-test-cell>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        namespace: dict[str, object] = {"__name__": "__main__"}
        exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - the test's own source
    finally:
        del linecache.cache[filename]
    return namespace


def test_check_of_a_layer_bound_at_module_level() -> None:
    pytest.importorskip("torch")
    found = cell("import torch.nn as nn\nimport rnndoctor\nlstm = nn.LSTM(10, 20, 2, True)\n"
                 "by_keyword = nn.LSTM(10, 20, 2, bias=True)\n"
                 "codes = [[f.code for f in rnndoctor.check(layer, (5, 3, 10))] for layer in (lstm, by_keyword)]\n"
                 "with_evidence = [f.code for f in rnndoctor.check(lstm, (5, 3, 10), batch_size=3)]\n")
    assert found["codes"] == [["RNN311"], []]
    assert found["with_evidence"] == ["RNN311"]


def test_check_of_a_layer_of_a_model_bound_at_module_level() -> None:
    """The owner is found in the model, through its class's base class."""
    pytest.importorskip("torch")
    found = cell("import rnndoctor\nfrom tests.lint.owners import tagger\nmodel = tagger.Tuned()\n"
                 "report = rnndoctor.check(model.rnn, (5, 3, 10))\n"
                 "others = [list(rnndoctor.check(model.by_keyword, (5, 3, 10))),"
                 " list(rnndoctor.check(model.either, (5, 3, 10)))]\n")
    [finding] = found["report"].findings  # type: ignore[attr-defined]
    assert (finding.code, finding.arguments) == ("RNN311", ("bias",))
    assert finding.fixes[0].snippet == "nn.LSTM(10, 20, 1, bias=True)"
    assert found["others"] == [[], []]


def test_a_layer_held_only_by_locals_is_not_known() -> None:
    """Its owner is neither on the stack nor bound to a module-level name: the locals are not read."""
    pytest.importorskip("torch")
    import rnndoctor

    model = tagger.Tagger()
    assert list(rnndoctor.check(tagger.local_layer(), (5, 3, 10))) == []
    assert list(rnndoctor.check(model.rnn, (5, 3, 10))) == []


def test_the_guard_adds_the_note_to_a_failure_and_to_a_warning_never_alone() -> None:
    torch = pytest.importorskip("torch")
    import rnndoctor
    from rnndoctor import RnnArgumentError, RnnDoctorWarning

    model = tagger.Tagger()
    with warnings.catch_warnings(record=True) as caught, rnndoctor.guard(model):
        warnings.simplefilter("always")
        model(torch.randn(5, 3, 10))  # valid: the note alone says nothing
        with pytest.raises(RnnArgumentError) as failed:
            model.rnn(torch.randn(5, 3, 11))
        model.rnn.dropout = 0.5  # a single layer's dropout: a warning, with the note after it
        model.rnn(torch.randn(6, 3, 10))
    assert [f.code for f in failed.value.report.findings] == ["RNN311", "RNN103"]
    [warned] = [str(w.message) for w in caught if issubclass(w.category, RnnDoctorWarning)]
    assert warned.startswith("warning[RNN301]")
    assert "\n\nnote[RNN311]: the positional `True` is `bias`" in warned


def test_the_guard_everywhere_finds_the_owner_on_the_stack() -> None:
    torch = pytest.importorskip("torch")
    import rnndoctor
    from rnndoctor import RnnArgumentError

    model = tagger.Tagger()
    with rnndoctor.guard(), pytest.raises(RnnArgumentError) as failed:
        model(torch.randn(5, 3, 11))  # the owner's forward calls `self.rnn(x)`
    assert [f.code for f in failed.value.report.findings] == ["RNN311", "RNN103"]


def test_semantic_mode_adds_the_note_to_a_batch_read_as_time() -> None:
    """A DataLoader's batch-first batches into the time-major layer `nn.LSTM(10, 20, 1, True)` made:
    the RNN106 warning is followed by RNN311's note on the positional `True`."""
    torch = pytest.importorskip("torch")
    import rnndoctor
    from rnndoctor import RnnDoctorWarning

    model = tagger.Tagger()
    loader = torch.utils.data.DataLoader(torch.randn(8, 7, 10), batch_size=4)
    with warnings.catch_warnings(record=True) as caught, rnndoctor.guard(model, semantics=True):
        warnings.simplefilter("always")
        for x in loader:
            model.rnn(x)
    [warned] = [str(w.message) for w in caught if issubclass(w.category, RnnDoctorWarning)]
    assert warned.startswith("warning[RNN106]")
    assert "\n\nnote[RNN311]: the positional `True` is `bias`" in warned
