from tests.rules.cases._uses import Indices, h_n, index, output

BI_BF = "LSTM(3, 5, batch_first=True, bidirectional=True)"
BI_TM = "GRU(3, 5, bidirectional=True)"
BI_PROJ = "LSTM(3, 8, proj_size=5, batch_first=True, bidirectional=True)"

FLAGGED = [
    index(output(BI_BF, (4, 6, 10)), slice(None), -1),
    index(output(BI_BF, (4, 6, 10)), slice(None), 5),
    index(output(BI_BF, (4, 6, 10)), Ellipsis, -1, slice(None)),
    index(output(BI_BF, (4, 6, 10)), slice(None), -1, slice(5, None)),  # the backward half alone
    index(output(BI_BF, (4, 6, 10)), slice(None), -1, 7),  # one backward feature
    index(output(BI_BF, (6, 6, 10)), slice(None), -1),  # N == L: batch_first decides
    index(output(BI_TM, (6, 4, 10)), -1),
    index(output(BI_TM, (6, 4, 10)), -1, slice(None), slice(5, 10)),
    index(output(BI_TM, (6, 10)), -1),  # unbatched
    index(output(BI_PROJ, (4, 6, 10)), slice(None), -1),  # proj_size: H_out is 5
    index(output("RNN(3, 5, num_layers=2, bidirectional=True)", (6, 4, 10)), -1),
]

OK = [
    index(output(BI_BF, (4, 6, 10)), slice(None), -1, slice(None, 5)),  # the forward half
    index(output(BI_BF, (4, 6, 10)), slice(None), -1, 4),
    index(output(BI_BF, (4, 6, 10)), slice(None), 0),
    index(output(BI_BF, (4, 6, 10)), slice(None), -2),
    index(output(BI_BF, (4, 6, 10)), slice(None), -1, Indices()),  # which features is unknown
    index(output(BI_TM, (6, 4, 10)), -1, slice(None), slice(None, 5)),
    index(output(BI_TM, (6, 4, 10)), slice(None), -1),  # time-major: the last sample, every step
    index(output(BI_TM, (6, 10)), -1, slice(None, 5)),
    index(output(BI_PROJ, (4, 6, 10)), slice(None), -1, slice(None, 5)),
    index(output("LSTM(3, 5, batch_first=True)", (4, 6, 5)), slice(None), -1),
    index(h_n(BI_TM, (2, 4, 5)), -1),  # RNN504's pattern
]
