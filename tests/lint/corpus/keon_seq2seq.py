# A reduction of keon/seq2seq, model.py, written from scratch for rnndoctor's lint tests; it keeps the
# pattern: a bidirectional time-major GRU whose two directions are summed, feature halves by slicing.
# Source: https://github.com/keon/seq2seq/blob/0e124a7b0da81f44cba9fa9944d95fdbd4e16efc/model.py
# Licence: MIT.
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, input_size, embed_size, hidden_size, n_layers=1, dropout=0.5):
        super().__init__()
        self.hidden_size = hidden_size
        self.embed = nn.Embedding(input_size, embed_size)
        self.gru = nn.GRU(embed_size, hidden_size, n_layers, dropout=dropout, bidirectional=True)

    def forward(self, src, hidden=None):
        outputs, hidden = self.gru(self.embed(src), hidden)
        outputs = outputs[:, :, :self.hidden_size] + outputs[:, :, self.hidden_size:]
        return outputs, hidden
