from rnndoctor.uses import Reordering, Unpadding

BF = "LSTM(10, 20, batch_first=True)"
TM = "GRU(10, 20)"

FLAGGED = [
    Unpadding(BF, packed_batch_first=True, layer_batch_first=True, padded_batch_first=False, shape=(7, 4, 20)),
    Unpadding(TM, packed_batch_first=False, layer_batch_first=False, padded_batch_first=True, shape=(4, 7, 20)),
    Unpadding(BF, packed_batch_first=True, layer_batch_first=True, padded_batch_first=False, shape=(5, 5, 20)),
]

OK = [
    Unpadding(BF, packed_batch_first=True, layer_batch_first=True, padded_batch_first=True, shape=(4, 7, 20)),
    Unpadding(TM, packed_batch_first=False, layer_batch_first=False, padded_batch_first=False, shape=(7, 4, 20)),
    # packed batch-first into a time-major layer, unpacked time-major: a CTC pipeline's choice
    Unpadding(TM, packed_batch_first=True, layer_batch_first=False, padded_batch_first=False, shape=(7, 4, 20)),
    Reordering(size=3, applied=1, inverted=False, packed=True),  # another program fact
]
