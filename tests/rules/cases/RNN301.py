import numpy as np

from tests.rules.cases import case, spec

ERRORS = [
    case(spec("LSTM", 10, 20, dropout=0.5), (5, 3, 10)),
    case(spec("GRU", 10, 20, num_layers=1, dropout=1), (5, 3, 10)),  # an int probability
    case(spec("RNN", 10, 20, dropout=np.float32(0.3)), (5, 3, 10)),
]

OK = [
    case(spec("LSTM", 10, 20, num_layers=2, dropout=0.5), (5, 3, 10)),
    case(spec("GRU", 10, 20, dropout=0), (5, 3, 10)),
    case(spec("RNN", 10, 20, nonlinearity="sigmoid", dropout=0.5), (5, 3, 10)),  # raises first
    case(spec("GRU", 10, 20, proj_size=0, dropout=0.5), (5, 3, 10)),  # raises first
]
