"""``vmap``: a function of one example run on a batch of them, with
torch.func's conventions (``in_dims``, ``out_dims``, ``chunk_size``).

The batched arguments become batch boxes of a fresh level
(``core.batching``): every primitive runs once on all examples, by its
record's batch rule, with no loop over the batch. A level of its own means
vmap composes with the derivative transforms in any order.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from ..batched import Batched
from ..core.batching import RUNNING
from ..core.levels import new_level
from ..core.primitive import Box
from ..core.values import shape_of
from .. import array_functions as A
from .. import shape_functions as S
from .transforms import _check_outputs, _operand, _result
from .tree import flatten, unflatten


def vmap(func: Callable[..., Any], in_dims: Any = 0, out_dims: Any = 0,
         randomness: str = "error", *, chunk_size: int | None = None) -> Callable[..., Any]:
    """``func`` mapped over a batch axis of its arguments (torch.func.vmap).

    ``func`` is written for one example; the mapped function runs it on a
    batch in one pass (each operation sees the whole batch), and composes
    with the other transforms (``vmap(grad(f))`` gives per-example
    gradients, ``vmap(jvp...)`` many directions).

    Args:
        func: the function of one example; its output is a tensor or a
            pytree of tensors.
        in_dims: for each argument, the axis its examples are stacked
            along, or None for an argument shared by all examples; an int
            applies to all, a tuple or a tree matching the arguments to each.
        out_dims: where the batch axis goes in each output (an int, or a
            tuple with one per output).
        randomness: what a random operation inside does: ``"error"`` (the
            default) raises, ``"different"`` draws independently for each
            example, ``"same"`` draws once for the batch.
        chunk_size: examples per pass (bounds memory); None for all at once.

    Returns:
        The mapped function: it takes batched arguments and returns
        ``func``'s outputs with the batch axis at ``out_dims``.

    Raises:
        RuntimeError: ``randomness`` is not one of the three, or a random
            operation runs in ``"error"`` mode.
        ValueError: ``chunk_size`` is not a positive int; (when called)
            ``in_dims`` or ``out_dims`` does not fit the arguments or
            outputs, no argument is batched, or the batched arguments
            differ in batch size.

    Example:
        >>> import dualrev as dr
        >>> x = dr.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> dr.func.vmap(lambda v: (v * v).sum())(x)
        tensor([ 5., 25.])
        >>> dr.func.vmap(dr.func.grad(lambda v: (v ** 3).sum()))(x)
        tensor([[ 3., 12.],
                [27., 48.]])
        >>> dr.func.vmap(lambda v, w: v * w, in_dims=(1, None))(x, dr.tensor(10.0))
        tensor([[10., 30.],
                [20., 40.]])
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")
    if chunk_size is not None and (type(chunk_size) is not int or chunk_size < 1):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def vmapped(*args):
        leaves, dims = _batched_leaves(func, args, in_dims)
        size = _batch_size(func, leaves, dims, in_dims)
        step = chunk_size or max(size, 1)
        pieces = [_run(func, leaves, dims, start, min(start + step, size), randomness)
                  for start in range(0, max(size, 1), step)]
        out_tree = pieces[0][0]
        out_leaves = [pieces[0][1][k] if len(pieces) == 1 else S.cat([p[1][k] for p in pieces], 0)
                      for k in range(len(pieces[0][1]))]
        return unflatten(out_tree, [_moved(leaf, dim) for leaf, dim in zip(
            out_leaves, _out_dims(out_dims, len(out_leaves), func))])
    return vmapped


def _name(func):
    return getattr(func, "__name__", type(func).__name__)


def _batched_leaves(func, args, in_dims):
    """The arguments' leaves, their tree, and each leaf's batch axis (None:
    not batched), with torch.func's checks."""
    if isinstance(in_dims, int) or in_dims is None:
        dims_tree = tuple(in_dims for _ in args)
    elif isinstance(in_dims, tuple):
        if len(in_dims) != len(args):
            raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): in_dims "
                             f"is not compatible with the structure of `inputs`. in_dims has "
                             f"structure {len(in_dims)} but inputs has structure {len(args)}.")
        dims_tree = in_dims
    else:
        raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...): expected `in_dims` to be "
                         f"int or a (potentially nested) tuple matching the structure of "
                         f"inputs, got: {type(in_dims)}.")
    leaves, dims = [], []
    for arg, dim in zip(args, dims_tree):
        arg_leaves, arg_tree = flatten(arg)
        arg_dims = _dims_of(arg, dim)
        if arg_dims is None or len(arg_dims) != len(arg_leaves):
            raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): in_dims "
                             "is not compatible with the structure of `inputs`.")
        leaves.append((arg_leaves, arg_tree))
        dims.append(arg_dims)
    return leaves, dims


def _dims_of(arg, dim):
    """The batch axis of each leaf of ``arg`` (in flatten's order) from its
    in_dims entry: an int or None for all of them, or a tree of those
    matching the argument's (None for None); None if they do not match."""
    if dim is None or isinstance(dim, int):
        return [dim] * len(flatten(arg)[0])
    if isinstance(dim, dict) and isinstance(arg, dict) and dim.keys() == arg.keys():
        parts = [_dims_of(arg[k], dim[k]) for k in sorted(arg, key=repr)]  # (flatten's order)
    elif isinstance(dim, (tuple, list)) and isinstance(arg, (tuple, list)) \
            and len(dim) == len(arg):
        parts = [_dims_of(a, d) for a, d in zip(arg, dim)]
    else:
        return None
    return None if any(p is None for p in parts) else [d for p in parts for d in p]


def _batch_size(func, leaves, dims, in_dims):
    sizes = set()
    for (arg_leaves, _), arg_dims in zip(leaves, dims):
        for leaf, dim in zip(arg_leaves, arg_dims):
            if dim is None:
                continue
            shape = tuple(shape_of(_operand(leaf)))  # (one example's, under an outer vmap)
            ndim = len(shape)
            if not ndim:
                raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got "
                                 f"in_dim={dim} for an input but the input is of type "
                                 f"{type(leaf)}. We cannot vmap over non-Tensor arguments, "
                                 f"please use None as the respective in_dim")
            if not -ndim <= dim < ndim:
                raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got "
                                 f"in_dim={dim} for some input, but that input is a Tensor of "
                                 f"dimensionality {ndim} so expected in_dim to satisfy "
                                 f"-{ndim} <= in_dim < {ndim}.")
            sizes.add(shape[dim])
    if not sizes:
        raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): At least one "
                         "of the inputs must be mapped over, but in_dims is None for all of "
                         "them: there is nothing to vmap over.")
    if len(sizes) > 1:
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sorted(sizes)} for the mapped dimension")
    return sizes.pop()


def _run(func, leaves, dims, start, stop, randomness):
    """func on examples start..stop: the output tree and its leaves, each
    with the batch axis first."""
    level = new_level()
    args = []
    for (arg_leaves, arg_tree), arg_dims in zip(leaves, dims):
        boxed = [leaf if dim is None else Batched._make(_examples(leaf, dim, start, stop), level)
                 for leaf, dim in zip(arg_leaves, arg_dims)]
        args.append(unflatten(arg_tree, boxed))
    RUNNING.append((level, stop - start, randomness))
    try:
        out_leaves, out_tree = flatten(func(*args))
    finally:
        RUNNING.pop()
    _check_outputs(out_leaves, "vmap")
    return out_tree, [_stacked(o, level, stop - start) for o in out_leaves]


def _examples(leaf, dim, start, stop):
    """Examples start..stop of a batched argument, stacked along the first
    axis: an array moved by NumPy, a box of a lower level (a tensor that
    requires grad, a Dual) by dualrev, so that its derivatives flow."""
    value = _operand(leaf)
    if isinstance(value, Box):
        return A.moveaxis(value, dim, 0)[start:stop]
    return np.moveaxis(np.asarray(value), dim, 0)[start:stop]


def _stacked(out, level, size):
    """An output with its batch axis first: a batched one's stacked values;
    one the same for every example, repeated."""
    if isinstance(out, Batched) and out._level == level:
        return _result(out.primal)
    value = _result(_operand(out) if not isinstance(out, Box) else out)
    return S.broadcast_to(value, (size,) + tuple(value.shape))


def _out_dims(out_dims, count, func):
    """The batch axis of each output."""
    if isinstance(out_dims, int):
        return [out_dims] * count
    dims = list(out_dims)
    if len(dims) != count:
        raise ValueError(f"vmap({_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is "
                         f"not compatible with the structure of `outputs`. out_dims has "
                         f"structure {len(dims)} but outputs has structure {count}.")
    return dims


def _moved(leaf, dim):
    return leaf if dim == 0 else A.moveaxis(leaf, 0, dim)
