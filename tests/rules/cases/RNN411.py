from rnndoctor._record import replace
from rnndoctor.specs import Other, Packed, Unpad
from tests.rules.cases import T, case, spec


def unpadded(layer, input, **unpad):  # type: ignore[no-untyped-def]
    """`layer(pad_packed_sequence(input, batch_first=layer.batch_first, ...)[0])`."""
    described = case(layer, input)
    return described[0], replace(described[1], unpad=Unpad(**unpad))


ERRORS = [
    unpadded(spec("GRU", 10, 20), T(5, 3, 10)),  # padded already
    unpadded(spec("LSTM", 10, 20), Other("tuple")),  # the (output, h_n) a layer returns
    unpadded(spec("GRU", 10, 20, batch_first=True), Other("NoneType")),
    unpadded(spec("GRU", 10, 20), Other("PackedSequence"), fields=(("data", "list"),)),
    unpadded(spec("GRU", 10, 20), Other("PackedSequence"), fields=(("batch_sizes", "list"),)),
    unpadded(spec("GRU", 10, 20), Other("PackedSequence"), fields=(("batch_sizes", "ndarray"),)),
    unpadded(spec("GRU", 10, 20), Other("PackedSequence"), fields=(("unsorted_indices", "list"),)),
]

OK = [
    unpadded(spec("GRU", 10, 20), Packed(T(10, 10), (3, 3, 2, 1, 1))),
    unpadded(spec("LSTM", 10, 20, batch_first=True), Packed(T(4, 10), (2, 1, 1), sorted_indices=True)),
]
