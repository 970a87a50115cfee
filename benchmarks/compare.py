"""Two versions of dualrev in one process, timed turn by turn on the scalar
chain of ``overhead.py``: forward and backward per op, and the ratio.

    python benchmarks/compare.py d948217 HEAD        # two git revisions
    python benchmarks/compare.py HEAD WORKTREE       # HEAD against the files as they are

Timing two checkouts in separate processes mixes the change with the
machine's drift (a shared machine varies by 2x within minutes). Here each
version is a package of its own name (``dualrev_a``, ``dualrev_b``; the
package imports itself relatively), imported side by side, and the two are
timed alternately, 60 rounds each; medians are printed.
"""

import argparse
import importlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPS_PER_STEP = 6


def unpack(revision, name, into):
    """The ``dualrev`` package of ``revision`` (or of the working tree) as
    package ``name`` under ``into``."""
    target = os.path.join(into, name)
    if revision == "WORKTREE":
        shutil.copytree(os.path.join(ROOT, "dualrev"), target)
        return
    archive = subprocess.run(["git", "-C", ROOT, "archive", revision, "dualrev"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    os.rename(os.path.join(into, "dualrev"), target)


def chain(dr, steps):
    """Forward and backward seconds of the chain on 0-d tensors."""
    x = dr.tensor(0.3, requires_grad=True)
    y = x
    start = time.perf_counter()
    for _ in range(steps):
        y = y + 0.6 + 0.25 * dr.sin(y) * dr.cos(y)
    middle = time.perf_counter()
    y.backward()
    return middle - start, time.perf_counter() - middle


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="a git revision, or WORKTREE")
    parser.add_argument("b", help="a git revision, or WORKTREE")
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    steps = 2000 // OPS_PER_STEP
    ops = steps * OPS_PER_STEP
    with tempfile.TemporaryDirectory() as into:
        unpack(args.a, "dualrev_a", into)
        unpack(args.b, "dualrev_b", into)
        sys.path.insert(0, into)
        versions = {args.a: importlib.import_module("dualrev_a"),
                    args.b: importlib.import_module("dualrev_b")}
        times = {label: ([], []) for label in versions}
        for _ in range(args.rounds):
            for label, dr in versions.items():
                forward, backward = chain(dr, steps)
                times[label][0].append(forward)
                times[label][1].append(backward)
    medians = {label: [statistics.median(t) / ops * 1e6 for t in pair]
               for label, pair in times.items()}
    for label, (forward, backward) in medians.items():
        print(f"{label:>12}: forward {forward:5.2f} us/op   backward {backward:5.2f} us/op   "
              f"both {forward + backward:5.2f} us/op")
    (fa, ba), (fb, bb) = medians.values()
    print(f"{args.b} / {args.a}: forward {fb / fa:.3f}   backward {bb / ba:.3f}   "
          f"both {(fb + bb) / (fa + ba):.3f}")


if __name__ == "__main__":
    main()
