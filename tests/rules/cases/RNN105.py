from tests.rules.cases import case, spec

ERRORS = [
    case(spec("GRU", 10, 20), (0, 4, 10)),
    case(spec("LSTM", 10, 20, batch_first=True), (4, 0, 10), ((1, 4, 20), (1, 4, 20))),
    case(spec("RNN", 10, 20), (0, 10)),  # unbatched
    case(spec("LSTM", 10, 20, num_layers=2, bidirectional=True), (0, 0, 10)),  # and N = 0
    case(spec("GRU", 10, 20, batch_first=True), (0, 0, 10)),
]

OK = [
    case(spec("GRU", 10, 20), (5, 0, 10)),  # an empty batch is valid
    case(spec("LSTM", 10, 20, batch_first=True), (0, 5, 10)),
    case(spec("RNN", 10, 20), (5, 10)),
    case(spec("GRUCell", 10, 20), (0, 10)),
]
