from tests.rules.cases import T, case, spec

ERRORS = [
    case(spec("LSTM", 10, 20, dtype="int64"), T(5, 3, 10)),
    case(spec("RNNCell", 10, 20, dtype="bool"), T(3, 10)),
    case(spec("GRU", 10, 20, dtype="float8_e4m3fn"), T(5, 3, 10)),
]

OK = [
    case(spec("LSTM", 10, 20, dtype="float64"), T(5, 3, 10, dtype="float64")),
    case(spec("GRUCell", 10, 20, dtype="bfloat16"), T(3, 10, dtype="bfloat16")),
]
