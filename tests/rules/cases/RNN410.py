from rnndoctor.specs import Lengths
from tests.rules.cases import case, spec

# Unreadable values are a 1 per sequence, which only counts them: torch is run on those ones.
ERRORS = [
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=Lengths((1, 1, 1), readable=False)),
    case(spec("GRU", 10, 20, batch_first=True), (3, 5, 10),
         lengths=Lengths((1, 1, 1), dtype="float32", enforce_sorted=False, readable=False)),
]

OK = [
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=Lengths((5, 3, 2))),
]
