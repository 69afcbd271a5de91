from tests.rules.cases import case, lengths, spec

ERRORS = [
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=lengths(7, 3, 2)),
    case(spec("GRU", 10, 20, batch_first=True), (3, 5, 10), lengths=lengths(6, 6, 2)),
    case(spec("RNN", 10, 20), (5, 3, 10), lengths=lengths(2, 7, 3, enforce_sorted=False)),
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=lengths(6, 6, 6)),
    case(spec("GRU", 10, 20), (5, 3, 10), (1, 3, 20), lengths=lengths(9, 3, 2)),
    # one 1-D value, I=1, outside oneDNN: the LSTM reads its gate product as rows, silently
    case(spec("LSTM", 1, 2, proj_size=1), (1, 1), lengths=lengths(3)),
]

OK = [
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=lengths(5, 3, 2)),
    case(spec("GRU", 10, 20, batch_first=True), (3, 5, 10), lengths=lengths(5, 5, 5)),
    # read as 3 steps of batch 5: the count is wrong first (RNN403), the lengths are not judged
    case(spec("LSTM", 10, 20), (3, 5, 10), lengths=lengths(5, 3, 2)),
]
