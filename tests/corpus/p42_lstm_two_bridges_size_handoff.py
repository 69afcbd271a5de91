"""An LSTM encoder's `h` and `c` each mapped by its own bridge `nn.Linear`, both built with the
encoder's size where the decoder's is larger: both bridges are edited, in one fix.

Reduced from scratch after: https://github.com/OpenNMT/OpenNMT-py/issues/701
(encoder and decoder of different hidden sizes; the bridge kept the encoder's size while the
decoder's was twice as large; for an LSTM the bridge maps each of the two states). No code was copied.
first argument: h_0
"""
import torch
from torch import nn


class Translator(nn.Module):
    def __init__(self, enc_hidden, dec_hidden):
        super().__init__()
        self.encoder = nn.LSTM(4, enc_hidden, batch_first=True)
        self.bridge_h = nn.Linear(enc_hidden, enc_hidden)  # root cause
        self.bridge_c = nn.Linear(enc_hidden, enc_hidden)
        self.decoder = nn.LSTM(4, dec_hidden, batch_first=True)

    def forward(self, src, tgt):
        _, (h, c) = self.encoder(src)
        h = torch.relu(self.bridge_h(h))
        c = torch.relu(self.bridge_c(c))
        out, _ = self.decoder(tgt, (h, c))
        return out


Translator(enc_hidden=10, dec_hidden=20)(torch.randn(2, 7, 4), torch.randn(2, 3, 4))
