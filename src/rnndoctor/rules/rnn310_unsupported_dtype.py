"""RNN310 unsupported-dtype

## What it catches
A `dtype` the layer's weights cannot have: an integer, bool, quantized or
bit-packed dtype for any layer, and a float8 or float4 dtype on a device other
than `meta`.

## Why is this bad?
The weights are Parameters, which require gradients, so torch raises
`RuntimeError: Only Tensors of floating point and complex dtype can require
gradients`, naming neither the layer nor `dtype`. float8 and float4 weights are
created, but filling them with their initial values fails with
`NotImplementedError: "check_uniform_bounds" not implemented for
'Float8_e4m3fn'` (measured on the CPU). float16, bfloat16, float32, float64
and the complex dtypes are accepted.

## Example
    lstm = nn.LSTM(10, 20, dtype=torch.int64)

## Use instead
    lstm = nn.LSTM(10, 20, dtype=torch.float32)

## Fixes, in order
1. Construct the layer with the default `dtype=torch.float32` (changes the
   model); for float8 and float4, `torch.bfloat16` is offered next.

## PyTorch reference
`torch.nn.LSTM`: `dtype`, the dtype of the parameters, a floating-point dtype.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..specs import RnnSpec
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import change_layer

NOT_FLOATING = ("int", "uint", "bool", "qint", "quint", "bits")
NOT_INITIALIZABLE = ("float8_", "float4_")


def check(b: Bound) -> Iterator[Candidate]:
    s = b.spec
    arguments = ("dtype",)
    if s.dtype.startswith(NOT_FLOATING):
        finding = RULE.finding(
            f"`dtype=torch.{s.dtype}` is not a floating-point dtype", arguments,
            notes=(("the weights are Parameters that require gradients, which needs a "
                    "floating-point or complex dtype"),),
            raises="RuntimeError")
        yield Candidate(finding, Order.WEIGHT_DTYPE, _fixes(s, ("float32",)))
    elif s.dtype.startswith(NOT_INITIALIZABLE) and s.device.split(":")[0] != "meta":
        finding = RULE.finding(
            f"`dtype=torch.{s.dtype}` weights cannot be initialized on {s.device}",
            arguments + ("device",),
            notes=(("the layer fills its weights with `uniform_`, which torch 2.13 does not "
                    "implement for float8 and float4 dtypes"),),
            raises="NotImplementedError")
        yield Candidate(finding, Order.WEIGHT_INIT, _fixes(s, ("float32", "bfloat16")))


def _fixes(s: RnnSpec, dtypes: tuple[str, ...]) -> tuple[ProposedFix, ...]:
    return tuple(change_layer(s, f"construct the {s.kind} with `dtype=torch.{d}`", dtype=d)
                 for d in dtypes)


RULE = Rule(
    code="RNN310",
    name="unsupported-dtype",
    severity=Severity.ERROR,
    summary="`dtype` is not one the weights can have",
    stage="construct",
    check=check,
)
