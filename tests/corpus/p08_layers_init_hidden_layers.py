"""States built with two layers for a one-layer LSTM.

Reduced from scratch after: https://github.com/ngarneau/understanding-pytorch-batching-lstm/issues/1
(`Expected hidden[0] size (1, 32, 32), got (2, 32, 32)` from `self.lstm(packed_input, self.hidden)`).
first argument: h_0
"""
import torch
from torch import nn


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 32)
        self.hidden = self.init_hidden(32)

    def init_hidden(self, n):
        return (torch.zeros(2, n, 32), torch.zeros(2, n, 32))  # root cause

    def forward(self, x):
        out, self.hidden = self.lstm(x, self.hidden)
        return out


Tagger()(torch.randn(7, 32, 4))
