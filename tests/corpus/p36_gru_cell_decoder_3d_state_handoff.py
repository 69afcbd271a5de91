"""A `nn.GRUCell` decoder started from a GRU encoder's (num_layers, N, H) state, as returned.

Reduced from scratch after: https://github.com/pytorch/pytorch/pull/107223 (fixes
https://github.com/pytorch/pytorch/issues/106769: a GRUCell given a hidden state of the wrong
rank; torch now raises "GRUCell: Expected hidden to be 1D or 2D, got 3D instead"). No code was copied.
first argument: h_0
"""
import torch
from torch import nn


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.GRU(6, 10, batch_first=True)
        self.step = nn.GRUCell(6, 10)

    def forward(self, src, tgt):
        _, enc_hidden = self.encoder(src)
        h = enc_hidden  # root cause
        outputs = []
        for t in range(tgt.size(1)):
            h = self.step(tgt[:, t], h)
            outputs.append(h)
        return torch.stack(outputs, dim=1)


Decoder()(torch.randn(3, 8, 6), torch.randn(3, 4, 6))
