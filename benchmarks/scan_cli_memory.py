"""Peak memory of `rnndoctor scan FILE.py:FACTORY` on a 2 GB model, beside building the model alone.

The model: an nn.Embedding(250_000, 1024), a 2-layer nn.LSTM(1024, 1024) and an
nn.Linear(1024, 250_000), about 530 million float32 parameters (2.1 GB). Each
figure is one child process's peak RSS (`ru_maxrss`), and its wall time:

- `import torch` alone: the floor every other figure includes;
- building the model (the factory called as written, on the CPU);
- `rnndoctor scan` from the command line, which calls the factory under
  `with torch.device("meta"):`;
- the same scan with the factory forced off meta (what it did before).

Medians of REPEATS runs, the runs of each kind taken in turn:

    python benchmarks/scan_cli_memory.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPEATS = 3
MODEL = """
import torch
from torch import nn


class LanguageModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(250_000, 1024)
        self.rnn = nn.LSTM(1024, 1024, num_layers=2, batch_first=True)
        self.head = nn.Linear(1024, 250_000)

    def forward(self, tokens):
        out, _ = self.rnn(self.embed(tokens))
        return self.head(out)


def build():
    return LanguageModel()
"""

MEASURE = """
import resource, sys, time
start = time.perf_counter()
{body}
elapsed = time.perf_counter() - start
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, elapsed, file=sys.stderr)
"""

BODIES = {
    "import torch": "import torch",
    "build the model": "import torch, models\nmodel = models.build()",
    "rnndoctor scan": ("from rnndoctor import cli\n"
                       "code = cli.main(['scan', 'models.py:build', '--input', '8,128:int64'])\n"
                       "assert code == 0, code"),
    "rnndoctor scan, built off meta": (
        "from rnndoctor import cli\nfrom rnndoctor._scan import cli as scan_cli\n"
        "scan_cli._on_meta = lambda factory, name: factory()  # the factory runs as written\n"
        "code = cli.main(['scan', 'models.py:build', '--input', '8,128:int64'])\n"
        "assert code == 0, code"),
}


def measure(body: str, folder: Path) -> tuple[float, float]:
    """Peak RSS in MB and wall seconds of one child process running `body`."""
    done = subprocess.run([sys.executable, "-c", MEASURE.format(body=body)], cwd=folder,
                          capture_output=True, text=True, check=True)
    kilobytes, seconds = done.stderr.strip().splitlines()[-1].split()
    return int(kilobytes) / 1024, float(seconds)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "models.py").write_text(MODEL)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in BODIES}
        for _ in range(REPEATS):
            for name, body in BODIES.items():
                runs[name].append(measure(body, folder))
    medians = {name: (statistics.median(r for r, _ in found), statistics.median(s for _, s in found))
               for name, found in runs.items()}
    floor = medians["import torch"][0]
    print(f"{'':32} {'peak RSS':>10} {'above import torch':>20} {'wall':>8}   (medians of {REPEATS})")
    for name, (rss, seconds) in medians.items():
        print(f"{name:32} {rss:>7.0f} MB {rss - floor:>17.0f} MB {seconds:>7.2f} s")
    scan, build = medians["rnndoctor scan"][0], medians["build the model"][0]
    print(f"\nrnndoctor scan / building the model alone, peak RSS: {scan / build:.2f}x")


if __name__ == "__main__":
    main()
