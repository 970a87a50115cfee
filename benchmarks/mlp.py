"""Gradient of a 3-layer tanh MLP's mean squared error (batch 256, width 512),
written in plain NumPy calls on dualrev Tensors, beside the same forward and
backward written by hand in NumPy.

    python benchmarks/mlp.py
"""


import numpy as np

import dualrev as dr
from timing import median_times

BATCH, WIDTH = 256, 512


def loss(params, x, y):
    """Plain NumPy code: it runs on arrays and on Tensors alike."""
    w1, b1, w2, b2, w3, b3 = params
    h1 = np.tanh(x @ w1 + b1)
    h2 = np.tanh(h1 @ w2 + b2)
    out = h2 @ w3 + b3
    return np.mean((out - y) ** 2)


def by_hand(params, x, y):
    """Forward and backward written out in NumPy."""
    w1, b1, w2, b2, w3, b3 = params
    h1 = np.tanh(x @ w1 + b1)
    h2 = np.tanh(h1 @ w2 + b2)
    out = h2 @ w3 + b3
    diff = out - y
    value = np.mean(diff ** 2)
    g_out = diff * (2.0 / diff.size)
    g_w3, g_b3 = h2.T @ g_out, g_out.sum(0)
    g_h2 = (g_out @ w3.T) * (1.0 - h2 * h2)
    g_w2, g_b2 = h1.T @ g_h2, g_h2.sum(0)
    g_h1 = (g_h2 @ w2.T) * (1.0 - h1 * h1)
    g_w1, g_b1 = x.T @ g_h1, g_h1.sum(0)
    return value, (g_w1, g_b1, g_w2, g_b2, g_w3, g_b3)


def with_dualrev(leaves, x, y):
    """One training step's gradient, the parameters held as leaf tensors (as
    a training loop holds them)."""
    for p in leaves:
        p.grad = None
    value = loss(leaves, x, y)
    value.backward()
    return value, [p.grad for p in leaves]




def main():
    rng = np.random.default_rng(0)
    shapes = [(WIDTH, WIDTH), (WIDTH,)] * 3
    params = [rng.standard_normal(s) / np.sqrt(WIDTH) for s in shapes]
    x, y = rng.standard_normal((BATCH, WIDTH)), rng.standard_normal((BATCH, WIDTH))
    leaves = [dr.tensor(p, requires_grad=True) for p in params]
    value, grads = with_dualrev(leaves, x, y)
    hand_value, hand_grads = by_hand(params, x, y)
    assert np.isclose(float(value), hand_value)
    assert all(np.allclose(np.asarray(g), h) for g, h in zip(grads, hand_grads))
    ours, hand = median_times([lambda: with_dualrev(leaves, x, y),
                               lambda: by_hand(params, x, y)], 40)
    print(f"MLP gradient ({BATCH}x{WIDTH}, 3 tanh layers): dualrev {ours * 1e3:.2f} ms   "
          f"by hand {hand * 1e3:.2f} ms   ratio {ours / hand:.3f}x")


if __name__ == "__main__":
    main()
