from tests.rules.cases import case, spec

ERRORS = [
    case(spec("RNN", 10, 20, nonlinearity="sigmoid"), (5, 3, 10)),
    case(spec("RNN", 10, 20, nonlinearity="ReLU"), (5, 3, 10)),
    case(spec("RNN", 10, 20, 1, False), (5, 3, 10)),  # bias=False before torch 2.3
    case(spec("RNNCell", 10, 20, nonlinearity="sigmoid"), (3, 10)),  # raises at forward
]

OK = [
    case(spec("RNN", 10, 20, nonlinearity="relu"), (5, 3, 10)),
    case(spec("RNNCell", 10, 20, True, "relu"), (3, 10)),
]
