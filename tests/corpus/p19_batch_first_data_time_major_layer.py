"""Batch-first data into a GRU built time-major: the layer lacks `batch_first=True`.

Reduced from scratch after: https://discuss.pytorch.org/t/why-does-nn-gru-accept-inputs-of-shape-1-x-input-size/2979
(`inp` is (batch_size, seq_len, input_size); "unless you forget the parameter" batch_first).
first argument: input
"""
import torch
from torch import nn

batch_size, seq_len, input_size, hidden_size, num_layers = 5, 3, 10, 20, 2
rnn = nn.GRU(input_size, hidden_size, num_layers)  # root cause
inp = torch.randn(batch_size, seq_len, input_size)
h0 = torch.randn(num_layers, batch_size, hidden_size)
output, hn = rnn(inp, h0)
