"""`init_hidden()` reads a batch length fixed in `__init__`; the data's batch differs.

Reduced from scratch after: https://github.com/pytorch/pytorch/issues/1255
(`init_hidden` builds states of `self.batch_len`; `self.hidden = self.init_hidden()`).
first argument: h_0
"""
import torch
from torch import nn


class Tagger(nn.Module):
    def __init__(self, batch_len):
        super().__init__()
        self.batch_len = batch_len
        self.lstm = nn.LSTM(6, 9, 2, batch_first=True)

    def init_hidden(self):
        h_0 = torch.zeros(2, self.batch_len, 9)  # root cause
        c_0 = torch.zeros(2, self.batch_len, 9)
        return (h_0, c_0)

    def forward(self, sequences):
        self.hidden = self.init_hidden()
        out, self.hidden = self.lstm(sequences, self.hidden)
        return out


Tagger(batch_len=4)(torch.randn(3, 5, 6))
