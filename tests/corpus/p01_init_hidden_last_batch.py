"""States built once for the loader's batch size, carried into the last, smaller batch.

Reduced from scratch after: https://github.com/udacity/deep-learning-v2-pytorch/pull/398
(sentiment RNN notebook; `h = net.init_hidden(batch_size)` before the loop, 20000 samples, batch 64).
first argument: h_0
"""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class SentimentRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(50, 8)
        self.lstm = nn.LSTM(8, 16, 2, batch_first=True)
        self.fc = nn.Linear(16, 1)

    def forward(self, x, hidden):
        out, hidden = self.lstm(self.embedding(x), hidden)
        return self.fc(out[:, -1]), hidden

    def init_hidden(self, batch_size):
        return (torch.zeros(2, batch_size, 16), torch.zeros(2, batch_size, 16))


net = SentimentRNN()
loader = DataLoader(TensorDataset(torch.randint(0, 50, (70, 5))), batch_size=32)
h = net.init_hidden(32)  # root cause
for (inputs,) in loader:
    h = tuple(each.detach() for each in h)
    output, h = net(inputs, h)
