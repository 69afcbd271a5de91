"""`rnndoctor.scan()` on a model that could never fit in memory, and on a small real one.

1. A model built on the meta device: an embedding, 8 stacked LSTM(16384, 16384)
   layers and a linear head, about 17 billion float32 parameters (69 GB). The
   scan is timed beside `torchinfo.summary` on the same model and input, and a
   child process measures its peak RSS growth beyond what `import torch` costs.
2. An LSTM(32, 64) classifier with real weights: the scan beside one real
   forward pass.

Figures are medians. torchinfo is a benchmark-only dependency:

    pip install -e '.[bench]'
    python benchmarks/scan.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import torch
from torch import nn

HIDDEN, LAYERS, VOCAB, CLASSES = 16384, 8, 1000, 1000
TOKENS = (8, 128)  # batch, sequence length
SCAN_LIMIT_S, RSS_LIMIT_MB = 2.0, 300.0
REPEATS = {"scan": 9, "torchinfo": 3, "small": 51}


class Huge(nn.Module):
    """Embedding -> LAYERS x LSTM(HIDDEN, HIDDEN) -> Linear, the last step classified."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, HIDDEN)
        self.lstms = nn.ModuleList(nn.LSTM(HIDDEN, HIDDEN, batch_first=True) for _ in range(LAYERS))
        self.head = nn.Linear(HIDDEN, CLASSES)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.embed(tokens)
        for lstm in self.lstms:
            x, _ = lstm(x)
        return self.head(x[:, -1])


class Classifier(nn.Module):
    """LSTM(32, 64) over a sequence, then a linear layer on the last step."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(32, 64, batch_first=True)
        self.head = nn.Linear(64, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def huge_on_meta() -> tuple[Huge, torch.Tensor]:
    with torch.device("meta"):
        model = Huge()
    return model, torch.zeros(TOKENS, dtype=torch.long, device="meta")


def median_s(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rss_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process, from /proc (Linux)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def rss_child() -> None:
    """Run in a fresh interpreter: peak RSS while building and scanning, beyond `import torch`."""
    after_torch = rss_mb("VmRSS")
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # restart VmHWM here, so the peak is this part's alone
    import rnndoctor

    model, tokens = huge_on_meta()
    for _ in range(3):
        rnndoctor.scan(model, tokens)
    print(rss_mb("VmHWM") - after_torch)


def rss_growth_mb() -> float:
    child = subprocess.run([sys.executable, __file__, "--rss"], capture_output=True, text=True,
                           check=True)
    return float(child.stdout.split()[-1])


def huge_rows() -> list[str]:
    import rnndoctor

    model, tokens = huge_on_meta()
    params = sum(p.numel() for p in model.parameters())
    scan_s = median_s(lambda: rnndoctor.scan(model, tokens), REPEATS["scan"])
    rss = rss_growth_mb()
    scan_ok = f"limit {SCAN_LIMIT_S:.0f} s: {'ok' if scan_s < SCAN_LIMIT_S else 'OVER'}"
    rss_ok = f"limit {RSS_LIMIT_MB:.0f} MB: {'ok' if rss < RSS_LIMIT_MB else 'OVER'}"
    lstms = f"{LAYERS} x LSTM({HIDDEN}, {HIDDEN})"
    layers = f"Embedding({VOCAB}, {HIDDEN}) -> {lstms} -> Linear({HIDDEN}, {CLASSES})"
    rows = [
        f"huge model on meta: {layers}, tokens {TOKENS}",
        f"  {params / 1e9:.2f} billion parameters, {params * 4 / 1e9:.1f} GB as float32",
        f"  rnndoctor.scan      {scan_s * 1e3:9.1f} ms   ({scan_ok})",
        f"  peak RSS growth     {rss:9.1f} MB   over `import torch` ({rss_ok})",
    ]
    try:
        import torchinfo
    except ImportError:
        return rows + ["  torchinfo.summary: not installed (pip install -e '.[bench]')"]
    summary_s = median_s(lambda: torchinfo.summary(model, input_data=tokens, device="meta",
                                                   verbose=0), REPEATS["torchinfo"])
    ratio = f"{summary_s / scan_s:.0f}x the scan's time"
    return [*rows, f"  torchinfo.summary   {summary_s * 1e3:9.1f} ms   {ratio}"]


def small_rows() -> list[str]:
    import rnndoctor

    model, x = Classifier(), torch.randn(16, 20, 32)
    with torch.no_grad():
        forward_s = median_s(lambda: model(x), REPEATS["small"])
    scan_s = median_s(lambda: rnndoctor.scan(model, x), REPEATS["small"])
    return [
        f"small model, real weights: LSTM(32, 64) classifier, input {tuple(x.shape)}",
        f"  one real forward    {forward_s * 1e3:9.3f} ms   (no_grad)",
        f"  rnndoctor.scan      {scan_s * 1e3:9.3f} ms   {scan_s / forward_s:.1f}x a forward",
    ]


def main() -> None:
    torch.set_num_threads(1)  # steadier on a shared machine, as in benchmarks/check.py
    print(f"torch {torch.__version__}, 1 CPU thread; medians of "
          f"{REPEATS['scan']} scans, {REPEATS['torchinfo']} torchinfo summaries, "
          f"{REPEATS['small']} small-model runs")
    print("\n".join(huge_rows()))
    print("\n".join(small_rows()))


if __name__ == "__main__":
    if sys.argv[1:] == ["--rss"]:
        rss_child()
    else:
        main()
