from tests.rules.cases import T, case, lengths, spec

f64 = "float64"
ERRORS = [
    case(spec("GRU", 50, 100), (10, 32, 50), T(1, 32, 100, dtype=f64)),  # the doc's example
    case(spec("LSTM", 10, 20), (5, 3, 10), (T(1, 3, 20, dtype=f64), T(1, 3, 20, dtype=f64))),
    case(spec("LSTM", 10, 20), (5, 3, 10), (T(1, 3, 20), T(1, 3, 20, dtype="float16"))),
    case(spec("LSTM", 10, 20), (5, 3, 10), (T(1, 3, 20, dtype=f64), T(1, 3, 20, dtype="int64"))),
    case(spec("LSTM", 10, 20, proj_size=5), (5, 3, 10), (T(1, 3, 5, dtype=f64), T(1, 3, 20))),
    case(spec("RNN", 10, 20), (5, 10), T(1, 20, dtype="int64")),
    case(spec("LSTM", 10, 20, dtype=f64), T(5, 3, 10, dtype=f64), (T(1, 3, 20), T(1, 3, 20))),
    case(spec("GRU", 10, 20), (5, 3, 10), T(1, 3, 20, dtype=f64), lengths=lengths(5, 3, 2)),
    case(spec("LSTM", 10, 20), (5, 3, 10), (T(1, 3, 20, dtype="float16"), T(1, 3, 20)),
         lengths=lengths(5, 3, 2)),
    case(spec("LSTM", 10, 20), (5, 3, 10), (T(1, 3, 20, dtype=f64), T(1, 3, 20, dtype=f64)),
         lengths=lengths(5, 5, 5)),
    case(spec("LSTM", 10, 20, dtype=f64), T(5, 3, 10, dtype=f64),
         (T(1, 3, 20, dtype=f64), T(1, 3, 20, dtype="complex64"))),  # complex: wider than f64
    # cells
    case(spec("RNNCell", 10, 20), (3, 10), T(3, 20, dtype="bfloat16")),
    case(spec("LSTMCell", 10, 20), T(10), (T(20, dtype=f64), T(20))),
    case(spec("LSTMCell", 10, 20), (3, 10), (T(3, 20), T(3, 20, dtype=f64))),  # silent
    case(spec("LSTMCell", 10, 20), (3, 10), (T(3, 20), T(3, 20, dtype="float16"))),  # warning
    # nn.LSTM off oneDNN promotes `c_0` too: silent for one step, an error from the second
    case(spec("LSTM", 10, 20, dtype=f64), T(5, 3, 10, dtype=f64),
         (T(1, 3, 20, dtype=f64), T(1, 3, 20, dtype="int64"))),  # warning
    case(spec("LSTM", 10, 20, proj_size=5), (5, 3, 10), (T(1, 3, 5), T(1, 3, 20, dtype=f64))),
    case(spec("LSTM", 10, 20, dtype="float16"), T(1, 3, 10, dtype="float16"),
         (T(1, 3, 20, dtype="float16"), T(1, 3, 20))),  # one step: silent
    case(spec("LSTM", 10, 20), (5, 3, 10), (T(1, 3, 20), T(1, 3, 20, dtype=f64)),
         lengths=lengths(5, 3, 2)),
]

OK = [
    case(spec("GRU", 10, 20), (5, 3, 10), T(1, 3, 20)),
    case(spec("GRU", 10, 20, dtype=f64), T(5, 3, 10, dtype=f64), T(1, 3, 20, dtype=f64)),
    # the input is the odd one out, or the weights are: RNN104's finding, not this one
    case(spec("GRU", 10, 20), T(5, 3, 10, dtype=f64), T(1, 3, 20, dtype=f64)),
    case(spec("GRU", 10, 20, dtype=f64), T(5, 3, 10), T(1, 3, 20, dtype=f64)),
    case(spec("LSTMCell", 10, 20), (3, 10), (T(3, 20), T(3, 20))),
]
