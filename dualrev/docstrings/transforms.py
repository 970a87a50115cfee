"""Reference docstrings of the transforms of ``dualrev/func/transforms.py``
(``dr.func.grad``, ``jvp``, ``jacfwd``, ``hessian``, ...), by function name.
``transforms.py`` gives them out at its end with ``document``, so its code
keeps short docstrings and stays short enough to read whole."""

from .tensor import document  # noqa: F401  (transforms.py applies the table with it)

TRANSFORMS: dict[str, str] = {}

_INPUTS = """Inputs may be numbers, arrays or tensors, nested in tuples, lists and
dicts (pytrees); the differentiated ones must be of a floating-point dtype.
The transformed function may itself be transformed again (``grad(grad(f))``,
``jacfwd(jacrev(f))``)."""

_ARGNUMS = """argnums: the position of the argument to differentiate with respect
        to (default 0), or a tuple of positions: the result is then a tuple
        with one entry per position."""

_HAS_AUX = """has_aux: ``f`` returns a pair ``(output, aux)``; ``aux`` is passed
        through, not differentiated."""

_BAD_INPUT = """ValueError: (when called) an argument to differentiate is not a number,
        array or tensor, ``argnums`` is out of range, or ``has_aux`` is set
        and ``f`` does not return a pair.
    TypeError: (when called) an argument to differentiate is not of a
        floating-point dtype (pass ``1.0``, not ``1``)."""

TRANSFORMS["value_and_grad"] = f"""A function returning ``(f(*args), gradient)``: the value of a
scalar ``f`` and its gradient with respect to argument ``argnums``, by
reverse mode (one forward pass recorded, one backward sweep).

The gradient has the structure of the argument (a tuple, list or dict of
tensors gives one of the same shape). {_INPUTS}

Args:
    f: a function returning a scalar (one-element, 0-d) tensor.
    {_ARGNUMS}
    {_HAS_AUX} The result is then ``((value, aux), gradient)``.

Returns:
    A function of ``f``'s arguments returning ``(value, gradient)``.

Raises:
    RuntimeError: (when called) ``f`` returns a tensor that is not 0-d (use
        ``jacrev`` or ``vjp`` for non-scalar outputs), or a non-tensor.
    {_BAD_INPUT}

Example:
    >>> import dualrev as dr
    >>> dr.func.value_and_grad(lambda x: (x ** 2).sum())(dr.tensor([1.0, 2.0]))
    (tensor(5.), tensor([2., 4.]))
"""

TRANSFORMS["grad"] = f"""A function returning the gradient of a scalar ``f`` with respect to
argument ``argnums``, by reverse mode (``torch.func.grad``, ``jax.grad``).

The gradient has the structure of the argument (a tuple, list or dict of
tensors gives one of the same shape). {_INPUTS}

Args:
    f: a function returning a scalar (0-d) tensor.
    {_ARGNUMS}
    {_HAS_AUX} The result is then ``(gradient, aux)``.

Returns:
    A function of ``f``'s arguments returning the gradient.

Raises:
    RuntimeError: (when called) ``f`` returns a tensor that is not 0-d (use
        ``jacrev`` or ``vjp`` for non-scalar outputs).
    {_BAD_INPUT}

Example:
    >>> import dualrev as dr
    >>> dr.func.grad(dr.sin)(0.0)
    tensor(1.)
    >>> f = lambda x, y: (x * y).sum()
    >>> dr.func.grad(f, argnums=(0, 1))(dr.tensor([1.0, 2.0]), dr.tensor([3.0, 4.0]))
    (tensor([3., 4.]), tensor([1., 2.]))
    >>> dr.func.grad(lambda p: (p["w"] ** 2).sum() + p["b"])(
    ...     {{"w": dr.tensor([1.0, 2.0]), "b": dr.tensor(0.5)}})
    {{'b': tensor(1.), 'w': tensor([2., 4.])}}
"""

TRANSFORMS["vjp"] = f"""``(f(*primals), vjp_fn)``, with ``vjp_fn(v)`` the vector-Jacobian
product vᵀJ (the cotangents of the primals) by reverse mode.

``f`` runs once, recorded; ``vjp_fn`` may be called many times, with
cotangents of the output's structure and shapes. {_INPUTS}

Args:
    f: the function; its output is a tensor or a pytree of tensors.
    *primals: the arguments to call ``f`` with (all are differentiated).
    has_aux: ``f`` returns ``(output, aux)``; the result is then
        ``(output, vjp_fn, aux)``.

Returns:
    ``(output, vjp_fn)``, where ``vjp_fn(cotangent)`` returns a tuple with
    one cotangent per primal, each of its primal's structure.

Raises:
    ValueError: the cotangent given to ``vjp_fn`` differs from the output
        in structure or shape; a primal is not a number, array or tensor.
    TypeError: a primal is not of a floating-point dtype.

Example:
    >>> import dualrev as dr
    >>> out, vjp_fn = dr.func.vjp(lambda x: x ** 2, dr.tensor([1.0, 2.0, 3.0]))
    >>> out
    tensor([1., 4., 9.])
    >>> vjp_fn(dr.tensor([1.0, 0.0, 1.0]))
    (tensor([2., 0., 6.]),)
"""

TRANSFORMS["jvp"] = f"""``(f(*primals), J·tangents)``, the Jacobian-vector product by forward
mode: one pass of ``f`` on Dual numbers, with no tape.

``primals`` and ``tangents`` are tuples of the same structure, each tangent
of its primal's shape, or with leading batch axes in front of it: then
several directions are pushed in the same pass, and the output tangent has
the same leading axes. {_INPUTS}

Args:
    f: the function; its output is a tensor or a pytree of tensors.
    primals: a tuple (or list) of the arguments of ``f``.
    tangents: a tuple (or list) of directions, one per primal.
    has_aux: ``f`` returns ``(output, aux)``; the result is then
        ``(output, tangent, aux)``.

Returns:
    ``(output, tangent)``: ``f(*primals)`` and its directional derivative,
    both of the output's structure.

Raises:
    TypeError: ``primals`` or ``tangents`` is not a tuple or list, or a
        primal is not of a floating-point dtype.
    ValueError: ``primals`` and ``tangents`` differ in structure, or a
        tangent's shape does not fit its primal.

Example:
    >>> import dualrev as dr
    >>> dr.func.jvp(lambda x: x ** 3, (2.0,), (1.0,))
    (tensor(8.), tensor(12.))
    >>> _, jac = dr.func.jvp(dr.sin, (dr.tensor([0.0, 1.0]),), (dr.eye(2),))
    >>> jac  # one row per direction: the Jacobian diag(cos x)
    tensor([[1.0000, 0.0000],
            [0.0000, 0.5403]])
"""

_JACOBIAN = """The Jacobian of an output of shape ``out`` with respect to an input of
shape ``in`` has shape ``out + in``; pytrees of outputs and inputs give
pytrees of blocks (the output's structure outside, as JAX). A list or tuple
of numbers is differentiated as one array."""

_CHUNK = """chunk_size: at most this many directions per pass (bounds memory);
        None for all at once."""

TRANSFORMS["jacfwd"] = f"""A function returning the Jacobian of ``f`` by forward mode: every
unit direction of the input goes through one batched pass of Dual numbers.

Forward mode costs one pass per input entry (all in one batch): take it
when the inputs are fewer than the outputs. {_JACOBIAN}

Args:
    f: the function; its output is a tensor or a pytree of tensors.
    {_ARGNUMS}
    {_HAS_AUX} The result is then ``(jacobian, aux)``.
    {_CHUNK}

Returns:
    A function of ``f``'s arguments returning the Jacobian.

Raises:
    ValueError: (when called) ``chunk_size`` is not a positive int, or an
        argument to differentiate is not a number, array or tensor.
    TypeError: (when called) an argument to differentiate is not of a
        floating-point dtype.

Example:
    >>> import dualrev as dr
    >>> g = lambda x: dr.stack([x[0] * x[1], x[0] + x[1] ** 2])
    >>> dr.func.jacfwd(g)(dr.tensor([2.0, 3.0]))
    tensor([[3., 2.],
            [1., 6.]])
"""

TRANSFORMS["jacrev"] = f"""A function returning the Jacobian of ``f`` by reverse mode: a batch of
unit cotangents, one per output entry, is pulled through one backward sweep.

Reverse mode costs one sweep per output entry (all in one batch): take it
when the outputs are fewer than the inputs. {_JACOBIAN}

Args:
    f: the function; its output is a tensor or a pytree of tensors.
    {_ARGNUMS}
    {_HAS_AUX} The result is then ``(jacobian, aux)``.
    {_CHUNK}

Returns:
    A function of ``f``'s arguments returning the Jacobian.

Raises:
    ValueError: (when called) ``chunk_size`` is not a positive int, or an
        argument to differentiate is not a number, array or tensor.
    TypeError: (when called) an argument to differentiate is not of a
        floating-point dtype.

Example:
    >>> import dualrev as dr
    >>> g = lambda x: dr.stack([x[0] * x[1], x[0] + x[1] ** 2])
    >>> dr.func.jacrev(g)(dr.tensor([2.0, 3.0]))
    tensor([[3., 2.],
            [1., 6.]])
"""

TRANSFORMS["hessian"] = f"""A function returning the Hessian of a scalar ``f``, by
forward-over-reverse: ``jacfwd(jacrev(f))``.

The gradient's tape runs on Dual numbers carrying all n directions at once,
so one forward and one reverse sweep give every entry. The Hessian of an
input of shape ``s`` has shape ``s + s``. For large sparse Hessians see
``sparse_hessian``; for one product with a vector, ``hvp``.

Args:
    f: a function returning a scalar (0-d) tensor.
    {_ARGNUMS}
    {_CHUNK}

Returns:
    A function of ``f``'s arguments returning the Hessian.

Raises:
    RuntimeError: (when called) ``f`` returns a tensor that is not 0-d.
    ValueError: (when called) ``chunk_size`` is not a positive int.
    TypeError: (when called) the argument is not of a floating-point dtype.

Example:
    >>> import dualrev as dr
    >>> f = lambda x: (x ** 3).sum() + x[0] * x[1]
    >>> dr.func.hessian(f)(dr.tensor([1.0, 2.0]))
    tensor([[ 6.,  1.],
            [ 1., 12.]])
"""

TRANSFORMS["hvp"] = f"""``(grad f(primals), H·tangents)``: the gradient of a scalar ``f`` and
its Hessian-vector product, as ``jvp(grad(f), primals, tangents)``.

One forward and one reverse sweep on Dual numbers, never the n x n
Hessian. The gradient is with respect to the first argument (``grad``'s
default); with several primals, the product is that gradient's derivative
along all the tangents.

Args:
    f: a function returning a scalar (0-d) tensor.
    primals: a tuple with the arguments of ``f``.
    tangents: a tuple with one vector per primal, of its shape.

Returns:
    ``(gradient, hessian_vector_product)``, both of the first argument's
    shape.

Raises:
    TypeError: ``primals`` or ``tangents`` is not a tuple or list.
    ValueError: ``primals`` and ``tangents`` differ in structure or shape.
    RuntimeError: ``f`` returns a tensor that is not 0-d.

Example:
    >>> import dualrev as dr
    >>> f = lambda x: (x ** 3).sum() + x[0] * x[1]
    >>> dr.func.hvp(f, (dr.tensor([1.0, 2.0]),), (dr.tensor([1.0, 0.0]),))
    (tensor([ 5., 13.]), tensor([6., 1.]))
"""
