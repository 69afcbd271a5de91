"""`bidirectional` read from the command line as an int.

Reduced from scratch after: https://github.com/kaituoxu/X-Punctuator/issues/3
(`LSTM(256, 512, num_layers=2, batch_first=True, bidirectional=1)`: lstm() received an invalid combination).
first argument: bidirectional
"""
import argparse

import torch
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("--bidirectional", default=1, type=int)
args = parser.parse_args([])
lstm = nn.LSTM(6, 8, num_layers=2, batch_first=True, bidirectional=args.bidirectional)  # root cause
lstm(torch.randn(2, 3, 6))
