"""An MNIST-row LSTM sizes its states with `x.size(1)`, the 28 rows, not the batch of 4.

Reduced from scratch after: https://github.com/patrickloeber/pytorch-examples/issues/2
(`Expected hidden size (1, 4, 128), got [1, 28, 128]` with batch 4 and 28x28 images).
first argument: h_0
"""
import torch
from torch import nn


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers):
        super().__init__()
        self.num_layers, self.hidden_size = num_layers, hidden_size
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)

    def forward(self, x):
        h0 = torch.zeros(self.num_layers, x.size(1), self.hidden_size)  # root cause
        c0 = torch.zeros(self.num_layers, x.size(1), self.hidden_size)
        out, _ = self.lstm(x, (h0, c0))
        return out[:, -1, :]


RNN(28, 16, 1)(torch.randn(4, 28, 28))
