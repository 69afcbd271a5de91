"""A two-layer bidirectional encoder's state split with `view(layers, 2, N, H)` and its two
directions summed, handed to a decoder of one layer: both layers are handed over.

Reduced from scratch after: https://github.com/spro/practical-pytorch/issues/97
(a two-layer bidirectional GRU encoder whose h_n, (num_layers * num_directions, batch, hidden_size),
is split into layers and directions to choose what the decoder starts from). Repository pinned at
fee26717272d13a0296b21da41194e7dbe5d8396, MIT licence. No code was copied.
first argument: h_0
"""
import torch
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self, hidden, layers):
        super().__init__()
        self.hidden, self.layers = hidden, layers
        self.encoder = nn.GRU(6, hidden, layers, bidirectional=True)
        self.decoder = nn.GRU(6, hidden)

    def forward(self, src, tgt):
        _, h_n = self.encoder(src)
        state = h_n.view(self.layers, 2, src.size(1), self.hidden).sum(1)  # root cause
        out, _ = self.decoder(tgt, state)
        return out


Seq2Seq(hidden=12, layers=2)(torch.randn(7, 4, 6), torch.randn(5, 4, 6))
