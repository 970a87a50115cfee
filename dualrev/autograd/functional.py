"""PyTorch's ``torch.autograd.functional``: ``vjp``, ``jvp``, ``jacobian``,
``hessian``, ``vhp`` and ``hvp`` of a function of tensors, with torch's
signatures and return conventions.

Inputs and outputs are a tensor or a tuple of tensors; results take the
structure of what they are derivatives of (a tuple where that was a tuple).
As in PyTorch, the function runs on fresh copies of the inputs that require
grad; with ``create_graph=False`` the results are detached, with ``True``
they are differentiable (with respect to the inputs that require grad).
``strict=True`` raises where an output does not depend on an input instead
of returning zeros.

The reverse-mode parts run on the tape (``autograd.grad``) as PyTorch's do;
``jvp`` pushes tangents by forward mode (Duals); ``vectorize=True`` takes
``dr.func.jacrev``, ``jacfwd`` and ``hessian``, which compute all rows in
one batched pass. (``dr.func`` returns ``hvp`` as ``(grad, Hv)``; here, as
in PyTorch, it is ``(func_output, hvp)``.)
"""

from ..core.forward import ForwardBox
from ..core.grad_mode import enable_grad, set_grad_enabled
from ..core.levels import is_grad_enabled, new_level
from ..creation import zeros, zeros_like
from ..dual import Dual
from ..gradients import grad as _tape_grad
from ..shape_functions import stack
from .._tensor import Tensor
from ..func import hessian as _func_hessian, jacfwd, jacrev

_STRATEGIES = ("forward-mode", "reverse-mode")


# -- torch's tuple conventions -----------------------------------------------------

def _as_tuple(value, arg_name, fn_name):
    """``(was a tuple, the tensors as a tuple)``, with torch's TypeError for
    anything but a tensor or a tuple of tensors."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, el in enumerate(values):
        if not isinstance(el, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a "
                            f"tuple of Tensors but the {where} has type {type(el)}.")
    return is_tuple, values


def _unpacked(res, to_unpack):
    """Undo ``_as_tuple``: one flag, or (outputs' flag, inputs' flag) for a
    tuple of tuples."""
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _fresh(inputs, create_graph, need_graph):
    """New tensor objects for the inputs: differentiable views of those
    that require grad when the graph is wanted, detached leaves otherwise
    (so that the function's own captures of an input are told apart)."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad
                 else t.detach().requires_grad_(need_graph) for t in inputs)


def _finished(values, create_graph):
    if values and isinstance(values[0], Tensor):
        return values if create_graph else tuple(v.detach() for v in values)
    return tuple(_finished(v, create_graph) for v in values)


def _check_v(v, other, is_other_tuple):
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.shape != el_other.shape:
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(f"{prepend}v has invalid size: should be {el_other.size()} but "
                               f"got {el_v.size()}.")


def _taken_v(v, other, is_other_tuple, create_graph, fn_name, none_message):
    if v is None:
        if len(other) != 1 or other[0].numel() != 1:
            raise RuntimeError(none_message)
        return None
    _, v = _as_tuple(v, "v", fn_name)
    v = _fresh(v, create_graph, need_graph=False)
    _check_v(v, other, is_other_tuple)
    return v


_MESSAGES = {
    "outputs": lambda i: (f"Output {i} of the user-provided function does not require "
                          "gradients. The outputs must be computed in a differentiable manner "
                          "from the input when running in strict mode."),
    "jacobian": lambda i: ("While computing the hessian, found that the jacobian of the "
                           f"user-provided function with respect to input {i} is independent "
                           "of the input. This is not allowed in strict mode. You should ensure "
                           "that your function is twice differentiable and that the jacobian "
                           "depends on the inputs (this would be violated by a linear function "
                           "for example)."),
    "hessian": lambda i: (f"The hessian of the user-provided function with respect to input {i} "
                          "is independent of the input. This is not allowed in strict mode. You "
                          "should ensure that your function is thrice differentiable and that "
                          "the hessian depends on the inputs."),
    "grad_inputs": lambda i: (f"The gradient with respect to input {i} is independent of the "
                              "inputs of the user-provided function. This is not allowed in "
                              "strict mode."),
    "back": lambda i: (f"The output of the user-provided function is independent of input {i}. "
                       "This is not allowed in strict mode."),
    "double_back": lambda i: ("The jacobian of the user-provided function is independent of "
                              f"input {i}. This is not allowed in strict mode."),
    "double_back_trick": lambda i: (
        f"The hessian of the user-provided function is independent of entry {i} in the "
        "grad_jacobian. This is not allowed in strict mode as it prevents from using the "
        "double backward trick to replace forward mode AD."),
}


def _check_requires_grad(values, kind, strict):
    if not strict:
        return
    for i, value in enumerate(values):
        if value is None:
            raise RuntimeError(_MESSAGES["back"](i))
        if not value.requires_grad:
            raise RuntimeError(_MESSAGES[kind](i))


def _grads(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` of the outputs that require grad (None for every
    input when none does), unused inputs getting None."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    kept = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not kept:
        return (None,) * len(inputs)
    return _tape_grad(tuple(o for o, _ in kept), inputs, tuple(g for _, g in kept),
                      retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)


def _zeros_for_none(grads, refs, strict, create_graph, stage):
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_MESSAGES[stage](i))
            g = zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               "create_graph=True.")
        res.append(g)
    return tuple(res)


# -- the functions -------------------------------------------------------------------

def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """The vector-Jacobian product ``v^T J`` of ``func`` at ``inputs``.

    Args:
        func: a function of tensors returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors.
        v: the vector, of the outputs' structure and shapes; None only for
            an output of one element.
        create_graph: whether the results are differentiable.
        strict: raise where an output does not depend on an input, instead
            of a zero result.

    Returns:
        tuple: ``(func_output, vjp)``, ``vjp`` of the inputs' structure.

    Raises:
        RuntimeError: ``v`` does not match the outputs; in strict mode, an
            independence.
        TypeError: inputs or outputs are not tensors.

    Example:
        >>> import dualrev as dr
        >>> out, g = dr.autograd.functional.vjp(lambda x: (x ** 2).sum(), dr.tensor([1.0, 2.0]))
        >>> out, g
        (tensor(5.), tensor([2., 4.]))
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        is_outputs_tuple, outputs = _as_tuple(
            func(*inputs), "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        v = _taken_v(v, outputs, is_outputs_tuple, create_graph, "vjp",
                     "The vector v can only be None if the user-provided function returns a "
                     "single Tensor with a single element.")
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grads = _grads(outputs, inputs, v, create_graph=create_graph)
        result = _zeros_for_none(grads, inputs, strict, create_graph, "back")
    return (_unpacked(_finished(outputs, create_graph), is_outputs_tuple),
            _unpacked(_finished(result, create_graph), is_inputs_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """The Jacobian-vector product ``J v`` of ``func`` at ``inputs``, by
    forward mode.

    Args:
        func: a function of tensors returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors.
        v: the direction, of the inputs' structure and shapes; None only for
            an input of one element.
        create_graph: whether the results are differentiable.
        strict: raise where an output does not depend on the inputs.

    Returns:
        tuple: ``(func_output, jvp)``, ``jvp`` of the outputs' structure.

    Raises:
        RuntimeError: ``v`` does not match the inputs; in strict mode, an
            independence.
        TypeError: inputs or outputs are not tensors.

    Example:
        >>> import dualrev as dr
        >>> f = lambda x, y: 2 * x + 3 * y
        >>> dr.autograd.functional.jvp(f, (dr.ones(2), dr.ones(2)), (dr.ones(2), dr.ones(2)))[1]
        tensor([5., 5.])
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _fresh(inputs, create_graph, need_graph=create_graph)
        v = _taken_v(v, inputs, is_inputs_tuple, create_graph, "jvp",
                     "The vector v can only be None if the input to the user-provided function "
                     "is a single Tensor with a single element.")
        if v is None:
            v = (zeros_like(inputs[0]) + 1,)
        level = new_level()
        duals = tuple(Dual._make(_opened(x), _opened(t.to(x.dtype)), level)
                      for x, t in zip(inputs, v))
        is_outputs_tuple, outputs = _dual_outputs(func(*duals), level)
    values, tangents = [], []
    for i, out in enumerate(outputs):
        if isinstance(out, ForwardBox) and out._level == level:
            values.append(_tensor(out.primal))
            tangents.append(_tensor(out.tangent))
            continue
        if strict:
            raise RuntimeError(_MESSAGES["outputs"](i))
        values.append(out)
        tangents.append(zeros_like(out))
    return (_unpacked(_finished(tuple(values), create_graph), is_outputs_tuple),
            _unpacked(_finished(tuple(tangents), create_graph), is_outputs_tuple))


def _opened(t):
    """A tensor as a Dual holds it: without history, its value."""
    return t._value if t._node is None and not t.requires_grad else t


def _tensor(value):
    return value if isinstance(value, Tensor) else Tensor._make(value)


def _dual_outputs(out, level):
    is_tuple = isinstance(out, tuple)
    outs = out if is_tuple else (out,)
    for i, el in enumerate(outs):
        if not (isinstance(el, Tensor) or isinstance(el, ForwardBox) and el._level == level):
            where = f"value at index {i}" if is_tuple else \
                "given outputs of the user-provided function"
            raise TypeError("The outputs of the user-provided function given to jvp must be "
                            f"either a Tensor or a tuple of Tensors but the {where} has type "
                            f"{type(el)}.")
    return is_tuple, outs


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for output i and input j, a
    tensor of shape ``output_i.shape + input_j.shape``.

    Args:
        func: a function of tensors returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors.
        create_graph: whether the result is differentiable.
        strict: raise where an output does not depend on an input (not
            with ``vectorize`` or forward mode).
        vectorize: compute all rows in one batched pass (``dr.func.jacrev``
            or ``jacfwd``) instead of one backward pass per output element.
        strategy: ``"reverse-mode"`` or ``"forward-mode"`` (the latter needs
            ``vectorize=True``).

    Returns:
        A tensor, a tuple over the inputs, a tuple over the outputs, or a
        tuple over the outputs of tuples over the inputs, as the function's
        outputs and inputs are tuples.

    Raises:
        RuntimeError: in strict mode, an independence; unsupported
            combinations of flags, with PyTorch's words.

    Example:
        >>> import dualrev as dr
        >>> dr.autograd.functional.jacobian(lambda x: x ** 2, dr.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    if strategy not in _STRATEGIES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, '
                             '"forward-mode" tends to be more performant. Otherwise, prefer to '
                             'use "reverse-mode".')
    _check_flags(create_graph, strict, vectorize, strategy)
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        if vectorize:
            return _vectorized(func, inputs, is_inputs_tuple, create_graph, strategy)
        is_outputs_tuple, outputs = _as_tuple(
            func(*inputs), "outputs of the user-provided function", "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        jac = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]
            flat = out.reshape(-1)
            for k in range(out.numel()):
                grads = _grads((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
                for j, (g, x) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is "
                                               f"independent of input {j}. This is not allowed "
                                               "in strict mode.")
                        g = zeros_like(x)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError("The jacobian of the user-provided function is "
                                           f"independent of input {i}. This is not allowed in "
                                           "strict mode when create_graph=True.")
                    rows[j].append(g)
            jac.append(tuple(_stacked(r, out, x) for r, x in zip(rows, inputs)))
    return _unpacked(_finished(tuple(jac), create_graph), (is_outputs_tuple, is_inputs_tuple))


def _check_flags(create_graph, strict, vectorize, strategy):
    """PyTorch's refusals of combinations of jacobian's flags."""
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError(
                'torch.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` '
                'are not supported together (yet). Please either set `strict=False` or '
                '`strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse "
                                      "Hessian isonly implemented for `vectorize=True`.")
    if vectorize and strict:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                           "`vectorized=True` are not supported together. Please either set "
                           "`strict=False` or `vectorize=False`.")


def _stacked(rows, out, x):
    shape = tuple(out.shape) + tuple(x.shape)
    if not rows:
        return zeros(shape, dtype=x.dtype)
    return stack(rows, dim=0).reshape(shape)


def _vectorized(func, inputs, is_inputs_tuple, create_graph, strategy):
    """The Jacobian by ``dr.func.jacrev`` or ``jacfwd`` (all rows at once)."""
    transform = jacfwd if strategy == "forward-mode" else jacrev
    out_flags = []

    def tupled(*xs):
        is_tuple, outs = _dual_free_outputs(func(*xs))
        out_flags.append(is_tuple)
        return outs
    jac = transform(tupled, argnums=tuple(range(len(inputs))))(*inputs)
    return _unpacked(_finished(tuple(jac), create_graph), (out_flags[0], is_inputs_tuple))


def _dual_free_outputs(out):
    is_tuple = isinstance(out, tuple)
    outs = out if is_tuple else (out,)
    for i, el in enumerate(outs):
        if not hasattr(el, "_level"):
            where = f"value at index {i}" if is_tuple else \
                "given outputs of the user-provided function"
            raise TypeError("The outputs of the user-provided function given to jacobian must "
                            f"be either a Tensor or a tuple of Tensors but the {where} has type "
                            f"{type(el)}.")
    return is_tuple, outs


def _single_output(out, fn_name, strict):
    is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", fn_name)
    _check_requires_grad(outs, "outputs", strict)
    if is_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if out.numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           "contain a single element")
    return out


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a function with one output element.

    Args:
        func: a function of tensors returning a tensor of one element.
        inputs: a tensor or a tuple of tensors.
        create_graph: whether the result is differentiable.
        strict: raise where the gradient does not depend on an input.
        vectorize: all rows in one batched pass (``dr.func.hessian``).
        outer_jacobian_strategy: ``"reverse-mode"`` or ``"forward-mode"``,
            how the Jacobian of the gradient is taken.

    Returns:
        For one input, a tensor of shape ``input.shape * 2``; for a tuple of
        inputs, a tuple of tuples: entry (i, j) of shape
        ``inputs[i].shape + inputs[j].shape``.

    Raises:
        RuntimeError: the function does not return one element; in strict
            mode, an independence.

    Example:
        >>> import dualrev as dr
        >>> dr.autograd.functional.hessian(lambda x: (x ** 3).sum(), dr.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in _STRATEGIES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def single(*xs):
        return _single_output(func(*xs), "hessian", strict).squeeze()

    if vectorize:
        _check_flags(create_graph, strict, vectorize, outer_jacobian_strategy)
        with enable_grad():
            xs = _fresh(inputs, create_graph, need_graph=True)
            res = _func_hessian(single, argnums=tuple(range(len(xs))))(*xs)
        res = tuple(tuple(row) for row in res)
        return _unpacked(_finished(res, create_graph), (is_inputs_tuple, is_inputs_tuple))

    def jac_func(*xs):
        jac = jacobian(single, xs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict,
                   strategy=outer_jacobian_strategy)
    return _unpacked(res, (is_inputs_tuple, is_inputs_tuple))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """The vector-Hessian product ``v^T H`` of a function with one output
    element.

    Args:
        func: a function of tensors returning a tensor of one element.
        inputs: a tensor or a tuple of tensors.
        v: the vector, of the inputs' structure and shapes; None only for
            an input of one element.
        create_graph: whether the results are differentiable.
        strict: raise where the gradient does not depend on an input.

    Returns:
        tuple: ``(func_output, vhp)``, ``vhp`` of the inputs' structure.

    Raises:
        RuntimeError: the function does not return one element, ``v`` does
            not match; in strict mode, an independence.

    Example:
        >>> import dualrev as dr
        >>> dr.autograd.functional.vhp(lambda x: (x ** 3).sum(), dr.tensor([1.0, 2.0]),
        ...                            dr.ones(2))
        (tensor(9.), tensor([ 6., 12.]))
    """
    return _second_order(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """The Hessian-vector product ``H v`` of a function with one output
    element (by the double-backward trick, as PyTorch).

    Args:
        func: a function of tensors returning a tensor of one element.
        inputs: a tensor or a tuple of tensors.
        v: the vector, of the inputs' structure and shapes; None only for
            an input of one element.
        create_graph: whether the results are differentiable.
        strict: raise where the gradient does not depend on an input.

    Returns:
        tuple: ``(func_output, hvp)``, ``hvp`` of the inputs' structure
        (``dr.func.hvp`` returns ``(grad, Hv)`` instead).

    Raises:
        RuntimeError: the function does not return one element, ``v`` does
            not match; in strict mode, an independence.

    Example:
        >>> import dualrev as dr
        >>> dr.autograd.functional.hvp(lambda x: (x ** 3).sum(), dr.tensor([1.0, 2.0]),
        ...                            dr.tensor([1.0, 0.0]))
        (tensor(9.), tensor([6., 0.]))
    """
    return _second_order(func, inputs, v, create_graph, strict, "hvp")


def _second_order(func, inputs, v, create_graph, strict, fn_name):
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
        inputs = _fresh(inputs, create_graph, need_graph=True)
        v = _taken_v(v, inputs, is_inputs_tuple, create_graph, fn_name,
                     "The vector v can only be None if the input to the user-provided function "
                     "is a single Tensor with a single element.")
        out = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(out, "outputs of the user-provided function",
                                              fn_name)
        _check_requires_grad(outputs, "outputs", strict)
        _single_output(out, fn_name, strict=False)
        jac = _grads(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        if fn_name == "hvp":
            grad_jac = tuple(zeros_like(x, requires_grad=True) for x in inputs)
            double_back = _grads(jac, inputs, grad_jac, create_graph=True)
            _check_requires_grad(jac, "hessian", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        if fn_name == "hvp":
            grads = _grads(double_back, grad_jac, v, create_graph=create_graph)
            result = _zeros_for_none(grads, inputs, strict, create_graph, "double_back_trick")
        else:
            grads = _grads(jac, inputs, v, create_graph=create_graph)
            result = _zeros_for_none(grads, inputs, strict, create_graph, "double_back")
    return (_unpacked(_finished(outputs, create_graph), is_outputs_tuple),
            _unpacked(_finished(result, create_graph), is_inputs_tuple))


__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def __dir__():
    return __all__
