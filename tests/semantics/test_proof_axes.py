"""The second wave of semantic rules (RNN508-) guards against real bugs: torch itself shows it.

As in test_proof.py: the flagged code and the rule's first fix run on the same
layer and data. What is right is settled by torch, never by a number written
here: each layer and direction run on its own, as a one-layer unidirectional
layer with the same weights, on the input that layer really reads. The fixed
code matches that reference and the flagged code does not; under
`guard(semantics=True)` the flagged code warns exactly that rule's code (its
first fix being the code run here), and the fix warns nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .test_proof import assert_clean, assert_flagged, data, layer

Tensor = torch.Tensor
H, N, L = 4, 3, 6


def alone(rnn: Any, k: int, reverse: bool) -> Any:
    """Layer `k` of `rnn`, one direction of it, as a one-layer unidirectional layer of the same kind."""
    size = rnn.input_size if k == 0 else rnn.hidden_size * (2 if rnn.bidirectional else 1)
    single = type(rnn)(size, rnn.hidden_size).double()
    suffix = "_reverse" if reverse else ""
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(single, f"{name}_l0").copy_(getattr(rnn, f"{name}_l{k}{suffix}"))
    return single


def layer_by_layer(rnn: Any, x: Tensor) -> list[list[Tensor]]:
    """Each layer's final state in each direction, computed one layer and one direction at a time
    (time-major `x`)."""
    states = []
    for k in range(rnn.num_layers):
        forward_out, forward_h = alone(rnn, k, False)(x)
        per_layer, outputs = [forward_h[0]], [forward_out]
        if rnn.bidirectional:
            backward_out, backward_h = alone(rnn, k, True)(x.flip(0))
            per_layer.append(backward_h[0])
            outputs.append(backward_out.flip(0))
        states.append(per_layer)
        x = torch.cat(outputs, dim=-1)  # what the next layer reads
    return states


# ---- RNN508: h_n[:num_layers] of a bidirectional state, starting a decoder --------------------

def decoder_for(gru: Any) -> Any:
    torch.manual_seed(1)
    return nn.GRU(3, H, num_layers=2).double()


def rnn508_flagged(gru: Any, x: Tensor) -> Tensor:
    output, h_n = gru(x)
    return decoder_for(gru)(x, h_n[:2])[1]  # PyTorch's chatbot tutorial: encoder_hidden[:decoder.n_layers]


def rnn508_last_layer(gru: Any, x: Tensor) -> Tensor:
    output, h_n = gru(x)
    return decoder_for(gru)(x, h_n[-2:])[1]


def rnn508_fixed(gru: Any, x: Tensor) -> Tensor:
    output, h_n = gru(x)
    return decoder_for(gru)(x, h_n.view(2, 2, N, H)[:, 0])[1]


def rnn508_summed(gru: Any, x: Tensor) -> Tensor:
    output, h_n = gru(x)
    return decoder_for(gru)(x, h_n.view(2, 2, N, H).sum(1))[1]


def rnn508_features(gru: Any, x: Tensor) -> Tensor:
    output, h_n = gru(x)
    return h_n[-2:].transpose(0, 1).reshape(N, -1)  # the last layer's two directions, as features


def decoded(gru: Any, x: Tensor, h_0: Tensor) -> Tensor:
    """The decoder's final states from `h_0`, one layer at a time, each from its own state."""
    decoder = decoder_for(gru)
    states = []
    for k in range(2):
        out, h = alone(decoder, k, False)(x, h_0[k:k + 1])
        states.append(h[0])
        x = out
    return torch.stack(states)


def test_rnn508_a_slice_by_layer_count_starts_a_decoder_from_one_layer_s_two_directions() -> None:
    gru = layer(nn.GRU, 3, H, num_layers=2, bidirectional=True)
    x = data(L, N, 3)
    (f0, b0), (f1, b1) = layer_by_layer(gru, x)
    fixed = rnn508_fixed(gru, x)
    torch.testing.assert_close(fixed, decoded(gru, x, torch.stack([f0, f1])))  # each layer from its own
    torch.testing.assert_close(rnn508_summed(gru, x), decoded(gru, x, torch.stack([f0 + b0, f1 + b1])))
    flagged = rnn508_flagged(gru, x)
    assert flagged.shape == fixed.shape
    torch.testing.assert_close(flagged, decoded(gru, x, torch.stack([f0, b0])))  # layer 0, twice over
    assert not torch.allclose(flagged, fixed)
    last_layer = rnn508_last_layer(gru, x)
    torch.testing.assert_close(last_layer, decoded(gru, x, torch.stack([f1, b1])))
    assert not torch.allclose(last_layer, fixed)
    torch.testing.assert_close(rnn508_features(gru, x), torch.cat([f1, b1], dim=-1))  # right as features

    assert_flagged("RNN508", "h_n.view(2, 2, 3, 4)[:, 0]", gru, rnn508_flagged, x)
    assert_flagged("RNN508", "h_n.view(2, 2, 3, 4)[:, 0]", gru, rnn508_last_layer, x)
    assert_clean(gru, rnn508_fixed, x)
    assert_clean(gru, rnn508_summed, x)
    assert_clean(gru, rnn508_features, x)


# ---- RNN509: a GRU's h_n unpacked as an LSTM's (h, c) ------------------------------------------

def rnn509_flagged(gru: Any, x: Tensor) -> Tensor:
    output, (h, c) = gru(x)  # written for an LSTM: h was meant to be the top layer's state
    return h


def rnn509_fixed(gru: Any, x: Tensor) -> Tensor:
    output, h_n = gru(x)
    h = h_n
    return h[-1]


@pytest.mark.parametrize("kind", [nn.GRU, nn.RNN], ids=["GRU", "RNN"])
def test_rnn509_unpacking_a_two_layer_state_splits_its_layers(kind: type) -> None:
    rnn = layer(kind, 3, H, num_layers=2)
    x = data(L, N, 3)
    (f0,), (f1,) = layer_by_layer(rnn, x)
    torch.testing.assert_close(rnn509_fixed(rnn, x), f1)
    flagged = rnn509_flagged(rnn, x)
    assert flagged.shape == f1.shape
    torch.testing.assert_close(flagged, f0)  # layer 0's state, not the top layer's
    assert not torch.allclose(flagged, f1)

    assert_flagged("RNN509", "h = h_n", rnn, rnn509_flagged, x)
    assert_clean(rnn, rnn509_fixed, x)


def test_rnn509_unpacking_a_bidirectional_state_splits_its_directions() -> None:
    gru = layer(nn.GRU, 3, H, bidirectional=True)
    x = data(L, N, 3)
    ((forward, backward),) = layer_by_layer(gru, x)
    output, (h, c) = gru(x)
    torch.testing.assert_close(h, forward)
    torch.testing.assert_close(c, backward)  # not a cell state: the backward direction
    assert_flagged("RNN509", "h = h_n", gru, rnn509_flagged, x)


# ---- RNN106 through the program: a conv feature map permuted to (T, N, C) ---------------------

def conv_front() -> Any:
    torch.manual_seed(2)
    return nn.Conv1d(2, 3, kernel_size=3, padding=1).double()


def rnn106_flagged(lstm: Any, x: Tensor) -> Tensor:
    features = conv_front()(x).permute(2, 0, 1)  # (N, C, W) -> (W, N, C), as for CTC
    return lstm(features)[0]


def rnn106_loader_flagged(lstm: Any, loader: Any) -> Tensor:
    (batch,) = next(iter(loader))
    return lstm(batch.transpose(0, 1))[0]  # time-major, into a batch-first layer


def test_rnn106_a_permuted_conv_feature_map_into_a_batch_first_layer_runs_across_samples() -> None:
    time_major = layer(nn.LSTM, 3, H)
    batch_first = layer(nn.LSTM, 3, H, batch_first=True)  # the same weights, switched to batch-first
    x = data(N, 2, L)
    features = conv_front()(x).permute(2, 0, 1)
    fixed, flagged = time_major(features)[0], rnn106_flagged(batch_first, x)
    assert fixed.shape == flagged.shape  # (L, N, H) both: nothing downstream can tell
    for n in range(N):  # each sample run alone: its own steps
        torch.testing.assert_close(fixed[:, n], time_major(features[:, n:n + 1])[0][:, 0])
        assert not torch.allclose(flagged[:, n], fixed[:, n])

    assert_flagged("RNN106", "nn.LSTM(3, 4, dtype=torch.float64)", batch_first, rnn106_flagged, x)
    assert_clean(time_major, rnn106_flagged, x)


def test_rnn106_the_loader_s_batch_is_followed_through_a_transpose() -> None:
    from torch.utils.data import DataLoader, TensorDataset

    batch_first = layer(nn.LSTM, 3, H, batch_first=True)  # the same weights as time_major
    time_major = layer(nn.LSTM, 3, H)
    loader = DataLoader(TensorDataset(data(N, L, 3)), batch_size=N)
    (batch,) = next(iter(loader))
    flagged = rnn106_loader_flagged(batch_first, loader)
    fixed = time_major(batch.transpose(0, 1))[0]
    assert flagged.shape == fixed.shape
    for n in range(N):  # each sample run alone: its own steps
        torch.testing.assert_close(fixed[:, n], time_major(batch[n:n + 1].transpose(0, 1))[0][:, 0])
        assert not torch.allclose(flagged[:, n], fixed[:, n])

    assert_flagged("RNN106", "nn.LSTM(3, 4, dtype=torch.float64)", batch_first, rnn106_loader_flagged, loader)
    assert_clean(time_major, rnn106_loader_flagged, loader)


# ---- RNN510: pad_packed_sequence without the batch_first the batch was packed with --------------

LENGTHS = [6, 4, 5]  # N=3 sequences padded to T=6


def rnn510_flagged(lstm: Any, x: Tensor, lengths: Tensor) -> Tensor:
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    packed_output, _ = lstm(packed)
    output, _ = pad_packed_sequence(packed_output)  # (T, N, H), in a batch-first pipeline
    return output.reshape(-1, H)  # one row per token, as against tags.reshape(-1)


def rnn510_fixed(lstm: Any, x: Tensor, lengths: Tensor) -> Tensor:
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    packed_output, _ = lstm(packed)
    output, lengths = pad_packed_sequence(packed_output, batch_first=True)
    return output.reshape(-1, H)


def test_rnn510_a_time_major_unpacking_in_a_batch_first_pipeline_pairs_rows_with_other_tokens() -> None:
    lstm = layer(nn.LSTM, 3, H, batch_first=True)
    T = max(LENGTHS)
    x, lengths = data(len(LENGTHS), T, 3), torch.tensor(LENGTHS)
    fixed, flagged = rnn510_fixed(lstm, x, lengths), rnn510_flagged(lstm, x, lengths)
    assert fixed.shape == flagged.shape  # the element counts agree: nothing raises downstream
    mismatched = 0
    for n, length in enumerate(LENGTHS):  # each sequence run alone, unpadded: row n*T + t is its step t
        alone_steps = lstm(x[n:n + 1, :length])[0][0]
        torch.testing.assert_close(fixed[n * T:n * T + length], alone_steps)
        mismatched += sum(not torch.allclose(flagged[n * T + t], alone_steps[t]) for t in range(length))
    assert mismatched == sum(LENGTHS) - 1  # only row 0, sample 0's first step, lines up by chance

    assert_flagged("RNN510", "output, lengths = pad_packed_sequence(packed_output, batch_first=True)",
                   lstm, rnn510_flagged, x, lengths)
    assert_clean(lstm, rnn510_fixed, x, lengths)


# ---- RNN511: a (batch, features) batch read as one unbatched sequence ----------------------------

def features_loader() -> Any:
    from torch.utils.data import DataLoader, TensorDataset

    return DataLoader(TensorDataset(data(2 * N, 5)), batch_size=N)  # 5 features: not the batch size


def rnn511_flagged(lstm: Any, loader: Any) -> Tensor:
    (x,) = next(iter(loader))  # (N, features)
    output, _ = lstm(x)  # read as one sequence of N steps
    return output


def rnn511_fixed(lstm: Any, loader: Any) -> Tensor:
    (x,) = next(iter(loader))
    output, _ = lstm(x.unsqueeze(1))  # (N, 1, features): one step per sample
    return output[:, -1]


def test_rnn511_a_batch_of_feature_rows_runs_as_one_sequence_through_the_samples() -> None:
    lstm = layer(nn.LSTM, 5, H, batch_first=True)
    loader = features_loader()
    (x,) = next(iter(loader))
    fixed, flagged = rnn511_fixed(lstm, loader), rnn511_flagged(lstm, loader)
    assert fixed.shape == flagged.shape == (N, H)
    for n in range(N):  # each sample run alone
        torch.testing.assert_close(fixed[n], lstm(x[n:n + 1].unsqueeze(1))[0][0, -1])
    assert all(not torch.allclose(flagged[n], fixed[n]) for n in range(1, N))  # the state of samples 0..n
    torch.testing.assert_close(flagged[-1], lstm(x.unsqueeze(0))[0][0, -1])

    assert_flagged("RNN511", "input = input.unsqueeze(1)", lstm, rnn511_flagged, loader)
    assert_clean(lstm, rnn511_fixed, loader)


# ---- RNN512: a view after a per-position layer ----------------------------------------------------

def head() -> Any:
    torch.manual_seed(3)
    return nn.Linear(H, 2).double()


def rnn512_flagged(lstm: Any, x: Tensor) -> Tensor:
    output, _ = lstm(x)
    return head()(output).view(N, L, -1)  # time-major (L, N, 2) read as (N, L, 2)


def rnn512_fixed(lstm: Any, x: Tensor) -> Tensor:
    output, _ = lstm(x)
    return head()(output).transpose(0, 1)


def test_rnn512_a_view_of_a_linear_s_result_scrambles_samples_and_steps_as_a_view_of_output_does() -> None:
    lstm = layer(nn.LSTM, 3, H)
    x = data(L, N, 3)
    flagged, fixed = rnn512_flagged(lstm, x), rnn512_fixed(lstm, x)
    assert flagged.shape == fixed.shape == (N, L, 2)
    samples = [head()(lstm(x[:, n:n + 1])[0][:, 0]) for n in range(N)]  # each sample run alone: (L, 2)
    torch.testing.assert_close(fixed, torch.stack(samples))
    strangers = [(n, t) for n in range(N) for t in range(L)
                 if not any(torch.allclose(flagged[n, t], step) for step in samples[n])]
    assert strangers  # rows the view puts in sample n that are no step of sample n

    assert_flagged("RNN512", "output.transpose(0, 1)", lstm, rnn512_flagged, x)
    assert_clean(lstm, rnn512_fixed, x)


# ---- RNN507 before the embedding: token ids and lengths sorted, the labels left in order ----------

TOKENS_LENGTHS = [3, 6, 2, 5]


def embedder() -> Any:
    torch.manual_seed(4)
    return nn.Embedding(9, 3).double()


def rnn507_flagged(lstm: Any, tokens: Tensor, lengths: Tensor) -> Tensor:
    order = lengths.argsort(descending=True)
    tokens, lengths = tokens[order], lengths[order]  # the batch sorted before the embedding
    _, (h_n, _) = lstm(pack_padded_sequence(embedder()(tokens), lengths, batch_first=True))
    return h_n[-1]  # in sorted order, scored against labels in the batch's order


def rnn507_fixed(lstm: Any, tokens: Tensor, lengths: Tensor) -> Tensor:
    packed = pack_padded_sequence(embedder()(tokens), lengths, batch_first=True, enforce_sorted=False)
    _, (h_n, _) = lstm(packed)
    return h_n[-1]


def test_rnn507_token_ids_sorted_with_their_lengths_leave_the_summaries_in_sorted_order() -> None:
    lstm = layer(nn.LSTM, 3, H, batch_first=True)
    lengths = torch.tensor(TOKENS_LENGTHS)
    tokens = torch.randint(1, 9, (len(TOKENS_LENGTHS), max(TOKENS_LENGTHS)), generator=torch.Generator().manual_seed(5))
    fixed, flagged = rnn507_fixed(lstm, tokens, lengths), rnn507_flagged(lstm, tokens, lengths)
    embedded = embedder()(tokens)
    alone = torch.stack([lstm(embedded[n:n + 1, :k])[1][0][-1, 0] for n, k in enumerate(TOKENS_LENGTHS)])
    torch.testing.assert_close(fixed, alone)  # each sequence run alone: row n is sample n
    order = lengths.argsort(descending=True)
    torch.testing.assert_close(flagged, alone[order])  # row i is sample order[i]
    assert all(not torch.allclose(flagged[i], alone[i]) for i in range(len(order)) if order[i] != i)

    assert_flagged("RNN507", "pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)",
                   lstm, rnn507_flagged, tokens, lengths)
    assert_clean(lstm, rnn507_fixed, tokens, lengths)
