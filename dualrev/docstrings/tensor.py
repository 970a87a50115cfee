"""Reference docstrings of Tensor's own members (``dualrev/_tensor.py``)
and of the methods Tensor and Dual take from ``dualrev/methods.py``
(``x.to``, ``x.size``, ``x.T``, ...), by name. ``document`` hands them out
at import: ``_tensor.py`` and ``methods.py`` call it at their end, so their
code keeps one-line docstrings and stays short enough to read whole."""

TENSOR: dict[str, str] = {}   # Tensor's own members, by attribute name
METHODS: dict[str, str] = {}  # the functions of methods.py, by function name


def document(namespace, docs):
    """Give each object of ``namespace`` (a class's or module's ``vars``)
    named in ``docs`` its docstring; a property's getter gets it too (what
    ``help`` and the tests read)."""
    for name, doc in docs.items():
        obj = namespace[name]
        if isinstance(obj, property):
            obj.fget.__doc__ = doc
        obj.__doc__ = doc


# -- what a tensor is -------------------------------------------------------------

TENSOR["shape"] = """The shape of the tensor, a ``dualrev.Size`` (a tuple).

Example:
    >>> import dualrev as dr
    >>> dr.zeros(2, 3).shape
    dualrev.Size([2, 3])
"""

TENSOR["dtype"] = """The dtype of the tensor's entries, a ``dualrev.dtype``.

Tensors made from Python floats take the default dtype (float64 unless
``dr.set_default_dtype`` changed it); from integers, int64; from booleans,
bool.

Example:
    >>> import dualrev as dr
    >>> dr.tensor([1.0]).dtype, dr.tensor([1]).dtype
    (dualrev.float64, dualrev.int64)
"""

TENSOR["device"] = """The device the tensor lives on: always ``dualrev.device("cpu")``.

dualrev computes with NumPy arrays, on the CPU; the attribute is there for
code written for PyTorch.

Example:
    >>> import dualrev as dr
    >>> dr.zeros(2).device
    device(type='cpu')
"""

TENSOR["is_cuda"] = """Whether the tensor lives on a CUDA device: always False.

Example:
    >>> import dualrev as dr
    >>> dr.zeros(2).is_cuda
    False
"""

TENSOR["cuda"] = """PyTorch's copy to a CUDA device, which dualrev does not have: always raises.

Args:
    device: the CUDA device PyTorch would copy to (ignored).
    non_blocking: PyTorch's asynchronous copy flag (ignored).

Returns:
    Nothing: the call raises.

Raises:
    RuntimeError: always: dualrev runs on NumPy arrays, on the CPU only
        (use ``.cpu()``, or leave the tensor where it is).

Example:
    >>> import dualrev as dr
    >>> dr.zeros(2).cuda()
    Traceback (most recent call last):
    ...
    RuntimeError: cuda(): no CUDA device. ...
"""

# -- the graph ----------------------------------------------------------------------

TENSOR["is_leaf"] = """Whether the tensor is a leaf of the graph: made by the user, not
by a recorded operation.

A tensor that does not require grad is always a leaf; one that does is a
leaf when it was made with ``requires_grad=True`` (or ``requires_grad_()``).
Only leaves get ``.grad`` from ``backward()`` (others after
``retain_grad()``).

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 2.0], requires_grad=True)
    >>> x.is_leaf, (x * 2).is_leaf
    (True, False)
"""

TENSOR["grad_fn"] = """The node of the graph that made this tensor, or None for a leaf.

The node has PyTorch's interface: ``name()`` (PyTorch's name for the
operation, e.g. ``MulBackward0``), ``next_functions``, the saved values as
``_saved_<name>``, and ``register_hook``.

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).grad_fn.name()
    'MulBackward0'
    >>> x.grad_fn is None
    True
"""

TENSOR["requires_grad"] = """Whether operations on this tensor are recorded for ``backward()``.

Settable on leaves (``x.requires_grad = True``, as ``requires_grad_()``);
a result of a recorded operation requires grad and cannot be switched off
(take ``detach()`` instead). Only floating-point tensors can require grad.

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 2.0])
    >>> x.requires_grad
    False
    >>> x.requires_grad = True
    >>> (x * 2).requires_grad
    True
"""

TENSOR["requires_grad_"] = """Make this leaf record the operations done on it (or stop), in place.

Args:
    requires_grad: True (the default) to record, False to stop.

Returns:
    This tensor.

Raises:
    RuntimeError: ``requires_grad=False`` on a non-leaf (take ``detach()``
        instead), or ``requires_grad=True`` on a tensor that is not of a
        floating-point dtype.
    TypeError: ``requires_grad`` is not a bool.

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 2.0]).requires_grad_()
    >>> x
    tensor([1., 2.], requires_grad=True)
    >>> dr.tensor([1, 2]).requires_grad_()
    Traceback (most recent call last):
    ...
    RuntimeError: only Tensors of floating point and complex dtype can require gradients
"""

TENSOR["grad"] = """The gradient accumulated into this tensor by ``backward()``, or None.

Each ``backward()`` adds to it (call ``zero_grad()`` on an optimizer, or
set it to None, between steps), in the tensor's dtype and shape. Leaves get
it; a non-leaf only after ``retain_grad()`` (reading it otherwise warns, as
PyTorch does). It may be assigned a tensor of the same shape and dtype, or
None.

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 2.0], requires_grad=True)
    >>> (x ** 2).sum().backward()
    >>> x.grad
    tensor([2., 4.])
    >>> (x ** 2).sum().backward()
    >>> x.grad
    tensor([4., 8.])
"""

TENSOR["retains_grad"] = """Whether ``retain_grad()`` was called on this non-leaf tensor
(a leaf answers False: it keeps its ``.grad`` anyway).

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor(1.0, requires_grad=True)
    >>> y = x * 2
    >>> y.retain_grad()
    >>> y.retains_grad, x.retains_grad
    (True, False)
"""

TENSOR["retain_grad"] = """Keep the gradient of this non-leaf tensor in its ``.grad``
during ``backward()``.

Does nothing on a leaf (which keeps its ``.grad`` anyway) or when called again.

Returns:
    None.

Raises:
    RuntimeError: the tensor does not require grad.

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * x
    >>> y.retain_grad()
    >>> y.sum().backward()
    >>> y.grad
    tensor([1., 1.])
"""

TENSOR["data"] = """The values as a new leaf tensor outside the graph.

It shares memory with this tensor but not its version counter, so changes
made through it are not seen by the graph (PyTorch's ``.data``; prefer
``detach()``, whose changes are checked). Assigning ``t.data = other``
replaces the values.

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 2.0], requires_grad=True)
    >>> x.data
    tensor([1., 2.])
    >>> x.data.mul_(2)
    tensor([2., 4.])
    >>> x
    tensor([2., 4.], requires_grad=True)
"""

TENSOR["backward"] = """Compute the gradient of this tensor and accumulate it into ``.grad``
of the leaves it was computed from (or of ``inputs``).

A non-scalar tensor needs ``gradient``, the vector of the vector-Jacobian
product: the result is that of ``(self * gradient).sum().backward()``.
Without ``retain_graph`` the graph's saved values are freed, and a second
``backward()`` through it raises.

Args:
    gradient: the cotangent, of this tensor's shape (a tensor, number or
        array); may be omitted for a one-element tensor (taken as 1).
    retain_graph: keep the graph for another ``backward()``; defaults to
        ``create_graph``.
    create_graph: record the gradient computation too, so the ``.grad``
        tensors can be differentiated again (higher derivatives).
    inputs: tensors to accumulate into instead of all leaves.

Returns:
    None; the gradients are in ``.grad``.

Raises:
    RuntimeError: the tensor does not require grad; ``gradient`` is missing
        for a tensor of more than one element, or of another shape; the
        graph was already freed; a saved tensor was modified in place since.

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x ** 3
    >>> y.backward(dr.tensor([1.0, 1.0]))
    >>> x.grad
    tensor([ 3., 12.])
"""

TENSOR["detach"] = """A new tensor with the same values, out of the graph.

It does not require grad and shares memory and the version counter with
this tensor: an in-place change to either is seen by the other, and by the
graph's in-place checks.

Returns:
    A leaf Tensor that does not require grad.

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * 2).detach()
    >>> y, y.requires_grad, y.grad_fn
    (tensor([2., 4.]), False, None)
"""

TENSOR["detach_"] = """Take this tensor out of the graph in place: it becomes a leaf that
does not require grad.

Returns:
    This tensor.

Raises:
    RuntimeError: the tensor is a view of another (take ``detach()``).

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * 2
    >>> y.detach_()
    tensor([2., 4.])
    >>> y.is_leaf, y.requires_grad
    (True, False)
"""

TENSOR["register_hook"] = """Call ``hook(grad)`` when the gradient of this tensor is computed
during ``backward()``.

A tensor the hook returns replaces the gradient (for the rest of the sweep
and for ``.grad``); None leaves it as it is.

Args:
    hook: a function of the gradient (a Tensor) returning a Tensor or None.

Returns:
    A handle whose ``remove()`` takes the hook away.

Raises:
    RuntimeError: the tensor does not require grad.

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor(3.0, requires_grad=True)
    >>> handle = x.register_hook(lambda g: g * 2)
    >>> (x * x).backward()
    >>> x.grad
    tensor(12.)
    >>> handle.remove()
"""

# -- values -------------------------------------------------------------------------

TENSOR["item"] = """The value of a one-element tensor as a Python number.

Returns:
    A float, int or bool, by the tensor's dtype.

Raises:
    RuntimeError: the tensor has more than one element, or is being
        differentiated inside a ``dualrev.func`` transform (which has no
        plain value to give: return it from the function instead).

Example:
    >>> import dualrev as dr
    >>> dr.tensor([2.5]).item(), dr.tensor(3).item()
    (2.5, 3)
"""

TENSOR["tolist"] = """The values as nested Python lists (a number for a 0-d tensor).

Returns:
    A list of lists (one level per dimension) of floats, ints or bools.

Raises:
    RuntimeError: the tensor is being differentiated inside a
        ``dualrev.func`` transform.

Example:
    >>> import dualrev as dr
    >>> dr.tensor([[1, 2], [3, 4]]).tolist()
    [[1, 2], [3, 4]]
"""

TENSOR["numpy"] = """The values as a NumPy array sharing memory with the tensor.

Returns:
    A ``numpy.ndarray`` of the tensor's shape and dtype (0-d for a 0-d
    tensor); writing into it changes the tensor.

Raises:
    RuntimeError: the tensor requires grad (NumPy code would drop its
        derivative: use ``detach().numpy()``), or is being differentiated
        inside a ``dualrev.func`` transform.

Example:
    >>> import dualrev as dr
    >>> dr.tensor([1.0, 2.0]).numpy()
    array([1., 2.])
"""

# -- in place -----------------------------------------------------------------------

TENSOR["zero_"] = """Set every entry to 0, in place.

Returns:
    This tensor.

Raises:
    RuntimeError: a leaf that requires grad (changed in place outside
        ``dr.no_grad()``).

Example:
    >>> import dualrev as dr
    >>> dr.ones(3).zero_()
    tensor([0., 0., 0.])
"""

TENSOR["fill_"] = """Set every entry to ``value``, in place.

Args:
    value: a number or a 0-d tensor (gradients flow to a tensor that
        requires grad).

Returns:
    This tensor.

Raises:
    RuntimeError: ``value`` has dimensions, or this is a leaf that requires
        grad (changed in place outside ``dr.no_grad()``).

Example:
    >>> import dualrev as dr
    >>> dr.zeros(3).fill_(2)
    tensor([2., 2., 2.])
"""

TENSOR["copy_"] = """Copy the values of ``src`` into this tensor, in place.

``src`` is broadcast to this tensor's shape and cast to its dtype. The
gradient flows to ``src``; the history it overwrites gets zeros, as in
PyTorch.

Args:
    src: a tensor, array or number broadcastable to this tensor's shape.

Returns:
    This tensor.

Raises:
    RuntimeError: ``src`` does not broadcast to this tensor's shape, or
        this is a leaf that requires grad.

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 2.0], requires_grad=True)
    >>> y = dr.zeros(2)
    >>> y.copy_(x * 3).sum().backward()
    >>> y.detach(), x.grad
    (tensor([3., 6.]), tensor([3., 3.]))
"""

# -- methods.py: methods with no dr.X function of the same meaning ------------------

METHODS["where"] = """``self`` where ``condition`` holds, else ``other``: the method
form of ``dualrev.where(condition, self, other)``.

Args:
    condition: a bool tensor (or array) broadcastable with ``self``.
    other: the values taken where ``condition`` is False (a tensor or number).

Returns:
    A Tensor of the broadcast shape; the gradient flows to ``self`` where
    ``condition`` holds and to ``other`` elsewhere.

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([-1.0, 2.0])
    >>> x.where(x > 0, 0.0)
    tensor([0., 2.])
"""

METHODS["expand_as"] = """This tensor broadcast to ``other``'s shape, as
``broadcast_to(self, other.shape)``.

Args:
    other: a tensor (or array) whose shape is the target.

Returns:
    A Tensor of ``other``'s shape; its gradient is summed back to this
    tensor's shape.

Raises:
    RuntimeError: this tensor's shape does not broadcast to ``other``'s.

Example:
    >>> import dualrev as dr
    >>> dr.tensor([1.0, 2.0]).expand_as(dr.zeros(2, 2))
    tensor([[1., 2.],
            [1., 2.]])
"""

METHODS["view_as"] = """This tensor reshaped to ``other``'s shape (``reshape(self, other.shape)``).

Also ``reshape_as``.

Args:
    other: a tensor (or array) whose shape is the target.

Returns:
    A Tensor of ``other``'s shape with this tensor's entries in C order.

Raises:
    RuntimeError: the numbers of elements differ.

Example:
    >>> import dualrev as dr
    >>> dr.arange(4.0).view_as(dr.zeros(2, 2))
    tensor([[0., 1.],
            [2., 3.]])
"""

METHODS["type_as"] = """This tensor cast to ``other``'s dtype.

Args:
    other: a tensor (or array) whose dtype is the target.

Returns:
    This tensor when the dtype is already ``other``'s, else the cast
    (recorded between float dtypes; a cast to an integer dtype is not
    differentiable).

Example:
    >>> import dualrev as dr
    >>> dr.tensor([1, 2]).type_as(dr.zeros(1))
    tensor([1., 2.])
"""

METHODS["cpu"] = """This tensor: dualrev's tensors live on the CPU.

Returns:
    This tensor itself (PyTorch returns the tensor itself, too, when it is
    on the CPU already).

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0])
    >>> x.cpu() is x
    True
"""

METHODS["contiguous"] = """This tensor: NumPy manages the memory layout, and any tensor is
as good as contiguous to dualrev's operations.

PyTorch copies a tensor that is not contiguous (a transpose, say); dualrev
never needs to.

Returns:
    This tensor itself.

Example:
    >>> import dualrev as dr
    >>> x = dr.zeros(2, 3).T
    >>> x.contiguous() is x
    True
"""


def _cast(method, dtype, differentiable, printed):
    """The docstring of the cast ``x.<method>()`` to ``dualrev.<dtype>``."""
    named = "" if method == dtype else f" (``dualrev.{method}``)"
    grad = ("the gradient flows back through it" if differentiable else
            "not differentiable: it does not require grad")
    return f"""This tensor cast to ``dualrev.{dtype}``{named}, as ``self.to(dualrev.{dtype})``.

Returns:
    This tensor when it is of that dtype already, else a new one ({grad}).

Example:
    >>> import dualrev as dr
    >>> dr.tensor([1.5, -2.0]).{method}()
    {printed}
"""


METHODS["to_float32"] = _cast("float", "float32", True,
                              "tensor([ 1.5000, -2.0000], dtype=dualrev.float32)")
METHODS["to_float64"] = _cast("double", "float64", True, "tensor([ 1.5000, -2.0000])")
METHODS["to_int64"] = _cast("long", "int64", False, "tensor([ 1, -2])")
METHODS["to_int32"] = _cast("int", "int32", False, "tensor([ 1, -2], dtype=dualrev.int32)")
METHODS["to_bool"] = _cast("bool", "bool", False, "tensor([True, True])")

METHODS["is_floating_point"] = """Whether the tensor's dtype is a floating-point one
(float16, float32, float64...): the dtypes that can require grad.

Returns:
    A bool.

Example:
    >>> import dualrev as dr
    >>> dr.tensor([1.0]).is_floating_point(), dr.tensor([1]).is_floating_point()
    (True, False)
"""

METHODS["size"] = """The shape of the tensor, or its length along ``dim``.

Args:
    dim: a dimension (negative counts from the end), or None for the
        whole shape.

Returns:
    A ``dualrev.Size`` (without ``dim``), else an int.

Raises:
    IndexError: ``dim`` is out of range.

Example:
    >>> import dualrev as dr
    >>> x = dr.zeros(2, 3)
    >>> x.size(), x.size(-1)
    (dualrev.Size([2, 3]), 3)
"""

METHODS["dim"] = """The number of dimensions of the tensor (``len(self.shape)``).

Also the property ``ndim``.

Returns:
    An int (0 for a scalar tensor).

Example:
    >>> import dualrev as dr
    >>> x = dr.zeros(2, 3)
    >>> x.dim(), x.ndim
    (2, 2)
"""

METHODS["T"] = """The tensor with its dimensions in reverse order (the transpose of a
matrix), as ``permute(self, (n-1, ..., 0))``.

PyTorch deprecates ``.T`` on tensors of other than two dimensions; dualrev
reverses them all, as NumPy does.

Example:
    >>> import dualrev as dr
    >>> dr.tensor([[1.0, 2.0], [3.0, 4.0]]).T
    tensor([[1., 3.],
            [2., 4.]])
"""

METHODS["mT"] = """The tensor with its last two dimensions swapped: each matrix of a
batch transposed (``transpose(self, -2, -1)``).

Example:
    >>> import dualrev as dr
    >>> dr.arange(8.0).reshape(2, 2, 2).mT[1]
    tensor([[4., 6.],
            [5., 7.]])
"""
