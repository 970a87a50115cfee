"""The reference docstrings of the functions the name table makes public
(``dr.sin``, ``dr.sum``, ``dr.cat``, ...): what a reader of the API pages
and of ``help(dr.X)`` gets, with Args, Returns and an example that the
tests run. They are kept here, as PyTorch keeps ``_torch_docs.py``, so the
rule files and the surface modules stay short enough to read whole; the
code keeps a one-line docstring for its reader. ``names.install`` gives
each public function the entry of its name, and its method forms take it
from the function."""

from . import arrays, comparisons, elementwise, math, products, reductions

DOCS: dict[str, str] = {**elementwise.DOCS, **comparisons.DOCS, **math.DOCS, **reductions.DOCS,
                         **products.DOCS, **arrays.DOCS}
