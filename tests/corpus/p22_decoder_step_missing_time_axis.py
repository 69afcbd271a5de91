"""A decoder step embeds a batch of tokens, (batch,), and feeds (batch, emb) with no time axis.

Reduced from scratch after: https://github.com/bentrevett/pytorch-seq2seq/issues/162
(`Expected hidden[0] size (2, 1, 512), got [2, 128, 512]`: the step's input lacks `unsqueeze(0)`).
first argument: input
"""
import torch
from torch import nn


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(11, 4)
        self.rnn = nn.GRU(4, 8, 2)

    def forward(self, token, hidden):
        embedded = self.embedding(token)  # root cause
        output, hidden = self.rnn(embedded, hidden)
        return output, hidden


Decoder()(torch.randint(0, 11, (3,)), torch.zeros(2, 3, 8))
