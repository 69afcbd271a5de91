from tests.rules.cases._uses import Indices, index, output

BF = "LSTM(3, 5, batch_first=True)"

FLAGGED = [
    index(output(BF, (4, 6, 5)), -1),
    index(output(BF, (4, 6, 5)), 3),  # the last sample by its positive index
    index(output(BF, (4, 6, 5)), -1, slice(None), slice(None)),
    index(output(BF, (4, 6, 5)), -1, -1),  # the last sample's last step
    index(output(BF, (4, 6, 5)), None, -1),  # None adds an axis and reads none
    index(output(BF, (6, 6, 5)), -1),  # N == L: the layer's batch_first decides, not the sizes
    index(output("GRU(3, 5, batch_first=True, bidirectional=True)", (4, 6, 10)), -1),
    index(output("LSTM(3, 8, proj_size=5, batch_first=True)", (4, 6, 5)), -1),
    index(output("RNN(3, 5, num_layers=2, batch_first=True)", (4, 6, 5)), -1),
    index(output(BF, (3, 5, 5), lengths=(5, 3, 2)), -1),  # padded: still the last sample
    index(output("LSTM(3, 5)", (6, 4, 5)), slice(None), -1),  # time-major: dim 1 is the batch
    index(output("GRU(3, 5)", (6, 4, 5)), Ellipsis, -1, slice(None)),
    index(output("LSTM(3, 5)", (6, 4, 5)), -1, -1),
    index(output("LSTM(3, 5)", (5, 3, 5), lengths=(5, 3, 2)), slice(None), -1),
]

OK = [
    index(output("LSTM(3, 5)", (6, 4, 5)), -1),  # time-major: the last step
    index(output(BF, (4, 6, 5)), slice(None), -1),
    index(output(BF, (4, 6, 5)), slice(None), -1, slice(None, 5)),
    index(output(BF, (4, 6, 5)), Ellipsis, -1),  # the last feature
    index(output(BF, (4, 6, 5)), 0),  # a sample picked on purpose
    index(output(BF, (4, 6, 5)), slice(-1, None)),
    index(output(BF, (4, 6, 5)), Indices()),
    index(output(BF, (4, 6, 5)), Indices(2, bool=True)),
    index(output(BF, (6, 5)), -1),  # unbatched: (L, H_out) whatever batch_first says
    index(output(BF, (1, 6, 5)), -1),  # a batch of one: its only sample
    index(output("LSTM(3, 5)", (6, 4, 5)), slice(None), 0),  # a sample picked on purpose
    index(output("LSTM(3, 5)", (6, 4, 5)), slice(2, 4), -1),  # some steps of the last sample
    index(output("LSTM(3, 5)", (6, 1, 5)), slice(None), -1),  # a batch of one
]
