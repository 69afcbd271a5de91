"""Seq2seq with additive attention over a bidirectional GRU encoder, batched and time-major.

Source: https://github.com/bentrevett/pytorch-seq2seq/blob/7faa64a895fe4b76cb87409d66a0ba349a78298e/3%20-%20Neural%20Machine%20Translation%20by%20Jointly%20Learning%20to%20Align%20and%20Translate.ipynb
Commit: 7faa64a895fe4b76cb87409d66a0ba349a78298e
Licence: MIT (Copyright (c) 2018 Ben Trevett)

Written from scratch for rnndoctor's false-alarm corpus; no code is copied. It
keeps the recurrent pattern: the encoder's last forward and backward states,
`hidden[-2, :, :]` beside `hidden[-1, :, :]`, through a Linear and tanh, start
the decoder; attention scores each encoder step against the decoder state
repeated along time, with the encoder outputs permuted to batch-first for
`bmm`; the decoder runs one step at a time on `input.unsqueeze(0)` with
`hidden.unsqueeze(0)`, and its squeezed output, the context and the embedding
are classified. Random token ids stand in for the sentence pairs.
"""

import torch
from torch import nn
from torch.nn import functional as F

STEPS = 2


class BahdanauSeq2Seq(nn.Module):
    V, E, H, SOURCE, TARGET, N = 11, 6, 7, 5, 4, 3

    def __init__(self) -> None:
        super().__init__()
        self.source_embedding = nn.Embedding(self.V, self.E)
        self.encoder = nn.GRU(self.E, self.H, bidirectional=True)
        self.bridge = nn.Linear(2 * self.H, self.H)
        self.attn = nn.Linear(3 * self.H, self.H)
        self.v = nn.Linear(self.H, 1, bias=False)
        self.target_embedding = nn.Embedding(self.V, self.E)
        self.decoder = nn.GRU(2 * self.H + self.E, self.H)
        self.fc_out = nn.Linear(3 * self.H + self.E, self.V)

    def batches(self):
        g = torch.Generator().manual_seed(101)
        return [(torch.randint(0, self.V, (self.SOURCE, self.N), generator=g),
                 torch.randint(0, self.V, (self.TARGET, self.N), generator=g)) for _ in range(STEPS)]

    def attention(self, hidden, encoder_outputs):
        steps = encoder_outputs.shape[0]
        repeated = hidden.unsqueeze(1).repeat(1, steps, 1)  # (N, S, H)
        keys = encoder_outputs.permute(1, 0, 2)  # (N, S, 2H)
        energy = torch.tanh(self.attn(torch.cat((repeated, keys), dim=2)))
        return F.softmax(self.v(energy).squeeze(2), dim=1)

    def decode_step(self, token, hidden, encoder_outputs):
        embedded = self.target_embedding(token.unsqueeze(0))  # (1, N, E)
        a = self.attention(hidden, encoder_outputs).unsqueeze(1)  # (N, 1, S)
        weighted = torch.bmm(a, encoder_outputs.permute(1, 0, 2)).permute(1, 0, 2)  # (1, N, 2H)
        output, hidden = self.decoder(torch.cat((embedded, weighted), dim=2), hidden.unsqueeze(0))
        features = torch.cat((output.squeeze(0), weighted.squeeze(0), embedded.squeeze(0)), dim=1)
        return self.fc_out(features), hidden.squeeze(0)

    def loss(self, batch):
        source, target = batch
        encoder_outputs, hidden = self.encoder(self.source_embedding(source))
        hidden = torch.tanh(self.bridge(torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)))
        token, predictions = target[0], []
        for t in range(1, target.shape[0]):
            prediction, hidden = self.decode_step(token, hidden, encoder_outputs)
            predictions.append(prediction)
            token = target[t]  # teacher forcing
        outputs = torch.stack(predictions)  # (T - 1, N, V)
        return F.cross_entropy(outputs.view(-1, self.V), target[1:].reshape(-1))
