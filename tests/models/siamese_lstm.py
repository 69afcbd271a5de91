"""A siamese LSTM for sentence pairs: one shared encoder, its final states compared.

Source: https://github.com/thangquang09/CTAI_MachineLearning/blob/cdc2925fcc743dfba7c0d8dff3ea6ed41ace2a5e/src/LSTM.py
Commit: cdc2925fcc743dfba7c0d8dff3ea6ed41ace2a5e
Licence: none stated in the repository (no licence file); nothing of it is copied here

Written from scratch for rnndoctor's false-alarm corpus. It keeps the
recurrent pattern: both sentences of a pair, batch-first and zero-padded,
through the same embedding and one-layer batch-first LSTM; each side's
summary is `hidden.squeeze(0)` of `_, (hidden, _) = lstm(...)`; the classifier
reads `torch.cat((a, b, a - b, a * b), dim=1)`, with cross-entropy over the
pair labels. Random ids stand in for the sentence pairs.
"""

import torch
from torch import nn
from torch.nn import functional as F

STEPS = 2


class SiameseLstm(nn.Module):
    V, E, H, C, N, L1, L2 = 18, 6, 5, 2, 4, 7, 5

    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(self.V, self.E, padding_idx=0)
        self.lstm = nn.LSTM(self.E, self.H, batch_first=True)
        self.classifier = nn.Sequential(nn.Linear(4 * self.H, 8), nn.ReLU(), nn.Dropout(0.5),
                                        nn.Linear(8, self.C))

    def batches(self):
        g = torch.Generator().manual_seed(109)
        return [(torch.randint(0, self.V, (self.N, self.L1), generator=g),
                 torch.randint(0, self.V, (self.N, self.L2), generator=g),
                 torch.randint(0, self.C, (self.N,), generator=g)) for _ in range(STEPS)]

    def encode(self, tokens):
        _, (hidden, _) = self.lstm(self.embedding(tokens))
        return hidden.squeeze(0)

    def loss(self, batch):
        first, second, labels = batch
        a, b = self.encode(first), self.encode(second)
        return F.cross_entropy(self.classifier(torch.cat((a, b, a - b, a * b), dim=1)), labels)
