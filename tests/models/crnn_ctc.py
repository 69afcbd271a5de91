"""CRNN for text recognition: conv features permuted to (T, N, C), two BiLSTMs, CTC loss.

Source: https://github.com/meijieru/crnn.pytorch/blob/1cd71dffce8545efa7c559ed40358496e270e724/models/crnn.py
Commit: 1cd71dffce8545efa7c559ed40358496e270e724
Licence: MIT (Copyright (c) 2017 Jieru Mei)

Written from scratch for rnndoctor's false-alarm corpus; no code is copied. It
keeps the recurrent pattern: a conv stack brings the image height to 1, the
map is squeezed and permuted from (N, C, W) to (W, N, C); each of two
time-major bidirectional LSTM stages flattens its output to (T * N, 2H) for a
Linear and views it back to (T, N, -1); `log_softmax` and `ctc_loss` read the
result as (T, N, classes), with every input length T. Random images and
labels stand in for the data set.
"""

import torch
from torch import nn
from torch.nn import functional as F

STEPS = 2


class Crnn(nn.Module):
    N, HEIGHT, WIDTH, H, CLASSES, LABEL = 3, 8, 16, 6, 5, 3

    def __init__(self) -> None:
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(1, 8, 3, 1, 1), nn.ReLU(True), nn.MaxPool2d(2, 2),  # 8 x 4 x 8
            nn.Conv2d(8, 12, 3, 1, 1), nn.BatchNorm2d(12), nn.ReLU(True),
            nn.MaxPool2d((2, 2), (2, 1), (0, 1)),  # 12 x 2 x 9
            nn.Conv2d(12, 12, 2, 1, 0), nn.ReLU(True),  # 12 x 1 x 8
        )
        self.rnn1 = nn.LSTM(12, self.H, bidirectional=True)
        self.embedding1 = nn.Linear(2 * self.H, self.H)
        self.rnn2 = nn.LSTM(self.H, self.H, bidirectional=True)
        self.embedding2 = nn.Linear(2 * self.H, self.CLASSES)

    def batches(self):
        g = torch.Generator().manual_seed(102)
        return [(torch.randn(self.N, 1, self.HEIGHT, self.WIDTH, generator=g),
                 torch.randint(1, self.CLASSES, (self.N * self.LABEL,), generator=g))
                for _ in range(STEPS)]

    def stage(self, rnn, embedding, x):
        recurrent, _ = rnn(x)
        T, b, h = recurrent.size()
        return embedding(recurrent.view(T * b, h)).view(T, b, -1)

    def loss(self, batch):
        images, labels = batch
        conv = self.cnn(images)
        b, c, h, w = conv.size()
        assert h == 1, "the height of conv must be 1"
        conv = conv.squeeze(2).permute(2, 0, 1)  # (W, N, C)
        output = self.stage(self.rnn2, self.embedding2, self.stage(self.rnn1, self.embedding1, conv))
        log_probs = output.log_softmax(2)
        input_lengths = torch.full((b,), log_probs.size(0), dtype=torch.long)
        label_lengths = torch.full((b,), self.LABEL, dtype=torch.long)
        return F.ctc_loss(log_probs, labels, input_lengths, label_lengths, zero_infinity=True)
