import numpy as np

from tests.rules.cases import T, case, spec

ERRORS = [
    case(spec("LSTM", 10, 20.0), (5, 3, 10)),
    case(spec("GRU", np.int64(10), 20), (5, 3, 10)),  # a size taken from an array's shape
    case(spec("RNN", 10, "20"), (5, 3, 10)),
    case(spec("LSTM", 10, None), (5, 3, 10)),
    case(spec("RNN", 10, 20, num_layers=2.0), (5, 3, 10)),
    case(spec("LSTM", 10, 20, num_layers="2"), (5, 3, 10)),
    case(spec("LSTM", 10, 20, proj_size=5.0), (5, 3, 10)),
    case(spec("LSTM", 10, 20, proj_size=None), (5, 3, 10)),
    case(spec("GRUCell", 10, 20.0), (3, 10)),
    case(spec("LSTMCell", np.float32(10), 20), (3, 10)),
]

OK = [
    case(spec("GRUCell", np.int64(10), np.int64(20)), T(3, 10)),  # the cells take numpy ints
    case(spec("LSTM", 10, 20, num_layers=np.int64(2)), (5, 3, 10)),
    case(spec("LSTM", 10, 20, proj_size=0.0), (5, 3, 10)),  # 0.0 means no projection
    case(spec("LSTM", 10, 20, proj_size=np.int64(5)), (5, 3, 10)),
]
