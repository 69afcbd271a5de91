"""An encoder's state handed to a decoder built with more layers.

Reduced from scratch after: https://github.com/wasiahmad/context_attentive_ir/issues/10
(a one-layer encoder's state started a decoder configured with `nlayers: 2`:
`Expected hidden[0] size (2, 8, 512), got (1, 8, 512)`). No code was copied.
first argument: num_layers
"""
import torch
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self, hidden, nlayers):
        super().__init__()
        self.encoder = nn.LSTM(6, hidden, batch_first=True)
        self.decoder = nn.LSTM(6, hidden, num_layers=nlayers, batch_first=True)  # root cause

    def forward(self, src, tgt):
        _, (h, c) = self.encoder(src)
        out, _ = self.decoder(tgt, (h, c))
        return out


Seq2Seq(hidden=10, nlayers=2)(torch.randn(3, 7, 6), torch.randn(3, 4, 6))
