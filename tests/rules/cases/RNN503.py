from tests.rules.cases._uses import Indices, index, output

BF = "LSTM(3, 5, batch_first=True)"
TM = "GRU(3, 5)"

FLAGGED = [
    index(output(BF, (3, 5, 5), lengths=(5, 3, 2)), slice(None), -1),
    index(output(BF, (3, 5, 5), lengths=(5, 3, 2)), slice(None), 4),
    index(output(BF, (3, 5, 5), lengths=(5, 3, 2)), slice(None), -1, slice(None, 2)),
    index(output(BF, (3, 5, 5), lengths=(2, 5, 3)), slice(None), -1),  # unsorted
    index(output(BF, (3, 6, 5), lengths=(4, 3, 2)), slice(None), -1),  # total_length=6: all short
    index(output(BF, (3, 3, 5), lengths=(3, 2, 1)), slice(None), -1),  # N == L
    index(output(TM, (5, 3, 5), lengths=(5, 3, 2)), -1),
    index(output("LSTM(3, 8, proj_size=4, batch_first=True)", (3, 5, 4), lengths=(5, 3, 2)),
          slice(None), -1),
    index(output("RNN(3, 5, num_layers=2)", (5, 3, 5), lengths=(5, 3, 2)), -1),
]

OK = [
    index(output(BF, (3, 5, 5), lengths=(5, 5, 5)), slice(None), -1),  # no sequence is short
    index(output(BF, (3, 5, 5)), slice(None), -1),  # not padded
    index(output(BF, (3, 5, 5), lengths=(5, 3, 2)), slice(None), 0),
    index(output(BF, (3, 5, 5), lengths=(5, 3, 2)), slice(None), 1),
    index(output(BF, (3, 5, 5), lengths=(5, 3, 2)), Indices(), Indices()),  # by length
    index(output(TM, (5, 3, 5), lengths=(5, 3, 2)), slice(None), -1),  # the last sample
    index(output(TM, (5, 3, 5), lengths=(5, 3, 2)), 0),
]
