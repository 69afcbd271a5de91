"""Test support: build real torch calls from rnndoctor's plain descriptions, and run them.

PyTorch is the oracle: `torch_outcome` runs the call for real and reports what
happened. Calls that can crash the interpreter (a packed nn.LSTM) run in a
child process (`isolated_outcomes`).
"""

from __future__ import annotations

import pickle
import struct
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rnndoctor._record import replace
from rnndoctor.specs import Call, Lengths, Other, Packed, RnnSpec, Seq, TensorInfo, constructor_args

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Outcome:
    """What torch did: "ok", "raise" (with the exception type) or "crash" (with the signal)."""

    kind: str
    error: str | None = None
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.kind != "ok"


def needs_cuda(spec: RnnSpec, call: Call | None) -> bool:
    """True when the layer, or a tensor of the call, is on a CUDA device."""
    return any(device.startswith("cuda") for device in _devices(spec, call))


def has_cuda() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def _devices(spec: RnnSpec, call: Call | None) -> list[str]:
    devices = [spec.device]
    if call is None:
        return devices
    x = call.input.data if isinstance(call.input, Packed) else call.input
    hx = call.hx.items if isinstance(call.hx, Seq) else (call.hx,)
    devices += [t.device for t in (x, *hx) if isinstance(t, TensorInfo)]
    if call.lengths is not None:
        devices.append(call.lengths.device)
    return devices


def build_module(spec: RnnSpec) -> Any:
    import torch

    args, kwargs = constructor_args(spec)
    return getattr(torch.nn, spec.kind)(*args, dtype=getattr(torch, spec.dtype),
                                        device=spec.device, **kwargs)


def make_tensor(t: TensorInfo) -> Any:
    import torch

    dtype = getattr(torch, t.dtype)
    if dtype.is_floating_point or dtype.is_complex:
        return torch.randn(t.shape, dtype=dtype, device=t.device)
    return torch.randint(0, 2 if dtype == torch.bool else 3, t.shape, dtype=dtype, device=t.device)


def make_value(v: TensorInfo | Other | None) -> Any:
    import numpy as np

    if v is None:
        return None
    if isinstance(v, TensorInfo):
        return make_tensor(v)
    return {"list": [1.0, 2.0], "ndarray": np.zeros((1, 2, 3), dtype=np.float32),
            "int": 3, "str": "h", "NoneType": None, "tuple": ([1.0], [2.0]),
            "dict": {"h_0": 0.0, "c_0": 0.0}, "float": 2.5, "bool": True}[v.type_name]


def make_hx(hx: TensorInfo | Seq | Other | None) -> Any:
    if isinstance(hx, Seq):
        items = [make_value(i) for i in hx.items]
        return items if hx.kind == "list" else tuple(items)
    return make_value(hx)


def make_input(call: Call, spec: RnnSpec) -> Any:
    import torch
    from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pack_sequence, pad_sequence

    x = call.input
    if call.given is not None:
        return given_call(call, spec)
    if call.sequences is not None:
        sequences = [make_value(s) for s in call.sequences]
        if call.lengths is not None:
            return pack_sequence(sequences, enforce_sorted=call.lengths.enforce_sorted)
        side = make_value(call.padding_side) if isinstance(call.padding_side, Other) else call.padding_side
        return pad_sequence(sequences, batch_first=spec.is_batch_first, padding_side=side)
    if call.unpad is not None:
        return unpadded(call, spec)
    if isinstance(x, Packed):
        sizes = torch.tensor(x.batch_sizes, dtype=torch.int64)
        if x.sorted_indices:
            order = torch.arange(x.batch - 1, -1, -1) if x.batch else torch.arange(0)
            return PackedSequence(make_tensor(x.data), sizes, order)
        return PackedSequence(make_tensor(x.data), sizes)
    padded = make_value(x) if isinstance(x, Other) else make_tensor(x)
    if call.lengths is None:
        return padded
    return pack_padded_sequence(padded, make_lengths(call.lengths),
                                batch_first=spec.is_batch_first,
                                enforce_sorted=call.lengths.enforce_sorted)


_GIVEN: dict[str, Callable[[], Any]] = {
    "NoneType": lambda: None, "str": lambda: "yes", "int": lambda: 1, "float": lambda: 0.5, "bool": lambda: True,
    "complex": lambda: 1j, "list": lambda: [0.0], "0-D Tensor": lambda: __import__("torch").tensor(0.5),
    "1-D Tensor": lambda: __import__("torch").ones(1), "numpy.float32": lambda: __import__("numpy").float32(0.5),
    "numpy.bool": lambda: __import__("numpy").bool_(True),
}


def given_call(call: Call, spec: RnnSpec) -> Any:
    """The packing call of `call.given`, its arguments made from their types (RNN414)."""
    from torch.nn.utils.rnn import pack_padded_sequence, pack_sequence, pad_packed_sequence, pad_sequence

    assert call.given is not None
    given = call.given
    made = {a: _GIVEN[t]() for a, t in given.types
            if not (a == "batch_first" and t == "bool" or a == "sequences" and given.iterator)}
    flag = made.get("batch_first", spec.is_batch_first)
    padding = made.get("padding_value", 0.0)
    sequences = made.get("sequences", [make_value(s) for s in call.sequences or ()])
    if given.iterator:
        sequences = (s for s in sequences)
    if given.function == "pack_sequence":
        return pack_sequence(sequences)
    if given.function == "pad_sequence":
        return pad_sequence(sequences, flag, padding)
    if given.function == "pack_padded_sequence":
        lengths = made["lengths"] if "lengths" in made else make_lengths(call.lengths)  # type: ignore[arg-type]
        return pack_padded_sequence(make_tensor(call.input), lengths, flag)  # type: ignore[arg-type]
    return pad_packed_sequence(make_input(replace(call, given=None, unpad=None), spec), flag, padding)[0]


_FIELDS = {"list": lambda t: t.tolist(), "ndarray": lambda t: t.numpy(), "NoneType": lambda t: None}


def unpadded(call: Call, spec: RnnSpec) -> Any:
    """`pad_packed_sequence(input, batch_first=..., total_length=...)[0]`, for the layer to run on."""
    from torch.nn.utils.rnn import pad_packed_sequence

    assert call.unpad is not None
    x = call.input
    if isinstance(x, Other) and call.unpad.fields:  # a PackedSequence with fields that are not tensors
        packed = make_input(replace(call, input=Packed(TensorInfo((4, spec.I)), (2, 1, 1), True), unpad=None), spec)
        sequence = packed._replace(**{name: _FIELDS[kind](getattr(packed, name))
                                      for name, kind in call.unpad.fields})
    else:
        sequence = make_input(replace(call, unpad=None), spec)
    total = call.unpad.total_length
    total = make_value(total) if isinstance(total, Other) else total
    return pad_packed_sequence(sequence, batch_first=spec.is_batch_first, total_length=total)[0]


def make_lengths(lengths: Lengths) -> Any:
    import torch

    t = torch.tensor(lengths.values, dtype=getattr(torch, lengths.dtype), device=lengths.device)
    shape = {0: (), 2: (-1, 1)}.get(lengths.ndim)
    return t if shape is None else t.reshape(shape)


def torch_outcome(spec: RnnSpec, call: Call | None) -> Outcome:
    """Construct the layer and (if given) run the call, in this process."""
    import torch

    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            module = build_module(spec)
            if call is not None:
                x = make_input(call, spec)
                hx = make_hx(call.hx)
                with torch.no_grad():
                    module(x) if call.hx is None else module(x, hx)
        except Exception as e:
            return Outcome("raise", type(e).__name__, str(e)[:300])
    return Outcome("ok")


def serve() -> None:
    """The child's loop: read pickled jobs from stdin, write pickled outcomes to stdout."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while header := stdin.read(4):
        job = pickle.loads(stdin.read(struct.unpack("<I", header)[0]))
        reply = pickle.dumps(torch_outcome(*job))
        stdout.write(struct.pack("<I", len(reply)) + reply)
        stdout.flush()


class IsolatedTorch:
    """A child process that runs calls for us; a crash is recorded and the child replaced."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None

    def run(self, spec: RnnSpec, call: Call | None) -> Outcome:
        proc = self._proc
        if proc is None or proc.poll() is not None:
            proc = self._proc = subprocess.Popen(
                [sys.executable, "-c", "from tests.support import serve; serve()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT,
            )
        assert proc.stdin and proc.stdout
        job = pickle.dumps((spec, call))
        proc.stdin.write(struct.pack("<I", len(job)) + job)
        proc.stdin.flush()
        header = proc.stdout.read(4)
        if len(header) < 4:
            code = proc.wait()
            self._proc = None
            return Outcome("crash", f"signal {-code}" if code < 0 else f"exit {code}")
        result: Outcome = pickle.loads(proc.stdout.read(struct.unpack("<I", header)[0]))
        return result

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            assert self._proc.stdin
            self._proc.stdin.close()
            self._proc.wait(10)
        self._proc = None


def isolated_outcomes(jobs: list[tuple[RnnSpec, Call | None]]) -> list[Outcome]:
    """Run each job in a child process."""
    runner = IsolatedTorch()
    try:
        return [runner.run(*job) for job in jobs]
    finally:
        runner.close()
