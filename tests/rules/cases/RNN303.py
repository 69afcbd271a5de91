import numpy as np

from tests.rules.cases import case, spec

ERRORS = [
    case(spec("LSTM", 0, 20), (5, 3, 10)),
    case(spec("GRU", 10, -5), (5, 3, 10)),
    case(spec("RNN", 10, 20, num_layers=0), (5, 3, 10)),
    case(spec("LSTM", 10, 20, num_layers=-1.5), (5, 3, 10)),  # torch tests the sign first
    case(spec("RNNCell", 10, -1), (3, 10)),
    case(spec("LSTMCell", np.int64(-3), 20), (3, 10)),
]

OK = [
    case(spec("GRUCell", 10, 0), (3, 10)),  # cells accept a size of 0
    case(spec("LSTM", 10, 20, num_layers=3), (5, 3, 10)),
]
