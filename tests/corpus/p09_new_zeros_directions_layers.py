"""Initial states sized `num_layers` for a bidirectional LSTM: the directions are not counted.

Reduced from scratch after: https://github.com/yzhangcs/parser/issues/48
(`ih = x.new_zeros(self.num_layers, batch_size, self.hidden_size)`; should be num_layers * num_directions).
first argument: h_0
"""
import torch
from torch import nn


class BiLSTM(nn.Module):
    def __init__(self, n_in, hidden_size, num_layers):
        super().__init__()
        self.num_layers, self.hidden_size = num_layers, hidden_size
        self.lstm = nn.LSTM(n_in, hidden_size, num_layers, bidirectional=True)

    def forward(self, x):
        batch_size = x.size(1)
        ih = x.new_zeros(self.num_layers, batch_size, self.hidden_size)  # root cause
        h, c = ih, ih
        return self.lstm(x, (h, c))


BiLSTM(5, 8, 2)(torch.randn(7, 3, 5))
