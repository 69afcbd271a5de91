"""A stateless GRU sizes its states from the configured batch size; the sampler gives 3.

Reduced from scratch after: https://github.com/MUST-Deep-Learning/KnowIt/issues/252
(`Expected hidden[0] size (1, 16, 256), got [1, 3, 256]`: batches of other sizes than specified).
first argument: h_0
"""
import torch
from torch import nn


class Regressor(nn.Module):
    def __init__(self, hparams):
        super().__init__()
        self.hparams = hparams
        self.gru = nn.GRU(2, 5, batch_first=True)

    def forward(self, x):
        h = torch.zeros(1, self.hparams["batch_size"], 5)  # root cause
        out, _ = self.gru(x, h)
        return out[:, -1]


Regressor({"batch_size": 16})(torch.randn(3, 8, 2))
