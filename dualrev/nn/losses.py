"""The losses of ``dualrev.nn.functional``, as PyTorch's: regression
(``mse_loss``, ``l1_loss``), classification (``nll_loss``, ``cross_entropy``
with class indices or probabilities) and binary (``binary_cross_entropy``,
``binary_cross_entropy_with_logits``), each with PyTorch's ``reduction``.

Composites of dualrev's operations, differentiable to any order under every
transform. Class-index targets pick their entries by comparison with the
class numbers (a mask), not by an index read from the values, so a batched
target works under ``vmap``.

Where PyTorch's backward is not the derivative of its forward, dualrev's is
the derivative: ``binary_cross_entropy`` clamps ``log`` at -100 as PyTorch
does, and below ``exp(-100)`` its derivative is that of the constant -100
(PyTorch's backward divides by ``max(x (1 - x), 1e-12)`` instead). Both
agree wherever ``x (1 - x) > 1e-12``.
"""

import math
import warnings

import numpy as np

from .. import rules
from .._args import _axes, _float, _int, check_broadcast, operand, operands
from .._tensor import Size, boxed, named
from ..core.primitive import raw_value
from ..core.values import dtype_of, shape_of

#: PyTorch's names of the dtypes, as its messages print them.
_TORCH_DTYPE_NAMES = {
    "float64": "Double", "float32": "Float", "float16": "Half", "int64": "Long",
    "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _dtype_name(value):
    name = np.dtype(dtype_of(value)).name
    return _TORCH_DTYPE_NAMES.get(name, name)


# -- reductions ---------------------------------------------------------------------

def _legacy(reduction, size_average, reduce):
    """``reduction`` from the deprecated ``size_average`` and ``reduce``, as
    PyTorch's ``_Reduction.legacy_get_string`` (with its warning)."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  f"reduction='{reduction}' instead.", UserWarning, stacklevel=4)
    return reduction


def _checked(reduction):
    """``reduction`` if PyTorch knows it, else PyTorch's ValueError."""
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", UserWarning, stacklevel=4)
        return "mean"
    if not isinstance(reduction, str) or reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _total(x):
    return rules.sum(x, axis=None, keepdims=False)


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return _total(loss)
    return rules.mean(loss, axis=None, keepdims=False)


# -- regression losses --------------------------------------------------------------

def _regression(name, error, input, target, size_average, reduce, reduction, weight):
    """``error(input - target)`` reduced, as PyTorch's ``mse_loss`` and
    ``l1_loss``: the shapes broadcast (with PyTorch's warning when they
    differ); a ``weight`` of the input's shape weighs each term, and the
    weighted mean divides by the sum of the weights."""
    input, target = operands(name, (input, "input"), (target, "target"))
    if shape_of(target) != shape_of(input):
        warnings.warn(f"Using a target size ({Size(shape_of(target))}) that is different to the "
                      f"input size ({Size(shape_of(input))}). This will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.",
                      UserWarning, stacklevel=3)
    reduction = _legacy(reduction, size_average, reduce)
    check_broadcast(input, target)
    errors = error(rules.sub(input, target))
    if weight is None:
        return _reduce(errors, _checked(reduction))
    weight = operand(weight, name, "weight", 6)
    if shape_of(weight) != shape_of(input):
        raise ValueError("Weights and input must have the same size.")
    weighted = rules.mul(errors, weight)
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return _total(weighted)
    if reduction == "mean":
        return rules.div(_total(weighted), _total(weight))
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The squared error ``(input - target) ** 2``, reduced.

    Args:
        input: the predictions.
        target: the values to match; it broadcasts with ``input`` (with
            PyTorch's warning when the shapes differ).
        size_average: deprecated (see ``reduction``).
        reduce: deprecated (see ``reduction``).
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.
        weight: optional weights of ``input``'s shape; the mean is then
            the weighted sum over the sum of the weights.

    Returns:
        The loss: a 0-d tensor, or the elementwise errors for ``'none'``.

    Raises:
        ValueError: an unknown ``reduction``, or a ``weight`` of another shape.
        RuntimeError: shapes that do not broadcast.

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> F.mse_loss(dr.tensor([1.0, 2.0]), dr.tensor([0.0, 0.0]))
        tensor(2.5000)
    """
    out = _regression("mse_loss", lambda d: rules.mul(d, d), input, target, size_average,
                      reduce, reduction, weight)
    return named(out, "MseLossBackward0") if weight is None else boxed(out)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The absolute error ``|input - target|``, reduced.

    Args:
        input: the predictions.
        target: the values to match; it broadcasts with ``input``.
        size_average: deprecated (see ``reduction``).
        reduce: deprecated (see ``reduction``).
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.
        weight: optional weights of ``input``'s shape (the mean is the
            weighted sum over the sum of the weights).

    Returns:
        The loss: a 0-d tensor, or the elementwise errors for ``'none'``.

    Raises:
        ValueError: an unknown ``reduction``, or a ``weight`` of another shape.

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> F.l1_loss(dr.tensor([1.0, -2.0]), dr.tensor([0.0, 0.0]), reduction="sum")
        tensor(3.)
    """
    return boxed(_regression("l1_loss", rules.abs, input, target, size_average, reduce,
                             reduction, weight))


# -- classification losses ----------------------------------------------------------

def _class_axis(input):
    """The class axis of ``input``, negative: (C,) -> -1, (N, C, d1, ...) -> 1 - ndim."""
    n = len(shape_of(input))
    return 1 - n if n > 1 else -1


def _class_targets(input, target, weight, ignore_index, fn):
    """``target`` (and ``weight``) checked as PyTorch's ``nll_loss_nd``
    checks them, in its words; a 1-d target of a 1-d input as 0-d."""
    shape, tshape = shape_of(input), shape_of(target)
    n = len(shape)
    if n < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {n})")
    batch = tshape[0] if tshape else 0
    if n != 1 and shape[0] != batch:
        raise ValueError(f"Expected input batch_size ({shape[0]}) to match target batch_size "
                         f"({batch}).")
    if n == 1 and len(tshape) == 1:
        if tshape[0] != 1:
            raise ValueError("For 1D input, 1D target must have size 1, but got target size: "
                             f"{tshape[0]}")
        target = rules.reshape(target, shape=())
    elif n <= 2 and len(tshape) > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    elif n == 4 and len(tshape) != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                           f"targets of dimension: {len(tshape)}")
    elif n == 4 and tshape != shape[:1] + shape[2:]:
        raise RuntimeError(f"size mismatch (got input: {list(shape)} , target: {list(tshape)}")
    elif n > 2 and tshape[1:] != shape[2:]:
        raise RuntimeError(f"Expected target size {[shape[0], *shape[2:]]}, got {list(tshape)}")
    classes = shape[_class_axis(input)]
    weight = _class_weight(weight, classes, fn, "")
    if dtype_of(target) not in (np.int64, np.uint8):
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{_dtype_name(target)}")
    values = np.asarray(raw_value(target))
    outside = (values != ignore_index) & ((values < 0) | (values >= classes))
    if outside.any():
        raise IndexError(f"Target {values[outside].flat[0]} is out of bounds.")
    return target, weight


def _class_weight(weight, classes, fn, prefix):
    if weight is None:
        return None
    weight = operand(weight, fn, "weight", 3)
    if shape_of(weight) != (classes,):
        raise RuntimeError(f"{prefix}weight tensor should be defined either for all {classes} "
                           "classes or no classes but got weight tensor of shape: "
                           f"{list(shape_of(weight))}")
    return weight


def _along_classes(weight, axis):
    """``weight`` (C,) shaped to broadcast along the class axis."""
    return rules.reshape(weight, shape=shape_of(weight) + (1,) * (-axis - 1))


def _nll_parts(logp, target, weight, ignore_index):
    """The terms of the negative log-likelihood, the weight of each target
    and which targets count: ``-w[t] * logp[t]`` picked by comparing the
    targets with the class numbers (no index read from the values)."""
    axis = _class_axis(logp)
    classes = shape_of(logp)[axis]
    numbers = np.arange(classes).reshape((classes,) + (1,) * (-axis - 1))
    hit = rules.eq(rules.unsqueeze(target, axis=axis), numbers)
    counted = rules.ne(target, ignore_index)
    over_classes = _axes(logp, axis)
    picked = rules.sum(rules.where(hit, logp, 0.0), axis=over_classes, keepdims=False)
    if weight is None:
        return rules.where(counted, rules.neg(picked), 0.0), None, counted
    along = _along_classes(weight, axis)
    target_weight = rules.sum(rules.where(hit, along, 0.0), axis=over_classes, keepdims=False)
    target_weight = rules.where(counted, target_weight, 0.0)
    return rules.where(counted, rules.neg(picked) * target_weight, 0.0), target_weight, counted


def _mean_over_targets(total, target_weight, counted):
    """PyTorch's mean of a class-index loss: over the summed weights of
    the targets that count (nan when none does)."""
    if target_weight is None:
        return rules.div(total, _total(counted))
    return rules.div(total, _total(target_weight))


def _nll(logp, target, weight, ignore_index, reduction):
    terms, target_weight, counted = _nll_parts(logp, target, weight, ignore_index)
    if reduction == "mean":
        return _mean_over_targets(_total(terms), target_weight, counted)
    return _reduce(terms, reduction)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """The negative log-likelihood ``-weight[t] * input[t]`` of class-index targets.

    Args:
        input: log-probabilities, (C,), (N, C) or (N, C, d1, d2, ...).
        target: class indices (int64 or uint8), (), (N,) or (N, d1, d2, ...),
            each in ``[0, C)`` or equal to ``ignore_index``.
        weight: optional (C,) weight of each class.
        size_average: deprecated (see ``reduction``).
        ignore_index: a target value that contributes nothing (not even to
            the mean's denominator).
        reduce: deprecated (see ``reduction``).
        reduction: ``'mean'`` (default; the weighted mean over the targets
            that count, nan when none does), ``'sum'`` or ``'none'``.

    Returns:
        The loss: a 0-d tensor, or one term per target for ``'none'``.

    Raises:
        ValueError: an unknown ``reduction``; batch sizes that differ.
        RuntimeError: other shape mismatches, a bad weight or target dtype.
        IndexError: a target out of range.

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> F.nll_loss(dr.tensor([[-1.0, -2.0], [-3.0, -0.5]]), dr.tensor([0, 1]))
        tensor(0.7500)
    """
    reduction = _checked(_legacy(reduction, size_average, reduce))
    input, target = operands("nll_loss", (input, "input"), (target, "target"))
    ignore_index = _int(ignore_index, "nll_loss", "ignore_index")
    target, weight = _class_targets(input, target, weight, ignore_index, "nll_loss")
    return named(_nll(input, target, weight, ignore_index, reduction), "NllLossBackward0")


def _log_probabilities(input):
    if dtype_of(input).kind != "f":
        raise RuntimeError(f"\"log_softmax\" not implemented for '{_dtype_name(input)}'")
    axis = _class_axis(input)
    return rules.log_softmax(input, axis=_axes(input, axis)), axis


def _smoothed_classes(logp, axis, target, weight, ignore_index, reduction, smoothing):
    """PyTorch's label smoothing of class-index targets: ``(1 - eps)`` of the
    NLL plus ``eps / C`` of the (weighted) sum of ``-logp`` over the classes."""
    classes = shape_of(logp)[axis]
    terms, target_weight, counted = _nll_parts(logp, target, weight, ignore_index)
    spread = logp if weight is None else logp * _along_classes(weight, axis)
    spread = rules.neg(rules.sum(spread, axis=_axes(logp, axis), keepdims=False))
    spread = rules.where(counted, spread, 0.0)
    if reduction == "mean":
        nll = _mean_over_targets(_total(terms), target_weight, counted)
        spread = _mean_over_targets(_total(spread), target_weight, counted)
    else:
        nll, spread = _reduce(terms, reduction), _reduce(spread, reduction)
    return nll * (1.0 - smoothing) + spread * (smoothing / classes)


def _probability_targets(logp, axis, target, weight, reduction, smoothing):
    """Cross-entropy with class probabilities: ``-sum(w * target * logp)``
    over the classes, the mean over the other entries."""
    classes = shape_of(logp)[axis]
    if smoothing > 0.0:
        target = target * (1.0 - smoothing) + smoothing / classes
    terms = logp * target
    if weight is not None:
        terms = terms * _along_classes(weight, axis)
    if reduction == "none":
        return rules.neg(rules.sum(terms, axis=_axes(logp, axis), keepdims=False))
    total = rules.neg(_total(terms))
    if reduction == "sum":
        return total
    count = math.prod(shape_of(logp)) // classes if classes else 0
    return rules.div(total, float(count))  # 0 / 0: nan for an empty batch, as PyTorch


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """The cross-entropy between ``softmax(input)`` along the class axis and the targets.

    Targets of ``input``'s shape are class probabilities (floating point);
    any other shape holds class indices, as in PyTorch.

    Args:
        input: unnormalised scores (logits), (C,), (N, C) or (N, C, d1, ...).
        target: class indices (int64 or uint8; (), (N,) or (N, d1, ...)), or
            class probabilities of ``input``'s shape.
        weight: optional (C,) weight of each class.
        size_average: deprecated (see ``reduction``).
        ignore_index: a class-index target that contributes nothing (with
            probabilities it must stay negative, as in PyTorch).
        reduce: deprecated (see ``reduction``).
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.
        label_smoothing: in [0, 1]: the targets mixed with the uniform
            distribution, ``(1 - eps) * target + eps / C``.

    Returns:
        The loss: a 0-d tensor, or one term per target for ``'none'``.

    Raises:
        ValueError: an unknown ``reduction``; batch sizes that differ.
        RuntimeError: other shape mismatches, bad dtypes, a weight that is
            not (C,), ``label_smoothing`` above 1.
        IndexError: a class index out of range.

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> logits = dr.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
        >>> F.cross_entropy(logits, dr.tensor([0, 2]))
        tensor(0.6691)
        >>> F.cross_entropy(logits, dr.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]))
        tensor(0.6691)
    """
    reduction = _checked(_legacy(reduction, size_average, reduce))
    input, target = operands("cross_entropy", (input, "input"), (target, "target"))
    ignore_index = _int(ignore_index, "cross_entropy", "ignore_index")
    smoothing = _float(label_smoothing, "cross_entropy", "label_smoothing")
    if shape_of(input) == shape_of(target):
        if dtype_of(target).kind != "f":
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {_dtype_name(target)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        axis = _class_axis(input)
        weight = _class_weight(weight, shape_of(input)[axis], "cross_entropy", "cross_entropy: ")
        if smoothing > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {smoothing}")
        logp, axis = _log_probabilities(input)
        return boxed(_probability_targets(logp, axis, target, weight, reduction, smoothing))
    if smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {smoothing}")
    target, weight = _class_targets(input, target, weight, ignore_index, "cross_entropy")
    logp, axis = _log_probabilities(input)
    if smoothing > 0.0:
        return boxed(_smoothed_classes(logp, axis, target, weight, ignore_index, reduction,
                                       smoothing))
    return named(_nll(logp, target, weight, ignore_index, reduction), "NllLossBackward0")


def _same_size_or_grown(input, extra):
    """``extra`` (a weight) broadcasts to ``input``'s shape without growing it."""
    check_broadcast(input, extra)
    grown = np.broadcast_shapes(shape_of(input), shape_of(extra))
    if grown != shape_of(input):
        raise RuntimeError(f"output with shape {list(shape_of(input))} doesn't match the "
                           f"broadcast shape {list(grown)}")


def _clamped_log(x):
    """``max(log(x), -100)``, as PyTorch's binary cross-entropy takes it;
    where ``x`` is 0 the log is never formed, so no inf or nan reaches a
    derivative."""
    positive = rules.gt(x, 0)
    log = rules.log(rules.where(positive, x, 1.0))
    return rules.where(positive, rules.clamp(log, min=-100.0, max=None), -100.0)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """``-weight * (target * log(input) + (1 - target) * log(1 - input))``,
    each log clamped to at least -100 as in PyTorch.

    Args:
        input: probabilities in [0, 1].
        target: targets of ``input``'s shape (usually in [0, 1]).
        weight: optional weights broadcasting to ``input``'s shape.
        size_average: deprecated (see ``reduction``).
        reduce: deprecated (see ``reduction``).
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.

    Returns:
        The loss: a 0-d tensor, or the elementwise terms for ``'none'``.

    Raises:
        ValueError: an unknown ``reduction``, a target of another shape.
        RuntimeError: an input outside [0, 1]; a weight that does not fit.

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> F.binary_cross_entropy(dr.tensor([0.5, 0.0]), dr.tensor([1.0, 1.0]), reduction="none")
        tensor([  0.6931, 100.0000])
    """
    reduction = _checked(_legacy(reduction, size_average, reduce))
    input, target = operands("binary_cross_entropy", (input, "input"), (target, "target"))
    if shape_of(target) != shape_of(input):
        raise ValueError(f"Using a target size ({Size(shape_of(target))}) that is different to "
                         f"the input size ({Size(shape_of(input))}) is deprecated. Please ensure "
                         "they have the same size.")
    values = np.asarray(raw_value(input))
    if not np.all((values >= 0) & (values <= 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = rules.sub(rules.mul(rules.sub(target, 1.0), _clamped_log(rules.sub(1.0, input))),
                     rules.mul(target, _clamped_log(input)))
    if weight is not None:
        weight = operand(weight, "binary_cross_entropy", "weight", 3)
        _same_size_or_grown(input, weight)
        loss = rules.mul(loss, weight)
    return named(_reduce(loss, reduction), "BinaryCrossEntropyBackward0")


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """``binary_cross_entropy(sigmoid(input), target)`` computed from the
    logits without overflow: ``(1 - target) * input - l * log_sigmoid(input)``
    with ``l = 1 + (pos_weight - 1) * target``, times ``weight``.

    Args:
        input: logits.
        target: targets of ``input``'s shape.
        weight: optional weights broadcasting to ``input``'s shape.
        size_average: deprecated (see ``reduction``).
        reduce: deprecated (see ``reduction``).
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.
        pos_weight: optional weight of the positive examples, broadcasting
            along the last axis (one per class).

    Returns:
        The loss: a 0-d tensor, or the elementwise terms for ``'none'``.

    Raises:
        ValueError: an unknown ``reduction``, a target of another shape.
        RuntimeError: a weight or pos_weight that does not broadcast.

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> F.binary_cross_entropy_with_logits(dr.tensor([0.0, 50.0]), dr.tensor([1.0, 0.0]),
        ...                                    reduction="none")
        tensor([ 0.6931, 50.0000])
    """
    reduction = _checked(_legacy(reduction, size_average, reduce))
    fn = "binary_cross_entropy_with_logits"
    input, target = operands(fn, (input, "input"), (target, "target"))
    if shape_of(target) != shape_of(input):
        raise ValueError(f"Target size ({Size(shape_of(target))}) must be the same as input size "
                         f"({Size(shape_of(input))})")
    log_sigmoid = rules.neg(rules.softplus(rules.neg(input), beta=1.0, threshold=math.inf))
    if pos_weight is not None:
        pos_weight = operand(pos_weight, fn, "pos_weight", 7)
        _same_size_or_grown(input, pos_weight)
        log_sigmoid = log_sigmoid * (rules.sub(pos_weight, 1.0) * target + 1.0)
    loss = rules.sub(rules.mul(rules.sub(1.0, target), input), log_sigmoid)
    if weight is not None:
        weight = operand(weight, fn, "weight", 3)
        _same_size_or_grown(input, weight)
        loss = rules.mul(loss, weight)
    return named(_reduce(loss, reduction), "BinaryCrossEntropyWithLogitsBackward0")
