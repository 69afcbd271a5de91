"""A time-series regressor on sliding windows: a DataLoader of (window, next value), the last step's output.

Source: https://github.com/doukhouhajar/FloodPredictionFederated/blob/a8ef10cb02bd7c3710ff3b42badafe5dbb84cc1e/LSTM/utils_lstm.py
Commit: a8ef10cb02bd7c3710ff3b42badafe5dbb84cc1e
Licence: none stated in the repository (no licence file); nothing of it is copied here

Written from scratch for rnndoctor's false-alarm corpus. It keeps the
recurrent pattern: a multivariate series cut into overlapping windows of
seq_length rows, each paired with the target right after it, unsqueezed to
(samples, 1); a DataLoader of those; a batch-first LSTM whose
`out[:, -1, :]` goes through a Linear to one value, with `mse_loss`. A random
series stands in for the station records.
"""

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

STEPS = 2


class WindowRegressor(nn.Module):
    FEATURES, H, SEQ_LENGTH, BATCH = 3, 8, 5, 4

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(self.FEATURES, self.H, 1, batch_first=True)
        self.fc = nn.Linear(self.H, 1)

    def batches(self):
        g = torch.Generator().manual_seed(110)
        rows = STEPS * self.BATCH + self.SEQ_LENGTH
        series, target = torch.randn(rows, self.FEATURES, generator=g), torch.randn(rows, generator=g)
        windows = torch.stack([series[i:i + self.SEQ_LENGTH] for i in range(rows - self.SEQ_LENGTH)])
        labels = target[self.SEQ_LENGTH:].unsqueeze(1)
        return DataLoader(TensorDataset(windows, labels), batch_size=self.BATCH)

    def loss(self, batch):
        x, y = batch
        out, _ = self.lstm(x)
        return F.mse_loss(self.fc(out[:, -1, :]), y)
