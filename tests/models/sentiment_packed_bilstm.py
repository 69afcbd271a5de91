"""A packed two-layer BiLSTM sentiment classifier: both directions of the top layer's final state.

Source: https://github.com/bentrevett/pytorch-sentiment-analysis/blob/fe430c603e7acd14f97e536a894e054eac38d855/2%20-%20Upgraded%20Sentiment%20Analysis.ipynb
Commit: fe430c603e7acd14f97e536a894e054eac38d855
Licence: MIT (Copyright (c) 2018 Ben Trevett)

Written from scratch for rnndoctor's false-alarm corpus; no code is copied. It
keeps the recurrent pattern: time-major token ids padded with a pad index,
batches sorted by length within the batch; the embedding packed with the
lengths on the CPU; a two-layer bidirectional LSTM with dropout; the padded
output unpacked and unused; `torch.cat((hidden[-2, :, :], hidden[-1, :, :]),
dim=1)` through dropout and a Linear to one logit, squeezed for
`binary_cross_entropy_with_logits`. Random ids stand in for IMDb.
"""

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

STEPS = 2


class PackedSentiment(nn.Module):
    V, E, H, PAD = 25, 6, 7, 1
    LENGTHS = [7, 6, 4, 4, 2]  # sort_within_batch=True

    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(self.V, self.E, padding_idx=self.PAD)
        self.rnn = nn.LSTM(self.E, self.H, num_layers=2, bidirectional=True, dropout=0.5)
        self.fc = nn.Linear(2 * self.H, 1)
        self.dropout = nn.Dropout(0.5)

    def batches(self):
        g = torch.Generator().manual_seed(107)
        out = []
        for _ in range(STEPS):
            text = torch.full((max(self.LENGTHS), len(self.LENGTHS)), self.PAD, dtype=torch.long)
            for i, n in enumerate(self.LENGTHS):
                text[:n, i] = torch.randint(2, self.V, (n,), generator=g)
            labels = torch.randint(0, 2, (len(self.LENGTHS),), generator=g).float()
            out.append((text, torch.tensor(self.LENGTHS), labels))
        return out

    def loss(self, batch):
        text, text_lengths, labels = batch
        embedded = self.dropout(self.embedding(text))
        packed = pack_padded_sequence(embedded, text_lengths.to("cpu"))
        packed_output, (hidden, cell) = self.rnn(packed)
        output, output_lengths = pad_packed_sequence(packed_output)
        hidden = self.dropout(torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1))
        predictions = self.fc(hidden).squeeze(1)
        return F.binary_cross_entropy_with_logits(predictions, labels)
