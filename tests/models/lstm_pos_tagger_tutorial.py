"""The LSTM part-of-speech tagger of PyTorch's sequence-models tutorial: one sentence, a batch of one.

Source: https://github.com/pytorch/tutorials/blob/f77e1c2c11be5d612ed9adbc73a8b82904162c23/beginner_source/nlp/sequence_models_tutorial.py
Commit: f77e1c2c11be5d612ed9adbc73a8b82904162c23
Licence: BSD-3-Clause (pytorch/tutorials)

Written from scratch for rnndoctor's false-alarm corpus; no code is copied. It
keeps the recurrent pattern: a sentence of word ids embedded and viewed as
(len(sentence), 1, -1) for a time-major LSTM, its output viewed as
(len(sentence), -1) for the tag Linear, `log_softmax` over the tags and
`nll_loss` against one tag per word. Random ids stand in for the toy corpus.
"""

import torch
from torch import nn
from torch.nn import functional as F

STEPS = 2


class LstmTagger(nn.Module):
    V, E, H, TAGS, LENGTH = 9, 6, 6, 3, 5

    def __init__(self) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(self.V, self.E)
        self.lstm = nn.LSTM(self.E, self.H)
        self.hidden2tag = nn.Linear(self.H, self.TAGS)

    def batches(self):
        g = torch.Generator().manual_seed(108)
        return [(torch.randint(0, self.V, (self.LENGTH,), generator=g),
                 torch.randint(0, self.TAGS, (self.LENGTH,), generator=g)) for _ in range(STEPS)]

    def loss(self, batch):
        sentence, tags = batch
        embeds = self.word_embeddings(sentence)
        lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        return F.nll_loss(F.log_softmax(tag_space, dim=1), tags)
