"""The encoder's state mapped by a bridge `nn.Linear` to the decoder's size, then one layer of it
picked (`z[-1]`): a 2-D state for a decoder of two layers.

Reduced from scratch after: https://github.com/dion-jy/lstm-vae-torch/issues/2
(a decoder of `num_layers` layers started from a state that a linear layer made from the encoder's
result: "For batched 3-D input, hx and cx should also be 3-D but got (2-D, 2-D) tensors"); here with
a GRU and without the latent sampling. The index holds no licence for that repository; no code
was copied.
first argument: h_0
"""
import torch
from torch import nn


class Autoencoder(nn.Module):
    def __init__(self, features, hidden, latent, layers):
        super().__init__()
        self.encoder = nn.GRU(features, hidden, layers, batch_first=True)
        self.to_decoder = nn.Linear(hidden, latent)
        self.decoder = nn.GRU(features, latent, layers, batch_first=True)

    def forward(self, x):
        _, h_n = self.encoder(x)
        z = torch.tanh(self.to_decoder(h_n))
        h0 = z[-1]  # root cause
        out, _ = self.decoder(x, h0)
        return out


Autoencoder(3, 16, 8, 2)(torch.randn(4, 10, 3))
