from tests.rules.cases import T, case, lengths, spec

ERRORS = [
    case(spec("GRU", 50, 100), (10, 32, 50), (32, 100)),  # the doc's example
    case(spec("LSTM", 10, 20), (5, 3, 10), ((3, 20), (1, 3, 20))),
    case(spec("LSTM", 10, 20, batch_first=True), (3, 5, 10), ((3, 20), (3, 20))),
    case(spec("RNN", 10, 20), (5, 10), (1, 1, 20)),  # unbatched input, batched state
    case(spec("GRU", 10, 20), (3, 10), (1, 3, 20)),  # input lost its time axis
    case(spec("LSTMCell", 10, 20), T(10), ((3, 20), (3, 20))),  # input lost its batch axis
    case(spec("LSTM", 10, 20, num_layers=2), (5, 3, 10), ((2, 20), (2, 20))),  # no batch axis
    case(spec("GRU", 10, 20), (5, 1, 10), (1, 20)),  # a batch of one, unbatched state
    # packed: no rank check in torch
    case(spec("GRU", 10, 20), (5, 3, 10), (3, 20), lengths=lengths(5, 3, 2)),
    case(spec("GRU", 10, 20), (5, 3, 10), T(20), lengths=lengths(5, 3, 2, enforce_sorted=False)),
    case(spec("LSTM", 10, 20), (5, 3, 10), ((3, 20), (3, 20)), lengths=lengths(5, 3, 2)),
    # packed nn.LSTM with 4-D states: a segmentation fault, or silence through oneDNN
    case(spec("LSTM", 10, 20), (5, 3, 10), ((1, 1, 3, 20), (1, 1, 3, 20)),
         lengths=lengths(5, 3, 2)),
    case(spec("LSTM", 10, 20), (5, 3, 10), ((1, 1, 3, 20), (1, 1, 3, 20)),
         lengths=lengths(5, 5, 5)),
    # a trailing axis on c_0: a broadcast error, or a segmentation fault where it broadcasts
    case(spec("LSTM", 10, 20), (5, 3, 10), ((1, 3, 20), (1, 3, 20, 1)), lengths=lengths(5, 3, 2)),
    case(spec("LSTM", 10, 3), (5, 3, 10), ((1, 3, 3), (1, 3, 3, 1)), lengths=lengths(5, 3, 2)),
    # cells
    case(spec("RNNCell", 10, 20), (3, 10), (1, 3, 20)),  # ValueError
    case(spec("RNNCell", 10, 20), T(10), (1, 20)),  # hidden0 has inconsistent hidden_size: got 1
    case(spec("RNNCell", 10, 20), T(10), (20, 20)),  # silently broadcasts
    case(spec("GRUCell", 10, 20), T(10), (20, 20)),  # broadcast error
    case(spec("GRUCell", 6, 1), T(6), (1, 1)),  # segmentation fault
    case(spec("LSTMCell", 6, 5), T(6), ((5, 5), (5, 5))),  # segmentation fault
    case(spec("LSTMCell", 6, 7), T(6), ((7, 7), T(7))),  # broadcast error
    case(spec("GRUCell", 10, 20), (3, 10), T(20)),  # batch mismatch
    case(spec("GRUCell", 10, 20), (3, 10), T(3)),  # IndexError
    case(spec("LSTMCell", 10, 20), (3, 10), ((3, 20), (1, 3, 20))),
    case(spec("LSTMCell", 10, 20), T(10), (T(20), (20, 20))),  # silently broadcasts
    case(spec("LSTMCell", 3, 2), T(3), (T(2), (2, 1))),  # silently broadcasts too
    case(spec("LSTMCell", 3, 1), T(3), (T(1), (1, 4))),  # silently broadcasts too
    # with proj_size, equal dims 2 tell ATen there are no projections: a parameter count error
    case(spec("LSTM", 5, 3, proj_size=1, batch_first=True), (3, 2, 5), ((1, 1, 3, 1), (1, 3, 3)),
         lengths=lengths(2, 2, 1)),
    # dims 2 that differ are what a proj_size LSTM expects: c_0 broadcasts, and the call runs
    case(spec("LSTM", 4, 2, proj_size=1, batch_first=True), (4, 1, 4), ((1, 4, 1), (1, 1, 4, 2)),
         lengths=lengths(1, 1, 1, 1)),
]

OK = [
    case(spec("GRU", 10, 20), (5, 3, 10), (1, 3, 20)),
    case(spec("LSTM", 10, 20), (5, 10), ((1, 20), (1, 20))),
    case(spec("RNNCell", 10, 20), T(10), T(20)),
    case(spec("LSTMCell", 10, 20), (3, 10), ((3, 20), (3, 20))),
    case(spec("LSTM", 10, 20), (5, 3, 10), ((1, 3, 20), (1, 3, 20)), lengths=lengths(5, 3, 2)),
]
