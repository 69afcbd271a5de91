"""A series cut into batches of windows, (batch, seq), into an RNN of input_size 1.

Reduced from scratch after: https://github.com/theairbend3r/how-to-train-your-neural-net
(PyTorch basics, RNN notebook: 20 numbers in 4 batches of length 5, input size 1).
first argument: input
"""
import torch
from torch import nn

data = torch.arange(1.0, 21.0)
batches = data.view(4, 5)  # root cause
rnn = nn.RNN(input_size=1, hidden_size=3, batch_first=True)
out, h = rnn(batches)
