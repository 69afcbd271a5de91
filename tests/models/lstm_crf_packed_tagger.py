"""A packed, batched BiLSTM-CRF tagger: emissions from a padded output, a CRF negative log-likelihood.

Source: https://github.com/threelittlemonkeys/lstm-crf-pytorch/blob/04416f018fa49c40c3d30c8c85afac744dfdcd0b/model.py
Commit: 04416f018fa49c40c3d30c8c85afac744dfdcd0b
Licence: none stated in the repository (no licence file); nothing of it is copied here

Written from scratch for rnndoctor's false-alarm corpus. It keeps the
recurrent pattern: token ids padded with 0 and sorted by length, embedded and
packed batch-first with the lengths the padding gives; a two-layer
bidirectional batch-first LSTM started from explicit zero states of shape
(num_layers * 2, N, H // 2); `pad_packed_sequence(..., batch_first=True)`; a
Linear to tag scores, masked, then a CRF loss (the forward algorithm's
log-partition minus the gold path's score), vectorised over the batch.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

STEPS = 2


class LstmCrfTagger(nn.Module):
    V, E, H, LAYERS, TAGS = 15, 6, 8, 2, 4
    LENGTHS = [6, 5, 5, 3]  # sorted, as the repository's batches are

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(self.V, self.E, padding_idx=0)
        self.lstm = nn.LSTM(self.E, self.H // 2, num_layers=self.LAYERS, batch_first=True,
                            dropout=0.5, bidirectional=True)
        self.hidden_to_tags = nn.Linear(self.H, self.TAGS)
        self.trans = nn.Parameter(torch.randn(self.TAGS, self.TAGS, generator=torch.Generator().manual_seed(0)))

    def batches(self):
        g = torch.Generator().manual_seed(103)
        out = []
        for _ in range(STEPS):
            tokens = torch.zeros(len(self.LENGTHS), max(self.LENGTHS), dtype=torch.long)
            tags = torch.zeros_like(tokens)
            for i, n in enumerate(self.LENGTHS):
                tokens[i, :n] = torch.randint(1, self.V, (n,), generator=g)
                tags[i, :n] = torch.randint(0, self.TAGS, (n,), generator=g)
            out.append((tokens, tags))
        return out

    def emissions(self, tokens):
        lengths = tokens.gt(0).sum(1)
        h_0 = torch.zeros(self.LAYERS * 2, tokens.size(0), self.H // 2)
        c_0 = torch.zeros(self.LAYERS * 2, tokens.size(0), self.H // 2)
        packed = pack_padded_sequence(self.embed(tokens), lengths, batch_first=True)
        y, _ = self.lstm(packed, (h_0, c_0))
        y, _ = pad_packed_sequence(y, batch_first=True)
        return self.hidden_to_tags(y)

    def loss(self, batch):
        tokens, tags = batch
        mask = tokens.gt(0).float()
        y = self.emissions(tokens) * mask.unsqueeze(-1)
        n, steps, _ = y.shape
        rows = torch.arange(n)
        gold = y[rows, 0, tags[:, 0]]
        score = y[:, 0]  # (N, TAGS): the forward variables after the first step
        for t in range(1, steps):
            m = mask[:, t]
            gold = gold + (y[rows, t, tags[:, t]] + self.trans[tags[:, t], tags[:, t - 1]]) * m
            step = torch.logsumexp(score.unsqueeze(1) + self.trans.unsqueeze(0), dim=2) + y[:, t]
            score = torch.where(m.unsqueeze(1) > 0, step, score)
        return torch.mean(torch.logsumexp(score, dim=1) - gold)
