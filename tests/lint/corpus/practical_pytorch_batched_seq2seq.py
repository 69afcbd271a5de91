# A reduction of spro/practical-pytorch, seq2seq-translation/seq2seq-translation-batched.py, written
# from scratch for rnndoctor's lint tests; it keeps the pattern: a packed time-major GRU encoder with
# a default of one layer and dropout, built with two layers, and a decoder fed one step at a time.
# Source: https://github.com/spro/practical-pytorch/blob/c520c52e68e945d88fff563dba1c028b6ec0197b/seq2seq-translation/seq2seq-translation-batched.py
# Licence: MIT.
import torch
import torch.nn as nn


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size, n_layers=1, dropout=0.1):
        super().__init__()
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, n_layers, dropout=dropout)

    def forward(self, input_seqs, input_lengths, hidden=None):
        packed = torch.nn.utils.rnn.pack_padded_sequence(self.embedding(input_seqs), input_lengths)
        output, hidden = self.gru(packed, hidden)
        output, _ = torch.nn.utils.rnn.pad_packed_sequence(output)
        return output, hidden


class DecoderStep(nn.Module):
    def __init__(self, hidden_size, output_size, n_layers=1, dropout=0.1):
        super().__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, n_layers, dropout=dropout)
        self.out = nn.Linear(hidden_size, output_size)

    def forward(self, token, last_hidden):
        batch_size = token.size(0)
        embedded = self.embedding(token).view(1, batch_size, self.hidden_size)
        rnn_output, hidden = self.gru(embedded, last_hidden)
        return self.out(rnn_output.squeeze(0)), hidden


n_layers = 2
encoder = EncoderRNN(4345, 500, n_layers, dropout=0.1)
decoder = DecoderStep(500, 2803, n_layers, dropout=0.1)
