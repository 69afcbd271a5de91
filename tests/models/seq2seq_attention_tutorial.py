"""Seq2seq with attention, one token at a time: PyTorch's translation tutorial, reduced.

Source: https://github.com/pytorch/tutorials/blob/803c1b1273a47bc53bb6cd5f63eecfb897bbc856/intermediate_source/seq2seq_translation_tutorial.py
Commit: 803c1b1273a47bc53bb6cd5f63eecfb897bbc856
Licence: BSD-3-Clause (pytorch/tutorials)

Written from scratch for rnndoctor's false-alarm corpus; no code is copied. It
keeps the recurrent pattern: a GRU encoder fed one token at a time as a
(1, 1, H) input, its `output[0, 0]` stored per position; an attention decoder
whose weights come from the embedding beside `hidden[0]`, applied with `bmm`
to the stored outputs, and a GRU step whose `output[0]` is classified.
Random token ids stand in for the sentence pairs.
"""

import torch
from torch import nn
from torch.nn import functional as F

STEPS = 2


class AttentionTranslator(nn.Module):
    V, H, MAX_LENGTH, SOURCE, TARGET = 12, 8, 6, 5, 4

    def __init__(self) -> None:
        super().__init__()
        self.source_embedding = nn.Embedding(self.V, self.H)
        self.encoder = nn.GRU(self.H, self.H)
        self.target_embedding = nn.Embedding(self.V, self.H)
        self.attn = nn.Linear(2 * self.H, self.MAX_LENGTH)
        self.attn_combine = nn.Linear(2 * self.H, self.H)
        self.dropout = nn.Dropout(0.1)
        self.decoder = nn.GRU(self.H, self.H)
        self.out = nn.Linear(self.H, self.V)

    def batches(self):
        g = torch.Generator().manual_seed(100)
        return [(torch.randint(1, self.V, (self.SOURCE, 1), generator=g),
                 torch.randint(1, self.V, (self.TARGET, 1), generator=g)) for _ in range(STEPS)]

    def decode_step(self, token, hidden, encoder_outputs):
        embedded = self.dropout(self.target_embedding(token).view(1, 1, -1))
        weights = F.softmax(self.attn(torch.cat((embedded[0], hidden[0]), 1)), dim=1)
        applied = torch.bmm(weights.unsqueeze(0), encoder_outputs.unsqueeze(0))
        step = F.relu(self.attn_combine(torch.cat((embedded[0], applied[0]), 1)).unsqueeze(0))
        output, hidden = self.decoder(step, hidden)
        return F.log_softmax(self.out(output[0]), dim=1), hidden

    def loss(self, batch):
        source, target = batch
        hidden = torch.zeros(1, 1, self.H)
        encoder_outputs = torch.zeros(self.MAX_LENGTH, self.H)
        for i in range(source.size(0)):
            output, hidden = self.encoder(self.source_embedding(source[i]).view(1, 1, -1), hidden)
            encoder_outputs[i] = output[0, 0]
        token = torch.zeros(1, 1, dtype=torch.long)  # the start-of-sentence token
        total = 0
        for i in range(target.size(0)):
            log_probs, hidden = self.decode_step(token, hidden, encoder_outputs)
            total = total + F.nll_loss(log_probs, target[i])
            token = target[i]  # teacher forcing
        return total / target.size(0)
