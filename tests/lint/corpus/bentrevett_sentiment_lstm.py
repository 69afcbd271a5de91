# A reduction of bentrevett/pytorch-sentiment-analysis, "2 - Recurrent Neural Networks.ipynb", written
# from scratch for rnndoctor's lint tests; it keeps the pattern: a batch-first LSTM packed with
# enforce_sorted=False, the last layer's final state read from both directions or from one.
# Source: https://github.com/bentrevett/pytorch-sentiment-analysis/blob/329f654b2cfaed22fee432569ebd7a2674584f79/2%20-%20Recurrent%20Neural%20Networks.ipynb
# Licence: MIT.
import torch
import torch.nn as nn


class Classifier(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_dim, output_dim, n_layers, bidirectional, dropout_rate):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim, n_layers, bidirectional=bidirectional,
                            dropout=dropout_rate, batch_first=True)
        self.fc = nn.Linear(hidden_dim * 2 if bidirectional else hidden_dim, output_dim)

    def forward(self, ids, length):
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(ids), length, batch_first=True,
                                                   enforce_sorted=False)
        packed_output, (hidden, cell) = self.lstm(packed)
        if self.lstm.bidirectional:
            hidden = torch.cat([hidden[-1], hidden[-2]], dim=-1)
        else:
            hidden = hidden[-1]
        return self.fc(hidden)


model = Classifier(25000, 300, 300, 2, 2, True, 0.5)
