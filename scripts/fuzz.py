"""Run the differential fuzzer (tests/fuzz.py) and print how often rnndoctor and torch disagree.

    python scripts/fuzz.py --calls 200000             # counts by kind, a few examples of each
    python scripts/fuzz.py --calls 2000 --seed 3      # a short, repeatable run

Each call is drawn by hypothesis and run for real in every grad mode, with
oneDNN on and off, in a worker process forked from this one; a crash is
recorded and the worker replaced. The counts are
printed every `--every` calls and at the end; the exit code is 1 when any
disagreement was found.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from tests.fuzz import GRAD_MODES, Recipe, Tally, Workers, each_mode, recipes  # noqa: E402

BATCH = 300
MODES = 2 * len(GRAD_MODES)  # each draw runs in every grad mode, with oneDNN on and off


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000, help="calls to run (six per draw)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--every", type=int, default=10_000, help="print the counts this often")
    parser.add_argument("--examples", type=int, default=3, help="examples kept per kind")
    args = parser.parse_args(argv)

    tally, workers, started = Tally(), Workers(), time.monotonic()
    pending: list[Recipe] = []
    running = False

    def tally_done() -> None:
        before = tally.calls
        for _, result in workers.collect():
            tally.add(result, keep=args.examples)
        if tally.calls // args.every > before // args.every:
            print(f"[{time.monotonic() - started:.0f} s] " + " | ".join(tally.lines()), flush=True)

    @settings(max_examples=-(-args.calls // MODES), deadline=None, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(recipes())
    def one(r: Recipe) -> None:
        nonlocal running, pending
        pending += each_mode(r)
        if len(pending) == BATCH:  # the worker runs a batch while the next one is drawn
            if running:
                tally_done()
            workers.submit(pending)
            pending = []
            running = True

    if args.seed is not None:
        one = seed(args.seed)(one)
    try:
        one()
        if running:
            tally_done()
        if pending:
            workers.submit(pending)
            tally_done()
    finally:
        workers.close()
    print("\n".join(tally.lines()))
    for kind, examples in tally.examples.items():
        print(f"\n{kind}:")
        for example in examples:
            print("  " + example)
    print(f"\n{tally.calls} calls in {time.monotonic() - started:.0f} s, "
          f"{workers.restarts} workers replaced after a crash")
    return 1 if tally.kinds else 0


if __name__ == "__main__":
    sys.exit(main())
