"""Two versions of dualrev in one process, timed turn by turn: the scalar
chain of ``overhead.py`` (forward and backward per op) and the array
workloads of ``hessian.py`` and ``mlp.py``, with the ratio of each.

    python benchmarks/compare.py d948217 HEAD        # two git revisions
    python benchmarks/compare.py HEAD WORKTREE       # HEAD against the files as they are
    python benchmarks/compare.py main WORKTREE --only chain

Timing two checkouts in separate processes mixes the change with the
machine's drift (a shared machine varies by 2x within minutes). Here each
version is a package of its own name (``dualrev_a``, ``dualrev_b``; the
package imports itself relatively), imported side by side, and the two are
timed alternately, round after round; medians are printed.
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

import numpy as np

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


def rosenbrock(x):
    return (100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2).sum()


def mlp_loss(params, x, y):
    """``mlp.py``'s loss: plain NumPy calls on Tensors."""
    w1, b1, w2, b2, w3, b3 = params
    h1 = np.tanh(x @ w1 + b1)
    h2 = np.tanh(h1 @ w2 + b2)
    return np.mean((h2 @ w3 + b3 - y) ** 2)


def array_workloads(dr):
    """Seconds of one run of each array workload, by name."""
    rng = np.random.default_rng(0)
    x400 = dr.tensor(rng.standard_normal(400))
    x6, v6 = dr.tensor(rng.standard_normal(10**6)), dr.tensor(rng.standard_normal(10**6))
    shapes = [(512, 512), (512,)] * 3
    leaves = [dr.tensor(rng.standard_normal(s) / np.sqrt(512), requires_grad=True)
              for s in shapes]
    data, target = rng.standard_normal((256, 512)), rng.standard_normal((256, 512))

    def mlp_step():
        for p in leaves:
            p.grad = None
        mlp_loss(leaves, data, target).backward()

    return {"Rosenbrock Hessian n=400": lambda: dr.func.hessian(rosenbrock)(x400),
            "Rosenbrock HVP n=10^6": lambda: dr.func.hvp(rosenbrock, (x6,), (v6,)),
            "MLP gradient 256x512": mlp_step}


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="a git revision, or WORKTREE")
    parser.add_argument("b", help="a git revision, or WORKTREE")
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--only", choices=["chain", "arrays"], help="one kind of workload")
    args = parser.parse_args()
    steps = 2000 // OPS_PER_STEP
    ops = steps * OPS_PER_STEP
    with tempfile.TemporaryDirectory() as into:
        unpack(args.a, "dualrev_a", into)
        unpack(args.b, "dualrev_b", into)
        sys.path.insert(0, into)
        versions = {args.a: importlib.import_module("dualrev_a"),
                    args.b: importlib.import_module("dualrev_b")}
        if args.only != "arrays":
            compare_chain(args, versions, steps, ops)
        if args.only != "chain":
            compare_arrays(args, versions)


def compare_chain(args, versions, steps, ops):
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


def compare_arrays(args, versions):
    workloads = {label: array_workloads(dr) for label, dr in versions.items()}
    names = list(next(iter(workloads.values())))
    times = {(label, name): [] for label in versions for name in names}
    for _ in range(max(args.rounds // 4, 5)):
        for name in names:
            for label in versions:
                times[label, name].append(timed(workloads[label][name]))
    (a, b) = versions
    for name in names:
        ta, tb = (statistics.median(times[label, name]) * 1e3 for label in (a, b))
        print(f"{name:<26} {a} {ta:8.2f} ms   {b} {tb:8.2f} ms   {b} / {a} {tb / ta:.3f}")


if __name__ == "__main__":
    main()
