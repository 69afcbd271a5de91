"""Semantic mode stays quiet on correct, idiomatic models.

Each model below uses what its recurrent layers return the way tutorials and
production code do (detached states between batches, packed sequences, both
directions of a bidirectional layer joined, transposes where the layout
changes, batches from a DataLoader, a batch sorted by hand and kept track
of) and trains for two steps under `guard(model, semantics=True)`. None
may warn. The meta-test at the end runs deliberately wrong twins through the
same harness, to show that it does see a warning when there is one.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence
from torch.utils.data import DataLoader, TensorDataset

import rnndoctor
from rnndoctor import RnnDoctorWarning
from rnndoctor._runtime import semantics as _semantics

Tensor = torch.Tensor
STEPS = 2


def generator(seed: int = 0) -> Any:
    return torch.Generator().manual_seed(seed)


class Model(nn.Module):
    """A model that knows its own data and loss: `batches()` gives one batch per training step."""

    def batches(self) -> list[Any]:
        raise NotImplementedError

    def loss(self, batch: Any) -> Tensor:
        raise NotImplementedError


def classify(logits: Tensor, labels: Tensor) -> Tensor:
    return F.cross_entropy(logits, labels)


# ---- language models: the state is carried across batches, detached ------------------------

class LstmLanguageModel(Model):
    """Time-major word LSTM (the PyTorch word_language_model example): states carried and detached."""

    V, L, N = 11, 6, 4

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(self.V, 8)
        self.rnn = nn.LSTM(8, 10, num_layers=2, dropout=0.1)
        self.decoder = nn.Linear(10, self.V)
        self.hidden: tuple[Tensor, Tensor] | None = None

    def batches(self) -> list[Any]:
        self.hidden = None
        tokens = torch.randint(0, self.V, (STEPS * self.L + 1, self.N), generator=generator())
        return [(tokens[i:i + self.L], tokens[i + 1:i + 1 + self.L]) for i in range(0, STEPS * self.L, self.L)]

    def loss(self, batch: Any) -> Tensor:
        tokens, targets = batch
        output, hidden = self.rnn(self.embed(tokens), self.hidden)
        self.hidden = tuple(x.detach() for x in hidden)  # truncated backpropagation through time
        logits = self.decoder(output.view(self.L * self.N, -1))  # every step of every sample
        return classify(logits, targets.reshape(-1))


class GruLanguageModel(Model):
    """Batch-first character GRU: `h.detach()` between batches, a Linear over every step."""

    V, L, N = 9, 5, 3

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(self.V, 6)
        self.rnn = nn.GRU(6, 12, batch_first=True)
        self.decoder = nn.Linear(12, self.V)
        self.h: Tensor | None = None

    def batches(self) -> list[Any]:
        self.h = None
        tokens = torch.randint(0, self.V, (self.N, STEPS * self.L + 1), generator=generator(1))
        return [(tokens[:, i:i + self.L], tokens[:, i + 1:i + 1 + self.L]) for i in range(0, STEPS * self.L, self.L)]

    def loss(self, batch: Any) -> Tensor:
        tokens, targets = batch
        output, h = self.rnn(self.embed(tokens), self.h)
        self.h = h.detach()
        logits = self.decoder(output)
        return classify(logits.reshape(-1, self.V), targets.reshape(-1))


# ---- taggers and encoders ------------------------------------------------------------------

class BiLstmTagger(Model):
    """A part-of-speech tagger: per-token outputs of a batch-first BiLSTM into a Linear."""

    V, T, L, N, H = 13, 5, 7, 4, 6

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(self.V, 8)
        self.rnn = nn.LSTM(8, self.H, batch_first=True, bidirectional=True)
        self.tags = nn.Linear(2 * self.H, self.T)

    def batches(self) -> list[Any]:
        g = generator(2)
        return [(torch.randint(0, self.V, (self.N, self.L), generator=g),
                 torch.randint(0, self.T, (self.N, self.L), generator=g)) for _ in range(STEPS)]

    def loss(self, batch: Any) -> Tensor:
        tokens, tags = batch
        out, _ = self.rnn(self.embed(tokens))
        return classify(self.tags(out).reshape(-1, self.T), tags.reshape(-1))


def padded_batch(g: Any, lengths: list[int], features: int, batch_first: bool) -> tuple[Tensor, Tensor]:
    """Random sequences of `lengths`, zero-padded to the longest; lengths unsorted, as data loaders give them."""
    x = torch.randn(len(lengths), max(lengths), features, generator=g)
    for i, n in enumerate(lengths):
        x[i, n:] = 0
    return (x if batch_first else x.transpose(0, 1)), torch.tensor(lengths)


class PackedEncoder(Model):
    """Packed, unsorted lengths: per-token predictions on the padded output, `h_n[-1]` per sequence."""

    N, H, T, C = 5, 7, 3, 2
    LENGTHS = [4, 6, 2, 6, 3]

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(4, self.H, batch_first=True)
        self.token_head = nn.Linear(self.H, self.T)
        self.sequence_head = nn.Linear(self.H, self.C)

    def batches(self) -> list[Any]:
        g = generator(3)
        return [(*padded_batch(g, self.LENGTHS, 4, batch_first=True),
                 torch.randint(0, self.T, (self.N, max(self.LENGTHS)), generator=g),
                 torch.randint(0, self.C, (self.N,), generator=g)) for _ in range(STEPS)]

    def loss(self, batch: Any) -> Tensor:
        x, lengths, token_labels, labels = batch
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        packed_out, (h_n, c_n) = self.rnn(packed)
        out, out_lengths = pad_packed_sequence(packed_out, batch_first=True)
        mask = torch.arange(out.size(1))[None, :] < out_lengths[:, None]
        token_loss = classify(self.token_head(out[mask]), token_labels[mask])
        return token_loss + classify(self.sequence_head(h_n[-1]), labels)


class PackedBiEncoder(Model):
    """Time-major packed BiGRU: both directions of `h_n`, and each sequence's last step by its length."""

    H, C = 5, 3
    LENGTHS = [3, 5, 5, 1]

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.GRU(4, self.H, bidirectional=True)
        self.head = nn.Linear(3 * self.H, self.C)

    def batches(self) -> list[Any]:
        g = generator(4)
        return [(*padded_batch(g, self.LENGTHS, 4, batch_first=False),
                 torch.randint(0, self.C, (len(self.LENGTHS),), generator=g)) for _ in range(STEPS)]

    def loss(self, batch: Any) -> Tensor:
        x, lengths, labels = batch
        packed_out, h_n = self.rnn(pack_padded_sequence(x, lengths, enforce_sorted=False))
        out, out_lengths = pad_packed_sequence(packed_out)
        last_forward = out[out_lengths - 1, torch.arange(out.size(1)), :self.H]
        both = torch.cat([h_n[-2], h_n[-1]], dim=-1)
        return classify(self.head(torch.cat([both, last_forward], dim=-1)), labels)


class BiEncoderCat(Model):
    """A two-layer BiLSTM sentence encoder: the last layer's final states, forward beside backward."""

    L, N, H, C = 6, 4, 5, 3

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(4, self.H, num_layers=2, bidirectional=True)
        self.head = nn.Linear(2 * self.H, self.C)

    def batches(self) -> list[Any]:
        g = generator(5)
        return [(torch.randn(self.L, self.N, 4, generator=g), torch.randint(0, self.C, (self.N,), generator=g))
                for _ in range(STEPS)]

    def summary(self, h_n: Tensor) -> Tensor:
        return torch.cat([h_n[-2], h_n[-1]], dim=-1)

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        _, (h_n, _) = self.rnn(x)
        return classify(self.head(self.summary(h_n)), labels)


class BiEncoderCatTutorial(BiEncoderCat):
    """The same, written as the seq2seq tutorials do: `hidden[-2, :, :]` first, through dropout after."""

    def __init__(self) -> None:
        super().__init__()
        self.dropout = nn.Dropout(0.2)

    def summary(self, h_n: Tensor) -> Tensor:
        return self.dropout(torch.cat((h_n[-2, :, :], h_n[-1, :, :]), dim=1))


class BiEncoderView(BiEncoderCat):
    """The directions separated as the nn.LSTM docs show: `h_n.view(num_layers, 2, N, H)`."""

    def summary(self, h_n: Tensor) -> Tensor:
        last = h_n.view(2, 2, h_n.size(1), self.H)[-1]  # (directions, N, H) of the last layer
        return torch.cat([last[0], last[1]], dim=-1)


class BiEncoderViewBatchOfLayers(BiEncoderView):
    """The docs' view when the batch happens to be as large as `num_layers` (2): still correct."""

    N = 2


class BiEncoderPermute(BiEncoderCat):
    """Every layer and direction of each sample: `h_n.permute(1, 0, 2).reshape(N, -1)`."""

    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Linear(4 * self.H, self.C)

    def summary(self, h_n: Tensor) -> Tensor:
        return h_n.permute(1, 0, 2).reshape(h_n.size(1), -1)


class BiEncoderLastLayerSlice(BiEncoderCat):
    """The last layer's two directions as a slice, `h_n[-2:]`, then the batch moved to dim 0."""

    def summary(self, h_n: Tensor) -> Tensor:
        return h_n[-2:].transpose(0, 1).reshape(h_n.size(1), -1)


class StackedBiDirectionsFromOutput(Model):
    """Batch-first two-layer BiLSTM: forward half of the last step, backward half of the first."""

    L, N, H, C = 5, 3, 4, 2

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(3, self.H, num_layers=2, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * self.H, self.C)

    def batches(self) -> list[Any]:
        g = generator(6)
        return [(torch.randn(self.N, self.L, 3, generator=g), torch.randint(0, self.C, (self.N,), generator=g))
                for _ in range(STEPS)]

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        out, _ = self.rnn(x)
        H = self.H
        return classify(self.head(torch.cat([out[:, -1, :H], out[:, 0, H:]], dim=-1)), labels)


class TimeMajorBiDirectionsFromOutput(StackedBiDirectionsFromOutput):
    """The same on a time-major BiGRU: `out[-1, :, :H]` beside `out[0, :, H:]`, and mean pooling."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.GRU(3, self.H, bidirectional=True)
        self.head = nn.Linear(4 * self.H, self.C)

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        out, _ = self.rnn(x.transpose(0, 1))
        H = self.H
        features = torch.cat([out[-1, :, :H], out[0, :, H:], out.mean(dim=0)], dim=-1)
        return classify(self.head(features), labels)


# ---- classifiers over a unidirectional layer -----------------------------------------------

class SequenceClassifier(Model):
    """A batch-first unidirectional LSTM, unpadded: `out[:, -1]` is every sample's last step."""

    L, N, H, C = 6, 4, 5, 3
    batch_first = True

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(3, self.H, batch_first=self.batch_first)
        self.head = nn.Linear(self.H, self.C)

    def batches(self) -> list[Any]:
        g = generator(7)
        shape = (self.N, self.L, 3) if self.batch_first else (self.L, self.N, 3)
        return [(torch.randn(*shape, generator=g), torch.randint(0, self.C, (self.N,), generator=g))
                for _ in range(STEPS)]

    def summary(self, out: Tensor, h_n: Tensor) -> Tensor:
        return out[:, -1]

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        out, (h_n, _) = self.rnn(x)
        return classify(self.head(self.summary(out, h_n)), labels)


class TimeMajorClassifier(SequenceClassifier):
    """Time-major: `out[-1]` is the last step."""

    batch_first = False

    def summary(self, out: Tensor, h_n: Tensor) -> Tensor:
        return out[-1]


class SquareBatchClassifier(SequenceClassifier):
    """Batch-first with as many samples as steps: `out[:, -1]` stays right when the sizes agree."""

    N = L = 5


class SqueezedStateClassifier(Model):
    """A single-layer GRU: `h_n.squeeze(0)` is each sample's final state."""

    L, N, H, C = 7, 3, 6, 4

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.GRU(2, self.H, batch_first=True)
        self.head = nn.Linear(self.H, self.C)

    def batches(self) -> list[Any]:
        g = generator(8)
        return [(torch.randn(self.N, self.L, 2, generator=g), torch.randint(0, self.C, (self.N,), generator=g))
                for _ in range(STEPS)]

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        _, h_n = self.rnn(x)
        return classify(self.head(h_n.squeeze(0)), labels)


class DeepRnnClassifier(Model):
    """A three-layer Elman RNN with dropout between layers: `h_n[-1]` is the top layer's state."""

    L, N, H, C = 5, 4, 6, 3

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.RNN(3, self.H, num_layers=3, dropout=0.1, nonlinearity="relu")
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(self.H, self.C)

    def batches(self) -> list[Any]:
        g = generator(9)
        return [(torch.randn(self.L, self.N, 3, generator=g), torch.randint(0, self.C, (self.N,), generator=g))
                for _ in range(STEPS)]

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        _, h_n = self.rnn(x)
        return classify(self.head(self.dropout(h_n[-1])), labels)


class FlattenedOutputClassifier(Model):
    """Every step of each sample into one Linear: `out.transpose(0, 1).reshape(N, -1)`."""

    L, N, H, C = 4, 3, 5, 2

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.GRU(3, self.H, num_layers=2)
        self.head = nn.Linear(self.L * self.H, self.C)

    def batches(self) -> list[Any]:
        g = generator(10)
        return [(torch.randn(self.L, self.N, 3, generator=g), torch.randint(0, self.C, (self.N,), generator=g))
                for _ in range(STEPS)]

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        out, _ = self.rnn(x)
        return classify(self.head(out.transpose(0, 1).reshape(self.N, -1)), labels)


class ProjectedLstm(Model):
    """An LSTM with `proj_size`: `h_n[-1]` has proj_size features and `c_n[-1]` hidden_size."""

    L, N, H, P, C = 6, 4, 8, 3, 2

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(5, self.H, num_layers=2, proj_size=self.P, batch_first=True)
        self.head = nn.Linear(self.P + self.H, self.C)

    def batches(self) -> list[Any]:
        g = generator(11)
        return [(torch.randn(self.N, self.L, 5, generator=g), torch.randint(0, self.C, (self.N,), generator=g))
                for _ in range(STEPS)]

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        out, (h_n, c_n) = self.rnn(x)
        assert out.shape[-1] == self.P
        return classify(self.head(torch.cat([h_n[-1], c_n[-1]], dim=-1)), labels)


class ConvGru(Model):
    """A Conv1d front-end over (N, C, L), transposed to (N, L, C) for a batch-first GRU."""

    L, N, H, C = 12, 3, 6, 4

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv1d(2, 8, kernel_size=3, padding=1)
        self.rnn = nn.GRU(8, self.H, batch_first=True)
        self.head = nn.Linear(self.H, self.C)

    def batches(self) -> list[Any]:
        g = generator(12)
        return [(torch.randn(self.N, 2, self.L, generator=g), torch.randint(0, self.C, (self.N,), generator=g))
                for _ in range(STEPS)]

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        features = F.relu(self.conv(x)).transpose(1, 2)  # (N, C, L) -> (N, L, C)
        out, h_n = self.rnn(features)
        return classify(self.head(out[:, -1] + h_n[-1]), labels)


class UnbatchedSequence(Model):
    """One sequence without a batch axis, (L, H_in), on a batch-first layer: `out[-1]` is its last step."""

    L, H, C = 6, 4, 3

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(3, self.H, batch_first=True)
        self.head = nn.Linear(self.H, self.C)

    def batches(self) -> list[Any]:
        g = generator(13)
        return [(torch.randn(self.L, 3, generator=g), torch.randint(0, self.C, (1,), generator=g))
                for _ in range(STEPS)]

    def loss(self, batch: Any) -> Tensor:
        x, label = batch
        out, (h_n, _) = self.rnn(x)
        return classify(self.head(out[-1] + h_n[-1]).unsqueeze(0), label)


# ---- encoder-decoder models ----------------------------------------------------------------

class Seq2Seq(Model):
    """A GRU encoder's final state starts a GRU decoder (teacher forcing); a Linear over every step."""

    V, S, T, N, H = 10, 6, 5, 3, 8

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(self.V, 6)
        self.encoder = nn.GRU(6, self.H, num_layers=2, batch_first=True)
        self.decoder = nn.GRU(6, self.H, num_layers=2, batch_first=True)
        self.out = nn.Linear(self.H, self.V)

    def batches(self) -> list[Any]:
        g = generator(14)
        return [(torch.randint(0, self.V, (self.N, self.S), generator=g),
                 torch.randint(0, self.V, (self.N, self.T + 1), generator=g)) for _ in range(STEPS)]

    def loss(self, batch: Any) -> Tensor:
        source, target = batch
        _, h_n = self.encoder(self.embed(source))
        output, _ = self.decoder(self.embed(target[:, :-1]), h_n)
        return classify(self.out(output).reshape(-1, self.V), target[:, 1:].reshape(-1))


class BiSeq2Seq(Seq2Seq):
    """A bidirectional encoder whose joined directions, through a Linear, start an LSTM decoder."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.LSTM(6, self.H, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * self.H, self.H)
        self.decoder = nn.LSTM(6, self.H, batch_first=True)

    def loss(self, batch: Any) -> Tensor:
        source, target = batch
        _, (h_n, c_n) = self.encoder(self.embed(source))
        h_0 = torch.tanh(self.bridge(torch.cat((h_n[-2, :, :], h_n[-1, :, :]), dim=1))).unsqueeze(0)
        c_0 = torch.tanh(self.bridge(torch.cat((c_n[-2], c_n[-1]), dim=1))).unsqueeze(0)
        output, _ = self.decoder(self.embed(target[:, :-1]), (h_0, c_0))
        return classify(self.out(output).reshape(-1, self.V), target[:, 1:].reshape(-1))


class AttentionDecoder(Model):
    """A batch-first BiGRU encoder and an LSTMCell decoder with dot-product attention over its outputs."""

    V, S, T, N, H = 9, 5, 4, 3, 6

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(self.V, 6)
        self.encoder = nn.GRU(6, self.H, batch_first=True, bidirectional=True)
        self.cell = nn.LSTMCell(6 + 2 * self.H, 2 * self.H)
        self.out = nn.Linear(4 * self.H, self.V)

    def batches(self) -> list[Any]:
        g = generator(15)
        return [(torch.randint(0, self.V, (self.N, self.S), generator=g),
                 torch.randint(0, self.V, (self.N, self.T + 1), generator=g)) for _ in range(STEPS)]

    def loss(self, batch: Any) -> Tensor:
        source, target = batch
        memory, h_n = self.encoder(self.embed(source))  # memory: (N, S, 2H)
        h = torch.cat([h_n[-2], h_n[-1]], dim=-1)
        c = torch.zeros_like(h)
        context = memory.mean(dim=1)
        losses = []
        for t in range(self.T):
            h, c = self.cell(torch.cat([self.embed(target[:, t]), context], dim=-1), (h, c))
            weights = torch.softmax(torch.bmm(memory, h.unsqueeze(2)).squeeze(2), dim=1)
            context = torch.bmm(weights.unsqueeze(1), memory).squeeze(1)
            losses.append(classify(self.out(torch.cat([h, context], dim=-1)), target[:, t + 1]))
        return torch.stack(losses).mean()


# ---- batches from a DataLoader (RNN106), and batches sorted by hand (RNN507) ---------------

class LoaderClassifier(Model):
    """A batch-first GRU fed straight from a DataLoader: the loader's batch is dim 0, as read."""

    V, L, N, C = 20, 7, 8, 3

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(self.V, 6)
        self.rnn = nn.GRU(6, 10, batch_first=True)
        self.head = nn.Linear(10, self.C)

    def batches(self) -> Any:
        g = generator(20)
        data = TensorDataset(torch.randint(0, self.V, (STEPS * self.N, self.L), generator=g),
                             torch.randint(0, self.C, (STEPS * self.N,), generator=g))
        return DataLoader(data, batch_size=self.N)

    def loss(self, batch: Any) -> Tensor:
        tokens, labels = batch
        _, h_n = self.rnn(self.embed(tokens))
        return classify(self.head(h_n[-1]), labels)


class LoaderTimeMajor(LoaderClassifier):
    """A time-major LSTM fed from a DataLoader, transposed first: dim 1 is then the batch."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(6, 10)

    def loss(self, batch: Any) -> Tensor:
        tokens, labels = batch
        output, _ = self.rnn(self.embed(tokens.t()))
        return classify(self.head(output[-1]), labels)


class LoaderTimeMajorCollate(LoaderTimeMajor):
    """A `collate_fn` that pads with `pad_sequence`, time-major: the loader's batch is dim 1."""

    def batches(self) -> Any:
        g = generator(21)
        samples = [(torch.randint(0, self.V, (self.L,), generator=g), int(c))
                   for c in torch.randint(0, self.C, (STEPS * self.N,), generator=g)]
        return DataLoader(samples, batch_size=self.N,
                          collate_fn=lambda b: (pad_sequence([t for t, _ in b]),
                                                torch.tensor([c for _, c in b])))

    def loss(self, batch: Any) -> Tensor:
        tokens, labels = batch
        output, _ = self.rnn(self.embed(tokens))
        return classify(self.head(output[-1]), labels)


class SortedWithLabels(Model):
    """The old packing recipe: sort by length by hand, and sort the labels by the same order."""

    V, L, N, C = 15, 6, 4, 3

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(self.V, 5)
        self.rnn = nn.LSTM(5, 8, batch_first=True)
        self.head = nn.Linear(8, self.C)

    def batches(self) -> list[Any]:
        g = generator(22)
        return [(torch.randint(0, self.V, (self.N, self.L), generator=g), torch.tensor([3, 6, 2, 5]),
                 torch.randint(0, self.C, (self.N,), generator=g)) for _ in range(STEPS)]

    def encode(self, tokens: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """The last layer's final state, in sorted order, and the order."""
        lengths, order = lengths.sort(descending=True)
        packed = pack_padded_sequence(self.embed(tokens[order]), lengths, batch_first=True)
        _, (h_n, _) = self.rnn(packed)
        return h_n[-1], order

    def loss(self, batch: Any) -> Tensor:
        tokens, lengths, labels = batch
        summary, order = self.encode(tokens, lengths)
        return classify(self.head(summary), labels[order])


class SortedAndRestored(SortedWithLabels):
    """The same recipe, with the batch put back in its order by the inverse permutation."""

    def loss(self, batch: Any) -> Tensor:
        tokens, lengths, labels = batch
        summary, order = self.encode(tokens, lengths)
        return classify(self.head(summary[order.argsort()]), labels)


# ---- directions joined or separated after the fact: the use waits, and is settled ----------

class BiEncoderSumDirections(BiEncoderCat):
    """Both directions' final states summed, `h_n[-2] + h_n[-1]`: `+` settles RNN504 as `cat` does."""

    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Linear(self.H, self.C)

    def summary(self, h_n: Tensor) -> Tensor:
        return h_n[-2] + h_n[-1]


class BiEncoderDropoutEachDirection(BiEncoderCatTutorial):
    """Dropout on each direction, then `cat`: the waiting `h_n[-1]` follows dropout to the `cat`."""

    def summary(self, h_n: Tensor) -> Tensor:
        return torch.cat([self.dropout(h_n[-2]), self.dropout(h_n[-1])], dim=-1)


class TimeMajorChainedDirections(TimeMajorBiDirectionsFromOutput):
    """`out[-1][:, :H]`: the second subscript drops the backward half, which settles RNN502."""

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        out, _ = self.rnn(x.transpose(0, 1))
        H = self.H
        features = torch.cat([out[-1][:, :H], out[0][:, H:], out.mean(dim=0)], dim=-1)
        return classify(self.head(features), labels)


MODELS = [
    LstmLanguageModel, GruLanguageModel, BiLstmTagger, PackedEncoder, PackedBiEncoder, BiEncoderCat,
    BiEncoderCatTutorial, BiEncoderView, BiEncoderViewBatchOfLayers, BiEncoderPermute, BiEncoderLastLayerSlice,
    StackedBiDirectionsFromOutput, TimeMajorBiDirectionsFromOutput, SequenceClassifier, TimeMajorClassifier,
    SquareBatchClassifier, SqueezedStateClassifier, DeepRnnClassifier, FlattenedOutputClassifier, ProjectedLstm,
    ConvGru, UnbatchedSequence, Seq2Seq, BiSeq2Seq, AttentionDecoder, BiEncoderSumDirections,
    BiEncoderDropoutEachDirection, TimeMajorChainedDirections, LoaderClassifier, LoaderTimeMajor,
    LoaderTimeMajorCollate, SortedWithLabels, SortedAndRestored,
]


def train(model: Model) -> list[str]:
    """Two optimizer steps under the semantic guard; the text of every RnnDoctorWarning it issued."""
    torch.manual_seed(0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model.train()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with rnndoctor.guard(model, semantics=True):
            for batch in model.batches():
                optimizer.zero_grad()
                loss = model.loss(batch)
                loss.backward()
                optimizer.step()
    assert torch.isfinite(loss)
    return [str(w.message) for w in caught if issubclass(w.category, RnnDoctorWarning)]


@pytest.mark.parametrize("model_class", MODELS, ids=lambda c: c.__name__)
def test_a_correct_model_trains_without_a_warning(model_class: type[Model]) -> None:
    before = _semantics.collected()
    warned = train(model_class())
    assert warned == []
    assert _semantics.collected() == before


def test_the_models_train() -> None:
    """The harness really runs the steps: the weights move."""
    model = BiEncoderCat()
    start = [p.detach().clone() for p in model.parameters()]
    train(model)
    assert all(not torch.equal(a, b) for a, b in zip(start, model.parameters()))


# ---- the harness can fail: the same models, with the mistake the rules are for --------------

class BiEncoderBackwardOnly(BiEncoderCat):
    """`h_n[-1]` alone of a bidirectional layer, written as for a unidirectional one."""

    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Linear(self.H, self.C)

    def summary(self, h_n: Tensor) -> Tensor:
        return h_n[-1]


class BatchFirstLastSample(SquareBatchClassifier):
    """`out[-1]` on a batch-first output: the last sample's steps, which fit the head all the same."""

    def summary(self, out: Tensor, h_n: Tensor) -> Tensor:
        return out[-1]


class BiLastStep(StackedBiDirectionsFromOutput):
    """`out[:, -1]` of a bidirectional output: the backward half has read one step."""

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        out, _ = self.rnn(x)
        return classify(self.head(out[:, -1]), labels)


class PackedPaddingAsLastStep(PackedEncoder):
    """`out[:, -1]` after `pad_packed_sequence`, with some sequences shorter than the longest."""

    def loss(self, batch: Any) -> Tensor:
        x, lengths, _, labels = batch
        packed_out, _ = self.rnn(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False))
        out, _ = pad_packed_sequence(packed_out, batch_first=True)
        return classify(self.sequence_head(out[:, -1]), labels)


class FlattenedByView(FlattenedOutputClassifier):
    """`out.view(N, -1)` of a time-major output, where `transpose` was meant."""

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        out, _ = self.rnn(x)
        return classify(self.head(out.view(self.N, -1)), labels)


class StateViewMixesBatch(BiEncoderPermute):
    """`h_n.view(N, -1)` of a two-layer bidirectional state (3 samples, 4 layer-directions)."""

    N = 3

    def summary(self, h_n: Tensor) -> Tensor:
        return h_n.view(h_n.size(1), -1)


class LoaderIntoTimeMajor(LoaderClassifier):
    """A tagger given the DataLoader's batch-first tokens into a time-major GRU, untransposed:
    the per-token loss fits all the same."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.GRU(6, 10)

    def batches(self) -> Any:
        g = generator(23)
        data = TensorDataset(torch.randint(0, self.V, (STEPS * self.N, self.L), generator=g),
                             torch.randint(0, self.C, (STEPS * self.N, self.L), generator=g))
        return DataLoader(data, batch_size=self.N)

    def loss(self, batch: Any) -> Tensor:
        tokens, tags = batch
        output, _ = self.rnn(self.embed(tokens))
        return classify(self.head(output).reshape(-1, self.C), tags.reshape(-1))


class SortedNeverRestored(SortedWithLabels):
    """The batch sorted for packing, and the labels left in their order."""

    def loss(self, batch: Any) -> Tensor:
        tokens, lengths, labels = batch
        summary, _ = self.encode(tokens, lengths)
        return classify(self.head(summary), labels)


WRONG = [(BatchFirstLastSample, "RNN501"), (BiLastStep, "RNN502"), (PackedPaddingAsLastStep, "RNN503"),
         (BiEncoderBackwardOnly, "RNN504"), (FlattenedByView, "RNN505"), (StateViewMixesBatch, "RNN506"),
         (LoaderIntoTimeMajor, "RNN106"), (SortedNeverRestored, "RNN507")]


@pytest.mark.parametrize(("model_class", "code"), WRONG, ids=lambda v: getattr(v, "__name__", v))
def test_the_harness_sees_a_wrong_twin(model_class: type[Model], code: str) -> None:
    warned = train(model_class())
    assert [text.split(":", 1)[0] for text in warned] == [f"warning[{code}]"]
    assert [f.code for f in _semantics.collected()] == [code]
