"""Per-sample gradients with vmap, beside the same written by hand.

A 3-layer tanh MLP (784 -> 128 -> 128 -> 10) with a squared-error loss; the
gradient of each example's loss with respect to the weights, for batches of
64 and 256 examples:

- ``dr.func.vmap(dr.func.grad(loss), in_dims=(None, 0, 0))``;
- the per-sample gradients written by hand in vectorized NumPy (the
  backward pass of every example at once, outer products per example);
- a Python loop of ``dr.func.grad`` calls, one per example.

The issue's target: vmap at most 1.5x the hand-written version.

    python benchmarks/vmap.py
"""

import numpy as np

import dualrev as dr
from timing import median_times

SIZES = (784, 128, 128, 10)


def loss(params, x, y):
    w1, b1, w2, b2, w3, b3 = params
    h1 = dr.tanh(x @ w1 + b1)
    h2 = dr.tanh(h1 @ w2 + b2)
    return ((h2 @ w3 + b3 - y) ** 2).sum()


def per_sample_by_hand(params, x, y):
    """The gradients of each example's loss, for all examples at once."""
    w1, b1, w2, b2, w3, b3 = params
    h1 = np.tanh(x @ w1 + b1)
    h2 = np.tanh(h1 @ w2 + b2)
    g3 = 2 * (h2 @ w3 + b3 - y)                  # (batch, 10)
    g2 = (g3 @ w3.T) * (1 - h2 * h2)             # (batch, 128)
    g1 = (g2 @ w2.T) * (1 - h1 * h1)             # (batch, 128)
    return (np.einsum("bi,bj->bij", x, g1), g1, np.einsum("bi,bj->bij", h1, g2), g2,
            np.einsum("bi,bj->bij", h2, g3), g3)


def main():
    rng = np.random.default_rng(0)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        params += [rng.standard_normal((n_in, n_out)) / np.sqrt(n_in), np.zeros(n_out)]
    params = tuple(params)
    per_sample = dr.func.vmap(dr.func.grad(loss), in_dims=(None, 0, 0))
    grad = dr.func.grad(loss)
    for batch in (64, 256):
        x, y = rng.standard_normal((batch, SIZES[0])), rng.standard_normal((batch, SIZES[-1]))
        for got, want in zip(per_sample(params, x, y), per_sample_by_hand(params, x, y)):
            np.testing.assert_allclose(np.asarray(got), want, rtol=1e-10, atol=1e-12)

        def loop():
            return [grad(params, x[k], y[k]) for k in range(batch)]
        ours, hand = median_times([lambda: per_sample(params, x, y),
                                   lambda: per_sample_by_hand(params, x, y)], 11)
        (looped,) = median_times([loop], 3)
        print(f"batch {batch:>3}: vmap(grad) {ours * 1e3:7.2f} ms   by hand {hand * 1e3:7.2f} ms   "
              f"ratio {ours / hand:4.2f}x (target <= 1.5x)   loop of grad {looped * 1e3:7.1f} ms "
              f"({looped / ours:.0f}x vmap)")


if __name__ == "__main__":
    main()
