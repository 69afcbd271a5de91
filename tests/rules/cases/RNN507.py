from rnndoctor.uses import Reordering, Unpadding

FLAGGED = [
    Reordering(size=3, applied=1, inverted=False, packed=True),
    Reordering(size=32, applied=1, inverted=False, packed=True),
]

OK = [
    Reordering(size=3, applied=2, inverted=False, packed=True),  # the labels sorted too
    Reordering(size=3, applied=1, inverted=True, packed=True),  # put back with argsort
    Reordering(size=3, applied=1, inverted=False, packed=False),  # never packed
    Reordering(size=1, applied=1, inverted=False, packed=True),  # nothing to reorder
    Reordering(size=3, applied=0, inverted=False, packed=True),
    Reordering(size=3, applied=1, inverted=False, packed=True, escaped=True),  # gather, tolist: unknown
    Unpadding("LSTM(10, 20, batch_first=True)", True, True, False, (7, 4, 20)),  # another program fact
]
