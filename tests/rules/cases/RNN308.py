from tests.rules.cases import T, case, spec

ERRORS = [
    case(spec("RNN", 10, 20, proj_size=5), (5, 3, 10)),
    case(spec("GRU", 10, 20, proj_size=0), (5, 3, 10)),  # any keyword proj_size
    case(spec("LSTM", 10, 20, proj_size=-1), (5, 3, 10)),
    case(spec("LSTM", 10, 20, proj_size=20), (5, 3, 10)),
    case(spec("LSTM", 10, 5, proj_size=20), (5, 3, 10)),  # hidden_size and proj_size swapped
    # positionally, proj_size reaches nn.RNN and nn.GRU, and every forward call fails
    case(spec("RNN", 10, 20, 1, "tanh", True, False, 0.0, False, 5), (5, 3, 10)),
    case(spec("GRU", 10, 20, 1, True, False, 0.0, False, 5), (5, 3, 10), T(1, 3, 5)),
]

OK = [
    case(spec("LSTM", 10, 20, proj_size=5), (5, 3, 10)),
    case(spec("RNN", 10, 20, 1, "tanh", True, False, 0.0, False, 0), (5, 3, 10)),
]
