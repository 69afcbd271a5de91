from tests.rules.cases._uses import c_n, h_n, index, output, reshape, view

BI = "LSTM(3, 5, bidirectional=True)"

FLAGGED = [
    view(h_n(BI, (2, 4, 5)), 4, -1),
    reshape(h_n(BI, (2, 4, 5)), 4, -1),
    view(h_n(BI, (2, 4, 5)), 4, 2, 5),
    view(h_n(BI, (2, 4, 5)), 4, 10),
    view(c_n(BI, (2, 4, 5)), 4, -1),
    view(h_n("GRU(3, 5, num_layers=2)", (2, 4, 5)), 4, -1),
    view(h_n("RNN(3, 5, num_layers=3, batch_first=True)", (3, 4, 5)), 4, -1),
    view(h_n("LSTM(3, 8, proj_size=5, bidirectional=True)", (2, 4, 5)), 4, -1),
    view(c_n("LSTM(3, 8, proj_size=5, bidirectional=True)", (2, 4, 8)), 4, -1),
]

OK = [
    view(h_n("LSTM(3, 5)", (1, 4, 5)), 4, -1),  # one layer, one direction: nothing to mix
    view(h_n(BI, (2, 2, 5)), 2, -1),  # N == D*num_layers: the sizes do not tell
    view(h_n(BI, (2, 1, 5)), 1, -1),  # a batch of one
    view(h_n("GRU(3, 5, num_layers=2, bidirectional=True)", (4, 3, 5)), 2, 2, 3, 5),  # torch docs
    view(h_n("GRU(3, 5, num_layers=2, bidirectional=True)", (4, 2, 5)), 2, 2, 2, 5),  # ... N == 2
    view(h_n(BI, (2, 4, 5)), -1, 5),
    view(h_n(BI, (2, 4, 5)), 8, 5),
    view(h_n(BI, (2, 5)), 1, 10),  # unbatched
    view(output(BI, (6, 4, 10)), 6, -1),
    index(h_n(BI, (2, 4, 5)), -2),
]
