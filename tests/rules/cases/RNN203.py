from tests.rules.cases import case, lengths, spec

ERRORS = [
    case(spec("LSTM", 50, 100, num_layers=2, bidirectional=True), (10, 32, 50),
         ((2, 32, 100), (2, 32, 100))),
    case(spec("GRU", 10, 20, num_layers=3), (5, 3, 10), (1, 3, 20)),
    case(spec("RNN", 10, 20, bidirectional=True), (5, 10), (1, 20)),  # unbatched
    case(spec("LSTM", 10, 20), (5, 3, 10), ((1, 3, 20), (2, 3, 20))),
    # packed nn.LSTM: torch 2.13 crashes with a segmentation fault
    case(spec("LSTM", 10, 20), (5, 3, 10), ((2, 3, 20), (1, 3, 20)), lengths=lengths(5, 3, 2)),
    # packed nn.LSTM: the extra layers of c_0 are silently ignored
    case(spec("LSTM", 10, 20), (5, 3, 10), ((1, 3, 20), (2, 3, 20)), lengths=lengths(5, 3, 2)),
    # packed nn.LSTM through oneDNN (every length full): an IndexError, or silence
    case(spec("LSTM", 10, 20, num_layers=2), (5, 3, 10), ((1, 3, 20), (1, 3, 20)),
         lengths=lengths(5, 5, 5)),
    case(spec("LSTM", 10, 20, num_layers=2), (5, 3, 10), ((3, 3, 20), (3, 3, 20)),
         lengths=lengths(5, 5, 5)),
]

OK = [
    case(spec("LSTM", 50, 100, num_layers=2, bidirectional=True), (10, 32, 50),
         ((4, 32, 100), (4, 32, 100))),
    case(spec("GRU", 10, 20, num_layers=3), (5, 3, 10), (3, 3, 20)),
    case(spec("LSTM", 10, 20), (5, 3, 10), ((1, 3, 20), (1, 3, 20)), lengths=lengths(5, 3, 2)),
]
