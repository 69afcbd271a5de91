"""A bidirectional encoder's state handed to a one-direction decoder.

Reduced from scratch after: https://github.com/text-machine-lab/adversarial_decomposition/issues/3
("the hidden size of encoder does not match the hidden size of the decoder in case of
bidirectional encoder"). No code was copied.
first argument: h_0
"""
import torch
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.GRU(8, 16, batch_first=True, bidirectional=True)
        self.decoder = nn.GRU(8, 16, batch_first=True)

    def forward(self, src, tgt):
        _, hidden = self.encoder(src)  # root cause
        out, _ = self.decoder(tgt, hidden)
        return out


Seq2Seq()(torch.randn(4, 7, 8), torch.randn(4, 5, 8))
