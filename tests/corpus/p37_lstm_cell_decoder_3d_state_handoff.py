"""An `nn.LSTMCell` decoder stepped from an LSTM encoder's (num_layers, N, H) pair, as returned.

Reduced from scratch after: https://github.com/asyml/texar-pytorch/issues/312
(a cell-based decoder given the encoder's LSTM states as its initial state failed:
"Input batch size 128 doesn't match hidden[0] batch size 256"). No code was copied.
first argument: h_0
"""
import torch
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.encoder = nn.LSTM(5, 7, num_layers=layers)
        self.cell = nn.LSTMCell(5, 7)

    def forward(self, src, tgt):
        _, (h, c) = self.encoder(src)  # root cause
        steps = []
        for x in tgt:
            h, c = self.cell(x, (h, c))
            steps.append(h)
        return torch.stack(steps)


Seq2Seq(layers=2)(torch.randn(9, 4, 5), torch.randn(3, 4, 5))
