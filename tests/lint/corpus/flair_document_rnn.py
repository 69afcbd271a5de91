# A reduction of flairNLP/flair, flair/embeddings/document.py (DocumentRNNEmbeddings), written from
# scratch for rnndoctor's lint tests; it keeps the pattern: a batch-first, optionally bidirectional
# LSTM or GRU over a packed batch (enforce_sorted=False), each sentence's last real step and first
# step read from the padded output with its own length.
# Source: https://github.com/flairNLP/flair/blob/d4ea3777998ba67bfbe6b6b8359e024dcf673c3e/flair/embeddings/document.py
# Licence: MIT.
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class DocumentRNN(torch.nn.Module):
    def __init__(self, length, hidden_size=128, rnn_layers=1, bidirectional=False, rnn_type="GRU"):
        super().__init__()
        self.bidirectional = bidirectional
        if rnn_type == "LSTM":
            self.rnn = torch.nn.LSTM(length, hidden_size, num_layers=rnn_layers, bidirectional=bidirectional,
                                     batch_first=True)
        else:
            self.rnn = torch.nn.GRU(length, hidden_size, num_layers=rnn_layers, bidirectional=bidirectional,
                                    batch_first=True)

    def forward(self, sentence_tensor, lengths):
        packed = pack_padded_sequence(sentence_tensor, lengths, enforce_sorted=False, batch_first=True)
        rnn_out, hidden = self.rnn(packed)
        outputs, output_lengths = pad_packed_sequence(rnn_out, batch_first=True)
        rows = []
        for sentence_no, length in enumerate(lengths):
            last_rep = outputs[sentence_no, length - 1]
            if self.bidirectional:
                first_rep = outputs[sentence_no, 0]
                last_rep = torch.cat([first_rep, last_rep], 0)
            rows.append(last_rep)
        return torch.stack(rows)


embeddings = DocumentRNN(100, bidirectional=True)
