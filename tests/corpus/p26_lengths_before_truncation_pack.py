"""`lengths` counted before the padded batch was cut to a maximum length, then packed.

Reduced from scratch after: https://github.com/pytorch/pytorch/issues/146744
(pack_padded_sequence accepts a length beyond T, "the length of the longest sequence").
first argument: lengths
"""
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

MAX_LEN = 4
gru = nn.GRU(2, 3)
sequences = [torch.randn(n, 2) for n in (6, 4, 2)]
lengths = torch.tensor([len(s) for s in sequences])  # root cause
padded = nn.utils.rnn.pad_sequence(sequences)[:MAX_LEN]
packed = pack_padded_sequence(padded, lengths)
output, h_n = gru(packed)
