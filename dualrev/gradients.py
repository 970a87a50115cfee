"""``backward`` and ``grad`` on tensors: PyTorch's ``torch.autograd`` entry
points, running the core's backward sweep over the graph that recorded the
outputs. They know tensors only as the core's reverse boxes, so the Tensor
class can call them."""

from __future__ import annotations

import sys
import warnings
from typing import Any, Sequence, TypeVar

import numpy as np

from . import dtypes
from ._args import _bool
from .core.grad_mode import set_grad_enabled
from .core.levels import AMBIENT
from .core.batching import BatchBox
from .core.reverse import ReverseBox
from .core.primitive import TABLE, Box, raw_value
from .core.sweep import SWEEP_LOCK, backward_pass, in_dtype_of
from .core.values import dtype_of, shape_of

#: The class of the inputs (Tensor), which their gradients have too.
TensorT = TypeVar("TensorT", bound=ReverseBox)


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,)


def _seeds(outputs, grad_outputs, create_graph):
    """The cotangent to start from for each output: ones for a scalar,
    else the one given (checked and cast to the output's dtype)."""
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grad_outputs)} gradients")
    seeds = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            value = _ones_like(out)
            seeds.append(type(out)._make(value, out._level) if create_graph else value)
            continue
        if not isinstance(g, ReverseBox):
            g = type(out)._make(dtypes.as_value(g, out.dtype), out._level)
        if g.shape != out.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape!r} "
                               f"and output[{i}] has a shape of {out.shape!r}.")
        if g.dtype != out.dtype:
            g = g.to(out.dtype)
        seeds.append(g if create_graph else g._value)
    return seeds


def _ones_like(t):
    value = t._value
    if type(value) is float:
        return 1.0
    return np.ones(shape_of(value), dtype=dtype_of(value))


def _edges(outputs):
    edges = []
    for i, out in enumerate(outputs):
        if _batched(out):
            raise_backward_in_vmap()
        if not isinstance(out, ReverseBox):
            raise TypeError(f"expected Tensors to differentiate, got {type(out).__name__}")
        edge = out._edge()
        if edge is None:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")
        edges.append(edge)
    return edges


def raise_backward_in_vmap(*_, **__):
    raise RuntimeError(
        "vmap: It looks like you're calling .backward() or autograd.grad() inside of a vmapped "
        "function. This is not supported: each example would need its own backward pass. Use "
        "dr.func.grad or dr.func.vjp inside the vmapped function, or call .backward() on the "
        "vmap's result.")


def _batched(value):
    """Whether a value holds a batch of vmap's examples (inside vmap)."""
    while isinstance(value, Box):
        if isinstance(value, BatchBox):
            return True
        value = value._inner()
    return False


def _flags(fn, retain_graph, create_graph):
    return (_bool(retain_graph, fn, "retain_graph", none=True),
            _bool(create_graph, fn, "create_graph"))


def _run(outputs, grad_outputs, retain_graph, create_graph, capture):
    outputs = _as_tuple(outputs)
    edges = _edges(outputs)
    seeds = _seeds(outputs, grad_outputs, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    level = outputs[0]._level
    mode = set_grad_enabled(create_graph) if level == AMBIENT else set_grad_enabled(True)
    with mode:
        return backward_pass(edges, seeds, box_type=type(outputs[0]), retain_graph=retain_graph,
                             create_graph=create_graph, capture=capture, deliver=_into_grad)


def _capture_edges(inputs):
    edges = []
    for t in inputs:
        if not isinstance(t, ReverseBox):
            raise TypeError(f"inputs must be Tensors, got {type(t).__name__}")
        edge = t._edge()
        if edge is None:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        edges.append(edge)
    return edges


def backward(tensors: ReverseBox | Sequence[ReverseBox], grad_tensors: Any = None,
             retain_graph: bool | None = None, create_graph: bool = False,
             inputs: ReverseBox | Sequence[ReverseBox] | None = None) -> None:
    """Add the gradients of ``tensors`` to the ``.grad`` of the leaves they depend on.

    PyTorch's ``torch.autograd.backward`` (``y.backward()`` for one tensor).
    The gradient of ``sum(t * g for t, g in zip(tensors, grad_tensors))`` is
    accumulated (added, not assigned) into ``.grad`` of every leaf that
    requires grad, or of ``inputs`` only. Without ``retain_graph`` the graph's
    saved values are freed, so a second backward through it raises.

    Args:
        tensors (Tensor | sequence of Tensor): the outputs to differentiate.
        grad_tensors (Tensor | number | sequence | None): the weight of each
            output, of its shape (default None: 1, for outputs of one entry).
        retain_graph (bool | None): keep the graph's saved values for another
            backward pass (default None: ``create_graph``'s value).
        create_graph (bool): record the backward pass, so the gradients can be
            differentiated again (default False).
        inputs (Tensor | sequence of Tensor | None): accumulate into these only
            (default None: every leaf).

    Returns:
        None

    Raises:
        RuntimeError: if an output of more than one entry has no
            ``grad_tensors`` ("grad can be implicitly created only for scalar
            outputs"), an output does not require grad, the graph was freed
            by an earlier backward, or ``inputs`` is empty.

    Example:
        >>> import dualrev as dr
        >>> x = dr.tensor([1.0, 2.0], requires_grad=True)
        >>> dr.autograd.backward((x ** 2).sum())
        >>> x.grad
        tensor([2., 4.])
        >>> dr.autograd.backward(x * 3, grad_tensors=dr.tensor([1.0, 0.5]))
        >>> x.grad
        tensor([5.0000, 5.5000])
    """
    retain_graph, create_graph = _flags("backward", retain_graph, create_graph)
    if inputs is not None and not _as_tuple(inputs):
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    if create_graph:
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after use "
            "to break the cycle and avoid the leak.", UserWarning, stacklevel=3)
    inputs = _as_tuple(inputs)
    if not inputs:
        _run(tensors, grad_tensors, retain_graph, create_graph, None)
        return
    with SWEEP_LOCK:
        grads = _run(tensors, grad_tensors, retain_graph, create_graph, _capture_edges(inputs))
        for t, g in zip(inputs, grads):
            if g is not None:
                accumulate(t, g, create_graph)


def grad(outputs: ReverseBox | Sequence[ReverseBox], inputs: TensorT | Sequence[TensorT],
         grad_outputs: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple[TensorT, ...]:
    """The gradients of ``outputs`` with respect to each of ``inputs``, as a tuple.

    PyTorch's ``torch.autograd.grad``: the gradient of ``sum(o * g for o, g in
    zip(outputs, grad_outputs))``; ``.grad`` is left alone. With
    ``create_graph=True`` the results are themselves differentiable (higher
    derivatives).

    Args:
        outputs (Tensor | sequence of Tensor): the outputs to differentiate.
        inputs (Tensor | sequence of Tensor): the tensors to differentiate by.
        grad_outputs (Tensor | number | sequence | None): the weight of each
            output (default None: 1, for outputs of one entry).
        retain_graph (bool | None): keep the graph's saved values for another
            backward pass (default None: ``create_graph``'s value).
        create_graph (bool): record the backward pass, so the gradients can be
            differentiated again (default False).
        only_inputs (bool): accepted for PyTorch's signature (always True).
        allow_unused (bool | None): give None for an input the outputs do not
            depend on, instead of raising (default None: ``materialize_grads``).
        is_grads_batched (bool): not supported (use ``dr.func.jacrev`` or ``vjp``).
        materialize_grads (bool): give zeros rather than None for unused inputs.

    Returns:
        tuple of Tensor: one gradient per input, of its shape and dtype (None
        for an unused input with ``allow_unused=True``).

    Raises:
        RuntimeError: if an input is unused (without ``allow_unused``), does
            not require grad, an output of more than one entry has no
            ``grad_outputs``, or ``inputs`` is empty.
        NotImplementedError: with ``is_grads_batched=True``.

    Example:
        >>> import dualrev as dr
        >>> x = dr.tensor(2.0, requires_grad=True)
        >>> (g,) = dr.autograd.grad(x ** 3, x, create_graph=True)
        >>> g
        tensor(12., grad_fn=<MulBackward0>)
        >>> dr.autograd.grad(g, x)
        (tensor(12.),)
    """
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched: use dualrev.func.jacrev or vjp instead")
    retain_graph, create_graph = _flags("grad", retain_graph, create_graph)
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _run(outputs, grad_outputs, retain_graph, create_graph, _capture_edges(inputs))
    results = []
    for t, g in zip(inputs, grads):
        if g is None:
            if not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used "
                                   "in the graph. Set allow_unused=True if this is the desired "
                                   "behavior.")
            if materialize_grads:
                g = np.zeros(shape_of(t._value), dtype_of(t._value)) if shape_of(t._value) else 0.0
            else:
                results.append(None)
                continue
        g = in_dtype_of(t._value, g)
        results.append(g if isinstance(g, ReverseBox) and g._level == t._level
                       else type(t)._make(g, t._level))
    return tuple(results)


def _into_grad(accumulator, grad, create_graph):
    """A gradient that reached a leaf's accumulator, added to the leaf's
    ``.grad`` (not if the leaf is gone or stopped requiring grad)."""
    leaf = accumulator.variable
    if leaf is not None and leaf._acc is accumulator:
        accumulate(leaf, grad, create_graph)
        holder = leaf._leaf_hooks
        for kind, hook in list(holder.hooks or ()) if holder is not None else ():
            if kind == "post_accumulate":
                hook(leaf)


def accumulate(leaf, grad, create_graph):
    """Add ``grad`` to ``leaf.grad``, keeping the same ``.grad`` tensor when
    there is one (as PyTorch does) unless the sum itself is recorded. The
    gradient takes the leaf's dtype."""
    grad = in_dtype_of(leaf._value, grad)
    if create_graph or isinstance(grad, Box):
        if not isinstance(grad, ReverseBox) or grad._level != leaf._level:
            grad = type(leaf)._make(grad, leaf._level)
        if leaf._grad is None and _shares_memory(grad):
            grad = TABLE.clone(grad)  # a .grad of its own: changing it in place must work
        leaf._grad = grad if leaf._grad is None else leaf._grad + grad
    elif leaf._grad is None:
        leaf._grad = type(leaf)._make(_owned(grad), leaf._level)
    else:
        leaf._grad._value = leaf._grad._value + grad
        leaf._grad._bump_version()


def _shares_memory(value):
    """Whether the array under ``value`` is a view (of a broadcast number,
    as sum's cotangent is, or of another array)."""
    array = raw_value(value)
    return type(array) is np.ndarray and array.base is not None


def _owned(value):
    """A gradient array that no one else holds, since ``.grad`` may later be
    changed in place: rules may pass one array to several inputs, and a view
    shares memory. An array that only the sweep refers to (the references
    counted here: the sweep's, ``_into_grad``'s, ``accumulate``'s, this
    function's and ``getrefcount``'s own) is taken as it is, as PyTorch
    steals a gradient nobody else uses; any other is copied."""
    if type(value) is np.ndarray and (value.base is not None or sys.getrefcount(value) > 5):
        return value.copy()
    return value
