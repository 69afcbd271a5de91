from rnndoctor.specs import Other, Packed
from tests.rules.cases import T, spec
from tests.rules.cases.RNN411 import unpadded

PACKED = Packed(T(10, 10), (3, 3, 2, 1, 1))  # 3 sequences, the longest of 5 steps

ERRORS = [
    unpadded(spec("GRU", 10, 20), PACKED, total_length=3),
    unpadded(spec("LSTM", 10, 20, batch_first=True), PACKED, total_length=-1),
    unpadded(spec("GRU", 10, 20), PACKED, total_length=6.0),
    unpadded(spec("GRU", 10, 20), PACKED, total_length=2.5),
    unpadded(spec("GRU", 10, 20), PACKED, total_length=Other("str")),
    unpadded(spec("GRU", 10, 20), PACKED, total_length=True),
]

OK = [
    unpadded(spec("GRU", 10, 20), PACKED, total_length=5),
    unpadded(spec("LSTM", 10, 20, batch_first=True), PACKED, total_length=8),
    unpadded(spec("GRU", 10, 20), PACKED),
]
