"""The sequence-models tutorial's states, built for a batch of one, reused for a batch of two.

Reduced from scratch after: https://github.com/pytorch/tutorials/issues/416
(`hidden = (torch.randn(1, 1, 3), torch.randn(1, 1, 3))` in the LSTM tutorial).
first argument: h_0
"""
import torch
from torch import nn

lstm = nn.LSTM(3, 3)
inputs = [torch.randn(2, 3) for _ in range(5)]
hidden = (torch.randn(1, 1, 3), torch.randn(1, 1, 3))  # root cause
out, hidden = lstm(torch.stack(inputs), hidden)
