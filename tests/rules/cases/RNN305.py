import numpy as np

from tests.rules.cases import case, spec

ERRORS = [
    case(spec("LSTM", 10, 20, batch_first=1), (5, 3, 10)),
    case(spec("GRU", 10, 20, bias="False"), (5, 3, 10)),  # was True before torch 2.11
    case(spec("RNN", 10, 20, bias=np.True_), (5, 3, 10)),
    case(spec("LSTM", 10, 20, batch_first=None), (5, 3, 10)),
    case(spec("GRU", 10, 20, bias="off"), (5, 3, 10)),
]

OK = [
    case(spec("LSTM", 10, 20, bias=False, batch_first=True), (3, 5, 10)),
    case(spec("LSTMCell", 10, 20, bias=1), (3, 10)),  # a cell's bias is RNN306's
]
