"""An encoder's state handed to a decoder that differs in both `num_layers` and `hidden_size`.

Reduced from scratch after: https://github.com/IBM/pytorch-seq2seq/issues/101
(the encoder was given `n_layers=2` and the decoder left as it was:
`Expected hidden size (1, 32, 256), got (2, 32, 256)`; the answer was to give the decoder
the same layers). Here the decoder's size was set apart too. No code was copied.
first argument: num_layers
"""
import torch
from torch import nn

hidden_size, dec_size = 16, 12


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.LSTM(8, hidden_size, num_layers=2)
        self.decoder = nn.LSTM(8, dec_size)  # root cause

    def forward(self, src, tgt):
        _, (h, c) = self.encoder(src)
        out, _ = self.decoder(tgt, (h, c))
        return out


Seq2Seq()(torch.randn(7, 4, 8), torch.randn(5, 4, 8))
