"""PyTorch's word-level language model: time-major LSTM, the state carried and detached between batches.

Source: https://github.com/pytorch/examples/blob/61176010ea6cfebc8127be8f965424d5f1838387/word_language_model/model.py
Commit: 61176010ea6cfebc8127be8f965424d5f1838387 (model.py; the training loop is main.py's)
Licence: BSD-3-Clause (pytorch/examples)

Written from scratch for rnndoctor's false-alarm corpus; no code is copied. It
keeps the recurrent pattern: the corpus batchified into (steps, batch)
columns, cut into bptt-long chunks whose targets are the next tokens
flattened; embedding and dropout into a two-layer LSTM with dropout, its
output through dropout and the decoder, viewed as (-1, ntoken) for
`log_softmax` and `nll_loss`; the hidden state repackaged (detached) before
each chunk. Random token ids stand in for Wikitext-2.
"""

import torch
from torch import nn
from torch.nn import functional as F

STEPS = 2


class RnnLanguageModel(nn.Module):
    NTOKEN, NINP, NHID, NLAYERS, BSZ, BPTT = 20, 8, 10, 2, 4, 5

    def __init__(self) -> None:
        super().__init__()
        self.drop = nn.Dropout(0.2)
        self.encoder = nn.Embedding(self.NTOKEN, self.NINP)
        self.rnn = nn.LSTM(self.NINP, self.NHID, self.NLAYERS, dropout=0.2)
        self.decoder = nn.Linear(self.NHID, self.NTOKEN)
        self.hidden = None

    def batches(self):
        corpus = torch.randint(0, self.NTOKEN, (STEPS * self.BPTT * self.BSZ + self.BSZ,),
                               generator=torch.Generator().manual_seed(105))
        steps = corpus.size(0) // self.BSZ
        data = corpus[:steps * self.BSZ].view(self.BSZ, -1).t().contiguous()  # batchify: (steps, BSZ)
        self.hidden = (torch.zeros(self.NLAYERS, self.BSZ, self.NHID),
                       torch.zeros(self.NLAYERS, self.BSZ, self.NHID))
        chunks = []
        for i in range(0, STEPS * self.BPTT, self.BPTT):
            length = min(self.BPTT, data.size(0) - 1 - i)
            chunks.append((data[i:i + length], data[i + 1:i + 1 + length].reshape(-1)))
        return chunks

    def loss(self, batch):
        data, targets = batch
        self.hidden = tuple(h.detach() for h in self.hidden)  # repackage_hidden
        emb = self.drop(self.encoder(data))
        output, self.hidden = self.rnn(emb, self.hidden)
        decoded = self.decoder(self.drop(output)).view(-1, self.NTOKEN)
        return F.nll_loss(F.log_softmax(decoded, dim=1), targets)
