from tests.rules.cases._uses import Indices, c_n, h_n, index, output, view

BI2 = "GRU(3, 5, num_layers=2, bidirectional=True)"
BI3 = "LSTM(3, 5, num_layers=3, bidirectional=True)"

FLAGGED = [
    index(h_n(BI2, (4, 6, 5)), slice(None, 2)),  # the chatbot tutorial: layer 0's two directions
    index(h_n(BI2, (4, 6, 5)), slice(0, 2)),
    index(h_n(BI2, (4, 6, 5)), slice(-2, None)),  # the last layer's two directions
    index(h_n(BI2, (4, 6, 5)), slice(2, 4), slice(None)),
    index(h_n(BI2, (4, 5)), slice(None, 2)),  # unbatched
    index(h_n(BI3, (6, 6, 5)), slice(None, 3)),
    index(c_n(BI3, (6, 6, 5)), slice(-3, None)),
    index(h_n("LSTM(3, 8, proj_size=5, num_layers=2, bidirectional=True)", (4, 6, 5)), slice(None, 2)),
]

OK = [
    index(h_n(BI2, (4, 6, 5)), slice(None, None, 2)),  # every forward state
    index(h_n(BI2, (4, 6, 5)), slice(1, None, 2)),  # every backward state
    index(h_n(BI2, (4, 6, 5)), slice(1, 3)),
    index(h_n(BI2, (4, 6, 5)), slice(None)),
    index(h_n(BI2, (4, 6, 5)), Indices()),
    index(h_n(BI2, (4, 6, 5)), slice(None), slice(None, 2)),  # the first two samples
    index(h_n("GRU(3, 5, num_layers=2)", (2, 6, 5)), slice(None, 2)),  # one direction: layers
    index(h_n("GRU(3, 5, bidirectional=True)", (2, 6, 5)), slice(None, 1)),  # one layer
    view(h_n(BI2, (4, 6, 5)), 2, 2, 6, 5),  # the torch docs' view
    index(output(BI2, (7, 6, 10)), slice(None, 2)),
]
