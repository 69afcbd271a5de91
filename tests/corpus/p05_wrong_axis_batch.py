"""States sized from dim 0 of time-major data: the sequence length, not the batch.

Reduced from scratch after: https://github.com/PetrochukM/PyTorch-NLP/issues/51
(`Expected hidden[0] size (1, 70, 1150), got (1, 10, 1150)`: 70 is bptt, 10 the batch).
first argument: h_0
"""
import torch
from torch import nn

model = nn.LSTM(4, 6)
source = torch.randn(70, 10, 4)  # (bptt, batch, features), time-major
hidden = (torch.zeros(1, source.size(0), 6), torch.zeros(1, source.size(0), 6))  # root cause
output, hidden = model(source, hidden)
