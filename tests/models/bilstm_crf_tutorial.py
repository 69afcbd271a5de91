"""The BiLSTM-CRF of PyTorch's advanced NLP tutorial: one sentence at a time, a CRF on top.

Source: https://github.com/pytorch/tutorials/blob/546ebc600c1972a19cc2aa858b081b85ac7bbf12/beginner_source/nlp/advanced_tutorial.py
Commit: 546ebc600c1972a19cc2aa858b081b85ac7bbf12
Licence: BSD-3-Clause (pytorch/tutorials)

Written from scratch for rnndoctor's false-alarm corpus; no code is copied. It
keeps the recurrent pattern: one sentence embedded and viewed as
(len(sentence), 1, E), a one-layer bidirectional LSTM of hidden_dim // 2 per
direction started from random states of shape (2, 1, hidden_dim // 2), its
output viewed as (len(sentence), hidden_dim) for the tag Linear; the loss is
the CRF forward algorithm's score minus the gold path's, with start and stop
tags. Random token ids and tags stand in for the training sentences.
"""

import torch
from torch import nn

STEPS = 2


class BiLstmCrf(nn.Module):
    V, E, HIDDEN, TAGS, LENGTH = 12, 5, 6, 3, 7
    START, STOP = 3, 4  # two more tags: the tag set has TAGS + 2

    def __init__(self) -> None:
        super().__init__()
        size = self.TAGS + 2
        self.word_embeds = nn.Embedding(self.V, self.E)
        self.lstm = nn.LSTM(self.E, self.HIDDEN // 2, num_layers=1, bidirectional=True)
        self.hidden2tag = nn.Linear(self.HIDDEN, size)
        transitions = torch.randn(size, size, generator=torch.Generator().manual_seed(1))
        transitions[self.START, :] = -10000.0  # never into START
        transitions[:, self.STOP] = -10000.0  # never out of STOP
        self.transitions = nn.Parameter(transitions)

    def batches(self):
        g = torch.Generator().manual_seed(104)
        return [(torch.randint(0, self.V, (self.LENGTH,), generator=g),
                 torch.randint(0, self.TAGS, (self.LENGTH,), generator=g)) for _ in range(STEPS)]

    def lstm_features(self, sentence):
        hidden = (torch.randn(2, 1, self.HIDDEN // 2), torch.randn(2, 1, self.HIDDEN // 2))
        embeds = self.word_embeds(sentence).view(len(sentence), 1, -1)
        lstm_out, hidden = self.lstm(embeds, hidden)
        return self.hidden2tag(lstm_out.view(len(sentence), self.HIDDEN))

    def forward_algorithm(self, feats):
        alpha = torch.full((1, self.TAGS + 2), -10000.0)
        alpha[0, self.START] = 0.0
        for feat in feats:
            alpha = torch.logsumexp(alpha + self.transitions + feat.view(-1, 1), dim=1).view(1, -1)
        return torch.logsumexp(alpha + self.transitions[self.STOP], dim=1)[0]

    def gold_score(self, feats, tags):
        tags = torch.cat([torch.tensor([self.START]), tags])
        score = torch.zeros(())
        for i, feat in enumerate(feats):
            score = score + self.transitions[tags[i + 1], tags[i]] + feat[tags[i + 1]]
        return score + self.transitions[self.STOP, tags[-1]]

    def loss(self, batch):
        sentence, tags = batch
        feats = self.lstm_features(sentence)
        return self.forward_algorithm(feats) - self.gold_score(feats, tags)
