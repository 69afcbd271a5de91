# A reduction of bentrevett/pytorch-seq2seq, "legacy/4 - Packed Padded Sequences, Masking, Inference
# and BLEU.ipynb", written from scratch for rnndoctor's lint tests; it keeps the pattern: a
# bidirectional GRU over a packed, time-major batch, both directions' final states joined.
# Source: https://github.com/bentrevett/pytorch-seq2seq/blob/b3cd54c72cd6e4e63f672d334c795b4fe744ef92/legacy/4%20-%20Packed%20Padded%20Sequences%2C%20Masking%2C%20Inference%20and%20BLEU.ipynb
# Licence: MIT.
import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, input_dim, emb_dim, enc_hid_dim, dec_hid_dim):
        super().__init__()
        self.embedding = nn.Embedding(input_dim, emb_dim)
        self.rnn = nn.GRU(emb_dim, enc_hid_dim, bidirectional=True)
        self.fc = nn.Linear(enc_hid_dim * 2, dec_hid_dim)

    def forward(self, src, src_len):
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(src), src_len.to("cpu"))
        packed_outputs, hidden = self.rnn(packed)
        outputs, _ = nn.utils.rnn.pad_packed_sequence(packed_outputs)
        joined = torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)
        return outputs, torch.tanh(self.fc(joined))


encoder = Encoder(7853, 256, 512, 512)
