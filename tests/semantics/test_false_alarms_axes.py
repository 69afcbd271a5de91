"""The second wave of semantic rules (RNN508-): each correct idiom stays silent, its wrong twin warns.

Each pair below is one model written two ways, trained for two steps under
`guard(model, semantics=True)` by test_false_alarms.py's harness: the correct
idiom must not warn, and the wrong twin must warn exactly its rule's code.
"""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from torch.utils.data import DataLoader, TensorDataset

from rnndoctor._runtime import semantics as _semantics

from .test_false_alarms import STEPS, Model, classify, generator, train

Tensor = torch.Tensor


class BridgedBiEncoder(Model):
    """A 2-layer bidirectional GRU encoder starts a 2-layer GRU decoder: each layer's two
    directions, separated with `view(num_layers, 2, N, H)`, summed."""

    V, S, T, N, H = 10, 6, 5, 3, 8

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(self.V, 6)
        self.encoder = nn.GRU(6, self.H, num_layers=2, bidirectional=True)
        self.decoder = nn.GRU(6, self.H, num_layers=2)
        self.out = nn.Linear(self.H, self.V)

    def batches(self) -> list[Any]:
        g = generator(30)
        return [(torch.randint(0, self.V, (self.S, self.N), generator=g),
                 torch.randint(0, self.V, (self.T + 1, self.N), generator=g)) for _ in range(STEPS)]

    def bridge(self, h_n: Tensor) -> Tensor:
        return h_n.view(2, 2, h_n.size(1), self.H).sum(1)

    def loss(self, batch: Any) -> Tensor:
        source, target = batch
        _, h_n = self.encoder(self.embed(source))
        output, _ = self.decoder(self.embed(target[:-1]), self.bridge(h_n).contiguous())
        return classify(self.out(output).reshape(-1, self.V), target[1:].reshape(-1))


class ChatbotTutorialBridge(BridgedBiEncoder):
    """PyTorch's chatbot tutorial: `encoder_hidden[:decoder.n_layers]`, layer 0's two directions."""

    def bridge(self, h_n: Tensor) -> Tensor:
        return h_n[:self.decoder.num_layers]


class GruClassifier(Model):
    """A 2-layer GRU classifier that keeps `h_n` whole, and reads its top layer."""

    L, N, C = 7, 4, 3

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.GRU(5, 6, num_layers=2)
        self.head = nn.Linear(6, self.C)

    def batches(self) -> list[Any]:
        g = generator(31)
        return [(torch.randn(self.L, self.N, 5, generator=g), torch.randint(0, self.C, (self.N,), generator=g))
                for _ in range(STEPS)]

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        output, h = self.rnn(x)
        return classify(self.head(h[-1]), labels)


class GruUnpackedAsLstm(GruClassifier):
    """Code written for an LSTM, run with a GRU: `output, (h, c) = gru(x)` splits the two layers."""

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        output, (h, c) = self.rnn(x)
        return classify(self.head(h), labels)


class ConvCtcFront(Model):
    """A Conv1d over (N, C, W), permuted to (W, N, C) for a time-major LSTM, as CRNNs do for CTC."""

    W, N, H, C = 9, 4, 6, 3

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv1d(2, 5, kernel_size=3, padding=1)
        self.rnn = nn.LSTM(5, self.H)
        self.head = nn.Linear(self.H, self.C)

    def batches(self) -> list[Any]:
        g = generator(32)
        return [(torch.randn(self.N, 2, self.W, generator=g), torch.randint(0, self.C, (self.N,), generator=g))
                for _ in range(STEPS)]

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        features = torch.relu(self.conv(x)).permute(2, 0, 1)  # (W, N, C)
        out, _ = self.rnn(features)
        return classify(self.head(out.mean(0)), labels)


class ConvCtcFrontBatchFirst(ConvCtcFront):
    """The same pipeline after the LSTM was switched to `batch_first=True`: it runs across samples."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(5, self.H, batch_first=True)


class PackedTagger(Model):
    """A batch-first packed tagger that unpacks with `batch_first=True`, as it packed."""

    V, T, C, H = 14, 6, 4, 5
    LENGTHS = [6, 3, 5, 4]

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(self.V, 5)
        self.rnn = nn.LSTM(5, self.H, batch_first=True, bidirectional=True)
        self.tags = nn.Linear(2 * self.H, self.C)

    def batches(self) -> list[Any]:
        g = generator(33)
        return [(torch.randint(0, self.V, (len(self.LENGTHS), self.T), generator=g), torch.tensor(self.LENGTHS),
                 torch.randint(0, self.C, (len(self.LENGTHS), self.T), generator=g)) for _ in range(STEPS)]

    def unpack(self, packed_output: Any) -> Tensor:
        return pad_packed_sequence(packed_output, batch_first=True)[0]

    def loss(self, batch: Any) -> Tensor:
        tokens, lengths, tags = batch
        packed = pack_padded_sequence(self.embed(tokens), lengths, batch_first=True, enforce_sorted=False)
        packed_output, _ = self.rnn(packed)
        return classify(self.tags(self.unpack(packed_output)).reshape(-1, self.C), tags.reshape(-1))


class PackedTaggerUnpackedTimeMajor(PackedTagger):
    """The same tagger unpacking with the default, time-major: the flattened rows fit the tags."""

    def unpack(self, packed_output: Any) -> Tensor:
        return pad_packed_sequence(packed_output)[0]


class LoaderRowsOneStep(Model):
    """Feature rows from a DataLoader, each given a time axis of one step for a batch-first GRU."""

    N, F, C = 6, 4, 3

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.GRU(self.F, 5, batch_first=True)
        self.head = nn.Linear(5, self.C)

    def batches(self) -> Any:
        g = generator(34)
        rows = TensorDataset(torch.randn(STEPS * self.N, self.F, generator=g),
                             torch.randint(0, self.C, (STEPS * self.N,), generator=g))
        return DataLoader(rows, batch_size=self.N)

    def features(self, x: Tensor) -> Tensor:
        return x.unsqueeze(1)

    def loss(self, batch: Any) -> Tensor:
        x, labels = batch
        out, _ = self.rnn(self.features(x))
        return classify(self.head(out.reshape(x.size(0), -1)), labels)


class LoaderRowsAsSequence(LoaderRowsOneStep):
    """The rows given as they come: 2-D, one sequence whose steps are the samples."""

    def features(self, x: Tensor) -> Tensor:
        return x


class TimeMajorTagger(Model):
    """A time-major tagger: `fc(output)` transposed to batch-first before the per-sample loss."""

    L, N, H, C = 7, 3, 5, 4

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(4, self.H)
        self.fc = nn.Linear(self.H, self.C)

    def batches(self) -> list[Any]:
        g = generator(35)
        return [(torch.randn(self.L, self.N, 4, generator=g), torch.randint(0, self.C, (self.N, self.L), generator=g))
                for _ in range(STEPS)]

    def per_sample(self, logits: Tensor) -> Tensor:
        return logits.transpose(0, 1)  # (N, L, C)

    def loss(self, batch: Any) -> Tensor:
        x, tags = batch
        output, _ = self.rnn(x)
        logits = self.per_sample(self.fc(output))
        return classify(logits.reshape(-1, self.C), tags.reshape(-1))


class TimeMajorTaggerViewed(TimeMajorTagger):
    """The same tagger with `view(N, L, C)` where `transpose` was meant."""

    def per_sample(self, logits: Tensor) -> Tensor:
        return logits.view(self.N, self.L, self.C)


class SortedBeforeEmbedding(Model):
    """The batch sorted by `argsort` before the embedding: token ids, lengths and labels alike."""

    V, L, C = 12, 6, 3
    LENGTHS = [3, 6, 2, 5]

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(self.V, 4)
        self.rnn = nn.GRU(4, 5, batch_first=True)
        self.head = nn.Linear(5, self.C)

    def batches(self) -> list[Any]:
        g = generator(36)
        return [(torch.randint(1, self.V, (len(self.LENGTHS), self.L), generator=g), torch.tensor(self.LENGTHS),
                 torch.randint(0, self.C, (len(self.LENGTHS),), generator=g)) for _ in range(STEPS)]

    def labels_for(self, labels: Tensor, order: Tensor) -> Tensor:
        return labels[order]

    def loss(self, batch: Any) -> Tensor:
        tokens, lengths, labels = batch
        order = lengths.argsort(descending=True)
        tokens, lengths = tokens[order], lengths[order]
        _, h_n = self.rnn(pack_padded_sequence(self.embed(tokens), lengths, batch_first=True))
        return classify(self.head(h_n[-1]), self.labels_for(labels, order))


class SortedBeforeEmbeddingLabelsKept(SortedBeforeEmbedding):
    """The same, with the labels left in the batch's order."""

    def labels_for(self, labels: Tensor, order: Tensor) -> Tensor:
        return labels


PAIRS = [(ConvCtcFront, ConvCtcFrontBatchFirst, "RNN106"),
         (SortedBeforeEmbedding, SortedBeforeEmbeddingLabelsKept, "RNN507"),
         (BridgedBiEncoder, ChatbotTutorialBridge, "RNN508"), (GruClassifier, GruUnpackedAsLstm, "RNN509"),
         (PackedTagger, PackedTaggerUnpackedTimeMajor, "RNN510"), (LoaderRowsOneStep, LoaderRowsAsSequence, "RNN511"),
         (TimeMajorTagger, TimeMajorTaggerViewed, "RNN512")]


@pytest.mark.parametrize(("right", "wrong", "code"), PAIRS, ids=[code for _, _, code in PAIRS])
def test_the_idiom_is_silent_and_its_wrong_twin_warns(right: type[Model], wrong: type[Model],
                                                      code: str) -> None:
    assert train(right()) == []
    assert _semantics.collected() == ()
    warned = train(wrong())
    assert [text.split(":", 1)[0] for text in warned] == [f"warning[{code}]"]
    assert [f.code for f in _semantics.collected()] == [code]
