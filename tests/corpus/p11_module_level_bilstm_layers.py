"""A bi-LSTM tutorial's states shaped for one direction.

Reduced from scratch after: https://github.com/graykode/nlp-tutorial/pull/50
(the states of a bi-LSTM are [num_layers * num_directions, batch_size, n_hidden]).
first argument: h_0
"""
import torch
from torch import nn

n_hidden = 5
lstm = nn.LSTM(input_size=7, hidden_size=n_hidden, bidirectional=True)
X = torch.randn(4, 2, 7)
hidden_state = torch.zeros(1, X.size(1), n_hidden)  # root cause
cell_state = torch.zeros(1, X.size(1), n_hidden)
outputs, (_, _) = lstm(X, (hidden_state, cell_state))
