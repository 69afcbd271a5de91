from rnndoctor.specs import Other
from tests.rules.cases import T, padded, spec

# An empty list, and sequences of 2 or more trailing axes, give a layer an input of a rank it
# rejects too: tests/torch/test_packing.py judges those at the pad_sequence call alone.
ERRORS = [
    padded(spec("GRU", 4, 8), T(5, 4), T(3, 5)),  # torch raises a broadcast error
    padded(spec("LSTM", 4, 8, batch_first=True), T(5, 4), T(3, 1)),  # broadcast, silently
    padded(spec("RNN", 4, 8), T(5, 4), T(3, 4), T(2, 4, 1)),  # one axis too many
    # cast to the first one's float32: the imaginary parts are dropped (a warning, no error)
    padded(spec("LSTM", 4, 8), T(5, 4), T(3, 4, dtype="complex64"), pack=True),
    # not tensors: pad_sequence's parser raises a TypeError, pack_sequence's `.size(0)` another error
    padded(spec("GRU", 4, 8), T(5, 4), Other("list")),
    padded(spec("GRU", 4, 8), T(5, 4), Other("ndarray"), pack=True),
    padded(spec("GRU", 4, 8), T(5, 4), Other("NoneType"), pack=True),
    # a meta sequence after one with data: no values to copy
    padded(spec("GRU", 4, 8), T(5, 4), T(3, 4, device="meta")),
    padded(spec("GRU", 4, 8), T(5, 4), T(3, 4, device="meta"), pack=True),
]

OK = [
    padded(spec("GRU", 4, 8), T(5, 4), T(3, 4), T(1, 4)),
    padded(spec("LSTM", 4, 8, batch_first=True), T(2, 4), T(6, 4)),
    padded(spec("GRU", 4, 8), T(5, 4), T(3, 4), pack=True),
    # an int64 sequence after a float one is cast up: no value is lost
    padded(spec("GRU", 4, 8), T(5, 4), T(3, 4, dtype="int64")),
    # the padded batch is on meta too: nothing is copied
    padded(spec("GRU", 4, 8, device="meta"), T(5, 4, device="meta"), T(3, 4)),
]
