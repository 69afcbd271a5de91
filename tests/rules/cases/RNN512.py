from tests.rules.cases._uses import h_n, index, output, reshape, through, view

TM = "LSTM(3, 5)"
BF = "GRU(3, 5, batch_first=True)"

FLAGGED = [
    view(through(output(TM, (6, 4, 5)), "Linear", 7), 4, 6, 7),  # fc(output).view(N, L, -1)
    view(through(output(TM, (6, 4, 5)), "Linear", 7), 4, -1),
    reshape(through(output(BF, (4, 6, 5)), "Linear", 7), 6, 4, 7),
    reshape(through(output(BF, (4, 6, 5)), "ReLU"), 6, 4, -1),
    view(through(output("LSTM(3, 5, bidirectional=True)", (6, 4, 10)), "Tanh"), 4, 60),
]

OK = [
    view(through(output(TM, (6, 4, 5)), "Linear", 7), -1, 7),  # every step of every sample
    reshape(through(output(BF, (4, 6, 5)), "Linear", 7), 4, -1),  # batch-first, flattened per sample
    view(through(output(TM, (5, 5, 5)), "Linear", 7), 5, -1),  # N == L: the sizes do not tell
    view(through(output(TM, (6, 1, 5)), "Linear", 7), 1, 6, 7),  # a batch of one
    index(through(output(BF, (4, 6, 5)), "Linear", 7), -1),  # subscripts are the other rules' business
    view(output(TM, (6, 4, 5)), 4, -1),  # RNN505's: no layer in between
    view(h_n("LSTM(3, 5, num_layers=2)", (2, 4, 5)), 4, -1),
]
