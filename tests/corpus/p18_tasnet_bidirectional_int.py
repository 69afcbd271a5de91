"""A separator's LSTM built with `bidirectional` taken from an int option.

Reduced from scratch after: https://github.com/kaituoxu/TasNet/issues/3
(`invalid types: (Tensor, Tensor, !tuple!, !list!, bool, int, int, bool, !int!)`: the last is bidirectional).
first argument: bidirectional
"""
import torch
from torch import nn


class Separator(nn.Module):
    def __init__(self, n, hidden, bidirectional=1):
        super().__init__()
        self.rnn = nn.LSTM(n, hidden, 1, batch_first=True, bidirectional=bidirectional)  # root cause

    def forward(self, mixture):
        out, _ = self.rnn(mixture)
        return out


Separator(3, 4)(torch.randn(2, 6, 3))
