# expect: RNN510
# A reduction of bentrevett/pytorch-sentiment-analysis, "2 - Recurrent Neural Networks.ipynb", written
# from scratch for rnndoctor's lint tests; it keeps the pattern: a batch pack_padded_sequence'd with
# batch_first=True into a batch-first LSTM, unpadded by pad_packed_sequence without batch_first, under a
# comment that calls the result batch-first. The notebook then classifies from `hidden` and never uses
# `output`, so its predictions are right; the unpadded output is not what its comment says.
# tests/lint/test_proofs.py shows the layout with real torch.
# Source: https://github.com/bentrevett/pytorch-sentiment-analysis/blob/329f654b2cfaed22fee432569ebd7a2674584f79/2%20-%20Recurrent%20Neural%20Networks.ipynb
# Licence: MIT.
import torch.nn as nn


class Classifier(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_dim, output_dim):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim, batch_first=True)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, ids, length):
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(ids), length, batch_first=True,
                                                   enforce_sorted=False)
        packed_output, (hidden, cell) = self.lstm(packed)
        output, output_length = nn.utils.rnn.pad_packed_sequence(packed_output)
        # output = [batch size, seq len, hidden dim]
        return self.fc(hidden[-1]), output
