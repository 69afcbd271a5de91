from rnndoctor._record import replace
from rnndoctor.specs import Call, Given, Packed, Unpad
from tests.rules.cases import T, lengths, padded, spec


def given(function, *types, layer=None, iterator=False):  # type: ignore[no-untyped-def]
    """`layer(function(...))` with the arguments of `types` given as values of those types."""
    layer = layer or spec("GRU", 4, 8)
    made = Given(function, tuple(types), iterator)
    if function == "pack_padded_sequence":
        return layer, Call(T(5, 2, 4), lengths=lengths(5, 3), given=made)
    if function == "pad_packed_sequence":
        return layer, Call(Packed(T(8, 4), (2, 2, 2, 1, 1)), unpad=Unpad(), given=made)
    if any(argument == "sequences" for argument, _ in types) and not iterator:
        return layer, Call(T(5, 2, 4), given=made)  # the padded input torch never makes
    described = padded(layer, T(5, 4), T(3, 4), pack=function == "pack_sequence")
    return described[0], replace(described[1], given=made)


ERRORS = [
    given("pad_sequence", ("batch_first", "str"), ("padding_value", "float")),
    given("pad_sequence", ("batch_first", "bool"), ("padding_value", "NoneType"),
          layer=spec("LSTM", 4, 8, batch_first=True)),
    given("pad_sequence", ("sequences", "NoneType"), ("batch_first", "bool"), ("padding_value", "float")),
    given("pack_sequence", ("sequences", "int")),
    given("pack_sequence", ("sequences", "generator"), iterator=True),
    given("pack_padded_sequence", ("lengths", "NoneType"), ("batch_first", "bool")),
    given("pack_padded_sequence", ("batch_first", "int")),
    given("pad_packed_sequence", ("batch_first", "NoneType"), ("padding_value", "float")),
    given("pad_packed_sequence", ("batch_first", "bool"), ("padding_value", "1-D Tensor")),
]

OK = [
    given("pad_sequence", ("batch_first", "bool"), ("padding_value", "numpy.float32")),
    given("pad_sequence", ("batch_first", "bool"), ("padding_value", "0-D Tensor")),
    given("pack_padded_sequence", ("batch_first", "bool")),
    given("pad_packed_sequence", ("batch_first", "bool"), ("padding_value", "int")),
]
