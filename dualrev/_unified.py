"""``dr.grad`` and ``dr.backward``: one name for both worlds. Given a
function, ``dr.grad`` is the transform ``dr.func.grad``; given tensors, it is
``dr.autograd.grad``."""

from . import autograd, func


def grad(*args, **kwargs):
    """``dr.grad(f, argnums=0, has_aux=False)``: the gradient function of
    scalar ``f`` (as ``dr.func.grad``). ``dr.grad(outputs, inputs, ...)``: the
    gradients of tensors (as ``dr.autograd.grad``).

    >>> import dualrev as dr
    >>> dr.grad(lambda x: x ** 3)(2.0)
    tensor(12.)
    """
    first = args[0] if args else kwargs.get("f", kwargs.get("func"))
    if callable(first):
        if not args:
            kwargs.pop("f", None) or kwargs.pop("func")
        return func.grad(first, *args[1:], **kwargs)
    return autograd.grad(*args, **kwargs)


backward = autograd.backward
