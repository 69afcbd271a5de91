from rnndoctor.specs import Packed
from tests.rules.cases import T, case, spec

ERRORS = [
    case(spec("GRU", 10, 20), Packed(T(12, 10), (3, 3, 2, 1, 1))),  # silently reads 10 rows
    case(spec("RNN", 10, 20), Packed(T(8, 10), (3, 3, 2, 1, 1))),
    case(spec("LSTM", 10, 20), Packed(T(10, 10), (1, 1, 2, 3, 3))),
    case(spec("GRU", 10, 20), Packed(T(0, 10), ())),
    case(spec("RNN", 10, 20), Packed(T(10, 10), (3, 3, -1, 5))),
    case(spec("LSTM", 10, 20), Packed(T(12, 10), (3, 3, 2, 1, 1), sorted_indices=True)),
    case(spec("LSTM", 1, 3, proj_size=1), Packed(T(1), (1, 1, 1))),  # silent, see the doc
    case(spec("LSTM", 1, 2, dtype="float64"), Packed(T(1, dtype="float64"), (1,) * 9)),  # 9 > 4H
]

OK = [
    case(spec("GRU", 10, 20), Packed(T(10, 10), (3, 3, 2, 1, 1))),
    case(spec("LSTM", 10, 20), Packed(T(10, 10), (3, 3, 2, 1, 1), sorted_indices=True)),
    case(spec("RNN", 10, 20), Packed(T(8, 10), (3, 3, 2, 0, 0))),  # trailing empty steps
]
