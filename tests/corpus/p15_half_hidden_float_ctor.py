"""A BiLSTM-CRF builds its LSTM with `hidden_dim / 2`, a float.

Reduced from scratch after: https://github.com/rguthrie3/DeepLearningForNLPInPytorch/issues/14
(`nn.LSTM(embedding_dim, hidden_dim/2, num_layers=1, bidirectional=True)` fails in the constructor).
first argument: hidden_size
"""
from torch import nn


class BiLSTMTagger(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_dim):
        super().__init__()
        self.word_embeds = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim / 2, num_layers=1, bidirectional=True)  # root cause


BiLSTMTagger(20, 5, 4)
