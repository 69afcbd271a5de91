"""Reading the constructor's messages: argument types, ranges, dropout, nonlinearity, proj_size."""

from __future__ import annotations

from collections.abc import Callable

from ._evidence import Confidence, Diagnosis, Evidence, change, diagnose_as, facts, partial_reading

__all__ = ["CONSTRUCTOR"]

_TYPE_EXAMPLE = {"bool": "True", "int": "2"}


def _ctor(ev: Evidence, rule: str, title: str, arg: str, fix: str, snippet: str | None = None,
          notes: tuple[str, ...] = (), confidence: Confidence = "high") -> Diagnosis:
    return diagnose_as(ev, rule, title, (arg,), notes=notes, fixes=(change(fix, snippet),),
                       confidence=confidence)


def proj_size(ev: Evidence) -> Diagnosis:
    pid = ev.match.pattern.id
    if pid == "ctor.proj_size_not_lstm":
        return _ctor(ev, "proj-size-invalid", f"`proj_size` is given to an {ev.kind('RNN or GRU')}, "
                     "which has no projections", "proj_size", "drop `proj_size`, or use nn.LSTM",
                     notes=("torch rejects any `proj_size` keyword for nn.RNN and nn.GRU, even 0",))
    if pid == "ctor.proj_negative":
        return _ctor(ev, "proj-size-invalid", "`proj_size` is negative", "proj_size",
                     "construct with `proj_size=0` for no projection, or a positive size")
    return _ctor(ev, "proj-size-invalid", "`proj_size` is not smaller than `hidden_size`", "proj_size",
                 "construct with 0 < `proj_size` < `hidden_size`, or `proj_size=0`",
                 notes=("in torch 1.8-2.0 this is also the message for a `hidden_size` of 0 or less",))


def nonlinearity(ev: Evidence) -> Diagnosis:
    value = ev.g["nonlinearity"]
    notes = ["nn.RNN and nn.RNNCell take `nonlinearity='tanh'` or `'relu'`, lowercase"]
    if value in ("True", "False"):
        notes.append("since torch 2.3 the 4th positional argument of nn.RNN is `nonlinearity`; "
                     "before, it was `bias`")
    if ev.match.pattern.id == "cell.nonlinearity":
        notes.append("nn.RNNCell accepts any value at construction and fails at its first call")
    elif "suffix" not in ev.g:
        notes.append("this wording, without the list of choices, is torch 1.8-2.0's")
    return _ctor(ev, "unknown-nonlinearity", f"`nonlinearity` is '{value}', which torch does not know",
                 "nonlinearity", "construct with `nonlinearity='tanh'` or `nonlinearity='relu'`",
                 notes=tuple(notes))


def unexpected_kwarg(ev: Evidence) -> Diagnosis:
    kwarg, cls = ev.g["kwarg"], ev.g.get("cls")
    hint = {"nonlinearity": "only nn.RNN and nn.RNNCell take `nonlinearity`",
            "proj_size": "only nn.LSTM takes `proj_size`; the cells take none"}.get(kwarg)
    confidence: Confidence = "high" if cls or ev.trace.in_rnn else "low"
    return facts((f"the layer's constructor has no argument `{kwarg}`", *((hint,) if hint else ())),
                 change(f"drop `{kwarg}=`"), confidence=confidence)


def missing_arg(ev: Evidence) -> Diagnosis:
    confidence: Confidence = "high" if ev.g.get("cls") or ev.trace.in_rnn else "low"
    return facts((f"the constructor misses {ev.g['names']}",),
                 change("pass both sizes: `nn.LSTM(input_size, hidden_size)`"), confidence=confidence)


def mode(ev: Evidence) -> Diagnosis:
    return facts((f"RNNBase was built with mode {ev.g['mode']!r}",),
                 change("use nn.RNN, nn.LSTM or nn.GRU instead of RNNBase"))


def dropout(ev: Evidence) -> Diagnosis:
    if ev.match.pattern.id != "ctor.dropout_range" and not ev.trace.in_rnn:
        return partial_reading(ev, "dropout-invalid", "a value cannot be converted to float",
                               "`dropout` is not a number")
    return _ctor(ev, "dropout-invalid", "`dropout` is not a probability in [0, 1]", "dropout",
                 "construct with a float `dropout` between 0 and 1", "nn.LSTM(..., dropout=0.2)",
                 notes=("bools, strings and tensors are refused too",))


def dropout_warning(ev: Evidence) -> Diagnosis:
    return diagnose_as(
        ev, "dropout-on-single-layer",
        f"`dropout={ev.g['dropout']}` has no effect with `num_layers={ev.g['num_layers']}`",
        ("dropout", "num_layers"),
        notes=("recurrent dropout applies between stacked layers; one layer has none",),
        fixes=(change("construct with `dropout=0`, and add nn.Dropout on the output if wanted"),
               change("construct with `num_layers=2` or more")),
    )


def arg_type(ev: Evidence) -> Diagnosis:
    arg, got = ev.g["arg"], ev.g["got_type"]
    want = "bool" if arg in ("bias", "batch_first") else "int"
    return _ctor(ev, "flag-not-bool" if want == "bool" else "size-not-int",
                 f"`{arg}` is a {got}, but torch needs a {want}", arg,
                 f"construct with `{arg}` as a Python {want}", f"nn.LSTM(..., {arg}={_TYPE_EXAMPLE[want]})",
                 notes=("numpy scalars count as the wrong type",) if got in ("int64", "bool_", "bool") else ())


def positive(ev: Evidence) -> Diagnosis:
    arg = ev.g["arg"]
    return _ctor(ev, "size-not-positive", f"`{arg}` is 0 or negative", arg, f"construct with `{arg}` of 1 or more")


def compare_type(ev: Evidence) -> Diagnosis:
    """Python's TypeErrors from RNNBase.__init__'s comparisons and range(num_layers)."""
    if not ev.trace.in_rnn:
        return partial_reading(ev, "size-not-int", "a value of the wrong type",
                               "`num_layers` or `proj_size` has the wrong type")
    if ev.g.get("op") == "<" and ev.g.get("left") == "NoneType":
        return _ctor(ev, "proj-size-invalid", "`proj_size` is None", "proj_size",
                     "construct with `proj_size=0` for no projection")
    return _ctor(ev, "size-not-int", "`num_layers` is not an int", "num_layers",
                 "construct with `num_layers` as a Python int", confidence="medium")


def allocation(ev: Evidence) -> Diagnosis:
    """Errors from torch.empty while the constructor allocates the weights."""
    pid = ev.match.pattern.id
    if not ev.trace.in_rnn:
        return partial_reading(ev, _ALLOCATION_RULES[pid], "a tensor could not be allocated",
                               "a size or the dtype passed to the constructor is invalid")
    if pid == "ctor.int_dtype":
        return _ctor(ev, "unsupported-dtype", "`dtype` is an integer type", "dtype",
                     "construct with a floating dtype, e.g. `dtype=torch.float32`")
    if pid == "ctor.negative_dim":
        return _ctor(ev, "size-not-positive", "a size of the layer is negative", "hidden_size",
                     "construct with positive sizes", confidence="medium")
    return _ctor(ev, "size-not-int", "a size of the layer is not an int", "hidden_size",
                 "construct with int sizes", confidence="medium")


_ALLOCATION_RULES = {"ctor.int_dtype": "unsupported-dtype", "ctor.negative_dim": "size-not-positive",
                     "ctor.factory_size_type": "size-not-int"}

CONSTRUCTOR: dict[str, Callable[[Evidence], Diagnosis]] = {
    "ctor.proj_size_not_lstm": proj_size,
    "ctor.proj_negative": proj_size,
    "ctor.proj_too_big": proj_size,
    "ctor.nonlinearity": nonlinearity,
    "cell.nonlinearity": nonlinearity,
    "ctor.unexpected_kwarg": unexpected_kwarg,
    "ctor.missing_arg": missing_arg,
    "ctor.mode": mode,
    "ctor.dropout_float": dropout,
    "ctor.dropout_str": dropout,
    "ctor.dropout_range": dropout,
    "ctor.dropout_warning": dropout_warning,
    "ctor.bool_type": arg_type,
    "ctor.int_type": arg_type,
    "ctor.positive": positive,
    "ctor.compare_type": compare_type,
    "ctor.range_float": compare_type,
    "ctor.negative_dim": allocation,
    "ctor.factory_size_type": allocation,
    "ctor.int_dtype": allocation,
}
