"""Provenance as plain data: the loader's facts, and how evidence ranks a finding (torch-free)."""

from __future__ import annotations

import json
import sys

from rnndoctor import _origins
from rnndoctor.engine import diagnose
from rnndoctor.findings import Applicability, Fix
from rnndoctor.loader import LoaderFacts, loader_facts
from rnndoctor.provenance import Edit, Origin, Provenance, rank, with_provenance
from rnndoctor.render.json import report_body
from rnndoctor.render.text import render_report
from rnndoctor.specs import Call, RnnSpec, Seq, TensorInfo


def _last_batch_report():  # type: ignore[no-untyped-def]
    """LSTM(8, 16, batch_first=True): input batch 6, states built for 32."""
    states = Seq("tuple", (TensorInfo((1, 32, 16)), TensorInfo((1, 32, 16))))
    return diagnose(RnnSpec("LSTM", 8, 16, batch_first=True), Call(TensorInfo((6, 5, 8)), states))


STATES_LINE = Origin("h_0", "train.py:8", "h = (torch.zeros(1, 32, 16), torch.zeros(1, 32, 16))",
                     "carried", "32", None, "h = (torch.zeros(1, x.size(0), 16), torch.zeros(1, x.size(0), 16))",
                     "build the states for each batch from the size of `x`")
LOADER = LoaderFacts(batch_size=32, dataset_len=70, drop_last=False, name="loader")


def test_the_loader_knows_its_last_batch() -> None:
    assert (LOADER.full_batches, LOADER.last_batch) == (2, 6)
    assert LOADER.gives(32) and LOADER.gives(6) and not LOADER.gives(16)
    assert LOADER.describe(6) == "6 = 70 − 2 × 32: the last batch of `loader` (drop_last=False)"
    assert LoaderFacts(32, 64).last_batch is None  # no smaller batch
    assert LoaderFacts(32, 70, drop_last=True).last_batch is None
    assert LoaderFacts(32).last_batch is None  # an iterable dataset: length unknown


def test_anything_but_a_dataloader_gives_no_facts() -> None:
    assert loader_facts([1, 2, 3]) is None
    assert loader_facts(object()) is None


def test_without_evidence_the_states_rank_first_and_nothing_changes() -> None:
    report = _last_batch_report()
    assert report.first is not None and report.first.arguments[:2] == ("h_0", "c_0")
    assert with_provenance(report, Provenance()).first == report.first


def test_the_line_that_made_the_states_is_the_first_fix() -> None:
    report = _last_batch_report()
    ranked = with_provenance(report, Provenance((STATES_LINE, Origin("c_0", "train.py:8", "")),
                                                LOADER, ((32, 2),), input_batch=6))
    first = ranked.first
    assert first is not None
    assert [f.site for f in first.fixes] == ["train.py:8", None, None]
    assert first.fixes[0].snippet == STATES_LINE.edit
    assert "drop_last=True" in (first.fixes[1].snippet or "")
    assert first.notes[-1] == (
        "`h_0` and `c_0` are carried over from an earlier call, first built at train.py:8 (one witness); "
        "this layer saw batch 32 in 2 earlier calls; "
        "this batch has 6 = 70 − 2 × 32: the last batch of `loader` (drop_last=False)")
    assert "  --> train.py:8\n" in render_report(ranked)
    fixes = report_body(ranked)["findings"][0]["fixes"]
    assert fixes[0]["site"] == "train.py:8" and "site" not in fixes[2]
    json.dumps(fixes)


def test_a_batch_the_loader_never_gives_puts_the_input_first() -> None:
    states = Seq("tuple", (TensorInfo((1, 32, 16)), TensorInfo((1, 32, 16))))
    report = diagnose(RnnSpec("LSTM", 8, 16, batch_first=True), Call(TensorInfo((16, 5, 8)), states))
    assert report.first is not None
    ranked = rank(report.first, Provenance((STATES_LINE,), LOADER, input_batch=16))
    assert ranked.arguments[0] == "input"
    assert ranked.fixes[0].title == "give `input` batch 32"
    assert ranked.notes[-1].endswith("`loader` gives batches of 32 and a last one of 6, never 16: "
                                     "`input` is ranked as the one to change")


def test_an_upstream_fix_needs_its_fix_at_the_call() -> None:
    report = _last_batch_report()
    assert report.first is not None
    bare = report.first.__class__(**{**{s: getattr(report.first, s) for s in report.first.__slots__},
                                     "fixes": ()})
    assert rank(bare, Provenance((STATES_LINE,))).fixes == ()


def test_a_constructor_fix_points_at_where_the_layer_was_built() -> None:
    report = diagnose(RnnSpec("LSTM", 50, 100), Call(TensorInfo((10, 32, 25))))
    assert report.first is not None
    built = Origin("layer", "model.py:9", "self.rnn = nn.LSTM(50, 100)", "constructed")
    ranked = rank(report.first, Provenance((built,)))
    assert [(f.applicability, f.site) for f in ranked.fixes] == [
        (Applicability.SAFE, None), (Applicability.CHANGES_MODEL, "model.py:9")]


def test_code_without_source_gives_fewer_facts_never_an_error() -> None:
    report = _last_batch_report()
    assert report.first is not None
    namespace: dict[str, object] = {"sys": sys}
    exec("frame = sys._getframe()", namespace)  # no file behind it
    frame = namespace["frame"]
    found = _origins.gather([(frame, 1)], None, report.first, input_batch=6, batch_axis=0)  # type: ignore[list-item]
    assert found.origins == ()


def _handoff_report():  # type: ignore[no-untyped-def]
    """GRU(8, 12) given a GRU(8, 16)'s state: (1, 4, 16) where (1, 4, 12) is needed."""
    return diagnose(RnnSpec("GRU", 8, 12, batch_first=True),
                    Call(TensorInfo((4, 5, 8)), TensorInfo((1, 4, 16))))


def _handoff(*edits: Edit) -> Provenance:
    return Provenance((Origin("h_0", "s2s.py:19", "_, hidden = self.encoder(src)", "returned",
                              binding="`h_0` is the state that `self.encoder` returned at s2s.py:19",
                              edits=edits),))


WIDER = Edit(Fix("build `self.decoder` with the `hidden_size` of `self.encoder`", Applicability.CHANGES_MODEL,
                 "self.decoder = nn.GRU(8, enc_hidden, batch_first=True)", "s2s.py:16"), (("hidden_size", 16),))
SUMMED = Edit(Fix("sum the two directions", Applicability.SAFE, "hidden = hidden.view(-1, 2, 4, 16).sum(dim=1)",
                  "s2s.py:19"), states=(1, 4, 16))


def test_a_returned_state_keeps_the_edits_that_produce_a_clean_call() -> None:
    report = _handoff_report()
    assert report.first is not None and any("torch.zeros" in (f.snippet or "") for f in report.first.fixes)
    ranked = with_provenance(report, _handoff(SUMMED, WIDER)).first
    assert ranked is not None
    assert [f.site for f in ranked.fixes] == ["s2s.py:16"]  # the sum leaves the width at 16: not clean
    assert ranked.arguments[0] == "hidden_size"
    assert ranked.notes[-1] == "`h_0` is the state that `self.encoder` returned at s2s.py:19"


def test_zero_states_are_never_offered_for_a_returned_state() -> None:
    report = _handoff_report()
    assert report.first is not None
    for provenance in (_handoff(), _handoff(WIDER)):
        ranked = rank(report.first, provenance, report.spec, report.call)
        assert not any("torch.zeros" in (f.snippet or "") for f in ranked.fixes)


def test_an_edit_is_checked_only_where_the_call_is_known() -> None:
    report = _handoff_report()
    assert report.first is not None
    assert all(f.site != "s2s.py:16" for f in rank(report.first, _handoff(WIDER)).fixes)
    assert WIDER.clean(report.spec, report.call)  # type: ignore[arg-type]
    assert not SUMMED.clean(report.spec, report.call)  # type: ignore[arg-type]
