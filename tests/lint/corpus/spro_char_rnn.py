# A reduction of spro/char-rnn.pytorch, model.py, written from scratch for rnndoctor's lint tests; it
# keeps the pattern: one character per step, the batch viewed as a one-step time-major sequence, and
# the GRU or LSTM chosen by a string.
# Source: https://github.com/spro/char-rnn.pytorch/blob/282bcb6b15ab3929d6a588b455cfc0f19f32add4/model.py
# Licence: MIT.
import torch
import torch.nn as nn


class CharModel(nn.Module):
    def __init__(self, vocab, hidden_size, model="gru", n_layers=1):
        super().__init__()
        self.kind, self.hidden_size, self.n_layers = model, hidden_size, n_layers
        self.encoder = nn.Embedding(vocab, hidden_size)
        if model == "gru":
            self.rnn = nn.GRU(hidden_size, hidden_size, n_layers)
        else:
            self.rnn = nn.LSTM(hidden_size, hidden_size, n_layers)
        self.decoder = nn.Linear(hidden_size, vocab)

    def forward(self, chars, hidden):
        batch_size = chars.size(0)
        output, hidden = self.rnn(self.encoder(chars).view(1, batch_size, -1), hidden)
        return self.decoder(output.view(batch_size, -1)), hidden

    def init_hidden(self, batch_size):
        if self.kind == "lstm":
            return (torch.zeros(self.n_layers, batch_size, self.hidden_size),
                    torch.zeros(self.n_layers, batch_size, self.hidden_size))
        return torch.zeros(self.n_layers, batch_size, self.hidden_size)


model = CharModel(100, 100, "gru", 2)
