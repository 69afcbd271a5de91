from tests.rules.cases._uses import h_n, index, output, unpack

FLAGGED = [
    unpack(h_n("GRU(3, 5, num_layers=2)", (2, 4, 5)), 2),  # output, (h, c) = gru(x)
    unpack(h_n("GRU(3, 5, bidirectional=True)", (2, 4, 5)), 2),
    unpack(h_n("RNN(3, 5, num_layers=2, batch_first=True)", (2, 4, 5)), 2),
    unpack(h_n("GRU(3, 5, num_layers=2)", (2, 5)), 2),  # unbatched
]

OK = [
    index(h_n("GRU(3, 5, num_layers=2)", (2, 4, 5)), -1),
    unpack(output("GRU(3, 5)", (2, 4, 5)), 2),  # two steps of an output, named
]
