"""States kept in a field that `__init__` builds for the configured batch; the last batch is smaller.

Reduced from scratch after: https://github.com/vietnh1009/Hierarchical-attention-networks-pytorch/issues/12
(the model builds its GRU states once, in `__init__`, for `batch_size`; the last training batch
is smaller, and the states' batch no longer matches). No code was copied.
first argument: h_0
"""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class SentenceEncoder(nn.Module):
    def __init__(self, batch_size):
        super().__init__()
        self.gru = nn.GRU(6, 5, bidirectional=True)
        self.hidden = self.init_hidden(batch_size)  # root cause

    def init_hidden(self, batch_size):
        return torch.zeros(2, batch_size, 5)

    def forward(self, x):
        out, self.hidden = self.gru(x, self.hidden)
        self.hidden = self.hidden.detach()
        return out.mean(0)


model = SentenceEncoder(batch_size=8)
loader = DataLoader(TensorDataset(torch.randn(20, 7, 6)), batch_size=8)
for (docs,) in loader:
    model(docs.transpose(0, 1))
