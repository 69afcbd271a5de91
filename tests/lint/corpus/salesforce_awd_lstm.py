# A reduction of salesforce/awd-lstm-lm, model.py, written from scratch for rnndoctor's lint tests; it
# keeps the pattern: one single-layer LSTM per layer, sizes chosen per layer in a comprehension, each
# given its own state and dropout=0.
# Source: https://github.com/salesforce/awd-lstm-lm/blob/1d466ec5875675ca6b6f0caacbb741240a29da9e/model.py
# Licence: BSD-3-Clause.
import torch
import torch.nn as nn


class StackedLM(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnns = nn.ModuleList([
            torch.nn.LSTM(ninp if i == 0 else nhid, nhid if i != nlayers - 1 else ninp, 1, dropout=0)
            for i in range(nlayers)])
        self.decoder = nn.Linear(ninp, ntoken)

    def forward(self, tokens, hidden):
        output, new_hidden = self.encoder(tokens), []
        for i, rnn in enumerate(self.rnns):
            output, h = rnn(output, hidden[i])
            new_hidden.append(h)
        return self.decoder(output), new_hidden


model = StackedLM(10000, 400, 1150, 3)
