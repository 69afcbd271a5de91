from tests.rules.cases import T, case, lengths, spec

ERRORS = [
    # the doc's example: h_0 built with hidden_size for an LSTM with projections
    case(spec("LSTM", 50, 256, proj_size=64), (10, 32, 50), ((1, 32, 256), (1, 32, 256))),
    case(spec("GRU", 10, 20), (5, 3, 10), (1, 3, 15)),
    case(spec("LSTM", 10, 20, bidirectional=True), (5, 3, 10), ((2, 3, 15), (2, 3, 15))),
    case(spec("LSTM", 10, 20), (5, 3, 10), ((1, 3, 20), (1, 3, 15))),
    case(spec("LSTM", 10, 20, proj_size=5), (5, 3, 10), ((1, 3, 5), (1, 3, 5))),
    case(spec("LSTM", 10, 20, proj_size=5), (5, 3, 10), ((1, 3, 20), (1, 3, 5))),  # swapped
    case(spec("RNN", 10, 20), (5, 10), (1, 15)),
    # packed nn.LSTM: no check in torch
    case(spec("LSTM", 10, 20), (5, 3, 10), ((1, 3, 15), (1, 3, 20)), lengths=lengths(5, 3, 2)),
    case(spec("LSTM", 10, 20), (5, 3, 10), ((1, 3, 15), (1, 3, 15)), lengths=lengths(5, 3, 2)),
    case(spec("LSTM", 10, 20), (5, 3, 10), ((1, 3, 25), (1, 3, 25)), lengths=lengths(5, 5, 5)),
    case(spec("LSTM", 10, 20, proj_size=5), (5, 3, 10), ((1, 3, 20), (1, 3, 20)),
         lengths=lengths(5, 3, 2)),
    case(spec("GRU", 10, 20), (5, 3, 10), (1, 3, 15), lengths=lengths(5, 3, 2)),
    # cells
    case(spec("RNNCell", 10, 20), (3, 10), (3, 15)),
    case(spec("GRUCell", 10, 20), T(10), T(15)),
    case(spec("LSTMCell", 10, 20), (3, 10), ((3, 20), (3, 15))),
]

OK = [
    case(spec("LSTM", 50, 256, proj_size=64), (10, 32, 50), ((1, 32, 64), (1, 32, 256))),
    case(spec("LSTM", 10, 20, proj_size=5), (5, 3, 10), ((1, 3, 5), (1, 3, 20)),
         lengths=lengths(5, 3, 2)),
    case(spec("LSTMCell", 10, 20), (3, 10), ((3, 20), (3, 20))),
    case(spec("GRU", 10, 20), (5, 10), (1, 20)),
]
