"""`init_hidden()` sized by `self.batch_size`; the test loader's last batch is smaller.

Reduced from scratch after: https://github.com/miyamotok0105/pytorch_handbook/issues/11
(`Expected hidden[0] size (1, 32, 256), got [1, 8, 256]` in the chapter 5 notebook).
first argument: h_0
"""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self, batch_size):
        super().__init__()
        self.batch_size = batch_size
        self.lstm = nn.LSTM(4, 6, batch_first=True)

    def init_hidden(self):
        return (torch.zeros(1, self.batch_size, 6), torch.zeros(1, self.batch_size, 6))  # root cause

    def forward(self, text):
        out, _ = self.lstm(text, self.init_hidden())
        return out[:, -1]


net = Net(batch_size=16)
test_loader = DataLoader(TensorDataset(torch.randn(40, 3, 4)), batch_size=16)
for (text,) in test_loader:
    net(text)
