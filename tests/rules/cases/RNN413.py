from rnndoctor._record import replace
from rnndoctor.specs import Other
from tests.rules.cases import T, padded, spec


def sided(side, *sequences, layer=None):  # type: ignore[no-untyped-def]
    """`layer(pad_sequence(sequences, batch_first=layer.batch_first, padding_side=side))`."""
    described = padded(layer or spec("GRU", 4, 8), *sequences)
    return described[0], replace(described[1], padding_side=side)


ERRORS = [
    sided("Left", T(5, 4), T(3, 4)),
    sided("up", T(5, 4), T(3, 4), layer=spec("LSTM", 4, 8, batch_first=True)),
    sided(" right", T(5, 4)),
    sided(Other("NoneType"), T(5, 4), T(3, 4)),
]

OK = [
    sided("left", T(5, 4), T(3, 4)),
    sided("right", T(5, 4), T(3, 4), layer=spec("LSTM", 4, 8, batch_first=True)),
]
