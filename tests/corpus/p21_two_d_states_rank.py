"""Decoder states built 2-D, (batch, hidden), for an LSTM that wants (layers, batch, hidden).

Reduced from scratch after: https://github.com/pytorch/pytorch/pull/3925
(comment: `Expected hidden[0] size (1, 64, 256), got (64, 256)`).
first argument: h_0
"""
import torch
from torch import nn

decoder = nn.LSTM(6, 8)
trg_emb = torch.randn(4, 3, 6)
h_0 = torch.zeros(3, 8)  # root cause
c_0 = torch.zeros(3, 8)
out, _ = decoder(trg_emb, (h_0, c_0))
