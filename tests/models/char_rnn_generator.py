"""A character-level generator trained one character at a time, the state carried through the chunk.

Source: https://github.com/spro/char-rnn.pytorch/blob/ecec39e04d137ebdeacb0debad80692030954581/model.py
Commit: ecec39e04d137ebdeacb0debad80692030954581 (model.py; the training loop is train.py's)
Licence: none stated in the repository (no licence file); nothing of it is copied here

Written from scratch for rnndoctor's false-alarm corpus. It keeps the
recurrent pattern: a batch of chunks, batch-first (N, chunk_len) character
ids; each step embeds column c, views it as one time step (1, N, H) for a
two-layer LSTM whose (h, c) is carried from step to step, and decodes
`output.view(N, -1)`; the loss sums the steps' cross-entropy. Random
character ids stand in for the text file.
"""

import torch
from torch import nn
from torch.nn import functional as F

STEPS = 2


class CharRnn(nn.Module):
    CHARS, H, LAYERS, N, CHUNK = 16, 9, 2, 4, 6

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Embedding(self.CHARS, self.H)
        self.rnn = nn.LSTM(self.H, self.H, self.LAYERS)
        self.decoder = nn.Linear(self.H, self.CHARS)

    def batches(self):
        g = torch.Generator().manual_seed(106)
        out = []
        for _ in range(STEPS):
            text = torch.randint(0, self.CHARS, (self.N, self.CHUNK + 1), generator=g)
            out.append((text[:, :-1], text[:, 1:]))
        return out

    def step(self, chars, hidden):
        batch_size = chars.size(0)
        encoded = self.encoder(chars)
        output, hidden = self.rnn(encoded.view(1, batch_size, -1), hidden)
        return self.decoder(output.view(batch_size, -1)), hidden

    def loss(self, batch):
        inp, target = batch
        hidden = (torch.zeros(self.LAYERS, self.N, self.H), torch.zeros(self.LAYERS, self.N, self.H))
        total = 0
        for c in range(self.CHUNK):
            output, hidden = self.step(inp[:, c], hidden)
            total = total + F.cross_entropy(output.view(self.N, -1), target[:, c])
        return total / self.CHUNK
