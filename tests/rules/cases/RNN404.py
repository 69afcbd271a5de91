from tests.rules.cases import case, lengths, spec

ERRORS = [
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=lengths(5, 3, 0)),
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=lengths(5, 0, 2)),  # reported as unsorted
    case(spec("RNN", 10, 20), (5, 3, 10), lengths=lengths(2, -1, 5, enforce_sorted=False)),
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=lengths(5, 3, 0.5, dtype="float32")),
    case(spec("GRU", 10, 20, batch_first=True), (3, 5, 10), lengths=lengths(5, 0, 0)),
]

OK = [
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=lengths(5, 3, 1)),
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=lengths(1, 5, 3, enforce_sorted=False)),
]
