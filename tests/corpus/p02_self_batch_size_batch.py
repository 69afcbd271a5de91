"""States sized from a batch size fixed at construction, not from the batch.

Reduced from scratch after: https://github.com/bentrevett/pytorch-sentiment-analysis/issues/87
(LSTMClassifier: `h_0 = torch.zeros(1, self.batch_size, self.hidden_size)` in forward).
first argument: h_0
"""
import torch
from torch import nn


class LSTMClassifier(nn.Module):
    def __init__(self, batch_size, hidden_size):
        super().__init__()
        self.batch_size = batch_size
        self.hidden_size = hidden_size
        self.lstm = nn.LSTM(12, hidden_size)
        self.label = nn.Linear(hidden_size, 2)

    def forward(self, embedded):
        x = embedded.permute(1, 0, 2)
        h_0 = torch.zeros(1, self.batch_size, self.hidden_size)  # root cause
        c_0 = torch.zeros(1, self.batch_size, self.hidden_size)
        out, (h_n, c_n) = self.lstm(x, (h_0, c_0))
        return self.label(h_n[-1])


model = LSTMClassifier(batch_size=16, hidden_size=10)
for n in (16, 16, 5):
    model(torch.randn(n, 7, 12))
