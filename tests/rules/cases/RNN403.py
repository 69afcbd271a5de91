from tests.rules.cases import case, lengths, spec

ERRORS = [
    case(spec("LSTM", 10, 20), (3, 5, 10), lengths=lengths(5, 3, 2)),  # input is batch-first
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=lengths(5, 3)),
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=lengths(5, 3, 2, 1, enforce_sorted=False)),
    # enforce_sorted=False, fewer lengths: torch 2.13 silently drops the third sequence
    case(spec("RNN", 10, 20), (5, 3, 10), lengths=lengths(5, 3, enforce_sorted=False)),
    case(spec("LSTM", 10, 20, batch_first=True), (3, 5, 10),
         lengths=lengths(3, 5, enforce_sorted=False)),
]

OK = [
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=lengths(5, 3, 2)),
    case(spec("LSTM", 10, 20, batch_first=True), (3, 5, 10), lengths=lengths(5, 3, 2)),
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=lengths(2, 5, 3, enforce_sorted=False)),
]
