"""`pytest.raises(..., match=...)` patterns for the torch messages the guard pre-empts.

Each entry is a pattern as tests write it, the exception type it is raised
with, the call that makes torch 2.13 raise it (source text, run with `torch`,
`nn` and `pack_padded_sequence` in scope), and where the pattern comes from.
`tests/torch/test_raises_corpus.py` runs every one with and without
`pytest --rnndoctor`, and under `with rnndoctor.guard()`.

Sources:
- TORCH_MODULE_DB: the error inputs of RNNCell, GRUCell and LSTMCell in torch's
  module tests (`module_error_inputs_torch_nn_RNN_GRU_Cell`,
  `module_error_inputs_torch_nn_LSTMCell` in
  torch/testing/_internal/common_modules.py, run by test/test_modules.py),
  https://github.com/pytorch/pytorch at 00131b6bd4bedfa71eb27b407292be0ba45e5ee8 (BSD-3-Clause).
  The patterns are torch's `error_regex` strings; the calls are ours.
- WRITTEN: no public test pinned one for this message; written for this corpus
  from torch 2.13's message, in the forms tests use (a substring,
  `re.escape(message)`, and end-anchored `re.escape(message) + "$"`).

Searched and not usable: torch's test/test_autocast.py (`test_autocast_rnn`,
at e75c5e88bc273d106e7d4275a2d8daa7230675cc) matches "input must have the
type", the dtype message of torch 2.1-2.10, which torch 2.13 no longer
raises; torch's `test_rnn_check_device` matches device messages on CUDA only.
"""

from __future__ import annotations

import re
from typing import NamedTuple

TORCH_MODULE_DB = ("pytorch/pytorch@00131b6bd4bedfa71eb27b407292be0ba45e5ee8:"
                   "torch/testing/_internal/common_modules.py")
WRITTEN = "written for this corpus from torch 2.13's message"


class Pattern(NamedTuple):
    exception: str  # the built-in type named in pytest.raises
    pattern: str  # the match= argument
    call: str  # the call that makes torch raise it
    source: str


def _end(message: str) -> str:
    return re.escape(message) + "$"


CORPUS: tuple[Pattern, ...] = (
    # ---- cells: torch's own module tests ----
    Pattern("RuntimeError", "input has inconsistent input_size: got 11 expected 10",
            "nn.RNNCell(10, 20)(torch.randn(3, 11), torch.randn(3, 20))", TORCH_MODULE_DB),
    Pattern("RuntimeError", "input has inconsistent input_size: got 11 expected 10",
            "nn.GRUCell(10, 20)(torch.randn(3, 11), torch.randn(3, 20))", TORCH_MODULE_DB),
    Pattern("RuntimeError", "input has inconsistent input_size: got 11 expected 10",
            "nn.LSTMCell(10, 20)(torch.randn(3, 11), (torch.randn(3, 20), torch.randn(3, 20)))",
            TORCH_MODULE_DB),
    Pattern("RuntimeError", "hidden0 has inconsistent hidden_size: got 21, expected 20",
            "nn.RNNCell(10, 20, 'relu')(torch.randn(3, 10), torch.randn(3, 21))", TORCH_MODULE_DB),
    Pattern("RuntimeError", "hidden0 has inconsistent hidden_size: got 21, expected 20",
            "nn.GRUCell(10, 20)(torch.randn(3, 10), torch.randn(3, 21))", TORCH_MODULE_DB),
    Pattern("RuntimeError", "hidden0 has inconsistent hidden_size: got 21, expected 20",
            "nn.LSTMCell(10, 20)(torch.randn(3, 10), (torch.randn(3, 21), torch.randn(3, 21)))",
            TORCH_MODULE_DB),
    Pattern("RuntimeError", "Input batch size 3 doesn't match hidden0 batch size 5",
            "nn.RNNCell(10, 20)(torch.randn(3, 10), torch.randn(5, 20))", TORCH_MODULE_DB),
    Pattern("RuntimeError", "Input batch size 3 doesn't match hidden0 batch size 5",
            "nn.LSTMCell(10, 20)(torch.randn(3, 10), (torch.randn(5, 20), torch.randn(5, 20)))",
            TORCH_MODULE_DB),
    Pattern("ValueError", "Expected hidden to be 1D or 2D, got 4D instead",
            "nn.GRUCell(10, 20)(torch.randn(3, 10), torch.randn(3, 1, 1, 20))", TORCH_MODULE_DB),
    Pattern("ValueError", "Expected hx\\[0\\] to be 1D or 2D, got 4D instead",
            "nn.LSTMCell(10, 20)(torch.randn(3, 10), "
            "(torch.randn(3, 1, 1, 20), torch.randn(3, 1, 1, 20)))", TORCH_MODULE_DB),
    # ---- cells: the rest of their messages ----
    Pattern("RuntimeError", _end("hidden1 has inconsistent hidden_size: got 15, expected 20"),
            "nn.LSTMCell(10, 20)(torch.randn(3, 10), (torch.randn(3, 20), torch.randn(3, 15)))",
            WRITTEN),
    Pattern("RuntimeError", _end("Input batch size 3 doesn't match hidden0 batch size 5"),
            "nn.GRUCell(10, 20)(torch.randn(3, 10), torch.randn(5, 20))", WRITTEN),
    Pattern("ValueError", _end("RNNCell: Expected input to be 1D or 2D, got 3D instead"),
            "nn.RNNCell(10, 20)(torch.randn(2, 3, 10))", WRITTEN),
    Pattern("ValueError", "Expected input to be 1D or 2D",
            "nn.GRUCell(10, 20)(torch.randn(2, 3, 10))", WRITTEN),
    Pattern("ValueError", re.escape("LSTMCell: Expected input to be 1D or 2D, got 3D instead"),
            "nn.LSTMCell(10, 20)(torch.randn(2, 3, 10))", WRITTEN),
    Pattern("ValueError", _end("RNNCell: Expected hidden to be 1D or 2D, got 3D instead"),
            "nn.RNNCell(10, 20)(torch.randn(3, 10), torch.zeros(1, 3, 20))", WRITTEN),
    Pattern("ValueError", _end("LSTMCell: Expected hx[1] to be 1D or 2D, got 3D instead"),
            "nn.LSTMCell(10, 20)(torch.randn(3, 10), (torch.zeros(3, 20), torch.zeros(1, 3, 20)))",
            WRITTEN),
    Pattern("RuntimeError", _end("lstm_cell expects two hidden states"),
            "nn.LSTMCell(10, 20)(torch.randn(3, 10), (torch.randn(3, 20),))", WRITTEN),
    Pattern("TypeError", r"argument 'hx' \(position 2\) must be tuple of Tensors, not Tensor$",
            "nn.LSTMCell(10, 20)(torch.randn(3, 10), torch.randn(3, 20))", WRITTEN),
    Pattern("RuntimeError", _end("Unknown nonlinearity: sigmoid"),
            "nn.RNNCell(10, 20, nonlinearity='sigmoid')(torch.randn(3, 10))", WRITTEN),
    Pattern("RuntimeError", "mat1 and mat2 must have the same dtype",
            "nn.GRUCell(10, 20)(torch.randn(3, 10), torch.randn(3, 20, dtype=torch.float64))",
            WRITTEN),
    # ---- nn.RNN, nn.GRU and nn.LSTM ----
    Pattern("ValueError", _end("RNN: Expected input to be 2D or 3D, got 4D tensor instead"),
            "nn.RNN(10, 20)(torch.randn(2, 5, 3, 10))", WRITTEN),
    Pattern("ValueError", _end("GRU: Expected input to be 2D or 3D, got 4D instead"),
            "nn.GRU(10, 20)(torch.randn(2, 5, 3, 10))", WRITTEN),
    Pattern("ValueError", r"Expected input to be 2D or 3D, got \d+D",
            "nn.LSTM(10, 20)(torch.randn(2, 5, 3, 10))", WRITTEN),
    Pattern("RuntimeError", _end("For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"),
            "nn.GRU(10, 20)(torch.randn(5, 10), torch.zeros(1, 1, 20))", WRITTEN),
    Pattern("RuntimeError", "hx should also be 3-D",
            "nn.RNN(10, 20)(torch.randn(5, 3, 10), torch.zeros(3, 20))", WRITTEN),
    Pattern("RuntimeError",
            _end("For batched 3-D input, hx and cx should also be 3-D but got (2-D, 3-D) tensors"),
            "nn.LSTM(10, 20)(torch.randn(5, 3, 10), (torch.zeros(3, 20), torch.zeros(1, 3, 20)))",
            WRITTEN),
    Pattern("RuntimeError", r"^For unbatched 2-D input, hx and cx should also be 2-D",
            "nn.LSTM(10, 20)(torch.randn(5, 10), (torch.zeros(1, 1, 20), torch.zeros(1, 1, 20)))",
            WRITTEN),
    Pattern("ValueError", _end("RNN input dtype (torch.float64) does not match weight dtype "
                               "(torch.float32). Convert input: input.to(torch.float32), or "
                               "convert model: model.to(torch.float64)"),
            "nn.GRU(10, 20)(torch.randn(5, 3, 10, dtype=torch.float64))", WRITTEN),
    Pattern("ValueError", r"RNN input dtype .* does not match weight dtype",
            "nn.LSTM(10, 20)(torch.randn(5, 3, 10, dtype=torch.float64))", WRITTEN),
    Pattern("RuntimeError", _end("input.size(-1) must be equal to input_size. Expected 10, got 7"),
            "nn.LSTM(10, 20)(torch.randn(5, 3, 7))", WRITTEN),
    Pattern("RuntimeError", "must be equal to input_size",
            "nn.GRU(10, 20, batch_first=True)(torch.randn(3, 5, 7))", WRITTEN),
    Pattern("RuntimeError", _end("Expected hidden size (1, 3, 20), got [1, 4, 20]"),
            "nn.RNN(10, 20)(torch.randn(5, 3, 10), torch.zeros(1, 4, 20))", WRITTEN),
    Pattern("RuntimeError", re.escape("Expected hidden size (2, 3, 20), got [1, 3, 20]"),
            "nn.GRU(10, 20, num_layers=2)(torch.randn(5, 3, 10), torch.zeros(1, 3, 20))", WRITTEN),
    Pattern("RuntimeError", _end("Expected hidden[0] size (2, 3, 20), got [1, 3, 20]"),
            "nn.LSTM(10, 20, num_layers=2)(torch.randn(5, 3, 10), "
            "(torch.zeros(1, 3, 20), torch.zeros(1, 3, 20)))", WRITTEN),
    Pattern("RuntimeError", r"Expected hidden\[1\] size \(1, 3, 20\), got \[1, 3, 15\]$",
            "nn.LSTM(10, 20)(torch.randn(5, 3, 10), (torch.zeros(1, 3, 20), torch.zeros(1, 3, 15)))",
            WRITTEN),
    Pattern("RuntimeError", _end("lstm expects two hidden states"),
            "nn.LSTM(10, 20)(torch.randn(5, 3, 10), (torch.zeros(1, 3, 20),) * 3)", WRITTEN),
    Pattern("RuntimeError", _end("Expected sequence length to be larger than 0 in RNN"),
            "nn.GRU(10, 20)(torch.randn(0, 3, 10))", WRITTEN),
    Pattern("RuntimeError", "mat1 and mat2 must have the same dtype, but got Double and Float",
            "nn.GRU(10, 20)(torch.randn(5, 3, 10), torch.zeros(1, 3, 20, dtype=torch.float64))",
            WRITTEN),
    Pattern("RuntimeError",  # oneDNN's message on x86 CPUs; the native kernel's elsewhere
            r"^(get_mkldnn_dtype: unsupported data type|mat1 and mat2 must have the same dtype)",
            "nn.LSTM(10, 20)(torch.randn(5, 3, 10), (torch.zeros(1, 3, 20, dtype=torch.float64), "
            "torch.zeros(1, 3, 20, dtype=torch.float64)))", WRITTEN),
    Pattern("AttributeError", _end("'list' object has no attribute 'dim'"),
            "nn.GRU(10, 20)([1.0, 2.0])", WRITTEN),
    Pattern("AttributeError", "'tuple' object has no attribute 'dim'",
            "nn.GRU(10, 20)(torch.randn(5, 3, 10), (torch.zeros(1, 3, 20),))", WRITTEN),
    Pattern("IndexError", _end("tuple index out of range"),
            "nn.LSTM(10, 20)(torch.randn(5, 3, 10), (torch.zeros(1, 3, 20),))", WRITTEN),
    Pattern("AttributeError", "'NoneType' object has no attribute 'dim'",
            "nn.LSTM(10, 20)(torch.randn(5, 3, 10), (torch.zeros(1, 3, 20), None))", WRITTEN),
    Pattern("IndexError", _end("index 1 is out of bounds for dimension 0 with size 1"),
            "nn.LSTM(10, 20)(torch.randn(5, 3, 10), torch.zeros(1, 3, 20))", WRITTEN),
    Pattern("TypeError", r"^lstm\(\) received an invalid combination of arguments",
            "nn.LSTM(10, 20)(torch.randn(5, 3, 10), torch.zeros(2, 1, 3, 20))", WRITTEN),
    # ---- packed sequences ----
    Pattern("RuntimeError", _end("input must have 2 dimensions, got 3"),
            "nn.GRU(10, 20)(torch.nn.utils.rnn.PackedSequence(torch.randn(6, 2, 10), "
            "torch.tensor([3, 2, 1])))", WRITTEN),
    Pattern("RuntimeError", _end("Expected hidden size (1, 3, 20), got [1, 4, 20]"),
            "nn.GRU(10, 20)(pack_padded_sequence(torch.randn(5, 3, 10), [5, 3, 2]), "
            "torch.zeros(1, 4, 20))", WRITTEN),
    Pattern("RuntimeError", "INDICES element is out of DATA bounds",
            "nn.GRU(10, 20)(pack_padded_sequence(torch.randn(5, 3, 10), [2, 5, 3], "
            "enforce_sorted=False), torch.zeros(1, 2, 20))", WRITTEN),
    Pattern("RuntimeError", r"mat1 and mat2 shapes cannot be multiplied \(10x7 and 10x80\)$",
            "nn.LSTM(10, 20)(pack_padded_sequence(torch.randn(5, 3, 7), [5, 3, 2]))", WRITTEN),
    Pattern("RuntimeError", _end("mat1 and mat2 must have the same dtype, but got Double and Float"),
            "nn.LSTM(10, 20)(pack_padded_sequence(torch.randn(5, 3, 10, dtype=torch.float64), "
            "[5, 3, 2]))", WRITTEN),
    Pattern("RuntimeError", _end("Odd number of params or hiddens given to a bidirectional RNN"),
            "nn.LSTM(10, 20, bidirectional=True)(pack_padded_sequence(torch.randn(5, 3, 10), "
            "[5, 3, 2]), (torch.zeros(1, 3, 20), torch.zeros(1, 3, 20)))", WRITTEN),
    Pattern("RuntimeError", _end("Expected more hidden states in stacked_rnn"),
            "nn.LSTM(10, 20)(pack_padded_sequence(torch.randn(5, 3, 10), [5, 3, 2]), "
            "(torch.zeros(2, 3, 20), torch.zeros(2, 3, 20)))", WRITTEN),
    Pattern("RuntimeError", _end("got an incorrect number of RNN parameters"),
            "nn.LSTM(10, 20)(pack_padded_sequence(torch.randn(5, 3, 10), [5, 3, 2]), "
            "(torch.zeros(1, 3, 20), torch.zeros(1, 3, 15)))", WRITTEN),
    Pattern("RuntimeError", r"The size of tensor a \(4\) must match the size of tensor b \(3\)",
            "nn.LSTM(10, 20)(pack_padded_sequence(torch.randn(5, 3, 10), [5, 3, 2]), "
            "(torch.zeros(1, 4, 20), torch.zeros(1, 4, 20)))", WRITTEN),
)
