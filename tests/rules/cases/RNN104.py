from rnndoctor.specs import Packed
from tests.rules.cases import T, case, lengths, spec

ERRORS = [
    # token ids without an nn.Embedding
    case(spec("LSTM", 50, 100), T(10, 32, dtype="int64")),
    case(spec("GRU", 50, 100, batch_first=True), T(32, 10, dtype="int64"), (1, 32, 100)),
    case(spec("RNN", 10, 20), T(7, dtype="int64")),
    case(spec("LSTMCell", 10, 20), T(3, dtype="int64"), ((3, 20), (3, 20))),
    case(spec("GRUCell", 10, 20), T(dtype="int64")),
    case(spec("GRU", 10, 20), T(5, 3, dtype="int64"), lengths=lengths(5, 3, 2)),
    case(spec("LSTM", 10, 20), T(5, 3, dtype="int64"), lengths=lengths(5, 3, 2)),
    case(spec("RNN", 10, 20), Packed(T(10, dtype="int64"), (3, 3, 2, 1, 1))),
    # other dtypes
    case(spec("LSTM", 10, 20), T(5, 3, 10, dtype="float64")),  # numpy's default
    case(spec("GRU", 10, 20, dtype="float64"), T(5, 3, 10), T(1, 3, 20)),  # states agree with input
    case(spec("LSTM", 10, 20, dtype="float16"), T(5, 3, 10), ((1, 3, 20), (1, 3, 20))),
    case(spec("GRUCell", 10, 20), T(3, 10, dtype="float64")),
    # on the meta device the cell's kernel compares no dtypes and runs on
    case(spec("GRUCell", 10, 20, device="meta"), T(3, 10, dtype="float64", device="meta")),
    case(spec("LSTM", 10, 20), T(5, 3, 10, dtype="int64")),  # integer features
    case(spec("RNN", 10, 20), T(5, 3, 10, dtype="bool")),
    case(spec("LSTM", 10, 20), T(5, 3, 10, dtype="float64"), lengths=lengths(5, 3, 2)),
    case(spec("GRU", 10, 20), T(5, 3, 10, dtype="float64"), lengths=lengths(5, 3, 2)),
]

OK = [
    case(spec("LSTM", 10, 20), (5, 3, 10)),
    case(spec("LSTM", 10, 20, dtype="float64"), T(5, 3, 10, dtype="float64")),
    case(spec("LSTMCell", 10, 20, dtype="float16"), T(3, 10, dtype="float16")),
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=lengths(5, 3, 2)),
]
