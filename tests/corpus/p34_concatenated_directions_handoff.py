"""A bidirectional encoder's two directions concatenated, for a decoder built with H, not 2H.

Reduced from scratch after: https://github.com/IBM/pytorch-seq2seq/issues/121
(the decoder's initial state is (layers, batch, directions * hidden_size) once the
directions are joined, but its RNN was built with hidden_size). No code was copied.
first argument: hidden_size
"""
import torch
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.encoder = nn.GRU(8, hidden, bidirectional=True)
        self.decoder = nn.GRU(8, hidden)  # root cause

    def forward(self, src, tgt):
        _, h = self.encoder(src)
        h = torch.cat((h[-2], h[-1]), dim=1).unsqueeze(0)
        out, _ = self.decoder(tgt, h)
        return out


Seq2Seq(hidden=16)(torch.randn(7, 3, 8), torch.randn(5, 3, 8))
