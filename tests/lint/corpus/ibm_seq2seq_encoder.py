# A reduction of IBM/pytorch-seq2seq, seq2seq/models/EncoderRNN.py and baseRNN.py, written from scratch
# for rnndoctor's lint tests; it keeps the pattern: the layer class held in an attribute chosen by a
# string, batch-first, optionally packed with the lengths.
# Source: https://github.com/IBM/pytorch-seq2seq/blob/f146087a9a271e9b50f46561e090324764b081fb/seq2seq/models/EncoderRNN.py
# Licence: Apache-2.0.
import torch.nn as nn


class EncoderRNN(nn.Module):
    def __init__(self, vocab_size, hidden_size, n_layers=1, bidirectional=False, rnn_cell="gru",
                 variable_lengths=False, dropout_p=0):
        super().__init__()
        if rnn_cell.lower() == "lstm":
            self.rnn_cell = nn.LSTM
        else:
            self.rnn_cell = nn.GRU
        self.variable_lengths = variable_lengths
        self.embedding = nn.Embedding(vocab_size, hidden_size)
        self.rnn = self.rnn_cell(hidden_size, hidden_size, n_layers, batch_first=True,
                                 bidirectional=bidirectional, dropout=dropout_p)

    def forward(self, input_var, input_lengths=None):
        embedded = self.embedding(input_var)
        if self.variable_lengths:
            embedded = nn.utils.rnn.pack_padded_sequence(embedded, input_lengths, batch_first=True)
        output, hidden = self.rnn(embedded)
        if self.variable_lengths:
            output, _ = nn.utils.rnn.pad_packed_sequence(output, batch_first=True)
        return output, hidden
