from tests.rules.cases import batch, case, spec

ERRORS = [
    case(spec("LSTM", 10, 20), (32, 7, 10), batch=batch(32)),  # batch-first data, time-major layer
    case(spec("GRU", 10, 20, batch_first=True), (7, 32, 10), batch=batch(32)),  # the reverse
    case(spec("RNN", 10, 20, num_layers=2, bidirectional=True), (16, 5, 10), batch=batch(16, axis=0)),
    case(spec("LSTM", 10, 20, proj_size=5), (8, 3, 10), ((1, 3, 5), (1, 3, 20)), batch=batch(8)),
]

OK = [
    case(spec("LSTM", 10, 20, batch_first=True), (32, 7, 10), batch=batch(32)),
    case(spec("LSTM", 10, 20), (7, 32, 10), batch=batch(32)),
    case(spec("LSTM", 10, 20), (32, 32, 10), batch=batch(32)),  # both axes 32: no evidence
    case(spec("GRU", 10, 20), (12, 7, 10), batch=batch(32)),  # a smaller last batch: neither axis
    case(spec("LSTM", 10, 20), (32, 7, 10), batch=batch(32, axis=1)),  # the source says dim 1
    case(spec("GRU", 10, 20), (7, 10), batch=batch(7)),  # unbatched
    case(spec("GRUCell", 10, 20), (32, 10), batch=batch(32)),  # cells have no time axis
    case(spec("LSTM", 10, 20), (32, 7, 10)),  # no evidence at all
]
