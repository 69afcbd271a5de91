"""Every recurrent-layer message PyTorch 1.8 to 2.13 produces, one named pattern each.

Each pattern records the exception type, the torch versions whose source or
binaries contain the text, and where torch raises it. Sources: the catalogue
in shared/reference/torch-rnn-checks.md §7 (texts read from the released
wheels 1.8.0 to 2.14.0 and probed on 2.13.0), extended from public issue
threads where users pasted the messages of older releases.

Linear by construction: every pattern is matched from the start of a message
of bounded length, every repeat is bounded (`{0,200}`), and no repeated group
contains another repeat. A literal space in a pattern separates words: the
`compact` form drops them all, to match a message whose line breaks a
terminal or a chat window moved.
"""

from __future__ import annotations

import re

from .._record import record

__all__ = ["PATTERNS", "Match", "Pattern", "find"]

_END = r"(?=\s|\Z)"


@record
class Pattern:
    """One message of torch's, as a regular expression with its provenance."""

    id: str  # "fwd.hidden_size": family.name
    exceptions: tuple[str, ...]  # the types torch raises it as
    versions: str  # the torch releases that produce this text: "1.8-2.13"
    source: str  # where torch raises it
    text: str  # the regular expression, matched from the start of a message
    generic: bool = False  # also raised by code that has nothing to do with RNNs

    @property
    def prefix(self) -> str:
        """The literal text every match starts with ("" when it starts with a group)."""
        literal = _PREFIX.match(self.text).group(0)  # type: ignore[union-attr]
        quantified = self.text[len(literal) : len(literal) + 1] in ("?", "*", "{")
        return literal[:-1] if quantified else literal

    @property
    def needle(self) -> str:
        """The longest literal that every match contains, outside groups and classes ("" if none)."""
        if self.id not in _NEEDLES:
            _NEEDLES[self.id] = _needle(self.text)
        return _NEEDLES[self.id]

    def regex(self, compact: bool) -> re.Pattern[str]:
        """The compiled expression; `compact` drops the spaces, for re-flowed text. Compiled once, on use."""
        key = (self.id, compact)
        if key not in _COMPILED:
            _COMPILED[key] = re.compile((self.text.replace(" ", "") if compact else self.text) + _END)
        return _COMPILED[key]


_PREFIX = re.compile(r"[^\\()\[\].*+?{|^$]*")
_COMPILED: dict[tuple[str, bool], re.Pattern[str]] = {}
_NEEDLES: dict[str, str] = {}


def _needle(text: str) -> str:
    """The longest run of literal characters at the top level of the expression `text`.

    A character that a quantifier follows is not part of a run; an alternation
    at the top level means no literal is certain.
    """
    runs, run, depth, i = [""], "", 0, 0
    while i < len(text):
        c = text[i]
        literal = None
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            literal = nxt if not nxt.isalnum() else None  # \( is "(", \d is a class
            i += 1
        elif c == "{":  # a repeat count, "{1,60}": nothing literal
            i = text.index("}", i)
        elif c == "[":  # a class: skip to its end
            i = _class_end(text, i)
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return ""
        elif c not in ".^$*+?|":
            literal = c
        i += 1
        optional = i < len(text) and text[i] in "?*{"
        if depth == 0 and literal is not None and not optional:
            run += literal
        else:
            runs.append(run)
            run = ""
    return max([*runs, run], key=len)


def _class_end(text: str, i: int) -> int:
    """The index of the "]" that closes the class opened at `text[i]`."""
    i += 2 if text[i + 1 : i + 2] == "^" else 1
    i += 1  # a "]" first in a class is literal
    while text[i] != "]":
        i += 2 if text[i] == "\\" else 1
    return i


@record
class Match:
    """A pattern found in a message, with its named groups."""

    pattern: Pattern
    groups: dict[str, str]
    text: str  # the matched message
    reflowed: bool  # matched only once line breaks and spaces were ignored


def _p(pid: str, exc: str, versions: str, source: str, regex: str, generic: bool = False) -> Pattern:
    return Pattern(pid, tuple(exc.split("/")), versions, source, regex, generic)


_RNN_PY = "torch/nn/modules/rnn.py"
_UTILS = "torch/nn/utils/rnn.py"
_ATEN = "aten/src/ATen/native/RNN.cpp"
_PACK_CPP = "aten/src/ATen/native/PackedSequence.cpp"
_CUDNN = "aten/src/ATen/native/cudnn/RNN.cpp"
_SHAPE = r"[\(\[](?P<{}>[\d, ]{{0,200}})[\)\]]"
_TYPE = r"[\w.]{1,80}"

PATTERNS: tuple[Pattern, ...] = (
    # constructor: RNNBase.__init__ and the subclasses' __init__
    _p("ctor.proj_size_not_lstm", "ValueError", "1.8-2.13", f"{_RNN_PY} RNN/GRU.__init__",
       r"proj_size argument is only supported for LSTM, not RNN or GRU"),
    _p("ctor.nonlinearity", "ValueError", "1.8-2.13 (suffix from 2.1)", f"{_RNN_PY} RNN.__init__",
       r"Unknown nonlinearity '(?P<nonlinearity>[^'\n]{0,100})'(?P<suffix>\. Select from 'tanh' or 'relu'\.)?"),
    _p("ctor.unexpected_kwarg", "TypeError", "1.8-2.13 (Python's text)", f"{_RNN_PY} RNNBase.__init__",
       r"(?:(?P<cls>RNNBase|RNN|LSTM|GRU|RNNCell|LSTMCell|GRUCell|RNNCellBase)\.)?__init__\(\) got an "
       r"unexpected keyword argument '(?P<kwarg>\w{1,60})'"),
    _p("ctor.missing_arg", "TypeError", "1.8-2.13 (Python's text)", f"{_RNN_PY} RNNBase.__init__",
       r"(?:(?P<cls>RNNBase|RNN|LSTM|GRU|RNNCell|LSTMCell|GRUCell|RNNCellBase)\.)?__init__\(\) missing "
       r"(?P<count>\d{1,2}) required positional arguments?: (?P<names>[\w', ]{1,200})"),
    _p("ctor.dropout_float", "TypeError", "1.8-2.13 (Python's text)", f"{_RNN_PY} RNNBase.__init__ float(dropout)",
       r"float\(\) argument must be a string or a (?:real )?number, not '(?P<got_type>\w{1,60})'", generic=True),
    _p("ctor.dropout_str", "ValueError", "1.8-2.13 (Python's text)", f"{_RNN_PY} RNNBase.__init__ float(dropout)",
       r"could not convert string to float: (?P<value>[^\n]{0,100})", generic=True),
    _p("ctor.dropout_range", "ValueError", "1.8-2.13", f"{_RNN_PY} RNNBase.__init__",
       r"dropout should be a number in range \[0, 1\] representing the probability of an element being zeroed"),
    _p("ctor.dropout_warning", "UserWarning", "1.8-2.13", f"{_RNN_PY} RNNBase.__init__",
       r"dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
       r"num_layers greater than 1, but got dropout=(?P<dropout>[^ \n]{1,60}) and num_layers=(?P<num_layers>[^ \n]{1,60})"),
    _p("ctor.bool_type", "TypeError", "2.11-2.13", f"{_RNN_PY} RNNBase.__init__",
       r"(?P<arg>bias|batch_first) should be of type bool, got: (?P<got_type>\w{1,60})"),
    _p("ctor.int_type", "TypeError", "hidden_size 2.1-2.13, input_size 2.11-2.13", f"{_RNN_PY} RNNBase.__init__",
       r"(?P<arg>input_size|hidden_size) should be of type int, got: (?P<got_type>\w{1,60})"),
    _p("ctor.positive", "ValueError", "hidden_size 2.1-2.13, num_layers 2.2-2.13, input_size 2.11-2.13",
       f"{_RNN_PY} RNNBase.__init__", r"(?P<arg>input_size|hidden_size|num_layers) must be greater than zero"),
    _p("ctor.proj_negative", "ValueError", "1.8-2.13", f"{_RNN_PY} RNNBase.__init__",
       r"proj_size should be a positive integer or zero to disable projections"),
    _p("ctor.proj_too_big", "ValueError", "1.8-2.13 (also hidden_size <= 0 in 1.8-2.0)", f"{_RNN_PY} RNNBase.__init__",
       r"proj_size has to be smaller than hidden_size"),
    _p("ctor.mode", "ValueError", "1.8-2.13", f"{_RNN_PY} RNNBase.__init__",
       r"Unrecognized RNN mode: (?P<mode>[^\n]{0,100})"),
    _p("ctor.compare_type", "TypeError", "1.8-2.13 (Python's text)", f"{_RNN_PY} RNNBase.__init__ comparisons",
       r"'(?P<op><=|<)' not supported between instances of '(?P<left>\w{1,60})' and '(?P<right>\w{1,60})'", generic=True),
    _p("ctor.range_float", "TypeError", "1.8-2.13 (Python's text)", f"{_RNN_PY} RNNBase.__init__ range(num_layers)",
       r"'(?P<got_type>\w{1,60})' object cannot be interpreted as an integer", generic=True),
    _p("ctor.negative_dim", "RuntimeError", "1.8-2.13", f"{_RNN_PY} __init__ torch.empty",
       r"Trying to create tensor with negative dimension (?P<dim>-\d{1,9}): \[(?P<shape>[-\d, ]{0,200})\]", generic=True),
    _p("ctor.factory_size_type", "TypeError", "1.8-2.13 (wording drifts)", f"{_RNN_PY} __init__ torch.empty",
       r"(?P<op>empty|zeros)\(\): argument 'size' (?:\(position \d{1,2}\) )?(?:must be tuple of ints, but found "
       r"element of type (?P<got_type>\w{1,60}) at pos (?P<pos>\d{1,2})|failed to unpack the object at pos "
       r"(?P<pos2>\d{1,2}) with error \"type must be tuple of ints, ?but got (?P<got_type2>\w{1,60})\")", generic=True),
    _p("ctor.int_dtype", "RuntimeError", "1.8-2.13", f"{_RNN_PY} __init__ Parameter(dtype=...)",
       r"Only Tensors of floating point and complex dtype can require gradients", generic=True),
    # forward, Python side: RNNBase.forward, LSTM.forward, check_forward_args
    _p("fwd.ndim_value", "ValueError", "2.1-2.13", f"{_RNN_PY} forward",
       r"(?P<module>RNN|LSTM|GRU): Expected input to be 2D or 3D, got (?P<ndim>\d{1,3})D(?: tensor)? instead"),
    _p("fwd.ndim_assert", "AssertionError", "2.0", f"{_RNN_PY} forward",
       r"(?P<module>RNN|LSTM|GRU): Expected input to be 2-D or 3-D but received (?P<ndim>\d{1,3})-D tensor"),
    _p("fwd.hx_ndim", "RuntimeError", "1.11-2.13", f"{_RNN_PY} RNN/GRU.forward",
       r"For (?P<input_kind>batched 3-D|unbatched 2-D) input, hx should also be (?P<expected_ndim>[23])-D "
       r"but got (?P<hx_ndim>\d{1,3})-D tensor"),
    _p("fwd.hcx_ndim", "RuntimeError", "1.11-2.13", f"{_RNN_PY} LSTM.forward",
       r"For (?P<input_kind>batched 3-D|unbatched 2-D) input, hx and cx should also be (?P<expected_ndim>[23])-D "
       r"but got \((?P<h_ndim>\d{1,3})-D, (?P<c_ndim>\d{1,3})-D\) tensors"),
    _p("fwd.dtype_v3", "ValueError", "2.11-2.13", f"{_RNN_PY} check_input",
       r"RNN input dtype \((?P<input_dtype>torch\.\w{1,20})\) does not match weight dtype "
       r"\((?P<weight_dtype>torch\.\w{1,20})\)\. Convert input: input\.to\((?P=weight_dtype)\), "
       r"or convert model: model\.to\((?P=input_dtype)\)"),
    _p("fwd.dtype_v2", "ValueError", "2.1-2.10", f"{_RNN_PY} check_input",
       r"input must have the type (?P<weight_dtype>torch\.\w{1,20}), got type (?P<input_dtype>torch\.\w{1,20})"),
    _p("fwd.input_ndim", "RuntimeError", "1.8-2.13", f"{_RNN_PY} check_input",
       r"input must have (?P<expected_ndim>[23]) dimensions, got (?P<ndim>\d{1,3})"),
    _p("fwd.input_size", "RuntimeError", "1.8-2.13", f"{_RNN_PY} check_input",
       r"input\.size\(-1\) must be equal to input_size\. Expected (?P<input_size>\d{1,9}), got (?P<got>\d{1,9})"),
    _p("fwd.hidden_size", "RuntimeError", "1.8-2.13",
       f"{_RNN_PY} check_hidden_size (cuDNN: {_CUDNN})",
       r"Expected (?P<which>hidden|hidden\[0\]|hidden\[1\]|cell|d_hidden|d_cell) size "
       + _SHAPE.format("expected") + r", got " + _SHAPE.format("got")),
    _p("fwd.hx_none", "AssertionError", "2.11-2.13", f"{_RNN_PY} RNN.forward", r"hx must not be None"),
    _p("fwd.no_attr", "AttributeError", "1.8-2.13 (Python's text)", f"{_RNN_PY} forward",
       r"'(?P<pytype>[\w.]{1,80})' object has no attribute '(?P<attr>dim|size|batch_sizes|device)'", generic=True),
    _p("fwd.tuple_index", "IndexError", "1.8-2.13 (Python's text)", f"{_RNN_PY} LSTM.forward hx[1]",
       r"tuple index out of range", generic=True),
    _p("fwd.tensor_index", "IndexError/RuntimeError", "1.8-2.13", f"{_RNN_PY} LSTM.forward hx[1]",
       r"index (?P<index>-?\d{1,9}) is out of bounds for dimension (?P<dim>\d{1,3}) with size (?P<size>\d{1,9})",
       generic=True),
    _p("fwd.vf_parser", "TypeError", "1.8-2.13 (the listed signatures drift)", "torch/_VF argument parser",
       r"(?P<op>lstm|gru|rnn_tanh|rnn_relu)\(\) received an invalid combination of arguments - got "
       r"\((?P<got>[\w, ]{0,300})\), but expected one of:(?s:.{0,6000})"),
    _p("fwd.vf_cell_hx", "TypeError", "1.8-2.13", "torch/_VF argument parser",
       r"(?P<op>lstm_cell|gru_cell|rnn_tanh_cell|rnn_relu_cell)\(\): argument '(?P<arg>\w{1,30})' "
       r"\(position (?P<pos>\d{1,2})\) must be (?P<expected>[\w ]{1,60}), not (?P<got_type>\w{1,60})"),
    # cells: RNNCell/LSTMCell/GRUCell.forward, then ATen's rnn_*_cell
    _p("cell.ndim_value", "ValueError", "2.1-2.13", f"{_RNN_PY} *Cell.forward",
       r"(?P<cell>RNNCell|LSTMCell|GRUCell): Expected input to be 1D or 2D, got (?P<ndim>\d{1,3})D instead"),
    _p("cell.ndim_assert", "AssertionError", "1.11-2.0", f"{_RNN_PY} *Cell.forward",
       r"(?P<cell>RNNCell|LSTMCell|GRUCell): Expected input to be 1-D or 2-D but received (?P<ndim>\d{1,3})-D tensor"),
    _p("cell.hx_ndim_value", "ValueError", "2.1-2.13", f"{_RNN_PY} RNNCell/GRUCell.forward",
       r"(?P<cell>RNNCell|GRUCell): Expected hidden to be 1D or 2D, got (?P<ndim>\d{1,3})D instead"),
    _p("cell.lstm_hx_ndim_value", "ValueError", "2.1-2.13", f"{_RNN_PY} LSTMCell.forward",
       r"LSTMCell: Expected hx\[(?P<idx>\d)\] to be 1D or 2D, got (?P<ndim>\d{1,3})D instead"),
    _p("cell.nonlinearity", "RuntimeError", "1.8-2.13", f"{_RNN_PY} RNNCell.forward",
       r"Unknown nonlinearity: (?P<nonlinearity>[^\n]{0,100})"),
    _p("cell.input_size", "RuntimeError", "1.8 (Python, with a comma); 1.9-2.13 (ATen)",
       f"{_RNN_PY} check_forward_input (1.8); {_ATEN} check_rnn_cell_forward_input",
       r"input has inconsistent input_size: got (?P<got>\d{1,9})(?P<comma>,)? expected (?P<expected>\d{1,9})"),
    _p("cell.batch", "RuntimeError", "1.8 (labels '', [0], [1]); 1.9-2.13 (labels 0, 1)",
       f"{_RNN_PY} check_forward_hidden (1.8); {_ATEN} check_rnn_cell_forward_hidden",
       r"Input batch size (?P<input_batch>\d{1,9}) doesn't match hidden(?P<label>\d|\[\d\])? batch size (?P<hidden_batch>\d{1,9})"),
    _p("cell.hidden_size", "RuntimeError", "1.8 (labels '', [0], [1]); 1.9-2.13 (labels 0, 1)",
       f"{_RNN_PY} check_forward_hidden (1.8); {_ATEN} check_rnn_cell_forward_hidden",
       r"hidden(?P<label>\d|\[\d\])? has inconsistent hidden_size: got (?P<got>\d{1,9}), expected (?P<expected>\d{1,9})"),
    _p("cell.weight_dim", "RuntimeError", "2.11-2.13", f"{_ATEN} check_rnn_cell_forward_weights",
       r"weight_(?P<which>ih|hh) first dim must be (?P<gates>\d) \* hidden_size = (?P<expected>\d{1,9}), but got (?P<got>\d{1,9})"),
    # ATen: the recurrent entry points
    _p("aten.two_hidden", "RuntimeError", "1.8-2.13", f"{_ATEN} lstm / lstm_cell",
       r"(?P<op>lstm|lstm_cell) expects two hidden states"),
    _p("aten.seq_len_zero", "RuntimeError", "1.10-2.13", f"{_ATEN} apply_layer_stack",
       r"Expected sequence length to be larger than 0 in RNN"),
    _p("aten.stack_empty", "RuntimeError", "1.8-1.9 (zero-length input); 1.8-2.1 (num_layers=0)",
       f"{_ATEN} (torch.stack of no outputs)", r"stack expects a non-empty TensorList", generic=True),
    _p("aten.param_count", "RuntimeError", "1.8-2.13", f"{_ATEN} gather_params",
       r"got an incorrect number of RNN parameters"),
    _p("aten.odd_bidir", "RuntimeError", "1.8-2.13", f"{_ATEN} pair_vec",
       r"Odd number of params or hiddens given to a bidirectional RNN"),
    _p("aten.stacked", "RuntimeError", "1.8-2.13", f"{_ATEN} apply_layer_stack",
       r"Expected more (?P<what>hidden states|weights) in stacked_rnn"),
    _p("aten.lstm_hx_shape_ndim", "RuntimeError", "main after 2.14", f"{_ATEN} check_lstm_hidden_state_shapes",
       r"For batched 3-D input, hx\[(?P<idx>[01])\] \((?P<name>h_0|c_0)\) should be 3-D but got (?P<ndim>\d{1,3})-D tensor"),
    _p("aten.lstm_hx_shape_layers", "RuntimeError", "main after 2.14", f"{_ATEN} check_lstm_hidden_state_shapes",
       r"Expected (?P<name>h_0|c_0) size\(0\) to be (?P<expected>\d{1,9}) \(num_layers \* num_directions\), "
       r"but got (?P<got>\d{1,9})"),
    _p("aten.device", "RuntimeError", "1.8-2.13", f"{_ATEN} check_attributes",
       r"Input and (?P<what>hidden|parameter) tensors are not at the same device, found input tensor at "
       r"(?P<input_device>[\w:]{1,40}) and (?P=what) tensor at (?P<other_device>[\w:]{1,40})"),
    _p("aten.dtype", "RuntimeError", "1.8-2.13 (cuDNN)", f"{_ATEN} check_attributes (cuDNN)",
       r"Input and (?P<what>hidden|parameter) tensors are not the same dtype, found input tensor with "
       r"(?P<input_dtype>\w{1,20}) and (?P=what) tensor with (?P<other_dtype>\w{1,20})"),
    _p("aten.backend_fallback_warning", "UserWarning", "MIOpen 1.8-2.13, oneDNN 2.0-2.13", f"{_ATEN} lstm",
       r"LSTM with (?P<feature>projections|symbolic sizes and strides) is not supported with "
       r"(?P<backend>MIOpen|oneDNN)\. Using default implementation\."),
    _p("aten.mkldnn_dtype", "RuntimeError", "2.0-2.13 (x86 CPU)", "aten/src/ATen/native/mkldnn/RNN.cpp",
       r"get_mkldnn_dtype: unsupported data type"),
    _p("aten.mps_proj", "RuntimeError", "2.0-2.13 (MPS)", f"{_ATEN} lstm (MPS)",
       r"LSTM with projections is not currently supported with MPS\."),
    _p("aten.mps_multilayer", "RuntimeError", "2.0-2.4 (MPS)", f"{_ATEN} lstm (MPS)",
       r"(?:Native )?[Mm]ulti-layer LSTM support in MPS available only on MacOS 13 onwards\.?"),
    # kernels: generic messages that a recurrent call reaches
    _p("kernel.mm_shape", "RuntimeError", "1.8-2.13", "aten matmul/addmm",
       r"mat1 and mat2 shapes cannot be multiplied \((?P<m1_rows>\d{1,9})x(?P<m1_cols>\d{1,9}) and "
       r"(?P<m2_rows>\d{1,9})x(?P<m2_cols>\d{1,9})\)", generic=True),
    _p("kernel.mm_dim_cuda", "RuntimeError", "1.x CUDA builds", "aten addmm (CUDA)",
       r"mat1 dim 1 must match mat2 dim 0", generic=True),
    _p("kernel.mm_dtype", "RuntimeError", "1.13-2.13 (', but got' from 2.1)", "aten matmul/addmm",
       r"(?P<lhs>mat1|self) and mat2 must have the same dtype(?:, but got (?P<lhs_dtype>\w{1,20}) and (?P<rhs_dtype>\w{1,20}))?",
       generic=True),
    _p("kernel.scalar_type", "RuntimeError", "1.8-2.13", "aten kernels",
       r"expected scalar type (?P<expected>\w{1,20}) but found (?P<found>\w{1,20})", generic=True),
    _p("kernel.broadcast", "RuntimeError", "1.8-2.13", "aten TensorIterator",
       r"The size of tensor a \((?P<a>\d{1,9})\) must match the size of tensor b \((?P<b>\d{1,9})\) at "
       r"non-singleton dimension (?P<dim>\d{1,3})", generic=True),
    _p("kernel.expand", "RuntimeError", "1.8-2.13", "aten expand",
       r"The expanded size of the tensor \((?P<a>\d{1,9})\) must match the existing size \((?P<b>\d{1,9})\) at "
       r"non-singleton dimension (?P<dim>\d{1,3})\. {1,3}Target sizes: \[(?P<target>[-\d, ]{0,200})\]\. {1,3}"
       r"Tensor sizes: \[(?P<sizes>[-\d, ]{0,200})\]", generic=True),
    _p("kernel.dim_range", "IndexError", "1.8-2.13", "aten wrap_dim",
       r"Dimension out of range \(expected to be in range of \[(?P<lo>-?\d{1,3}), (?P<hi>-?\d{1,3})\], "
       r"but got (?P<got>-?\d{1,3})\)", generic=True),
    _p("kernel.no_dims", "IndexError", "1.8-2.13", "aten wrap_dim",
       r"dimension specified as (?P<dim>-?\d{1,3}) but tensor has no dimensions", generic=True),
    _p("kernel.index_select", "RuntimeError/IndexError", "1.8-2.13", "aten index_select",
       r"(?:INDICES element is out of DATA bounds, id=(?P<id>-?\d{1,9}) axis_dim=(?P<axis_dim>\d{1,9})"
       r"|index out of range in self)", generic=True),
    _p("kernel.narrow", "RuntimeError", "1.8-2.13", "aten narrow",
       r"start \((?P<start>\d{1,9})\) \+ length \((?P<length>\d{1,9})\) exceeds dimension size \((?P<size>\d{1,9})\)\.",
       generic=True),
    _p("kernel.view", "RuntimeError", "1.8-2.13", "aten view",
       r"shape '\[(?P<shape>[-\d, ]{0,200})\]' is invalid for input of size (?P<size>\d{1,12})", generic=True),
    _p("kernel.device_mm", "RuntimeError", "1.8-2.13", "aten kernels",
       r"(?:Expected all tensors to be on the same device, but found at least two devices, (?P<dev_a>[\w:]{1,40}) "
       r"and (?P<dev_b>[\w:]{1,40})!|Tensor on device (?P<dev_c>[\w:]{1,40}) is not on the expected device "
       r"(?P<dev_d>[\w:]{1,40})!)", generic=True),
    _p("kernel.meta_reduction", "RuntimeError", "2.0-2.13 (meta)", "torch/_meta_registrations.py",
       r"a and b must have same reduction dim, but got \[(?P<a>[\d, ]{0,200})\] X \[(?P<b>[\d, ]{0,200})\]\.",
       generic=True),
    _p("kernel.meta_broadcast", "RuntimeError", "2.0-2.13 (meta)", "torch/_refs broadcasting",
       r"Attempting to broadcast a dimension of length (?P<len>\d{1,9}) at (?P<at>-?\d{1,3})! Mismatching argument "
       r"at index (?P<index>\d{1,3}) had torch\.Size\(\[(?P<had>[\d, ]{0,200})\]\); but expected shape should be "
       r"broadcastable to \[(?P<to>[\d, ]{0,200})\]", generic=True),
    _p("kernel.arrayref", "RuntimeError", "1.9-2.13", "c10 ArrayRef (pad_sequence)",
       r"ArrayRef: invalid slice, N = (?P<n>\d{1,9}); size = (?P<size>\d{1,9})", generic=True),
    _p("kernel.not_implemented_dtype", "RuntimeError", "1.8-2.13", "aten dispatch",
       r"\"(?P<kernel>\w{1,80})\" not implemented for '(?P<dtype>\w{1,20})'", generic=True),
    # cuDNN and MIOpen, CUDA and ROCm builds only
    _p("cudnn.weights_warning", "UserWarning", "1.8-2.13", f"{_CUDNN} _cudnn_impl",
       r"RNN module weights are not part of single contiguous chunk of memory\. This means they need to be "
       r"compacted at every call, possibly greate?ly increasing memory usage\. To compact weights again call "
       r"flatten_parameters\(\)\."),
    _p("cudnn.contiguous", "RuntimeError", "1.8-2.13", f"{_CUDNN} _cudnn_rnn", r"rnn: (?P<which>hx|cx) is not contiguous"),
    _p("cudnn.illegal_cx", "RuntimeError", "1.8-2.13", f"{_CUDNN} _cudnn_rnn", r"rnn: illegal defined cx for non-LSTM RNN"),
    _p("cudnn.train_mode", "RuntimeError", "1.8-2.13", f"{_CUDNN} _cudnn_rnn_backward",
       r"(?P<lib>cudnn|miopen) RNN backward can only be called in training mode"),
    _p("cudnn.batch_sizes", "RuntimeError", "1.8-2.13", f"{_CUDNN} _cudnn_rnn",
       r"batch_sizes tensor should be (?:1D|on CPU, but got (?P<device>[\w:]{1,40}))"),
    _p("cudnn.status", "RuntimeError", "1.8-2.13", f"{_CUDNN} (cuDNN status)",
       r"cuDNN error: (?P<status>CUDNN_STATUS_\w{1,40})(?P<hint>\. This error may appear if you passed in a "
       r"non-contiguous input\.)?", generic=True),
    _p("cudnn.not_compiled", "RuntimeError", "1.8-2.13", f"{_CUDNN} (CPU-only build)",
       r"(?P<op>_cudnn_rnn|_cudnn_rnn_flatten_weight|_cudnn_rnn_backward|_cudnn_init_dropout_state): "
       r"ATen not compiled with cuDNN support"),
    # torch.nn.utils.rnn
    _p("pack.lengths_tensor", "RuntimeError", "1.8-2.13", f"{_PACK_CPP} _pack_padded_sequence / _pad_packed_sequence",
       r"'lengths' argument should be a 1D CPU int64 tensor, but got (?P<ndim>\d{1,3})D (?P<device>[\w:]{1,40}) "
       r"(?P<dtype>\w{1,20}) tensor"),
    _p("pack.empty", "RuntimeError", "1.8-2.13", f"{_PACK_CPP} _pack_padded_sequence", r"Cannot pack empty tensors\."),
    _p("pack.len_mismatch", "RuntimeError", "1.8-2.13", f"{_PACK_CPP} _pack_padded_sequence",
       r"Expected `len\(lengths\)` to be equal to batch_size, but got (?P<len>\d{1,9}) \(batch_size=(?P<batch_size>\d{1,9})\)"),
    _p("pack.nonpositive", "RuntimeError", "1.8-2.13", f"{_PACK_CPP} _pack_padded_sequence",
       r"Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0"),
    _p("pack.unsorted", "RuntimeError", "1.8-2.13", f"{_PACK_CPP} _pack_padded_sequence",
       r"`lengths` array must be sorted in decreasing order when `enforce_sorted` is True\. You can pass "
       r"`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement "
       r"if you do not need ONNX exportability\."),
    _p("pack.trace_warning", "UserWarning", "1.8-2.13", f"{_UTILS} pack_padded_sequence (tracing)",
       r"pack_padded_sequence has been called with a Python list of sequence lengths\. The tracer cannot track "
       r"the data flow of Python values, and it will treat them as constants, likely rendering the trace "
       r"incorrect for any other combination of lengths\."),
    _p("pack.arg_type", "TypeError", "1.8-2.13", f"{_UTILS} pack_padded_sequence",
       r"_pack_padded_sequence\(\): argument '(?P<arg>\w{1,30})' \(position (?P<pos>\d{1,2})\) must be "
       r"(?P<expected>\w{1,30}), not (?P<got_type>\w{1,60})"),
    _p("pad.total_length", "ValueError/RuntimeError", "1.8-2.13", f"{_UTILS} pad_packed_sequence",
       r"Expected total_length to be at least the length of the longest sequence in input, but got "
       r"total_length=(?P<total_length>-?\d{1,9}) and max sequence length being (?P<max_len>\d{1,9})"),
    _p("pad.total_length_type", "TypeError", "1.8-2.13", f"{_UTILS} pad_packed_sequence",
       r"_pad_packed_sequence\(\): argument 'total_length' \(position \d{1,2}\) must be int, not (?P<got_type>\w{1,60})"),
    _p("pad.empty_batch_sizes", "RuntimeError", "2.10-2.13", f"{_PACK_CPP} _pad_packed_sequence",
       r"batch_sizes can not be empty"),
    _p("padseq.empty", "RuntimeError", "1.9-2.13", f"{_PACK_CPP} pad_sequence", r"received an empty list of sequences"),
    _p("padseq.side", "RuntimeError", "2.5-2.13", f"{_PACK_CPP} pad_sequence",
       r"Expected padding_side to be one of left or right, but got (?P<padding_side>[^\n]{0,60})\."),
    _p("padseq.empty_py", "IndexError", "1.8 (pure Python pad_sequence)", f"{_UTILS} pad_sequence",
       r"list index out of range", generic=True),
    _p("padseq.meta_copy", "NotImplementedError", "2.0-2.13 (meta)", f"{_PACK_CPP} pad_sequence copy_",
       r"Cannot copy out of meta tensor; no data!", generic=True),
    _p("padseq.not_iterable", "RuntimeError", "1.11-2.13", f"{_UTILS} pad_sequence",
       r"pad_sequence: Expected iterable for input sequences, but got arg of type: <class '(?P<pytype>[\w.]{1,80})'>"),
    _p("padseq.element_type", "TypeError", "1.9-2.13", f"{_PACK_CPP} pad_sequence",
       r"expected Tensor as element (?P<idx>\d{1,9}) in argument (?P<arg>\d{1,2}), but got (?P<got_type>\w{1,60})",
       generic=True),
    _p("unpad.zip_strict", "ValueError", "2.10-2.13 (Python's text)", f"{_UTILS} unpad_sequence",
       r"zip\(\) argument (?P<n>\d{1,2}) is (?P<rel>shorter|longer) than arguments? (?:1-)?(?P<m>\d{1,2})", generic=True),
    _p("ps.batch_sizes_cpu", "ValueError", "1.8-2.13", f"{_UTILS} PackedSequence.__new__",
       r"batch_sizes should always be on CPU\. Instances of PackedSequence should never be created manually\. "
       r"They should be instantiated by functions like pack_sequence and pack_padded_sequences in nn\.utils\.rnn\. "
       r"https://pytorch\.org/docs/stable/nn\.html#torch\.nn\.utils\.rnn\.pack_sequence"),
    _p("ps.tuple_form", "AssertionError", "2.11-2.13", f"{_UTILS} PackedSequence.__new__",
       r"Expected data to be a list or tuple of length 2"),
    _p("misc.apply_permutation", "UserWarning/FutureWarning", "1.13-2.3 UserWarning, 2.4-2.13 FutureWarning",
       f"{_UTILS} apply_permutation",
       r"`?apply_permutation`? is deprecated, please use `?tensor\.index_select\(dim, permutation\)`? instead"),
)

_SPACE = re.compile(r"\s+")
_NO_SPACE = re.compile(r"\s")


def find(text: str, exception: str | None = None) -> Match | None:
    """The first pattern that matches `text` from its start, as written or re-flowed.

    Where `exception` is given, only patterns torch raises as that type are tried.
    """
    candidates = [p for p in PATTERNS if exception is None or _raises_as(p, exception)]
    for variant, compact in ((text, False), (_SPACE.sub(" ", text).strip(), False), (_NO_SPACE.sub("", text), True)):
        for p in candidates:
            if not variant.startswith(p.prefix.replace(" ", "") if compact else p.prefix):
                continue
            if (p.needle.replace(" ", "") if compact else p.needle) not in variant:
                continue  # cheaper than compiling the expression to find that out
            m = p.regex(compact).match(variant)
            if m:
                groups = {k: v for k, v in m.groupdict().items() if v is not None}
                return Match(p, groups, m.group(0), reflowed=variant is not text)
    return None


def _raises_as(p: Pattern, exception: str) -> bool:
    name = exception.rsplit(".", 1)[-1]
    if name in p.exceptions or name == "Exception":
        return True
    return name.endswith("Warning") and any(e.endswith("Warning") for e in p.exceptions)
