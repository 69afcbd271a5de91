import numpy as np

from tests.rules.cases import case, spec

ERRORS = [
    case(spec("LSTM", 10, True), (5, 3, 10)),  # a one-unit layer
    case(spec("GRU", True, 20), (5, 3, 1)),
    case(spec("LSTM", 10, 20, True), (5, 3, 10)),  # `True` meant for `bias` lands in `num_layers`
    case(spec("LSTMCell", False, 20), (3, 0)),
    case(spec("RNN", 10, True), (5, 3, 10)),
    case(spec("LSTM", 10, False), (5, 3, 10)),
    case(spec("LSTM", 10, 20, proj_size=True), (5, 3, 10)),
    case(spec("GRU", np.True_, 20), (5, 3, 1)),
    case(spec("GRU", 10, 20, num_layers=np.True_), (5, 3, 10)),
    case(spec("RNNCell", 10, np.True_), (3, 10)),
]

OK = [
    case(spec("LSTM", 10, 20, proj_size=False), (5, 3, 10)),  # no projection, as 0
    case(spec("LSTM", 10, 20, 1, True), (5, 3, 10)),
]
