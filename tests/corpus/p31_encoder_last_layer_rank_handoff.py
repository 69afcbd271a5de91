"""A decoder given only the encoder's last layer, `hidden[-1]`: a 2-D state where a 3-D one is needed.

Reduced from scratch after: https://github.com/dion-jy/lstm-vae-torch/issues/2
(the decoder was handed 2-D states made from the encoder's result: "For batched 3-D input,
hx and cx should also be 3-D but got (2-D, 2-D) tensors"). No code was copied.
first argument: h_0
"""
import torch
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.GRU(6, 12, num_layers=2, batch_first=True)
        self.decoder = nn.GRU(6, 12, num_layers=2, batch_first=True)

    def forward(self, src, tgt):
        _, hidden = self.encoder(src)
        context = hidden[-1]  # root cause
        out, _ = self.decoder(tgt, context)
        return out


Seq2Seq()(torch.randn(3, 9, 6), torch.randn(3, 4, 6))
