from rnndoctor.specs import Packed
from tests.rules.cases import T, case, lengths, spec

ERRORS = [
    case(spec("LSTM", 50, 100), (10, 32, 1, 50)),  # an extra dim of size 1
    case(spec("GRU", 10, 20, batch_first=True), (32, 10, 5, 2)),  # (N, L, C, W) from a conv
    case(spec("LSTM", 10, 20), (1, 5, 3, 10), ((1, 3, 20), (1, 3, 20))),
    case(spec("RNN", 10, 20), (10,)),  # one step, without its time dim
    case(spec("LSTM", 1, 20), (7,)),  # seven steps of one feature
    case(spec("GRU", 10, 20), T()),
    case(spec("LSTMCell", 10, 20), (5, 3, 10), ((3, 20), (3, 20))),  # a whole sequence
    case(spec("GRUCell", 10, 20), (5, 3, 10)),
    case(spec("GRUCell", 10, 20), (1, 3, 10)),
    case(spec("RNNCell", 1, 20), T()),
    # packed: the padded batch must be 3-D
    case(spec("GRU", 10, 20), (5, 3, 1, 10), lengths=lengths(5, 3, 2)),
    case(spec("GRU", 1, 20), (5, 3), lengths=lengths(5, 3, 2)),
    case(spec("LSTM", 10, 20, batch_first=True), (3, 5, 1, 10), lengths=lengths(5, 3, 2)),
    # every sequence full length: torch 2.13 sends this to oneDNN, which runs on silently
    case(spec("LSTM", 10, 20), (5, 3, 1, 10), lengths=lengths(5, 5, 5)),
    case(spec("RNN", 10, 20), Packed(T(10, 1, 10), (3, 3, 2, 1, 1))),
]

OK = [
    case(spec("LSTM", 50, 100), (10, 32, 50)),
    case(spec("GRU", 10, 20), (5, 10)),
    case(spec("LSTMCell", 10, 20), (10,)),
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=lengths(5, 3, 2)),
    case(spec("LSTM", 10, 20), T(10, 32, dtype="int64")),  # token ids: RNN104
]
