"""Memory a loop keeps when it registers hooks (issue 9): 40 iterations of a
graph over a 10^6-entry leaf, with a hook on an intermediate, with hooks on
the leaf too, and without hooks. A graph that holds no reference cycle
gives its memory back at once, collector or not.

    python benchmarks/hook_memory.py
"""

import subprocess
import sys

SCRIPT = r'''
import sys
import numpy as np
import dualrev as dr

def resident_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2 ** 20

kind = sys.argv[1]
base = resident_mib()
w = dr.tensor(np.ones(10 ** 6), requires_grad=True)
for _ in range(40):
    x = w * 1.0
    y = (x * 2).exp()
    if kind != "none":
        y.register_hook(lambda g: g)
    if kind == "leaf":
        w.register_hook(lambda g: g)
    y.sum().backward()
    del x, y
print(f"{resident_mib() - base:.1f}")
'''


def main():
    for kind, label in [("hook", "a hook on an intermediate"), ("leaf", "hooks on the leaf too"),
                        ("none", "no hooks")]:
        held = subprocess.run([sys.executable, "-c", SCRIPT, kind], capture_output=True,
                              text=True, check=True).stdout.strip()
        print(f"{label:28s} {held:>7s} MiB held after 40 iterations")


if __name__ == "__main__":
    main()
