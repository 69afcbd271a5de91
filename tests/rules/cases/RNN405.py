from tests.rules.cases import case, lengths, spec

ERRORS = [
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=lengths(3, 5, 2)),
    case(spec("GRU", 10, 20, batch_first=True), (3, 5, 10), (1, 3, 20), lengths=lengths(2, 3, 5)),
    case(spec("RNN", 10, 20), (5, 4, 10), lengths=lengths(5, 3, 3, 4)),
]

OK = [
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=lengths(3, 5, 2, enforce_sorted=False)),
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=lengths(5, 3, 3)),
    # 3.2 and 3.5 both truncate to 3: sorted, as torch sees them (RNN407 reports the floats)
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=lengths(5, 3.2, 3.5, dtype="float32")),
]
