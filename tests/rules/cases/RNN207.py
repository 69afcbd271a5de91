"""Cases on "cuda" need a GPU for the torch check (tests/support.py `needs_cuda`);
the "meta" cases stand in for a second device that torch can run here."""

from rnndoctor.specs import Packed
from tests.rules.cases import T, case, lengths, spec

ERRORS = [
    # runnable here: the meta device as the other device
    case(spec("LSTM", 10, 20, device="meta"), T(5, 3, 10)),
    case(spec("GRU", 10, 20), T(5, 3, 10, device="meta"), T(1, 3, 20, device="meta")),
    case(spec("GRUCell", 10, 20), T(3, 10), T(3, 20, device="meta")),  # cells: a kernel error
    case(spec("GRU", 10, 20), T(5, 3, 10, device="meta"), lengths=lengths(5, 3, 2)),
    # need CUDA
    case(spec("LSTM", 10, 20, device="cuda"), T(5, 3, 10)),  # model moved, batch not
    case(spec("LSTM", 10, 20, device="cuda"), T(5, 3, 10, device="cuda:0"),
         (T(1, 3, 20), T(1, 3, 20))),  # states built with torch.zeros(...) on the CPU
    case(spec("GRU", 10, 20), T(5, 3, 10, device="cuda:0"), T(1, 3, 20, device="cuda:0")),
    case(spec("LSTMCell", 10, 20, device="cuda:0"), T(3, 10, device="cuda:0"),
         (T(3, 20), T(3, 20))),
    case(spec("RNN", 10, 20, device="cuda:1"), T(5, 3, 10, device="cuda:0"),
         T(1, 3, 20, device="cuda:0")),
    case(spec("GRU", 10, 20), Packed(T(10, 10, device="cuda:0"), (3, 3, 2, 1, 1))),
    case(spec("LSTM", 10, 20, device="cuda:0"), T(5, 3, 10), lengths=lengths(5, 3, 2)),
]

OK = [
    case(spec("LSTM", 10, 20), T(5, 3, 10)),
    case(spec("GRU", 10, 20, device="meta"), T(5, 3, 10, device="meta")),
    case(spec("LSTM", 10, 20, device="cuda"), T(5, 3, 10, device="cuda:0"),
         (T(1, 3, 20, device="cuda:0"), T(1, 3, 20, device="cuda:0"))),
]
