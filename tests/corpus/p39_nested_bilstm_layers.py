"""States for a bidirectional LSTM sized with its `num_layers` only, on two lines, for a layer held
one module down (`self.body.rnn`).

Reduced from scratch after:
https://programmerah.com/runtimeerror-expected-hidden0-size-x-x-x-gotx-x-x-39265/
(a BiLSTM's `h0` and `c0` built with `num_layers` where `num_layers * num_directions` was needed:
"Expected hidden[0] size ..."). No code was copied.
first argument: h_0
"""
import torch
from torch import nn


class Body(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(4, 8, num_layers=2, bidirectional=True)


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = Body()

    def forward(self, x):
        h0 = torch.zeros(2, x.size(1), 8)  # root cause
        c0 = torch.zeros(2, x.size(1), 8)
        out, _ = self.body.rnn(x, (h0, c0))
        return out


Tagger()(torch.randn(6, 3, 4))
