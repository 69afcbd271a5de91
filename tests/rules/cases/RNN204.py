from tests.rules.cases import case, lengths, spec

ERRORS = [
    case(spec("LSTM", 50, 100), (10, 16, 50), ((1, 32, 100), (1, 32, 100))),  # article, example 2
    case(spec("GRU", 50, 100), (10, 32, 50), (1, 16, 100)),
    case(spec("GRU", 50, 100), (32, 10, 50), (1, 32, 100)),  # input is batch-first
    case(spec("LSTM", 10, 20, batch_first=True), (3, 5, 10), ((1, 3, 20), (1, 4, 20))),
    case(spec("GRUCell", 10, 20), (3, 10), (4, 20)),
    case(spec("RNNCell", 10, 20), (0, 10), (3, 20)),  # an empty batch is ranked as the mistake
    case(spec("LSTM", 10, 20), (5, 3, 10), ((1, 4, 20), (1, 4, 20)), lengths=lengths(5, 3, 2)),
    # enforce_sorted=False: torch 2.13 silently keeps the first 3 rows of each state
    case(spec("LSTM", 10, 20), (5, 3, 10), ((1, 4, 20), (1, 4, 20)),
         lengths=lengths(5, 3, 2, enforce_sorted=False)),
]

OK = [
    case(spec("LSTM", 50, 100), (10, 16, 50), ((1, 16, 100), (1, 16, 100))),
    case(spec("LSTM", 10, 20, batch_first=True), (3, 5, 10), ((1, 3, 20), (1, 3, 20))),
    case(spec("GRUCell", 10, 20), (3, 10), (3, 20)),
    case(spec("GRU", 10, 20), (5, 3, 10), (1, 3, 20), lengths=lengths(5, 3, 2)),
]
