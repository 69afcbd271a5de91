"""A decoder switched from GRU to LSTM, still handed the GRU encoder's single state tensor as `hx`.

Reduced from scratch after: https://github.com/jungomi/math-formula-recognition/issues/26
("Expected hidden[0] size (1, 4, 256), got (4, 256) WHEN I CHANGE Decoder part from GRU to LSTM":
an LSTM reads `hx` as the pair `(h_0, c_0)`; torch 2.13 says "For batched 3-D input, hx and cx
should also be 3-D but got (2-D, 2-D) tensors"). No code was copied.
first argument: hx
"""
import torch
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.GRU(4, 9, num_layers=2, batch_first=True)
        self.decoder = nn.LSTM(4, 9, num_layers=2, batch_first=True)

    def forward(self, src, tgt):
        _, hidden = self.encoder(src)
        out, _ = self.decoder(tgt, hidden)  # root cause
        return out


Seq2Seq()(torch.randn(5, 6, 4), torch.randn(5, 3, 4))
