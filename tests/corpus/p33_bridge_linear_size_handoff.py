"""A bridge `nn.Linear` maps the encoder's state to the wrong size for the decoder.

Reduced from scratch after: https://github.com/OpenNMT/OpenNMT-py/issues/701
(encoder and decoder of different hidden sizes; the bridge's `Linear(500, 500)` kept the
encoder's size while the decoder's was 1000). No code was copied.
first argument: h_0
"""
import torch
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self, enc_hidden, dec_hidden):
        super().__init__()
        self.encoder = nn.GRU(4, enc_hidden, batch_first=True)
        self.bridge = nn.Linear(enc_hidden, enc_hidden)  # root cause
        self.decoder = nn.GRU(4, dec_hidden, batch_first=True)

    def forward(self, src, tgt):
        _, hidden = self.encoder(src)
        hidden = torch.tanh(self.bridge(hidden))
        out, _ = self.decoder(tgt, hidden)
        return out


Seq2Seq(enc_hidden=10, dec_hidden=20)(torch.randn(2, 7, 4), torch.randn(2, 3, 4))
