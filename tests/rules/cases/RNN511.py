from tests.rules.cases import batch, case, spec

ERRORS = [
    case(spec("LSTM", 10, 20, batch_first=True), (32, 10), batch=batch(32)),
    case(spec("GRU", 10, 20), (16, 10), batch=batch(16, axis=0)),
    case(spec("RNN", 10, 20, num_layers=2, bidirectional=True), (8, 10), batch=batch(8)),
]

OK = [
    case(spec("LSTM", 10, 20, batch_first=True), (32, 1, 10), batch=batch(32)),  # one step each
    case(spec("LSTM", 10, 20), (1, 32, 10), batch=batch(32)),
    case(spec("GRU", 10, 20), (12, 10), batch=batch(32)),  # a sequence of 12 steps: not the batch
    case(spec("GRU", 10, 10), (10, 10), batch=batch(10)),  # dim 1 has the batch size too
    case(spec("GRU", 10, 20), (16, 10), batch=batch(16, axis=1)),  # the source says dim 1
    case(spec("GRU", 10, 20), (1, 10), batch=batch(1)),  # a batch of one
    case(spec("GRUCell", 10, 20), (32, 10), batch=batch(32)),  # cells take (N, H_in)
    case(spec("LSTM", 10, 20), (32, 10)),  # no evidence at all
]
