"""Finite-difference checks of reverse-mode derivatives: ``gradcheck`` for
first order, ``gradgradcheck`` for second order (the gradient of the
gradient)."""

import numpy as np

from ._args import _float
from ._tensor import Tensor
from .gradients import grad


class GradcheckError(RuntimeError):
    """The analytic and the finite-difference Jacobians disagree."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _differentiable(inputs):
    return [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]


def _checked(fn, inputs, what, eps, atol, rtol):
    """The arguments of gradcheck and gradgradcheck, checked: a callable,
    inputs of which some tensor requires grad, float tolerances."""
    if not callable(fn):
        raise TypeError(f"{what}(): fn must be callable, not {type(fn).__name__}")
    for name, value in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        _float(value, what, name)
    inputs = _as_tuple(inputs)
    wrt = _differentiable(inputs)
    if not wrt:
        raise ValueError(f"{what} expects at least one input tensor to require gradient")
    return inputs, wrt


def _values(outputs):
    return [np.asarray(o.detach(), dtype=np.float64).ravel() for o in outputs]


def _numerical(fn, inputs, wrt, eps):
    """Central differences: one column per input entry, per (output, input)."""
    base = [np.array(np.asarray(x.detach()), dtype=np.float64) if i in wrt else x
            for i, x in enumerate(inputs)]

    def evaluate(values):
        args = [Tensor._make(v.copy() if v.ndim else float(v), requires_grad=True)
                if i in wrt else v for i, v in enumerate(values)]
        return _values(_as_tuple(fn(*args)))

    jac = {}
    for i in wrt:
        flat = base[i].reshape(-1)
        columns = []
        for k in range(flat.size):
            original = flat[k]
            flat[k] = original + eps
            plus = evaluate(base)
            flat[k] = original - eps
            minus = evaluate(base)
            flat[k] = original
            columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
        for o in range(len(columns[0]) if columns else 0):
            jac[(o, i)] = np.array([column[o] for column in columns]).T
    return jac


def _analytical(fn, inputs, wrt):
    """Rows of the Jacobian by reverse mode, one unit cotangent at a time."""
    outputs = _as_tuple(fn(*inputs))
    jac = {}
    for o, out in enumerate(outputs):
        size = int(np.size(np.asarray(out.detach())))
        rows = {i: [] for i in wrt}
        for k in range(size):
            unit = np.zeros(size)
            unit[k] = 1.0
            cotangent = unit.reshape(out.shape) if out.shape else 1.0
            if not out.requires_grad:
                grads = [None] * len(wrt)
            else:
                grads = grad(out, [inputs[i] for i in wrt], grad_outputs=cotangent,
                             retain_graph=True, allow_unused=True)
            for i, g in zip(wrt, grads):
                n = int(np.size(np.asarray(inputs[i].detach())))
                rows[i].append(np.zeros(n) if g is None else np.asarray(g, np.float64).ravel())
        for i in wrt:
            n = int(np.size(np.asarray(inputs[i].detach())))
            jac[(o, i)] = np.array(rows[i]).reshape(size, n)
    return jac


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check the Jacobians of ``fn`` at ``inputs`` against central finite differences.

    For each tensor of ``inputs`` that requires grad and each output, the
    Jacobian from reverse mode is compared with ``(fn(x + eps) - fn(x - eps)) /
    (2 eps)``, entry by entry, within ``atol + rtol * |numerical|`` (NumPy's
    ``allclose``). Use float64 inputs: in float32 the differences are too
    coarse for the default tolerances.

    Args:
        fn (callable): takes ``*inputs``, returns a tensor or a tuple of tensors.
        inputs (Tensor | tuple): the arguments; those that are tensors
            requiring grad are checked.
        eps (float): the finite-difference step (default 1e-6).
        atol (float): the absolute tolerance (default 1e-5).
        rtol (float): the relative tolerance (default 1e-3).
        raise_exception (bool): raise on a mismatch (default True) rather than
            return False.

    Returns:
        bool: True when the Jacobians agree (False on a mismatch with
        ``raise_exception=False``).

    Raises:
        GradcheckError: (``dualrev.autograd.GradcheckError``, a RuntimeError)
            if a Jacobian differs, saying which output and input, with both.
        ValueError: if no input tensor requires grad.
        TypeError: if ``fn`` is not callable or a tolerance is not a number.

    Example:
        >>> import dualrev as dr
        >>> x = dr.tensor([0.5, 1.5], dtype=dr.float64, requires_grad=True)
        >>> dr.autograd.gradcheck(dr.sin, (x,))
        True
        >>> wrong = lambda t: dr.sin(t).detach() + 0 * t   # the gradient is cut
        >>> dr.autograd.gradcheck(wrong, (x,), raise_exception=False)
        False
    """
    inputs, wrt = _checked(fn, inputs, "gradcheck", eps, atol, rtol)
    numeric = _numerical(fn, inputs, wrt, eps)
    analytic = _analytical(fn, inputs, wrt)
    for key, a in analytic.items():
        n = numeric.get(key, np.zeros_like(a))
        if not np.allclose(a, n, rtol=rtol, atol=atol, equal_nan=True):
            if not raise_exception:
                return False
            raise GradcheckError(f"Jacobian mismatch for output {key[0]} with respect to input "
                                 f"{key[1]},\nnumerical:{n}\nanalytical:{a}\n")
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, seed=0):
    """Check second derivatives of ``fn`` at ``inputs`` against finite differences.

    ``gradcheck`` of the function that maps (inputs, cotangents) to the
    gradient of ``fn`` taken with ``create_graph=True``: it checks the
    derivatives of the backward pass. The cotangents are random (from
    ``seed``, so the check is deterministic) unless ``grad_outputs`` gives
    them.

    Args:
        fn (callable): takes ``*inputs``, returns a tensor or a tuple of tensors.
        inputs (Tensor | tuple): the arguments; those that are tensors
            requiring grad are checked.
        grad_outputs (Tensor | sequence of Tensor | None): the cotangents, one
            per output, requiring grad (default None: random normal ones).
        eps (float): the finite-difference step (default 1e-6).
        atol (float): the absolute tolerance (default 1e-5).
        rtol (float): the relative tolerance (default 1e-3).
        raise_exception (bool): raise on a mismatch (default True) rather than
            return False.
        seed (int): the seed of the random cotangents (default 0).

    Returns:
        bool: True when the second derivatives agree (False on a mismatch with
        ``raise_exception=False``).

    Raises:
        GradcheckError: if a Jacobian of the gradient differs.
        ValueError: if no input tensor requires grad.
        TypeError: if ``fn`` is not callable or does not return tensors.

    Example:
        >>> import dualrev as dr
        >>> x = dr.tensor([0.5, 1.5], dtype=dr.float64, requires_grad=True)
        >>> dr.autograd.gradgradcheck(dr.sin, (x,))
        True
        >>> dr.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (x,))
        True
    """
    inputs, wrt = _checked(fn, inputs, "gradgradcheck", eps, atol, rtol)
    outputs = _as_tuple(fn(*inputs))
    if not all(isinstance(o, Tensor) for o in outputs):
        raise TypeError("gradgradcheck(): fn must return a tensor or a tuple of tensors")
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = [Tensor(rng.standard_normal(o.shape), dtype=o.dtype, requires_grad=True)
                        for o in outputs]
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first_derivative(*args):
        xs, vs = args[:n], args[n:]
        outs = _as_tuple(fn(*xs))
        grads = grad(outs, [xs[i] for i in wrt], grad_outputs=list(vs), create_graph=True,
                     allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, inputs + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
