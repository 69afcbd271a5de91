# expect: RNN301
# A reduction of prakashpandey9/Text-Classification-Pytorch, models/RCNN.py (models/selfAttention.py
# has the same constructor), written from scratch for rnndoctor's lint tests; it keeps the pattern:
# dropout=0.8 set on a single-layer bidirectional LSTM, where torch never applies it.
# tests/lint/test_proofs.py shows the bug with real torch.
# Source: https://github.com/prakashpandey9/Text-Classification-Pytorch/blob/8649eec7a840d55e314b4b992048f3ce966fd05d/models/RCNN.py
# Licence: MIT.
import torch.nn as nn


class RCNN(nn.Module):
    def __init__(self, output_size, hidden_size, vocab_size, embedding_length):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, embedding_length)
        self.dropout = 0.8
        self.lstm = nn.LSTM(embedding_length, hidden_size, dropout=self.dropout, bidirectional=True)
        self.label = nn.Linear(2 * hidden_size, output_size)

    def forward(self, tokens):
        output, (h_n, c_n) = self.lstm(self.word_embeddings(tokens).permute(1, 0, 2))
        return self.label(output.permute(1, 0, 2).max(dim=1).values)
