from rnndoctor.specs import Lengths
from tests.rules.cases import case, spec

ERRORS = [
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=Lengths((5, 3, 2), ndim=2)),
    # "meta" stands in for "cuda:0": the same check rejects every device but the CPU
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=Lengths((5, 3, 2), device="meta")),
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=Lengths((5, 3, 2), device="meta",
                                                          enforce_sorted=False)),
    case(spec("RNN", 10, 20), (5, 3, 10), lengths=Lengths((5, 3, 2), ndim=2,
                                                          enforce_sorted=False)),
    case(spec("RNN", 10, 20), (5, 1, 10), lengths=Lengths((5,), ndim=0)),
]

OK = [
    case(spec("LSTM", 10, 20), (5, 3, 10), lengths=Lengths((5, 3, 2))),
    case(spec("GRU", 10, 20), (5, 3, 10), lengths=Lengths((5, 3, 2), dtype="int32")),
]
