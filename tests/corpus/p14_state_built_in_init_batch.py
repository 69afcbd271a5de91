"""States built once in `__init__` for a fixed batch; validation's last batch is smaller.

Reduced from scratch after: https://github.com/fastai/fastai2/issues/267
("the LSTM layers like a constant batch_size"; the validation set keeps its last batch).
first argument: h_0
"""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Stateful(nn.Module):
    def __init__(self, bs):
        super().__init__()
        self.gru = nn.GRU(3, 4, batch_first=True)
        self.h = torch.zeros(1, bs, 4)  # root cause

    def forward(self, x):
        out, h = self.gru(x, self.h)
        self.h = h.detach()
        return out


model = Stateful(bs=8)
valid = DataLoader(TensorDataset(torch.randn(20, 5, 3)), batch_size=8)
for (x,) in valid:
    model(x)
