from tests.rules.cases._uses import Indices, c_n, h_n, index, output

BI = "LSTM(3, 5, bidirectional=True)"
BI_PROJ = "LSTM(3, 8, proj_size=5, bidirectional=True)"
BI_GRU2 = "GRU(3, 5, num_layers=2, bidirectional=True)"

FLAGGED = [
    index(h_n(BI, (2, 4, 5)), -1),
    index(h_n(BI, (2, 4, 5)), 1),
    index(h_n(BI, (2, 4, 5)), -1, slice(None), slice(None)),
    index(h_n(BI, (2, 4, 5)), -1, 0),  # one sample's backward state
    index(c_n(BI, (2, 4, 5)), -1),
    index(h_n(BI, (2, 5)), -1),  # unbatched
    index(h_n(BI_GRU2, (4, 4, 5)), -1),
    index(h_n(BI_GRU2, (4, 4, 5)), 3),
    index(h_n(BI_PROJ, (2, 4, 5)), -1),  # proj_size: H_out is 5
    index(c_n(BI_PROJ, (2, 4, 8)), -1),  # c_n keeps H_cell = hidden_size
    index(h_n("RNN(3, 5, batch_first=True, bidirectional=True)", (2, 4, 5)), -1),
    index(h_n(BI, (2, 2, 5)), -1),  # N == D*num_layers: dim 0 of h_n is known
]

OK = [
    index(h_n(BI, (2, 4, 5)), -2),  # the forward direction
    index(h_n(BI, (2, 4, 5)), slice(-2, None)),
    index(h_n(BI, (2, 4, 5)), slice(None), -1),  # the last sample
    index(h_n(BI, (2, 4, 5)), Indices()),
    index(h_n(BI_GRU2, (4, 4, 5)), -2),
    index(h_n(BI_GRU2, (4, 4, 5)), 1),  # layer 0 backward: picked on purpose
    index(h_n("LSTM(3, 5)", (1, 4, 5)), -1),
    index(h_n("GRU(3, 5, num_layers=2)", (2, 4, 5)), -1),
    index(output(BI, (6, 4, 10)), slice(None), -1),  # output, not h_n
]
