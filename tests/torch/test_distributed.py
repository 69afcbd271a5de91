"""The guard in torch.distributed: two CPU processes on gloo, one of them given a bad batch."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
if not torch.distributed.is_available():
    pytest.skip("torch.distributed is not available", allow_module_level=True)

WORKER = """
import sys

import torch
import torch.distributed as dist
from torch import nn

import rnndoctor
from rnndoctor._runtime.postmortem import diagnosis_text


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(10, 20)

    def forward(self, x):
        return self.rnn(x)[0]


rank, port = int(sys.argv[1]), sys.argv[2]
dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=2)
torch.manual_seed(0)
model = nn.parallel.DistributedDataParallel(Encoder())
good, bad = torch.randn(5, 3, 10), torch.randn(5, 3, 7)
with rnndoctor.guard(model):
    model(good).sum().backward()  # one step on both ranks: gradients are all-reduced
    try:
        model(bad if rank == 1 else good)
        print("ok")
    except RuntimeError as e:
        print(type(e).__name__, isinstance(e, rnndoctor.RnnArgumentError), e, *e.__notes__)
try:
    model.module.rnn(bad)
except RuntimeError as e:
    print(diagnosis_text(e), end="")
dist.barrier()
dist.destroy_process_group()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_one_rank_with_a_bad_batch(tmp_path: Path) -> None:
    script = tmp_path / "worker.py"
    script.write_text(textwrap.dedent(WORKER))
    port = str(free_port())
    workers = [subprocess.Popen([sys.executable, str(script), str(rank), port], text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
               for rank in (0, 1)]
    (out0, err0), (out1, err1) = (w.communicate(timeout=180) for w in workers)
    assert [w.returncode for w in workers] == [0, 0], err0 + err1
    assert out0.startswith("ok\n")
    assert out1.startswith("RuntimeError True input.size(-1) must be equal to input_size. "
                           "Expected 10, got 7 \n[rank 1] error[RNN103]: `input` has 7 features")
    assert "[rank 1]   --> worker.py:18, in module.rnn: GRU(10, 20)\n" in out1
    diagnosis = out1[out1.index("found 1 error") + len("found 1 error\n"):]
    lines = [line for line in diagnosis.splitlines() if line]
    assert lines and all(line.startswith("[rank 1] ") for line in lines)
    assert all(line.startswith("[rank 0] ") for line in out0.splitlines()[1:] if line)
