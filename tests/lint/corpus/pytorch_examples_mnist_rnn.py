# A reduction of the recurrent part of pytorch/examples, mnist_rnn/main.py, written from scratch
# for rnndoctor's lint tests; it keeps the pattern: a batch-first LSTM over image rows, last step read
# with output[:, -1, :].
# Source: https://github.com/pytorch/examples/blob/77f55b912142e11fcfdf5b530231fb9c52f181e8/mnist_rnn/main.py
# Licence: BSD-3-Clause.
import torch.nn as nn
import torch.nn.functional as F


class RowReader(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(input_size=28, hidden_size=64, batch_first=True)
        self.head = nn.Linear(64, 10)

    def forward(self, images):
        rows = images.reshape(-1, 28, 28)
        output, _ = self.rnn(rows)
        last = output[:, -1, :]
        return F.log_softmax(self.head(last), dim=1)
