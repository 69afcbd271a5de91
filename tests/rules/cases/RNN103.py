from tests.rules.cases import T, case, lengths, spec

ERRORS = [
    case(spec("LSTM", 50, 100), (10, 32, 25)),  # the article's example 1
    case(spec("GRU", 10, 20, batch_first=True), (3, 5, 12)),
    case(spec("RNN", 10, 20), (5, 7)),  # unbatched
    # (batch, seq) scalar series lacking its feature axis: unsqueeze(-1) ranks first
    case(spec("LSTM", 1, 8, batch_first=True), (12, 10)),
    case(spec("GRUCell", 10, 20), (3, 7)),
    case(spec("LSTMCell", 10, 20), (7,)),
    case(spec("LSTM", 10, 20), (5, 3, 7), lengths=lengths(5, 3, 2)),  # packed: torch runs no check
    case(spec("GRU", 10, 20), (5, 3, 7), lengths=lengths(5, 3, 2)),
]

OK = [
    case(spec("LSTM", 50, 100), (10, 32, 50)),
    case(spec("GRUCell", 10, 20), T(10)),
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=lengths(5, 3, 2)),
]
