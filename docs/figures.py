"""The figures of the documentation, computed by dualrev and drawn by matplotlib.

The site build makes them afresh every time (``docs/hooks.py`` calls
:func:`render` and hands the PNG bytes to MkDocs), so no picture is kept in
the repository.  To look at them without building the site::

    python docs/figures.py /tmp/figures      # writes derivatives.png, hessian.png, ...

``tests/test_docs.py`` renders them too (when matplotlib is installed).
All but two are the same bytes from one build to the next; ``taylor-cost.png``
and ``sparse-cost.png`` are timings, made on the machine that builds the site
(about a second and a few seconds).
"""

import io
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing dualrev
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))  # the cost plot times the benchmark's nested jvp

import numpy as np  # noqa: E402

import dualrev as dr  # noqa: E402
from taylor import nested_jvp  # noqa: E402


def wavelet(x):
    """The function of the derivative plot (docs/pages/tutorials/higher-derivatives.md)."""
    return dr.sin(2 * x) * dr.exp(-x ** 2 / 4)


def rosenbrock(x):
    """The chained Rosenbrock function of the Hessian heat map."""
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def rosenbrock_point(n=16):
    """The point where the heat map's Hessian is taken: x_i = cos(i)."""
    return dr.cos(dr.arange(n, dtype=dr.float64))


def taylor_example(x):
    """The function of the cost plot (docs/pages/tutorials/taylor-mode.md)."""
    return dr.exp(dr.sin(x)) * x / (1 + x ** 2)


def neg_laplacian(u):
    """-Δu on a square grid of unit spacing, u = 0 outside it (the 5-point
    stencil of docs/pages/tutorials/sparse.md)."""
    n = u.shape[0]
    column, row = dr.zeros((n, 1)), dr.zeros((1, n + 2))
    p = dr.cat([row, dr.cat([column, u, column], 1), row], 0)
    return 4 * u - p[:-2, 1:-1] - p[2:, 1:-1] - p[1:-1, :-2] - p[1:-1, 2:]


def taylor_coefficients(f, x0, order):
    """[f(x0), f'(x0)/1!, ..., f^(order)(x0)/order!] by one ``dr.func.taylor`` pass."""
    return [d.item() / math.factorial(k) for k, d in enumerate(dr.func.taylor(f, order)(x0))]


def _figure():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight",
                metadata={"Software": None})  # no version stamp: same input, same bytes
    return buffer.getvalue()


def derivatives_png():
    """f, f′ and f″ of :func:`wavelet` on [-4, 4], each by ``dr.func.derivative``."""
    plt = _figure()
    x = dr.linspace(-4, 4, 401)
    curves = [("f(x) = sin(2x)·exp(−x²/4)", dr.func.derivative(wavelet, 0)),
              ("f′(x)", dr.func.derivative(wavelet, 1)),
              ("f″(x)", dr.func.derivative(wavelet, 2))]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for (label, fn), style in zip(curves, ("-", "--", ":")):
        ax.plot(x.numpy(), fn(x).numpy(), style, linewidth=2, label=label)
    ax.axhline(0, color="0.6", linewidth=0.8)
    ax.set_xlabel("x")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False)
    ax.set_title("dr.func.derivative(f, k) for k = 0, 1, 2")
    data = _png(fig)
    plt.close(fig)
    return data


def hessian_png():
    """A heat map of the Hessian of :func:`rosenbrock` at :func:`rosenbrock_point`."""
    plt = _figure()
    from matplotlib.colors import SymLogNorm
    H = dr.func.hessian(rosenbrock)(rosenbrock_point()).numpy()
    n = H.shape[0]
    fig, ax = plt.subplots(figsize=(5.4, 4.6))
    bound = np.abs(H).max()
    image = ax.imshow(H, cmap="RdBu_r", norm=SymLogNorm(10.0, vmin=-bound, vmax=bound))
    fig.colorbar(image, ax=ax, shrink=0.85)
    ax.set_xticks(range(0, n, 3))
    ax.set_yticks(range(0, n, 3))
    ax.set_title(f"dr.func.hessian(rosenbrock) at x_i = cos(i), n = {n}\n"
                 "(symmetric log colour scale)", fontsize=10)
    data = _png(fig)
    plt.close(fig)
    return data


def taylor_polynomials_png():
    """Taylor polynomials of :func:`wavelet` at 0 of growing order, from one
    ``dr.func.taylor`` pass, over the function itself."""
    plt = _figure()
    orders = (1, 5, 11, 21, 41)
    c = taylor_coefficients(wavelet, 0.0, max(orders))
    x = np.linspace(-4, 4, 401)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.plot(x, wavelet(dr.tensor(x)).numpy(), color="black", linewidth=3.5, alpha=0.35,
            label="f(x)")
    for order in orders:
        ax.plot(x, np.polynomial.polynomial.polyval(x, c[:order + 1]), linewidth=1.6,
                label=f"order {order}")
    ax.set_ylim(-1.6, 1.6)
    ax.set_xlabel("x")
    ax.axhline(0, color="0.6", linewidth=0.8)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=6, frameon=False)
    ax.set_title("Taylor polynomials of sin(2x)·exp(−x²/4) at 0, by dr.func.taylor(f, 41)")
    data = _png(fig)
    plt.close(fig)
    return data


def _best_time(fn, repeat):
    """The shortest of ``repeat`` runs of ``fn()``, in seconds."""
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def taylor_cost_png(nested_orders=range(1, 9), taylor_orders=range(1, 31), repeat=3):
    """Time to get all derivatives of :func:`taylor_example` up to order K at
    0.7: one ``dr.func.taylor`` pass against K nested ``dr.func.jvp`` calls.
    Timed on the machine that builds the site (about a second in all)."""
    plt = _figure()
    x0 = 0.7
    nested = [_best_time(lambda: nested_jvp(taylor_example, k)(x0), repeat)
              for k in nested_orders]
    taylor = [_best_time(lambda: dr.func.taylor(taylor_example, k)(x0), repeat)
              for k in taylor_orders]
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.semilogy(list(nested_orders), np.array(nested) * 1e3, "o-", label="K nested dr.func.jvp")
    ax.semilogy(list(taylor_orders), np.array(taylor) * 1e3, "s-", markersize=4,
                label="dr.func.taylor(f, K): one Taylor pass")
    ax.set_xlabel("order K (all derivatives 0..K)")
    ax.set_ylabel("time (ms, log scale)")
    ax.grid(True, which="major", color="0.85")
    ax.legend(frameon=False)
    ax.set_title("f(x) = exp(sin x)·x/(1+x²) at x = 0.7: all derivatives up to order K",
                 fontsize=10)
    data = _png(fig)
    plt.close(fig)
    return data


def sparse_coloring_png(n=6):
    """The column coloring of the 5-point stencil's Jacobian on an n x n
    grid: the grid points in their colors, the pattern with each entry in
    its column's color, and the compressed matrix J·S, one column per color."""
    plt = _figure()
    from matplotlib.colors import ListedColormap
    from dualrev.func import coloring
    sparsity = dr.func.jacobian_sparsity(neg_laplacian)(dr.zeros((n, n)))
    colors = coloring.column_coloring(sparsity)
    pattern = sparsity.toarray()
    k = int(colors.max()) + 1
    palette = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#aa3377", "#66ccee", "#bbbbbb"]
    cmap = ListedColormap(["white"] + palette[:k])
    entries = np.where(pattern, colors[None, :] + 1, 0)  # each entry in its column's color
    compressed = np.zeros((n * n, k), int)
    rows, columns = np.nonzero(pattern)
    compressed[rows, colors[columns]] = colors[columns] + 1
    fig, axes = plt.subplots(1, 3, figsize=(9.6, 4.0),
                             gridspec_kw={"width_ratios": [1, 1, k / (n * n)], "wspace": 0.25})
    grid, full, packed = axes
    grid.imshow(colors.reshape(n, n) + 1, cmap=cmap, vmin=0, vmax=k)
    for (i, j), c in np.ndenumerate(colors.reshape(n, n)):
        grid.text(j, i, str(c), ha="center", va="center", color="white", fontsize=12)
    grid.set_title(f"the {n} × {n} grid,\neach point in its color", fontsize=10)
    full.imshow(entries, cmap=cmap, vmin=0, vmax=k)
    full.set_title(f"the Jacobian's pattern, {n * n} × {n * n},\n"
                   "each entry in its column's color", fontsize=10)
    packed.imshow(compressed, cmap=cmap, vmin=0, vmax=k)
    packed.set_title(f"J·S,\n{n * n} × {k}", fontsize=10)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    data = _png(fig)
    plt.close(fig)
    return data


def sparse_cost_png(dense_sizes=(100, 200, 400, 800, 1600),
                    sparse_sizes=(100, 400, 1600, 6400, 25600, 102400), repeat=3):
    """Time to get the Hessian of the chained :func:`rosenbrock` in n
    variables: ``dr.func.hessian`` (dense) against ``dr.func.sparse_hessian``,
    its first call (detection and coloring included) and later calls.
    Timed on the machine that builds the site (a few seconds in all)."""
    plt = _figure()

    def point(n):
        return np.cos(np.arange(n, dtype=np.float64))
    dense = [_best_time(lambda: dr.func.hessian(rosenbrock)(point(n)), repeat)
             for n in dense_sizes]
    first = [_best_time(lambda: dr.func.sparse_hessian(rosenbrock)(point(n)), repeat)
             for n in sparse_sizes]
    later = []
    for n in sparse_sizes:
        hessian = dr.func.sparse_hessian(rosenbrock)
        hessian(point(n))
        later.append(_best_time(lambda: hessian(point(n)), repeat))
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.loglog(dense_sizes, np.array(dense) * 1e3, "o-", label="dr.func.hessian (dense)")
    ax.loglog(sparse_sizes, np.array(first) * 1e3, "s-", markersize=5,
              label="dr.func.sparse_hessian, first call (detection, coloring)")
    ax.loglog(sparse_sizes, np.array(later) * 1e3, "^-", markersize=5,
              label="dr.func.sparse_hessian, later calls")
    ax.set_xlabel("n (variables)")
    ax.set_ylabel("time (ms, log scale)")
    ax.grid(True, which="major", color="0.85")
    ax.legend(frameon=False)
    ax.set_title("The Hessian of the chained Rosenbrock function in n variables", fontsize=10)
    data = _png(fig)
    plt.close(fig)
    return data


MINIMIZE_METHODS = ("bfgs", "l-bfgs", "newton-cg", "trust-ncg", "trust-exact", "newton-sparse")


def gradient_norms(method, x0, tol=1e-10):
    """‖∇f‖ after k = 0, 1, ... iterations of ``dr.func.minimize`` on
    :func:`rosenbrock` from ``x0``, until it converges: the run with
    ``options={"maxiter": k}`` stops after exactly k iterations of the same
    deterministic path, so its ``jac`` is the gradient at the k-th iterate."""
    full = dr.func.minimize(rosenbrock, x0, method=method, tol=tol)
    return [dr.func.minimize(rosenbrock, x0, method=method, tol=tol,
                             options={"maxiter": k}).jac.norm().item()
            for k in range(full.nit + 1)]


def minimize_convergence_png(floor=1e-16):
    """The gradient norm against the iteration for each method of
    ``dr.func.minimize`` on the 2-D Rosenbrock function from (-1.2, 1)
    (docs/pages/tutorials/optimization.md). An exact zero is drawn at ``floor``."""
    plt = _figure()
    x0 = dr.tensor([-1.2, 1.0])
    fig, ax = plt.subplots(figsize=(7, 4.0))
    markers = ("o", "s", "^", "v", "D", "x")
    for method, marker in zip(MINIMIZE_METHODS, markers):
        norms = np.maximum(gradient_norms(method, x0), floor)
        ax.semilogy(range(len(norms)), norms, marker=marker, markersize=4, linewidth=1.4,
                    label=method)
    ax.axhline(1e-10, color="0.5", linewidth=0.8, linestyle="--")
    ax.set_xlabel("iteration")
    ax.set_ylabel("‖∇f‖₂ (log scale)")
    ax.set_ylim(floor / 3, None)
    ax.grid(True, which="major", color="0.85")
    ax.legend(ncol=2, frameon=False)
    ax.set_title("dr.func.minimize on Rosenbrock's function from (−1.2, 1), tol = 1e-10\n"
                 f"(an exact zero gradient is drawn at {floor:g})", fontsize=10)
    data = _png(fig)
    plt.close(fig)
    return data


FIGURES = {"derivatives.png": derivatives_png, "hessian.png": hessian_png,
           "taylor-polynomials.png": taylor_polynomials_png, "taylor-cost.png": taylor_cost_png,
           "sparse-coloring.png": sparse_coloring_png, "sparse-cost.png": sparse_cost_png,
           "minimize-convergence.png": minimize_convergence_png}


def render():
    """{file name: PNG bytes} for every figure."""
    return {name: make() for name, make in FIGURES.items()}


def write_all(directory):
    """Write every figure into ``directory``; returns the paths written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in render().items():
        path = directory / name
        path.write_bytes(data)
        written.append(path)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python docs/figures.py OUTPUT_DIRECTORY")
    for path in write_all(sys.argv[1]):
        print(path)
