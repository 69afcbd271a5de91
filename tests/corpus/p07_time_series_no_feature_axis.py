"""A batch of scalar series, (batch, seq), into an LSTM built with input_size=1.

Reduced from scratch after: https://discuss.pytorch.org/t/please-help-lstm-input-output-dimensions/89353
(one variable over time; the series lacks its feature axis).
first argument: input
"""
import torch
from torch import nn

lstm = nn.LSTM(input_size=1, hidden_size=8, batch_first=True)
series = torch.arange(120.0)
windows = series.unfold(0, 10, 10)  # root cause
out, _ = lstm(windows)
