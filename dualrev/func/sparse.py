"""Sparse derivatives: the sparsity patterns of Jacobians and Hessians
(``jacobian_sparsity``, ``hessian_sparsity``), and the sparse matrices
themselves (``sparse_jacobian``, ``sparse_hessian``) from compressed sweeps,
one direction per color (``coloring``).

The patterns are found by tracing the function once with tracers
(``core.sparsity``): every element carries the input indices it may depend
on. A Hessian's pattern is the Jacobian pattern of the gradient, traced
through the reverse sweep. scipy is an optional extra (``dualrev[sparse]``):
the patterns are returned as its sparse arrays.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from ..core.levels import new_level
from ..core.primitive import raw_value
from ..core.sparsity import Pattern
from ..core.values import shape_of
from ..tracer import Tracer
from ..core.grad_mode import enable_grad
from . import coloring
from .coloring import scipy_sparse
from .transforms import (_argnums, _check_float, _check_outputs, _operand, _pull_batched,
                         _split_aux, _take_out, _watch, grad, jvp)
from .tree import flatten


def jacobian_sparsity(f: Callable[..., Any], argnums: int = 0, *,
                      local: bool = False) -> Callable[..., Any]:
    """The sparsity pattern of f's Jacobian with respect to argument
    ``argnums``: a boolean ``scipy.sparse.csr_array`` of shape (outputs,
    inputs), outputs and inputs flattened in C order.

    The pattern holds at every input (global mode): f may not branch on the
    values of its inputs. With ``local=True`` it holds at this input only,
    and f may read the values. Found by tracing f once: every element
    carries the input entries it may depend on. The other arguments are
    read as values: an exact zero in a matrix ``A`` makes ``A @ x`` sparse.

    Args:
        f: the function; its output is a tensor or a pytree of tensors
            (their entries are the rows, in order).
        argnums: the position of the argument to take the pattern with
            respect to (one int).
        local: detect the pattern at the given input only (f may then read
            its input's values); by default the pattern holds at every input.

    Returns:
        A function of f's arguments returning a boolean
        ``scipy.sparse.csr_array`` of shape (output entries, input entries).

    Raises:
        TypeError: (when called) in global mode, f reads or branches on its
            input's values (``float(x)``, ``if x > 0``): pass ``local=True``;
            or the argument is not of a floating-point dtype.
        ImportError: scipy, an optional extra, is not installed.

    Example:
        >>> import dualrev as dr
        >>> f = lambda x: x[1:] * x[:-1]
        >>> dr.func.jacobian_sparsity(f)(dr.zeros(4)).toarray().astype(int)
        array([[1, 1, 0, 0],
               [0, 1, 1, 0],
               [0, 0, 1, 1]])
    """
    sparse = scipy_sparse()

    @functools.wraps(f)
    def sparsity_f(*args):
        (num,) = _argnums(argnums, len(args))
        x = _operand(args[num])
        _check_float(x, "jacobian_sparsity")
        n = int(np.size(raw_value(x)))
        level = new_level()
        traced = list(args)
        traced[num] = Tracer._make(x, Pattern.identity(n), level, local)
        leaves, _ = flatten(f(*traced))
        _check_outputs(leaves, "jacobian_sparsity")
        patterns = [o.pattern if isinstance(o, Tracer) and o._level == level
                    else Pattern.empty(int(np.size(raw_value(o))), n) for o in leaves]
        rows = [sparse.csr_array((np.ones(p.nnz, bool), p.indices, p.indptr),
                                 shape=(p.rows, n)) for p in patterns]
        return rows[0] if len(rows) == 1 else sparse.vstack(rows, format="csr")
    return sparsity_f


def hessian_sparsity(f: Callable[..., Any], argnums: int = 0, *,
                     local: bool = False) -> Callable[..., Any]:
    """The sparsity pattern of the Hessian of a scalar f with respect to
    argument ``argnums``, a symmetric boolean ``scipy.sparse.csr_array``:
    the Jacobian pattern of f's gradient, traced through the reverse sweep.

    A linear function's Hessian has no entries: ``(x + x).sum()`` gives an
    empty pattern, ``(x * x).sum()`` the diagonal.

    Args:
        f: a function returning a scalar (0-d) tensor.
        argnums: the position of the argument (one int).
        local: detect the pattern at the given input only (f may then read
            its input's values).

    Returns:
        A function of f's arguments returning a symmetric boolean
        ``scipy.sparse.csr_array`` of shape (n, n), n the argument's number
        of entries.

    Raises:
        TypeError: (when called) in global mode, f reads or branches on its
            input's values (``float(x)``, ``if x > 0``): pass ``local=True``;
            or the argument is not of a floating-point dtype.
        ImportError: scipy, an optional extra, is not installed.

    Example:
        >>> import dualrev as dr
        >>> f = lambda x: (x[1:] * x[:-1]).sum() + (x ** 3).sum()
        >>> dr.func.hessian_sparsity(f)(dr.zeros(4)).toarray().astype(int)
        array([[1, 1, 0, 0],
               [1, 1, 1, 0],
               [0, 1, 1, 1],
               [0, 0, 1, 1]])
    """
    pattern = jacobian_sparsity(grad(f, argnums), argnums, local=local)

    @functools.wraps(f)
    def sparsity_f(*args):
        out = pattern(*args)
        return ((out + out.T) > 0).tocsr()  # (the sweep may reach one of a pair only)
    return sparsity_f


class SparseDerivative:
    """What ``sparse_jacobian`` and ``sparse_hessian`` return: call it on the
    function's arguments for a ``scipy.sparse.csr_array``. The pattern and
    its coloring are found once per input shape and dtype and kept;
    ``sparsity`` and ``coloring`` are those of the last call."""

    def __init__(self, f, kind, argnums, has_aux, chunk_size, mode, local):
        if mode not in ("auto", "fwd", "rev"):
            raise ValueError(f"sparse_jacobian: mode must be 'auto', 'fwd' or 'rev', got {mode!r}")
        if chunk_size is not None and (type(chunk_size) is not int or chunk_size < 1):
            raise ValueError("sparse_jacobian/sparse_hessian: `chunk_size` should be an int "
                             f"greater than 0, got {chunk_size!r}")
        functools.update_wrapper(self, f)
        self.f, self.kind, self.argnums, self.has_aux = f, kind, argnums, has_aux
        self.chunk_size, self.mode, self.local = chunk_size, mode, local
        self.sparsity = self.coloring = None
        self._plans = {}

    def _value(self, *args):
        out = self.f(*args)
        return out[0] if self.has_aux else out

    def __call__(self, *args):
        (num,) = _argnums(self.argnums, len(args))
        x = _operand(args[num])
        raw = raw_value(x)
        key = (tuple(shape_of(raw)), np.result_type(raw), _zeros_of(args, num))
        if self.local or key not in self._plans:
            pattern, colors, mode, decompress = self._plan(args)
            self._plans[key] = pattern, colors, mode, decompress, coloring.seeds(colors, key[1])
        pattern, colors, mode, decompress, seeds = self._plans[key]
        self.sparsity, self.coloring = pattern, colors
        compressed, aux = self._compressed(args, num, x, seeds, mode)
        matrix = decompress(compressed)
        return (matrix, aux) if self.has_aux else matrix

    def _plan(self, args):
        """The pattern, the coloring, the mode and the decompression for
        inputs like ``args``."""
        if self.kind == "hessian":
            pattern = hessian_sparsity(self._value, self.argnums, local=self.local)(*args)
            colors = coloring.star_coloring(pattern)
            return pattern, colors, "hessian", coloring.decompress_symmetric(pattern, colors)
        pattern = jacobian_sparsity(self._value, self.argnums, local=self.local)(*args)
        mode = self.mode
        if mode == "auto":  # the side whose colors cannot be fewer than the fewest
            mode = "fwd" if _most_per_line(pattern) <= _most_per_line(pattern.T) else "rev"
        if mode == "fwd":
            columns = coloring.column_coloring(pattern)
            return pattern, columns, "fwd", coloring.decompress_columns(pattern, columns)
        rows = coloring.row_coloring(pattern)
        return pattern, rows, "rev", coloring.decompress_rows(pattern, rows)

    def _compressed(self, args, num, x, seeds, mode):
        """The compressed derivative (J S, Sᵀ J or H S) as a NumPy array,
        one batched sweep per chunk of colors, and the aux output."""
        step = seeds.shape[1] if not self.chunk_size else self.chunk_size
        parts, aux = [], None
        for start in range(0, max(seeds.shape[1], 1), step):
            block = seeds[:, start:start + step]
            part, aux = self._sweep(args, num, x, block, mode)
            parts.append(part)
        compressed = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
        return (compressed.T if mode == "rev" else compressed), aux

    def _sweep(self, args, num, x, block, mode):
        """One batched pass: (rows x colors) for fwd and hessian, (colors x
        columns) transposed for rev."""
        k = block.shape[1]

        def along(x_n):
            return self.f(*args[:num], x_n, *args[num + 1:])
        if mode == "rev":
            out_shape = tuple(shape_of(raw_value(self._value(*args))))
            level = new_level()
            watched_args, watched = _watch(list(args), (num,), level, "sparse_jacobian")
            with enable_grad():
                out = self.f(*watched_args)
            out, aux = _split_aux(out, self.has_aux)
            boxes = [box for _, bs in watched for box in bs]
            directions = block.T.reshape((k,) + out_shape)
            rows = _pull_batched(out, directions, level, boxes)[0]
            return raw_value(rows).reshape(k, -1).T, (_take_out(aux, level) if self.has_aux
                                                      else None)
        directions = block.T.reshape((k,) + tuple(shape_of(raw_value(x))))
        target = grad(along) if mode == "hessian" else along
        out = jvp(target, (x,), (directions,), has_aux=self.has_aux and mode != "hessian")
        aux = out[2] if len(out) == 3 else None
        return np.asarray(raw_value(out[1])).reshape(k, -1).T, aux


def _zeros_of(args, num):
    """Where the other arguments are zero: the pattern may depend on it (a
    product with a sparse matrix argument), so a plan is kept per such
    layout too. (Constants the function closes over are read once, at
    detection.)"""
    layout = []
    for k, a in enumerate(args):
        if k != num:
            raw = np.asarray(raw_value(_operand(a)))
            layout.append((raw.shape, np.packbits(raw != 0).tobytes()))
    return tuple(layout)


def _most_per_line(pattern):
    """The most entries in one row: a column coloring needs at least as many
    colors (and a row coloring, of the transpose's rows)."""
    counts = np.diff(pattern.tocsr().indptr)
    return int(counts.max()) if len(counts) else 0


def sparse_jacobian(f: Callable[..., Any], argnums: int = 0, has_aux: bool = False,
                    chunk_size: int | None = None, *, mode: str = "auto",
                    local: bool = False) -> SparseDerivative:
    """The Jacobian of ``f`` with respect to argument ``argnums`` as a
    ``scipy.sparse.csr_array`` (outputs x inputs, flattened): its pattern is
    detected and colored once per input shape and dtype, then each call is
    one batched sweep with one direction per color, forward (``"fwd"``, JVPs
    of column colors) or reverse (``"rev"``, VJPs of row colors).
    ``"auto"`` takes forward mode unless a column holds more entries than
    any row (each needs at least as many colors as its fullest line). With
    ``local=True`` the pattern is the one at each call's point (f may read
    its values), detected and colored on every call.

    Args:
        f: the function; its output is a tensor or a pytree of tensors.
        argnums: the position of the argument to differentiate (one int).
        has_aux: f returns ``(output, aux)``; each call then returns
            ``(jacobian, aux)``.
        chunk_size: at most this many colors per sweep (bounds memory);
            None for all at once.
        mode: ``"auto"``, ``"fwd"`` or ``"rev"``, as above.
        local: detect the pattern at each call's point (f may read its
            input's values).

    Returns:
        A callable ``SparseDerivative``: called with f's arguments, it
        returns the Jacobian, a ``scipy.sparse.csr_array`` of shape (output
        entries, input entries). Its ``sparsity`` and ``coloring``
        attributes are those of the last call.

    Raises:
        ValueError: ``mode`` is not one of the three, or ``chunk_size`` is
            not a positive int.
        ImportError: scipy, an optional extra, is not installed.
        TypeError: (when called) in global mode, f reads its input's values.

    Example:
        >>> import dualrev as dr
        >>> jac = dr.func.sparse_jacobian(lambda x: x[1:] * x[:-1])
        >>> jac(dr.tensor([1.0, 2.0, 3.0])).toarray()
        array([[2., 1., 0.],
               [0., 3., 2.]])
        >>> int(jac.coloring.max()) + 1
        2
    """
    scipy_sparse()
    return SparseDerivative(f, "jacobian", argnums, has_aux, chunk_size, mode, local)


def sparse_hessian(f: Callable[..., Any], argnums: int = 0, chunk_size: int | None = None, *,
                   local: bool = False) -> SparseDerivative:
    """The Hessian of a scalar ``f`` as a ``scipy.sparse.csr_array``: its
    pattern is detected and star-colored once per input shape and dtype,
    then each call is one batched forward-over-reverse sweep with one
    direction per color.

    A star coloring usually needs fewer colors than the Jacobian of the
    gradient would (3 for a tridiagonal Hessian of any size, below).

    Args:
        f: a function returning a scalar (0-d) tensor.
        argnums: the position of the argument to differentiate (one int).
        chunk_size: at most this many colors per sweep (bounds memory);
            None for all at once.
        local: detect the pattern at each call's point (f may read its
            input's values).

    Returns:
        A callable ``SparseDerivative``: called with f's arguments, it
        returns the Hessian, a ``scipy.sparse.csr_array`` of shape (n, n).
        Its ``sparsity`` and ``coloring`` attributes are those of the last
        call.

    Raises:
        ValueError: ``chunk_size`` is not a positive int.
        ImportError: scipy, an optional extra, is not installed.
        TypeError: (when called) in global mode, f reads its input's values.

    Example:
        >>> import dualrev as dr
        >>> rosenbrock = lambda x: (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
        >>> hess = dr.func.sparse_hessian(rosenbrock)
        >>> hess(dr.ones(5)).toarray()[:2]
        array([[ 802., -400.,    0.,    0.,    0.],
               [-400., 1002., -400.,    0.,    0.]])
        >>> int(hess.coloring.max()) + 1
        3
    """
    scipy_sparse()
    return SparseDerivative(f, "hessian", argnums, False, chunk_size, "auto", local)
