import numpy as np

from tests.rules.cases import case, spec

ERRORS = [
    case(spec("LSTM", 10, 20, bidirectional="no"), (5, 3, 10)),  # bidirectional, despite the word
    case(spec("GRU", 10, 20, bidirectional=1), (5, 3, 10)),
    case(spec("RNN", 10, 20, bidirectional=None), (5, 3, 10)),
    case(spec("RNNCell", 10, 20, bias=0), (3, 10)),
    case(spec("LSTMCell", 10, 20, bias="yes"), (3, 10)),
    case(spec("GRUCell", 10, 20, bias=np.False_), (3, 10)),
]

OK = [
    case(spec("LSTM", 10, 20, bidirectional=True), (5, 3, 10)),
    case(spec("GRUCell", 10, 20, bias=False), (3, 10)),
]
