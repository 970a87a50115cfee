"""Function transforms with JAX's and torch.func's conventions.

Each call takes a fresh level: a transform inside another sits above it, so
nested derivatives never mix their perturbations. Inputs are watched at that
level (reverse mode: leaves of a fresh tape; forward mode: Duals), the
function runs, and the results are taken one level down. Values from outer
levels (tensors that require grad, Duals of an enclosing ``jvp``) pass
through as constants of this level and keep their own derivatives, so a
transform is differentiable by whatever encloses it.

Types are those of the common case, a function of tensors with one tensor
result: a tree of tensors given or returned is typed as a Tensor all the
same; ``argnums`` as a tuple, or ``has_aux`` not written as a literal
``True``, give ``Any``.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, Literal, Sequence, overload

import numpy as np

from ..core.values import canonical, dtype_of, shape_of
from ..core.levels import AMBIENT, new_level
from ..core.primitive import Box, raw_value
from .tree import flatten, unflatten
from ..core.anomaly import batched_sweep
from .._args import operand
from ..core.forward import fit_tangent
from ..dual import Dual
from ..jet import Jet
from ..core.grad_mode import enable_grad
from ..core.sweep import backward_pass
from .._tensor import Tensor
from .. import shape_functions as S
from ..docstrings.transforms import TRANSFORMS, document

if TYPE_CHECKING:
    from .._tensor import TensorLike  # (declared by the stub _tensor.pyi only)

    Function = Callable[..., Any]
    Argnums = int | Sequence[int]


# -- values in and out ------------------------------------------------------

def _operand(x):
    """An input as a transform sees it: data as a raw value, an ambient
    tensor that does not require grad opened to its value, boxes as they are.
    A float array is used as it is, not copied: transforms never write to
    their inputs."""
    if isinstance(x, Tensor) and x._level == AMBIENT and not x.requires_grad:
        return x._value
    if isinstance(x, Box):
        return x
    if type(x) is np.ndarray and x.dtype.kind == "f":
        return canonical(x)
    if not (type(x) in (float, int, bool, list, tuple) or isinstance(x, (np.ndarray, np.generic))):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    return raw_value(operand(x, "transform", "input"))


def _check_float(value, transform):
    if dtype_of(raw_value(value)).kind != "f":
        raise TypeError(f"{transform} needs floating-point inputs, got {dtype_of(raw_value(value))}"
                        "; pass floats (e.g. 1.0, not 1) or cast with .double()")


def _result(value):
    """A transform's output: boxes as they are (an enclosing transform owns
    them), raw values as Tensors."""
    return value if isinstance(value, Box) else Tensor._make(canonical(value))


def _lower(value, level):
    """A value one level down from ``level`` (constants stay as they are)."""
    if isinstance(value, Tensor) and value._level == level:
        return value._value
    if isinstance(value, (Dual, Jet)) and value._level == level:
        return value.primal
    return value


def _zeros_like(value, lead=()):
    """Zeros of value's shape (as its box shows it: one example's, under
    vmap) and dtype."""
    return canonical(np.zeros(lead + tuple(shape_of(value)), dtype=dtype_of(raw_value(value))))


def _argnums(argnums, n_args):
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        nums = (argnums,)
    elif isinstance(argnums, (tuple, list)) and all(isinstance(n, int) and not isinstance(n, bool)
                                            for n in argnums):
        nums = argnums
    else:
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if not nums:
        raise RuntimeError("argnums must be non-empty")
    for n in nums:
        if not -n_args <= n < n_args:
            raise ValueError(f"argnums {argnums} out of range for a function of {n_args} "
                             "positional arguments")
    return tuple(n % n_args for n in nums)


def _check_outputs(leaves, transform):
    """A function's outputs are tensors (or numbers and arrays), as torch.func requires."""
    for leaf in leaves:
        if not (isinstance(leaf, Box) or type(leaf) in (float, int, bool)
                or isinstance(leaf, (np.ndarray, np.generic))):
            raise RuntimeError(f"{transform}(f, ...)(*args): Expected f(*args) to return only "
                               f"tensors, got unsupported type {type(leaf)}")


def _split_aux(out, has_aux):
    if not has_aux:
        return out, None
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise ValueError("has_aux=True needs the function to return a pair (output, aux)")
    return out[0], out[1]


def _take_out(tree, level):
    leaves, treedef = flatten(tree)
    return unflatten(treedef, [_result(_lower(v, level)) for v in leaves])


# -- reverse mode -------------------------------------------------------------

def _watch(args, nums, level, transform):
    """The arguments with those in ``nums`` replaced by leaves of a fresh
    tape at ``level``; returns them and, per watched argument, its tree
    structure and leaves."""
    args = list(args)
    watched = []
    for n in nums:
        leaves, treedef = flatten(args[n])
        if not leaves:
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(args[n])}")
        boxes = []
        for leaf in leaves:
            value = _operand(leaf)
            _check_float(value, transform)
            boxes.append(Tensor._make(value, level, requires_grad=True))
        args[n] = unflatten(treedef, boxes)
        watched.append((treedef, boxes))
    return args, watched


def _sweep(outputs, cotangents, level, boxes, retain_graph):
    """The cotangents arriving at the watched leaves ``boxes`` by one reverse
    sweep from ``outputs`` (those of this level) seeded with ``cotangents``:
    values one level down, or None where nothing arrives."""
    roots, seeds = [], []
    for out, cotangent in zip(outputs, cotangents):
        if isinstance(out, Tensor) and out._level == level and out._edge() is not None:
            roots.append(out._edge())
            seeds.append(cotangent)
    if not roots:
        return [None] * len(boxes)
    return backward_pass(roots, seeds, box_type=Tensor, retain_graph=retain_graph,
                         create_graph=False, capture=[b._edge() for b in boxes])


def _pull(outputs, cotangents, level, watched, retain_graph):
    """Cotangents of the watched leaves, zeros for leaves the outputs do not
    depend on, as one result tree per watched argument."""
    boxes = [box for _, bs in watched for box in bs]
    grads = _sweep(outputs, cotangents, level, boxes, retain_graph)
    grads = iter([_result(g if g is not None else _zeros_like(b._value))
                  for g, b in zip(grads, boxes)])
    return [unflatten(treedef, [next(grads) for _ in bs]) for treedef, bs in watched]


def _pull_batched(out, directions, level, boxes):
    """Rows of the Jacobian for a batch of unit cotangents ``directions``
    (shape (k,) + out.shape), by one reverse sweep. The sweep is linear in
    its cotangent, so a Dual cotangent with primal 0 and the k directions as
    batched tangent comes out as Duals whose tangents are the k rows: the
    batching is forward mode's, rule for rule. One row per leaf, shape
    (k,) + leaf.shape."""
    k = shape_of(directions)[0]
    if k == 1:
        grads = _sweep([out], [canonical(directions[0])], level, boxes, retain_graph=True)
        return [S.unsqueeze(_result(g), 0) if g is not None
                else _result(_zeros_like(b._value, (1,))) for g, b in zip(grads, boxes)]
    batch_level = new_level()
    seed = Dual._make(_zeros_like(out), directions, batch_level)
    with batched_sweep():  # (anomaly mode: the tangents are gradients)
        grads = _sweep([out], [seed], level, boxes, retain_graph=True)
    return [_result(g.tangent) if isinstance(g, Dual) and g._level == batch_level
            else _result(_zeros_like(b._value, (k,))) for g, b in zip(grads, boxes)]


def _seed_one(out, level):
    """The cotangent 1 for a scalar output."""
    if shape_of(out) != ():
        raise RuntimeError(f"grad: expected the function to return a scalar (0-d) tensor, got "
                           f"one of shape {tuple(shape_of(out))}; use jacrev or vjp for "
                           "non-scalar outputs")
    raw = raw_value(out)
    return 1.0 if type(raw) is float else np.ones((), dtype_of(raw))


@overload
def value_and_grad(f: Function, argnums: int = 0,
                   has_aux: Literal[False] = False) -> Callable[..., tuple[Tensor, Tensor]]: ...
@overload
def value_and_grad(f: Function, argnums: int = 0, *,
                   has_aux: Literal[True]) -> Callable[..., tuple[tuple[Tensor, Any], Tensor]]: ...
@overload
def value_and_grad(f: Function, argnums: Argnums = 0, has_aux: bool = False) -> Function: ...


def value_and_grad(f: Function, argnums: Argnums = 0, has_aux: bool = False) -> Function:
    """A function returning ``(f(*args), gradient)``, the gradient of scalar
    ``f`` with respect to argument ``argnums`` (a tuple of them for several).
    With ``has_aux``, ``f`` returns ``(value, aux)`` and the result is
    ``((value, aux), gradient)``."""
    @functools.wraps(f)
    def value_and_grad_f(*args, **kwargs):
        level = new_level()
        nums = _argnums(argnums, len(args))
        args, watched = _watch(args, nums, level, "grad")
        with enable_grad():
            out = f(*args, **kwargs)
        out, aux = _split_aux(out, has_aux)
        _check_outputs([out], "grad")
        grads = _pull([out], [_seed_one(out, level)], level, watched, retain_graph=False)
        grads = grads[0] if isinstance(argnums, int) else tuple(grads)
        value = _result(_lower(out, level))
        if has_aux:
            return (value, _take_out(aux, level)), grads
        return value, grads
    return value_and_grad_f


@overload
def grad(f: Function, argnums: int = 0,
         has_aux: Literal[False] = False) -> Callable[..., Tensor]: ...
@overload
def grad(f: Function, argnums: int = 0, *,
         has_aux: Literal[True]) -> Callable[..., tuple[Tensor, Any]]: ...
@overload
def grad(f: Function, argnums: Argnums = 0, has_aux: bool = False) -> Function: ...


def grad(f: Function, argnums: Argnums = 0, has_aux: bool = False) -> Function:
    """A function returning the gradient of scalar ``f`` with respect to
    argument ``argnums`` (a tuple gives a tuple), in the structure of that
    argument (tuples, lists, dicts of tensors). With ``has_aux``, returns
    ``(gradient, aux)``."""
    value_and_grad_f = value_and_grad(f, argnums, has_aux)

    @functools.wraps(f)
    def grad_f(*args, **kwargs):
        value, grads = value_and_grad_f(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads
    return grad_f


@overload
def vjp(f: Function, *primals: TensorLike,
        has_aux: Literal[False] = False) -> tuple[Tensor, Callable[..., tuple[Tensor, ...]]]: ...
@overload
def vjp(f: Function, *primals: TensorLike,
        has_aux: Literal[True]) -> tuple[Tensor, Callable[..., tuple[Tensor, ...]], Any]: ...
@overload
def vjp(f: Function, *primals: TensorLike, has_aux: bool = False) -> tuple[Any, ...]: ...


def vjp(f: Function, *primals: TensorLike, has_aux: bool = False) -> tuple[Any, ...]:
    """``(f(*primals), vjp_fn)``: ``vjp_fn(cotangent)`` gives the tuple of
    cotangents of the primals, J^T v, by reverse mode (callable many times)."""
    level = new_level()
    args, watched = _watch(primals, range(len(primals)), level, "vjp")
    with enable_grad():
        out = f(*args)
    out, aux = _split_aux(out, has_aux)
    out_leaves, out_tree = flatten(out)
    _check_outputs(out_leaves, "vjp")

    def vjp_fn(cotangents):
        leaves, tree = flatten(cotangents)
        if tree != out_tree:
            raise ValueError(f"vjp_fn: the cotangent has structure {tree!r}, the output {out_tree!r}")
        values = [_operand(c) for c in leaves]
        for c, o in zip(values, out_leaves):
            if shape_of(c) != shape_of(o):
                raise ValueError(f"vjp_fn: a cotangent of shape {tuple(shape_of(c))} for an "
                                 f"output of shape {tuple(shape_of(o))}")
        return tuple(_pull(out_leaves, values, level, watched, retain_graph=True))

    result = unflatten(out_tree, [_result(_lower(o, level)) for o in out_leaves])
    if has_aux:
        return result, vjp_fn, _take_out(aux, level)
    return result, vjp_fn


# -- forward mode ---------------------------------------------------------------

@overload
def jvp(f: Function, primals: Sequence[TensorLike], tangents: Sequence[TensorLike],
        has_aux: Literal[False] = False) -> tuple[Tensor, Tensor]: ...
@overload
def jvp(f: Function, primals: Sequence[TensorLike], tangents: Sequence[TensorLike],
        has_aux: Literal[True]) -> tuple[Tensor, Tensor, Any]: ...
@overload
def jvp(f: Function, primals: Sequence[TensorLike], tangents: Sequence[TensorLike],
        has_aux: bool = False) -> tuple[Any, ...]: ...


def jvp(f: Function, primals: Sequence[TensorLike], tangents: Sequence[TensorLike],
        has_aux: bool = False) -> tuple[Any, ...]:
    """``(f(*primals), J·tangents)`` by forward mode: one pass with Dual
    numbers. ``primals`` and ``tangents`` are tuples of the same structure;
    a tangent may carry leading batch axes (several directions at once)."""
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp: primals and tangents must be tuples, e.g. jvp(f, (x,), (v,))")
    level = new_level()
    p_leaves, p_tree = flatten(tuple(primals))
    t_leaves, t_tree = flatten(tuple(tangents))
    if p_tree != t_tree:
        raise ValueError(f"jvp: primals {p_tree!r} and tangents {t_tree!r} differ in structure")
    duals, lead = [], ()
    for p, t in zip(p_leaves, t_leaves):
        p, t = _operand(p), _operand(t)
        _check_float(p, "jvp")
        t = fit_tangent(t, p)
        lead = shape_of(t)[:len(shape_of(t)) - len(shape_of(p))]
        duals.append(Dual._make(p, t, level))
    out = f(*unflatten(p_tree, duals))
    out, aux = _split_aux(out, has_aux)
    leaves, tree = flatten(out)
    _check_outputs(leaves, "jvp")
    outs = [_result(_lower(o, level)) for o in leaves]
    tans = [_result(o.tangent if isinstance(o, Dual) and o._level == level
                    else _zeros_like(o, lead)) for o in leaves]
    result = unflatten(tree, outs), unflatten(tree, tans)
    return result + (_take_out(aux, level),) if has_aux else result


# -- Jacobians and Hessians -----------------------------------------------------

def _basis(x, chunk_size):
    """The unit directions of x's entries, as batches of at most chunk_size:
    arrays of shape (k,) + x.shape."""
    shape, dtype = tuple(shape_of(x)), dtype_of(raw_value(x))  # (one example's, under vmap)
    n = int(np.prod(shape, dtype=np.int64))
    if n == 0:
        yield np.zeros((0,) + shape, dtype=dtype)
        return
    eye = np.eye(n, dtype=dtype)
    if chunk_size is not None and (type(chunk_size) is not int or chunk_size < 1):
        raise ValueError("jacfwd/jacrev: `chunk_size` should be an int greater than 0, got "
                         f"{chunk_size!r}")
    step = n if not chunk_size else int(chunk_size)
    for start in range(0, n, step):
        yield eye[start:start + step].reshape((-1,) + shape)


def _batched_to_jacobian(batched, out_shape, in_shape):
    """(n_in,) + out_shape, from forward mode, to out_shape + in_shape."""
    n = len(out_shape)
    moved = S.permute(batched, tuple(range(1, n + 1)) + (0,)) if n else batched
    return S.reshape(moved, out_shape + in_shape)


def _lists_of_numbers_as_arrays(args, nums):
    """The differentiated arguments, a list or tuple of numbers made an
    array (a Jacobian is taken with respect to it as one); a tuple, list or
    dict of tensors stays a tree (one block per leaf, as JAX)."""
    return [_operand(a) if k in nums and isinstance(a, (list, tuple))
            and all(type(leaf) in (int, float, bool) for leaf in flatten(a)[0]) else a
            for k, a in enumerate(args)]


@overload
def jacfwd(f: Function, argnums: int = 0, has_aux: Literal[False] = False,
           chunk_size: int | None = None) -> Callable[..., Tensor]: ...
@overload
def jacfwd(f: Function, argnums: int = 0, *, has_aux: Literal[True],
           chunk_size: int | None = None) -> Callable[..., tuple[Tensor, Any]]: ...
@overload
def jacfwd(f: Function, argnums: Argnums = 0, has_aux: bool = False,
           chunk_size: int | None = None) -> Function: ...


def jacfwd(f: Function, argnums: Argnums = 0, has_aux: bool = False,
           chunk_size: int | None = None) -> Function:
    """The Jacobian of ``f`` by forward mode, shape ``out.shape + in.shape``:
    all basis directions go through one batched pass (``chunk_size`` bounds
    the batch). ``argnums`` as a tuple gives a tuple of Jacobians."""
    @functools.wraps(f)
    def jacfwd_f(*args):
        nums = _argnums(argnums, len(args))
        per_argument, aux = [], None
        args = _lists_of_numbers_as_arrays(args, nums)
        for n in nums:
            in_leaves, in_tree = flatten(args[n])
            if not in_leaves:
                raise ValueError(f"Thing passed to transform API must be Tensor, got "
                                 f"{type(args[n])}")
            blocks = []  # per input leaf, per output leaf: the Jacobian block
            for i, leaf in enumerate(in_leaves):
                x = _operand(leaf)

                def along(x_i, i=i):
                    tree = unflatten(in_tree, in_leaves[:i] + [x_i] + in_leaves[i + 1:])
                    return f(*args[:n], tree, *args[n + 1:])
                pieces = []
                for directions in _basis(x, chunk_size):
                    out = jvp(along, (x,), (directions,), has_aux=has_aux)
                    pieces.append(flatten(out[1])[0])
                    aux = out[2] if has_aux else None
                out_leaves, out_tree = flatten(out[0])
                jacobians = []
                for k, out_leaf in enumerate(out_leaves):
                    parts = [piece[k] for piece in pieces]
                    tangent = parts[0] if len(parts) == 1 else S.cat(parts, 0)
                    jacobians.append(_batched_to_jacobian(tangent, tuple(shape_of(out_leaf)),
                                                          tuple(shape_of(x))))
                blocks.append(jacobians)
            # per output leaf, the input's tree of blocks (as JAX: output outside)
            per_argument.append([unflatten(in_tree, [blocks[i][k] for i in range(len(blocks))])
                                 for k in range(len(out_leaves))])
        if isinstance(argnums, int):
            result = unflatten(out_tree, per_argument[0])
        else:  # the output's structure outside, one entry per argument inside (as JAX)
            result = unflatten(out_tree, [tuple(jacobians[k] for jacobians in per_argument)
                                          for k in range(len(out_leaves))])
        return (result, aux) if has_aux else result
    return jacfwd_f


@overload
def jacrev(f: Function, argnums: int = 0, has_aux: Literal[False] = False,
           chunk_size: int | None = None) -> Callable[..., Tensor]: ...
@overload
def jacrev(f: Function, argnums: int = 0, *, has_aux: Literal[True],
           chunk_size: int | None = None) -> Callable[..., tuple[Tensor, Any]]: ...
@overload
def jacrev(f: Function, argnums: Argnums = 0, has_aux: bool = False,
           chunk_size: int | None = None) -> Function: ...


def jacrev(f: Function, argnums: Argnums = 0, has_aux: bool = False,
           chunk_size: int | None = None) -> Function:
    """The Jacobian of ``f`` by reverse mode, shape ``out.shape + in.shape``:
    a batch of unit cotangents is pulled through one reverse sweep
    (``chunk_size`` bounds the batch)."""
    @functools.wraps(f)
    def jacrev_f(*args):
        nums = _argnums(argnums, len(args))
        args = _lists_of_numbers_as_arrays(args, nums)
        level = new_level()
        args, watched = _watch(args, nums, level, "jacrev")
        with enable_grad():
            out = f(*args)
        out, aux = _split_aux(out, has_aux)
        boxes = [box for _, bs in watched for box in bs]
        out_leaves, out_tree = flatten(out)
        _check_outputs(out_leaves, "jacrev")
        per_output = []
        for leaf in out_leaves:
            pieces = [_pull_batched(leaf, directions, level, boxes)
                      for directions in _basis(leaf, chunk_size)]
            blocks = []
            for k, box in enumerate(boxes):
                parts = [piece[k] for piece in pieces]
                rows = parts[0] if len(parts) == 1 else S.cat(parts, 0)
                blocks.append(S.reshape(rows, tuple(shape_of(leaf)) + tuple(shape_of(box))))
            blocks = iter(blocks)  # per argument, its tree of blocks (as JAX: output outside)
            trees = [unflatten(treedef, [next(blocks) for _ in bs]) for treedef, bs in watched]
            per_output.append(trees[0] if isinstance(argnums, int) else tuple(trees))
        result = unflatten(out_tree, per_output)
        return (result, _take_out(aux, level)) if has_aux else result
    return jacrev_f


@overload
def hessian(f: Function, argnums: int = 0,
            chunk_size: int | None = None) -> Callable[..., Tensor]: ...
@overload
def hessian(f: Function, argnums: Argnums = 0, chunk_size: int | None = None) -> Function: ...


def hessian(f: Function, argnums: Argnums = 0, chunk_size: int | None = None) -> Function:
    """The Hessian of scalar ``f``, shape ``x.shape + x.shape``, by
    forward-over-reverse: the gradient's tape runs on Duals carrying all n
    directions at once, so one forward and one reverse sweep give every
    entry. ``chunk_size`` splits the directions to bound memory."""
    return jacfwd(jacrev(f, argnums), argnums, chunk_size=chunk_size)


def hvp(f: Function, primals: Sequence[TensorLike],
        tangents: Sequence[TensorLike]) -> tuple[Tensor, Tensor]:
    """``(grad f(primals), H·tangents)``: ``jvp`` of ``grad(f)``, one forward
    and one reverse sweep on Duals."""
    return jvp(grad(f), primals, tangents)


document(globals(), TRANSFORMS)  # the reference docstrings (dualrev/docstrings/transforms.py)
