"""The PyTorch-style Tensor: a reverse box with PyTorch's surface.

Storage is the box's raw value: a Python float for a 0-d float64 tensor (the
fast scalar path), else a NumPy array. Inside a transform a Tensor's value
may itself be a box of a lower level.
"""

import copy
import functools
import warnings
import weakref

import numpy as np

from . import dtypes
from . import rules
from .core.values import canonical, dtype_of, shape_of
from ._format import format_scalar, tensor_repr
from .core.levels import AMBIENT, grad_state
from .core.primitive import Box, raw_value
from .core.graph import add_hook, leaf_hooks
from .core.reverse import ReverseBox
from .device import CPU, CPU_ONLY, check_device
from ._args import _bool, check_broadcast, normalize_index, operand
from .gradients import backward, grad
from .docstrings.tensor import TENSOR, document

def boxed(value):
    """A result as a box: a Tensor when no argument was one."""
    if isinstance(value, Box):
        return value
    return Tensor._make(value)


def named(value, name):
    """A result whose ``grad_fn`` shows PyTorch's name for it: PyTorch makes
    it by one operation (or another overload) where dualrev composes
    primitives or picks a different one. Only the name differs."""
    out = boxed(value)
    node = getattr(out, "_node", None)
    if node is not None:
        node.alias = name
    return out


class Size(tuple):
    """A shape, printed as PyTorch prints ``torch.Size``: a tuple of ints.

    ``x.shape`` and ``x.size()`` return one; anything that takes a tuple of
    ints takes it.

    Args:
        sizes: an iterable of ints (empty for a 0-d tensor's shape).

    Example:
        >>> import dualrev as dr
        >>> s = dr.zeros(2, 3).shape
        >>> s, s[0], s.numel(), s == (2, 3)
        (dualrev.Size([2, 3]), 2, 6, True)
    """

    def __repr__(self):
        return f"dualrev.Size({list(self)})"

    def numel(self):
        """The number of elements of a tensor of this shape (1 for ``()``).

        Returns:
            An int, the product of the sizes.

        Example:
            >>> import dualrev as dr
            >>> dr.Size([2, 3]).numel()
            6
        """
        return int(np.prod(self, dtype=np.int64))


def _check_float(d):
    if d.kind != "f":
        raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")


class Tensor(ReverseBox):
    """A multi-dimensional array that records operations for reverse mode.

    ``Tensor(data)`` makes a float tensor of the default dtype (as
    ``torch.Tensor``); ``dualrev.tensor(data)`` infers the dtype. When it
    (or an input) requires grad, each operation on it is recorded, and
    ``backward()`` accumulates gradients into the leaves' ``.grad``. Its
    methods are the ``dr.X`` functions with the tensor as first argument
    (``x.sum(dim=0)`` is ``dr.sum(x, dim=0)``), and in-place ``X_`` forms.

    Args:
        data: a number, nested lists or tuples of numbers, a NumPy array or
            a tensor (copied); empty by default.
        dtype: the dtype wanted; the default dtype (float64 unless changed)
            when None.
        device: None, ``"cpu"`` or ``dr.device("cpu")``: dualrev runs on
            the CPU only.
        requires_grad: whether operations on the tensor are recorded.

    Raises:
        RuntimeError: ``requires_grad`` for a dtype that is not floating
            point, or a device other than the CPU.

    Example:
        >>> import dualrev as dr
        >>> dr.Tensor([1, 2])
        tensor([1., 2.])
        >>> x = dr.tensor([1.0, 2.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([2., 4.])
    """

    __slots__ = ()

    _grad = None       # .grad (see gradients.accumulate)
    _retains = False   # a non-leaf keeps its .grad (retain_grad)

    def __new__(cls, data=(), *, dtype=None, device=None, requires_grad=False):
        check_device(device, "Tensor")
        value = dtypes.as_value(data, dtypes.get_default_dtype() if dtype is None else dtype)
        if _bool(requires_grad, "Tensor", "requires_grad"):
            _check_float(dtype_of(value))
        return cls._make(value, AMBIENT, None, requires_grad)

    # -- what it is -------------------------------------------------------
    def _inner(self):
        return self._value

    @property
    def shape(self):
        """The shape, a ``dualrev.Size``."""
        return Size(shape_of(self._value))

    @property
    def dtype(self):
        """The dtype (``dualrev.float64`` unless made otherwise)."""
        return dtypes.from_numpy_dtype(dtype_of(self._value))

    @property
    def device(self):
        """The device the tensor lives on: always ``dualrev.device('cpu')``
        (dualrev computes with NumPy arrays, on the CPU)."""
        return CPU

    @property
    def is_cuda(self):
        """Whether the tensor lives on a CUDA device: never (see ``device``)."""
        return False

    def cuda(self, device=None, non_blocking=False):
        """PyTorch's copy to a CUDA device, which dualrev does not have.

        Raises:
            RuntimeError: always: dualrev runs on NumPy arrays, on the CPU
                (use ``.cpu()``, or leave the tensor where it is).
        """
        raise RuntimeError(f"cuda(): no CUDA device. {CPU_ONLY}")

    @property
    def is_leaf(self):
        """True for a tensor made by the user (not the result of a recorded operation)."""
        return self._node is None

    @property
    def grad_fn(self):
        """The node that made this tensor (``None`` for a leaf): ``name()``, ``next_functions``."""
        return self._node

    @property
    def requires_grad(self):
        """Whether operations on this tensor are recorded (set it on leaves)."""
        return self._rg or self._node is not None

    @requires_grad.setter
    def requires_grad(self, flag):
        if self._node is not None and flag:
            raise RuntimeError("you can only change requires_grad flags of leaf variables.")
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        """Make this leaf record operations (or stop); returns self."""
        requires_grad = _bool(requires_grad, "requires_grad_", "requires_grad")
        if self._node is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if requires_grad:
            _check_float(dtype_of(self._value))
        if bool(requires_grad) != self._rg:
            self._set_requires_grad(bool(requires_grad))
        return self

    @property
    def _version(self):
        return self._vc[0] if self._vc is not None else 0

    @property
    def grad(self):
        """The gradient accumulated by ``backward()`` (leaves, and non-leaves after ``retain_grad()``)."""
        if self._node is not None and not self._retains and self._grad is None:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}' "
                                   f"to a tensor of size '{list(self.shape)}'. Please ensure "
                                   "that the gradient and the tensor are the same size")
            if value.dtype != self.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @property
    def retains_grad(self):
        """Whether ``retain_grad()`` was called on this non-leaf."""
        return self._retains

    @property
    def data(self):
        """The values as a new tensor outside the graph, sharing memory but
        not the version counter (changes through it are not tracked)."""
        return type(self)._make(self._shared(), self._level)

    @data.setter
    def data(self, value):
        value = value._value if isinstance(value, Tensor) else dtypes.as_value(value)
        self._value = value
        self._expose()

    # -- graph ------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into ``.grad`` of the
        leaves (or of ``inputs``). A non-scalar tensor needs ``gradient``:
        the result is then that of ``(self * gradient).sum()``."""
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """The same values, out of the graph (sharing memory and the version
        counter)."""
        out = type(self)._make(self._shared(), self._level)
        out._vc = self._counter()
        return out

    def detach_(self):
        """Take this tensor out of the graph in place: it becomes a leaf that does not require grad."""
        if self._base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._counter()  # a later change in place still reaches the nodes that saved it
        if self._node is not None:
            self._mark_detached()
        self._node = None
        self._set_requires_grad(False)
        return self

    def retain_grad(self):
        """Keep the gradient of this non-leaf tensor in ``.grad``."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._node is None or self._retains:
            return
        self._retains = True
        ref = weakref.ref(self)

        def keep(grad):
            tensor = ref()
            if tensor is not None:
                g = grad if isinstance(grad, Tensor) else type(tensor)._make(grad, tensor._level)
                tensor._grad = g if tensor._grad is None else tensor._grad + g
        add_hook(self._node, "tensor", keep)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when the gradient of this tensor is computed;
        a tensor it returns replaces the gradient."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        cls, level = type(self), self._level  # not self: the graph would hold a cycle

        @functools.wraps(hook)
        def tensor_hook(grad):
            boxed = grad if isinstance(grad, Tensor) else cls._make(grad, level)
            out = hook(boxed)
            if out is None:
                return None
            return out if isinstance(grad, Tensor) else out._value
        owner = self._node if self._node is not None else leaf_hooks(self)
        return add_hook(owner, "tensor", tensor_hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` on this leaf after a backward pass has added
        to its ``.grad`` (as PyTorch 2.1+: e.g. to step an optimizer per
        parameter as gradients arrive).

        Args:
            hook: a function of the tensor; what it returns is ignored.

        Returns:
            A handle whose ``remove()`` takes the hook off.

        Raises:
            RuntimeError: the tensor is not a leaf that requires grad.

        Example:
            >>> import dualrev as dr
            >>> w = dr.tensor([1.0, 2.0], requires_grad=True)
            >>> handle = w.register_post_accumulate_grad_hook(lambda t: print(t.grad))
            >>> (w * w).sum().backward()
            tensor([2., 4.])
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if not self.is_leaf:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        return add_hook(leaf_hooks(self), "post_accumulate", hook)

    # -- values -------------------------------------------------------------
    def _plain(self, what):
        if isinstance(self._value, Box):
            raise RuntimeError(f"{what}: this tensor is being differentiated by a dualrev.func "
                               "transform and has no plain value here; return it from the "
                               "function instead")
        return self._value

    def item(self):
        """The value of a one-element tensor as a Python number."""
        value = self._plain("item()")
        if type(value) is float:
            return value
        if value.size != 1:
            raise RuntimeError(f"a Tensor with {value.size} elements cannot be converted to Scalar")
        return value.item()

    def tolist(self):
        """The values as (nested) Python lists, or a number for a 0-d tensor."""
        value = self._plain("tolist()")
        return value if type(value) is float else value.tolist()

    def numpy(self):
        """The values as a NumPy array sharing memory with the tensor (not for a tensor that
        requires grad: use ``detach().numpy()``)."""
        return np.asarray(self._shared()) if self._numpy_ok() else None

    def __array__(self, dtype=None, copy=None):
        """``np.asarray(t)``: the values of a tensor that is not being
        differentiated. A tensor that requires grad raises, as in PyTorch:
        NumPy code would drop its derivative silently."""
        self._numpy_ok()
        array = np.asarray(self._value)
        return array if dtype is None else array.astype(_numpy_dtype(dtype))

    def _numpy_ok(self):
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        self._plain("numpy()")
        return True

    def _one_element(self):
        if np.size(raw_value(self._value)) != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if self.requires_grad:  # float(t), int(t), math.sin(t): the graph ends here
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to "
                          "unexpected behavior.\nConsider using tensor.detach() first.",
                          UserWarning, stacklevel=3)
        return self.item()

    def __float__(self):
        return float(self._one_element())

    def __int__(self):
        return int(self._one_element())

    def __index__(self):
        if dtype_of(self._value).kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        value = raw_value(self._value)
        if np.size(value) != 1:
            amount = "no values" if np.size(value) == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {amount} is ambiguous")
        return bool(value)

    # -- pickle and copy ------------------------------------------------------------
    def __reduce_ex__(self, protocol):
        """How pickle stores a tensor: as a leaf with its values, requires_grad
        and ``.grad``. A non-leaf pickles as a leaf that requires grad, as in
        PyTorch (whose pickle drops ``.grad``; here it is kept)."""
        return _rebuild_tensor, (self._stored("pickle"), self.requires_grad, self._grad)

    def __deepcopy__(self, memo):
        """A new leaf with a copy of the values, requires_grad and a deep copy of
        ``.grad``. As in PyTorch, a tensor with a history cannot be deep-copied."""
        if not isinstance(memo, dict):
            raise TypeError(f"__deepcopy__(): memo must be a dict, not {type(memo).__name__}")
        if self._node is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment. Deep-copy tensor.detach() "
                               "instead (and call requires_grad_() on the copy to make it a leaf "
                               "that requires grad).")
        return _rebuild_tensor(_copy(self._stored("deep-copy")), self.requires_grad,
                               copy.deepcopy(self._grad, memo))

    def __copy__(self):
        """As PyTorch's ``copy.copy``: a new leaf sharing memory (not the version
        counter) with this tensor, with its requires_grad and without ``.grad``."""
        self._stored("copy")
        return type(self)._make(self._shared(), requires_grad=self.requires_grad)

    def _stored(self, what):
        """The value, to store or copy. A tensor being differentiated inside a
        ``dualrev.func`` transform has none to give (as in PyTorch, where such
        a TensorWrapper has no storage)."""
        if self._level != AMBIENT:
            raise RuntimeError(f"can't {what} a tensor inside a dualrev.func transform, where it "
                               f"is being differentiated: return it from the function and {what} "
                               "the result")
        return self._value

    def __repr__(self):
        if isinstance(self._value, Box):
            return f"GradTrackingTensor(lvl={self._level}, value={self._value!r})"
        name = self._node.name() if self._node is not None else None
        return tensor_repr(self._value, default_dtype=dtypes.get_default_dtype().numpy,
                           requires_grad=self._rg and self._node is None, grad_fn_name=name)

    def __format__(self, spec):
        if not isinstance(self._value, Box) and not shape_of(self._value):
            return format_scalar(self._value, spec)
        return format(repr(self), spec)

    # -- in place -----------------------------------------------------------
    def _inplace(self, compute):
        """Apply ``compute`` (a function of this tensor's current state) and
        make its result this tensor's value and history, as PyTorch's
        in-place ops do: memory shared with views sees the new values, and
        every node that saved this tensor sees its version go up. Changing a
        view changes its base's history too (PyTorch's CopySlices), and the
        views of a changed tensor get histories from its new one."""
        recording = grad_state.enabled
        if recording and self._rg and self._node is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        source, base = self, self._base
        if recording:
            if base is not None and base._rg and base._node is None:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used in "
                                   "an in-place operation.")
            source = type(self)._make(_copy(self._value), self._level, self._node)
            source._vc = [0]  # its own: nodes that save it must not take it for this tensor
            old_base = None if base is None else type(self)._make(
                _copy(base._value), self._level, base._node)
        out = compute(source)
        if not isinstance(out, Tensor) or out._level != self._level:
            out = type(self)._make(out, self._level) if not isinstance(out, Box) else out
        self._counter()  # made (and registered on the old node) before the node changes
        self._write(out._value)
        if recording:
            if base is not None and (base.requires_grad or out.requires_grad):
                base._node = _with_view_replaced(old_base, self._view_fn, source, out)._node
                base._node.alias = "CopySlices"
                base._refresh_views()
            else:
                self._node = out._node
                if self._views:
                    self._refresh_views()
        self._bump_version()
        return self

    def _refresh_views(self):
        """The histories of this base's views, remade from its own."""
        for view in list(self._views or ()):
            view._node = _replay(view._view_fn, self)._node
            if view._node is not None:
                view._node.alias = "AsStridedBackward0"  # PyTorch's name for a remade view

    def _write(self, value):
        old = self._value
        if type(old) is np.ndarray and not isinstance(value, Box):
            new_dtype = np.result_type(value)
            if not np.can_cast(new_dtype, old.dtype, casting="same_kind"):
                raise RuntimeError(f"result type {dtypes.from_numpy_dtype(new_dtype).name} can't be "
                                   f"cast to the desired output type "
                                   f"{dtypes.from_numpy_dtype(old.dtype).name}")
            if shape_of(value) != old.shape and np.broadcast_shapes(shape_of(value), old.shape) != old.shape:
                raise RuntimeError(f"output with shape {list(old.shape)} doesn't match the "
                                   f"broadcast shape {list(np.broadcast_shapes(shape_of(value), old.shape))}")
            if not old.flags.writeable:
                raise RuntimeError("unsupported operation: more than one element of the written-to "
                                   "tensor refers to a single memory location. Please clone() the "
                                   "tensor before performing the operation.")
            np.copyto(old, value, casting="unsafe")
        else:
            self._value = canonical(value) if not isinstance(value, Box) else value

    def zero_(self):
        """In place: every entry set to 0."""
        return self._inplace(lambda s: _filled(s, 0))

    def fill_(self, value):
        """In place: every entry set to ``value`` (a number or a 0-d tensor)."""
        value = operand(value, "fill_", "value")
        if shape_of(value):
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{len(shape_of(value))} dimensions.")
        return self._inplace(lambda s: _filled(s, value))

    def copy_(self, src):
        """In place: the values of ``src`` (broadcast) copied in. The gradient
        flows to ``src``; the overwritten history gets zeros, as in PyTorch."""
        src = operand(src, "copy_", "src")
        check_broadcast(self, src)

        def copied(s):
            nowhere = np.zeros(tuple(s.shape), dtype=bool)
            return rules.where(nowhere, s, src)  # src exactly (even -0.0), s with gradient 0
        return self._inplace(copied)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __iand__(self, other):
        return self.bitwise_and_(other)

    def __ior__(self, other):
        return self.bitwise_or_(other)

    def __ixor__(self, other):
        return self.bitwise_xor_(other)

    def __ilshift__(self, other):
        return self.bitwise_left_shift_(other)

    def __irshift__(self, other):
        return self.bitwise_right_shift_(other)

    def __setitem__(self, index, value):
        index = normalize_index(index)
        value = operand(value, "__setitem__", "value")
        if isinstance(value, Box) and value._level > self._level:
            raise RuntimeError("can't write a value being differentiated at a higher level (a "
                               "Dual, or a tensor of a dualrev.func transform) into this tensor: "
                               "build a new one, e.g. with dr.where or dr.cat")
        self._inplace(lambda s: rules.index_put(s, value, index=index))


def _numpy_dtype(dtype):
    """The dtype NumPy asks ``__array__`` for (any of NumPy's)."""
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"__array__(): dtype must be a NumPy dtype, not {type(dtype).__name__}") \
            from None


def _rebuild_tensor(value, requires_grad, grad):
    # Pickles name this function: keep its name and arguments.
    tensor = Tensor._make(canonical(value), requires_grad=requires_grad)
    tensor.grad = grad
    return tensor


def _replay(view_fn, base):
    """The view ``view_fn`` of ``base`` made again (recorded)."""
    out = base
    for prim, params in view_fn:
        out = prim(out, **params)
    return out


def _with_view_replaced(old_base, view_fn, old_view, new_view):
    """PyTorch's CopySlices: ``old_base`` with the part ``view_fn`` selects
    replaced by ``new_view``, as old + P^T (new - P old), P the view's map
    (linear): its gradient is zero on the replaced part for the old base, and
    reaches ``new_view`` through P. ``old_view`` is P old, with its history."""
    probe = type(old_base)._make(old_base._value, old_base._level, requires_grad=True)
    (spread,) = grad(_replay(view_fn, probe), [probe],
                              grad_outputs=[new_view - old_view], create_graph=True)
    return old_base + spread


def _copy(value):
    return value.copy() if type(value) is np.ndarray else value


def _filled(like, value):
    """A constant with ``like``'s shape and dtype (no gradient flows to ``like``)."""
    raw = raw_value(like)
    if isinstance(value, Box):
        return rules.add(np.zeros(np.shape(raw), np.result_type(raw)), value)
    return np.full(np.shape(raw), value, dtype=np.result_type(raw))


document(vars(Tensor), TENSOR)  # the reference docstrings (dualrev/docstrings/tensor.py)
