from tests.rules.cases import case, spec

ERRORS = [
    case(spec("LSTM", 10, 20, 2, True), (5, 3, 10)),  # `bias`, not `batch_first`
    case(spec("GRU", 10, 20, 1, True, True), (5, 3, 10)),  # `bias` and `batch_first`: one finding each
    case(spec("LSTM", 10, 20, 1, True, False, 0.0, True), (5, 3, 10)),  # `bidirectional` seventh
    case(spec("RNN", 10, 20, 1, "tanh", False), (5, 3, 10)),  # nn.RNN's `bias` is fifth since torch 2.3
    case(spec("LSTMCell", 10, 20, False), (3, 10)),  # a cell's `bias` is third
]

OK = [
    case(spec("LSTM", 10, 20, 2, batch_first=True), (5, 3, 10)),
    case(spec("LSTM", 10, 20, 2, bias=True), (5, 3, 10)),
    case(spec("RNN", 10, 20, 1, "relu"), (5, 3, 10)),  # a string in the fourth slot is RNN309's to judge
    case(spec("GRU", 10, 20, 2, 1), (5, 3, 10)),  # an int, not a bool: RNN305's to judge
]
