"""One layer of the encoder's state, `hidden[-1].unsqueeze(0)`, handed to a decoder of two layers.

Reduced from scratch after: https://github.com/aladdinpersson/Machine-Learning-Collection/issues/110
(with `num_layers = 2` the decoder was started from a one-layer state:
`Expected hidden[0] size (2, 1, 1024), got [1, 1, 1024]`). No code was copied.
first argument: h_0
"""
import torch
from torch import nn


class Translator(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.encoder = nn.GRU(5, 10, num_layers=layers)
        self.decoder = nn.GRU(5, 10, num_layers=layers)

    def forward(self, source, target):
        _, state = self.encoder(source)
        out, _ = self.decoder(target, state[-1].unsqueeze(0))  # root cause
        return out


Translator(layers=2)(torch.randn(8, 2, 5), torch.randn(6, 2, 5))
