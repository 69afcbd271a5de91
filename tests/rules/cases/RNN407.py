from tests.rules.cases import case, lengths, spec

ERRORS = [
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=lengths(5.0, 3.0, 2.7, dtype="float32")),
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=lengths(5.5, 3.5, 2, dtype="float64")),
    # whole numbers: a warning
    case(spec("RNN", 10, 20), (5, 3, 10), lengths=lengths(5.0, 3.0, 2.0, dtype="float32")),
]

OK = [
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=lengths(5, 3, 2)),
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=lengths(5, 3, 2, dtype="int32")),
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=lengths(5, 3, 0.5, dtype="float32")),  # RNN404
]
