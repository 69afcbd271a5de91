import numpy as np

from tests.rules.cases import case, spec

ERRORS = [
    case(spec("LSTM", 10, 20, num_layers=2, dropout=1.5), (5, 3, 10)),
    case(spec("GRU", 10, 20, num_layers=2, dropout=50), (5, 3, 10)),  # a percentage
    case(spec("RNN", 10, 20, num_layers=2, dropout="0.1"), (5, 3, 10)),
    case(spec("LSTM", 10, 20, num_layers=2, dropout="abc"), (5, 3, 10)),
    case(spec("GRU", 10, 20, num_layers=2, dropout=None), (5, 3, 10)),
    case(spec("LSTM", 10, 20, num_layers=2, dropout=True), (5, 3, 10)),
    case(spec("RNN", 10, 20, num_layers=2, dropout=-0.1), (5, 3, 10)),
    case(spec("LSTM", 10, 20, dropout=np.False_), (5, 3, 10)),
]

OK = [
    case(spec("LSTM", 10, 20, num_layers=2, dropout=np.float32(0.3)), (5, 3, 10)),
    case(spec("GRU", 10, 20, num_layers=2, dropout=1.0), (5, 3, 10)),
]
