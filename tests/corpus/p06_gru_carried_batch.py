"""A GRU's state, built before the loop, carried into the epoch's last, smaller batch.

Reduced from scratch after: https://github.com/udacity/deep-learning-v2-pytorch/issues/153
(sentiment RNN reused for several classes; the expected hidden size changes at the last batch).
first argument: h_0
"""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 5, batch_first=True)

    def forward(self, x, h):
        out, h = self.gru(x, h)
        return out, h


net = Net()
batches = DataLoader(TensorDataset(torch.randn(25, 4, 3)), batch_size=10)
h = torch.zeros(1, 10, 5)  # root cause
for (x,) in batches:
    out, h = net(x, h.detach())
