"""A bidirectional LSTM's states allocated without the factor 2 for the directions.

Reduced from scratch after: https://github.com/casperboone/dltpy/pull/15
(review thread on `h0 = torch.zeros(self.num_layers*2, x.size(0), self.hidden_size).to(device)`).
first argument: h_0
"""
import torch
from torch import nn

device = torch.device("cpu")


class BiRNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers):
        super().__init__()
        self.num_layers, self.hidden_size = num_layers, hidden_size
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True, bidirectional=True)

    def forward(self, x):
        h0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size).to(device)  # root cause
        c0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size).to(device)
        out, _ = self.lstm(x, (h0, c0))
        return out[:, -1, :]


BiRNN(6, 4, 2)(torch.randn(3, 9, 6))
