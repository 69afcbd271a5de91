from rnndoctor.specs import Other
from tests.rules.cases import T, case, lengths, spec

h, c = (1, 3, 20), (1, 3, 20)
ERRORS = [
    case(spec("LSTM", 50, 100), (10, 32, 50), (1, 32, 100)),  # the doc's example: IndexError
    case(spec("LSTM", 10, 20), (5, 3, 10), (2, 3, 20)),  # slices read as 2-D hx and cx
    case(spec("LSTM", 10, 20), (5, 3, 10), (2, 1, 3, 20)),  # stacked: TypeError from _VF.lstm
    case(spec("LSTM", 10, 20), (5, 3, 10), (2, 1, 4, 20)),  # stacked, slices of the wrong batch
    case(spec("LSTM", 10, 20), (5, 10), (2, 1, 20)),  # stacked, unbatched: torch runs (warning)
    case(spec("LSTM", 10, 20, proj_size=5), (5, 3, 10), (1, 3, 5)),
    case(spec("LSTM", 10, 20), (5, 3, 10), (h,)),
    case(spec("LSTM", 10, 20), (5, 3, 10), ()),
    case(spec("LSTM", 10, 20), (5, 3, 10), (h, c, c)),
    case(spec("LSTM", 10, 20), (5, 10), ((1, 20), (1, 20), (1, 20))),  # unbatched: dropped
    case(spec("LSTM", 10, 20), (5, 3, 10), (h, None)),
    case(spec("LSTM", 10, 20), (5, 3, 10), (None, c)),
    case(spec("LSTM", 10, 20), (5, 3, 10), Other("ndarray")),
    case(spec("LSTM", 10, 20), (5, 3, 10), Other("int")),
    case(spec("GRU", 10, 20), (5, 3, 10), (h, c)),  # an LSTM's pair handed to a GRU
    case(spec("RNN", 10, 20), (5, 10), [(1, 20)]),
    case(spec("GRU", 10, 20), (5, 3, 10), Other("ndarray")),
    # packed: RNN and GRU call hx.size(), or hx.index_select() with sorted_indices
    case(spec("GRU", 10, 20), (5, 3, 10), (h, c), lengths=lengths(5, 3, 2)),
    case(spec("GRU", 10, 20), (5, 3, 10), Other("ndarray"), lengths=lengths(5, 3, 2)),
    case(spec("RNN", 10, 20), (5, 3, 10), (h,), lengths=lengths(5, 3, 2, enforce_sorted=False)),
    # packed nn.LSTM: ATen's argument parser, or the permutation with sorted_indices
    case(spec("LSTM", 10, 20), (5, 3, 10), h, lengths=lengths(5, 3, 2)),
    case(spec("LSTM", 10, 20), (5, 3, 10), (h,), lengths=lengths(5, 3, 2)),
    case(spec("LSTM", 10, 20), (5, 3, 10), (h, None), lengths=lengths(5, 3, 2)),
    case(spec("LSTM", 10, 20), (5, 3, 10), h, lengths=lengths(5, 3, 2, enforce_sorted=False)),
    case(spec("LSTM", 10, 20), (5, 3, 10), (2, 1, 3, 20),
         lengths=lengths(5, 3, 2, enforce_sorted=False)),  # runs (warning)
    case(spec("LSTM", 10, 20), (5, 3, 10), (h, c, c),
         lengths=lengths(5, 3, 2, enforce_sorted=False)),  # runs (warning)
    # cells
    case(spec("LSTMCell", 10, 20), (3, 10), (3, 20)),
    case(spec("LSTMCell", 10, 20), (3, 10), ((3, 20),)),
    case(spec("LSTMCell", 10, 20), (3, 10), ((3, 20), (3, 20), (3, 20))),
    case(spec("LSTMCell", 10, 20), T(10), ((20,),)),
    case(spec("LSTMCell", 10, 20), T(10), (2, 20)),  # stacked, unbatched: torch runs (warning)
    case(spec("LSTMCell", 10, 20), T(10), T(20)),  # rows are 0-D: ValueError
    case(spec("LSTMCell", 10, 20), (3, 10), ((3, 20), None)),
    case(spec("LSTMCell", 10, 20), (3, 10), Other("int")),
    case(spec("GRUCell", 10, 20), (3, 10), ((3, 20),)),
    case(spec("RNNCell", 10, 20), T(10), Other("ndarray")),
]

OK = [
    case(spec("LSTM", 10, 20), (5, 3, 10), [h, c]),
    case(spec("LSTM", 10, 20), (5, 3, 10), (h, c)),
    case(spec("LSTM", 10, 20), (5, 3, 10)),
    case(spec("GRU", 10, 20), (5, 3, 10), h),
    case(spec("LSTM", 10, 20), (5, 3, 10), (h, c), lengths=lengths(5, 3, 2)),
    case(spec("LSTMCell", 10, 20), T(10), (T(20), T(20))),
    case(spec("GRUCell", 10, 20), (3, 10), (3, 20)),
]
