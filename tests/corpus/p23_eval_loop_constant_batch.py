"""Each batch gets fresh states, but sized by a constant; the iterator's last batch is smaller.

Reduced from scratch after: https://github.com/pytorch/text/issues/643
("How to skip last batch that has a different batch size?": the loop checks the size by hand).
first argument: h_0
"""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

BATCH = 12
gru = nn.GRU(5, 6)
data = DataLoader(TensorDataset(torch.randn(30, 7, 5)), batch_size=BATCH)
for (x,) in data:
    x = x.transpose(0, 1)
    h = torch.zeros(1, BATCH, 6)  # root cause
    out, h = gru(x, h)
