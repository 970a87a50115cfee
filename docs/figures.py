"""The figures of the documentation, computed by dualrev and drawn by matplotlib.

The site build makes them afresh every time (``docs/hooks.py`` calls
:func:`render` and hands the PNG bytes to MkDocs), so no picture is kept in
the repository.  To look at them without building the site::

    python docs/figures.py /tmp/figures      # writes derivatives.png, hessian.png

``tests/test_docs.py`` renders them too (when matplotlib is installed).
"""

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing dualrev
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import dualrev as dr  # noqa: E402


def wavelet(x):
    """The function of the derivative plot (docs/pages/tutorials/higher-derivatives.md)."""
    return dr.sin(2 * x) * dr.exp(-x ** 2 / 4)


def rosenbrock(x):
    """The chained Rosenbrock function of the Hessian heat map."""
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def rosenbrock_point(n=16):
    """The point where the heat map's Hessian is taken: x_i = cos(i)."""
    return dr.cos(dr.arange(n, dtype=dr.float64))


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


FIGURES = {"derivatives.png": derivatives_png, "hessian.png": hessian_png}


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
