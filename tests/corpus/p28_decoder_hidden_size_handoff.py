"""An encoder's state handed to a decoder built with another `hidden_size`.

Reduced from scratch after: https://github.com/IBM/pytorch-seq2seq/pull/184
(the decoder's hidden size was set apart from the encoder's; handing it the encoder's
state raised `Expected hidden size (1, 16, 1), got (1, 16, 256)`). No code was copied.
first argument: hidden_size
"""
import torch
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self, enc_hidden, dec_hidden):
        super().__init__()
        self.encoder = nn.GRU(8, enc_hidden, batch_first=True)
        self.decoder = nn.GRU(8, dec_hidden, batch_first=True)  # root cause

    def forward(self, src, tgt):
        _, hidden = self.encoder(src)
        out, _ = self.decoder(tgt, hidden)
        return out


Seq2Seq(enc_hidden=16, dec_hidden=12)(torch.randn(4, 7, 8), torch.randn(4, 5, 8))
