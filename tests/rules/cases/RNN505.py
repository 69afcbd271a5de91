from tests.rules.cases._uses import h_n, index, output, reshape, view

TM = "LSTM(3, 5)"
BF = "GRU(3, 5, batch_first=True)"
BI_TM = "LSTM(3, 5, bidirectional=True)"

FLAGGED = [
    view(output(TM, (6, 4, 5)), 4, 6, 5),
    view(output(TM, (6, 4, 5)), 4, 6, -1),
    view(output(TM, (6, 4, 5)), 4, -1),
    reshape(output(TM, (6, 4, 5)), 4, -1),
    reshape(output(BF, (4, 6, 5)), 6, 4, 5),  # torch's batch-first output is a transpose: view raises
    reshape(output(BF, (4, 6, 5)), 6, 4, -1),
    view(output(BI_TM, (6, 4, 10)), 4, 6, 10),
    view(output("LSTM(3, 8, proj_size=5)", (6, 4, 5)), 4, -1),
    view(output("RNN(3, 5, num_layers=2)", (6, 4, 5)), 4, 30),
    view(output(TM, (5, 3, 5), lengths=(5, 3, 2)), 3, -1),  # padded
]

OK = [
    view(output(TM, (6, 4, 5)), -1, 5),  # every step of every sample, flattened
    view(output(TM, (6, 4, 5)), 6, -1),
    reshape(output(BF, (4, 6, 5)), 4, -1),  # batch-first: each sample's steps, flattened
    view(output(BF, (4, 6, 5)), 4, 6, 5),
    view(output(BI_TM, (6, 4, 10)), 6, 4, 2, 5),  # the directions split, as the torch docs do
    view(output("LSTM(3, 5, batch_first=True, bidirectional=True)", (4, 6, 10)), 4, 6, 2, 5),
    view(output(TM, (5, 5, 5)), 5, -1),  # N == L: the sizes do not tell
    view(output(BF, (5, 5, 5)), 5, 5, 5),
    view(output(TM, (6, 1, 5)), 1, 6, 5),  # a batch of one: the memory is in order
    view(output(TM, (1, 4, 5)), 4, 1, 5),  # one step
    view(output(TM, (6, 5)), 5, 6),  # unbatched: no batch axis
    view(h_n("LSTM(3, 5, num_layers=2)", (2, 4, 5)), 4, -1),  # RNN506's pattern
    index(output(TM, (6, 4, 5)), -1),
]
