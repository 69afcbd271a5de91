"""A model whose layers' constructions `rnndoctor._lint.runtime` reads (never run by the linter tests)."""

import torch.nn as nn


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(10, 20, 1, True)
        self.by_keyword = nn.GRU(10, 20, bias=True)
        if self.training:
            self.either = nn.GRU(10, 20, 1)
        else:
            self.either = nn.GRU(10, 20)

    def forward(self, x):
        return self.by_keyword(self.rnn(x)[0][..., :10])[0]


class Tuned(Tagger):
    """Builds its layers in its base class's `__init__`."""


def local_layer():
    return nn.GRU(10, 20, 1, True)
