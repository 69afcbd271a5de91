# expect: RNN502
# A reduction of yunjey/pytorch-tutorial, tutorials/02-intermediate/bidirectional_recurrent_neural_network/main.py,
# written from scratch for rnndoctor's lint tests; it keeps the pattern: a bidirectional batch-first
# LSTM classifier that reads output[:, -1, :], where the backward direction has seen one step only.
# tests/lint/test_proofs.py shows the bug with real torch.
# Source: https://github.com/yunjey/pytorch-tutorial/blob/0500d3df5a2a8080ccfccbc00aca0eacc21818db/tutorials/02-intermediate/bidirectional_recurrent_neural_network/main.py
# Licence: MIT.
import torch
import torch.nn as nn


class BiRNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers, num_classes):
        super().__init__()
        self.hidden_size, self.num_layers = hidden_size, num_layers
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(hidden_size * 2, num_classes)

    def forward(self, x):
        h0 = torch.zeros(self.num_layers * 2, x.size(0), self.hidden_size)
        c0 = torch.zeros(self.num_layers * 2, x.size(0), self.hidden_size)
        out, _ = self.lstm(x, (h0, c0))
        return self.fc(out[:, -1, :])
