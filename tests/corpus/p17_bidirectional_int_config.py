"""A config gives `bidirectional` as the int 1; the encoder passes it on.

Reduced from scratch after: https://github.com/kaituoxu/Listen-Attend-Spell/issues/6
(TypeError: lstm() received an invalid combination of arguments; "bidirectional int->bool").
first argument: bidirectional
"""
import torch
from torch import nn

config = {"hidden": 4, "layers": 1, "bidirectional": 1}


class Listener(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.rnn = nn.LSTM(3, cfg["hidden"], cfg["layers"], batch_first=True,
                           bidirectional=cfg["bidirectional"])  # root cause

    def forward(self, x):
        return self.rnn(x)


Listener(config)(torch.randn(2, 5, 3))
