import numpy as np

from rnndoctor.specs import Packed
from tests.rules.cases import T, case, lengths, spec

ERRORS = [
    case(spec("LSTM", 50, 100), np.zeros((10, 32, 50))),  # numpy array straight from a loader
    case(spec("GRU", 10, 20, batch_first=True), [1.0, 2.0], T(1, 4, 20)),  # a list
    case(spec("RNN", 10, 20), None),
    case(spec("LSTM", 20, 30), ((5, 3, 20), ((1, 3, 20), (1, 3, 20)))),  # (output, (h_n, c_n))
    case(spec("LSTMCell", 10, 20), [1.0, 2.0], ((3, 20), (3, 20))),
    case(spec("GRUCell", 10, 20, dtype="float64"), np.zeros((3, 10))),
    case(spec("RNN", 10, 20), 3),
    # padded input that is not a tensor: packing fails first
    case(spec("LSTM", 10, 20), np.zeros((5, 3, 10)), lengths=lengths(5, 3, 2)),
    case(spec("GRU", 10, 20), [1.0, 2.0], lengths=lengths(5, 3, 2, enforce_sorted=False)),
]

OK = [
    case(spec("LSTM", 50, 100), (10, 32, 50)),
    case(spec("GRU", 10, 20), Packed(T(10, 10), (3, 3, 2, 1, 1))),
    case(spec("GRUCell", 10, 20), T(10)),
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=lengths(5, 3, 2)),
]
