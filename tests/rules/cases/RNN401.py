from rnndoctor.specs import Lengths
from tests.rules.cases import case, lengths, spec

ERRORS = [
    case(spec("LSTM", 10, 20), (5, 0, 10), lengths=Lengths(())),  # an empty batch
    case(spec("GRU", 10, 20), (0, 3, 10), lengths=lengths(5, 3, 2)),  # no time steps
    case(spec("GRU", 10, 20, batch_first=True), (3, 0, 10), lengths=lengths(5, 3, 2)),
    # a single sequence, not a padded batch: IndexError, before or after the sort
    case(spec("RNN", 5, 20), (5,), lengths=lengths(5)),
    case(spec("RNN", 5, 20), (5,), lengths=lengths(5, enforce_sorted=False)),
]

OK = [
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=lengths(5, 3, 2)),
    case(spec("GRU", 10, 20, batch_first=True), (3, 5, 10), lengths=lengths(5, 3, 2)),
    case(spec("GRU", 10, 20), (5, 0, 10)),  # a dense empty batch is fine
]
