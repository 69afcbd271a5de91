"""Evaluation builds its states with the training batch size.

Reduced from scratch after: https://github.com/GBLin5566/toward-controlled-generation-of-text-pytorch/issues/10
(`Expected hidden[0] size (1, 128, 302), got (1, 40, 302)`).
first argument: h_0
"""
import torch
from torch import nn

BATCH_SIZE = 8


class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(5, 7)

    def init_hidden(self, n):
        return (torch.zeros(1, n, 7), torch.zeros(1, n, 7))

    def forward(self, data, hidden):
        return self.rnn(data, hidden)


def evaluate(model, batches):
    for data in batches:
        hidden = model.init_hidden(BATCH_SIZE)  # root cause
        output, hidden = model(data, hidden)


evaluate(LM(), [torch.randn(4, 3, 5)])
