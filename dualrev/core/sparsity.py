"""Sparsity detection: the tracer box and its handler.

A tracer box holds a value and, for each of its elements (in C order), the
set of input indices the element may depend on: its ``pattern``, kept as
compressed rows in NumPy arrays (the core needs no scipy). The handler runs
the primitive on the values, then forms the output's pattern from the
inputs' by the primitive's ``sparsity`` field, which says which input
elements each output element reads (``reads``): the output element's set is
the union of theirs. Sets only grow by unions, so the pattern is
conservative: it never misses a nonzero of the Jacobian.

In global mode (the default of ``func.jacobian_sparsity``) the pattern must
hold at every input, so nothing may depend on the values: a tracer refuses
``bool``, ``float`` and the rest, as JAX's tracers do, and the results of
comparisons stay tracers. In local mode (``local=True``) the values are the
point's own, and control flow on them is allowed.

The kinds of ``sparsity`` (``defprim``'s argument):

- ``ELEMENTWISE``: output element i reads element i of each argument
  (broadcast); the default of broadcasting and public (elementwise)
  primitives;
- ``MOVES``: each output element is an input element (reshape, transpose,
  indexing, concatenation...): found by running the primitive on arrays of
  element numbers;
- ``REDUCES``: an output element reads the elements reduced into it
  (``axis``, ``keepdims``);
- ``PREFIX``: running reductions along ``axis`` (cumsum, cumprod);
- ``BLOCKS``: matrix functions: every output entry of a matrix reads every
  entry of the input matrices of the same batch;
- ``CONSTANT``: step functions (floor, sign...), whose derivative is zero
  wherever it exists: the output reads nothing;
- a function ``reads(shapes, out_shape, values, traced, **params)`` giving,
  per argument, the pairs (output elements, input elements) or None.
"""

import numpy as np

from .primitive import Box, check_operand
from .values import is_float, shape_of

ELEMENTWISE = "elementwise"
MOVES = "moves"
REDUCES = "reduces"
PREFIX = "prefix"
BLOCKS = "blocks"
CONSTANT = "constant"


class Pattern:
    """For each of ``rows`` elements, a sorted set of input indices below
    ``width``, as compressed rows (``indptr``, ``indices``)."""

    __slots__ = ("indptr", "indices", "width")

    def __init__(self, indptr, indices, width):
        self.indptr, self.indices, self.width = indptr, indices, width

    @classmethod
    def identity(cls, rows):
        """Element i depends on input i."""
        return cls(np.arange(rows + 1), np.arange(rows), rows)

    @classmethod
    def empty(cls, rows, width):
        return cls(np.zeros(rows + 1, np.int64), np.zeros(0, np.int64), width)

    @property
    def rows(self):
        return len(self.indptr) - 1

    @property
    def nnz(self):
        return len(self.indices)


def read(sources, rows, width):
    """The pattern of ``rows`` elements where each reads input elements:
    ``sources`` is a list of (pattern, output elements, input elements),
    and an output element's set is the union of the sets it reads."""
    if len(sources) == 1:
        pattern, out, inp = sources[0]
        if len(out) == rows and np.array_equal(out, np.arange(rows)):  # one element each
            if len(inp) == pattern.rows and np.array_equal(inp, out):
                return pattern  # each element reads its own: the same sets
            return _gathered(pattern, inp)
    row_parts, column_parts = [], []
    for pattern, out, inp in sources:
        start = pattern.indptr[inp]
        lengths = pattern.indptr[inp + 1] - start
        total = int(lengths.sum())
        if not total:
            continue
        firsts = np.cumsum(lengths) - lengths  # where each pair's run begins in the result
        positions = np.repeat(start - firsts, lengths) + np.arange(total)
        row_parts.append(np.repeat(out, lengths))
        column_parts.append(pattern.indices[positions])
    if not row_parts:
        return Pattern.empty(rows, width)
    keys = np.sort(np.concatenate(row_parts) * width + np.concatenate(column_parts))
    if len(keys) > 1:
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]  # (sorting: np.unique hashes)
    out_rows, columns = np.divmod(keys, width)
    indptr = np.zeros(rows + 1, np.int64)
    np.cumsum(np.bincount(out_rows, minlength=rows), out=indptr[1:])
    return Pattern(indptr, columns, width)


def _gathered(pattern, inp):
    """The rows ``inp`` of a pattern, in that order: no union to form."""
    start = pattern.indptr[inp]
    lengths = pattern.indptr[inp + 1] - start
    indptr = np.zeros(len(inp) + 1, np.int64)
    np.cumsum(lengths, out=indptr[1:])
    positions = np.repeat(start - indptr[:-1], lengths) + np.arange(int(indptr[-1]))
    return Pattern(indptr, pattern.indices[positions], pattern.width)


class SparsityBox(Box):
    """The core of a tracer: a value and its pattern, at a level; ``local``
    says whether the value is the point's own (control flow on it allowed)."""

    __slots__ = {"primal": "The value: the point's (local mode) or a stand-in for its shape.",
                 "pattern": "Per element (C order), the input indices it may depend on.",
                 "local": "Whether the value may be read (local mode)."}

    @classmethod
    def _make(cls, primal, pattern, level, local):
        box = object.__new__(cls)
        box._level = level
        box.primal = primal
        box.pattern = pattern
        box.local = local
        return box

    def _inner(self):
        return self.primal

    def __repr__(self):
        return f"Tracer(shape={tuple(shape_of(self.primal))}, nnz={self.pattern.nnz})"

    def _concrete(self, what):
        if not self.local:
            raise TypeError(
                f"{what} of a traced value: sparsity detection (jacobian_sparsity, "
                "hessian_sparsity, sparse_jacobian, sparse_hessian) finds the pattern that holds "
                "at every input (global mode), so the function may not branch on or read the "
                "values of its inputs. Pass local=True to detect the pattern at this point's "
                "values instead, or write the branch with dr.where.")
        return self.primal

    def __bool__(self):
        return bool(self._concrete("bool()"))

    def __float__(self):
        return float(self._concrete("float()"))

    def __int__(self):
        return int(self._concrete("int()"))

    def __index__(self):
        return int(self._concrete("an index"))

    def __array__(self, dtype=None, copy=None):
        value = np.asarray(self._concrete("np.asarray()"))
        return value if dtype is None else value.astype(dtype)

    def _apply(self, prim, args, params):
        level = self._level
        values, patterns = [], []
        for a in args:
            if isinstance(a, SparsityBox) and a._level == level:
                values.append(a.primal)
                patterns.append(a.pattern)
            else:
                values.append(check_operand(a))
                patterns.append(None)
        ans = prim(*values, **params)
        rows = int(np.size(ans))
        if _differentiable(prim) and is_float(ans):
            pattern = output_pattern(prim, ans, values, patterns, params)
        else:
            pattern = Pattern.empty(rows, self.pattern.width)
        if self.local and not pattern.nnz:
            return ans  # a constant at this point: its value may be read
        return type(self)._make(ans, pattern, level, self.local)


def _differentiable(prim):
    return prim.linear or prim.jvp is not None or prim.joint_jvp is not None


def output_pattern(prim, ans, values, patterns, params):
    """The pattern of ``prim``'s output: the union of what each output
    element reads of the traced arguments."""
    out_shape = tuple(shape_of(ans))
    shapes = [tuple(shape_of(v)) for v in values]
    traced = [p is not None for p in patterns]
    width = next(p.width for p in patterns if p is not None)
    rule = prim.sparsity
    if rule is None:  # (no primitive of the table: a test says so) every element reads all
        pairs = [_everything(shape, out_shape) if t else None for shape, t in zip(shapes, traced)]
    elif rule == CONSTANT:
        pairs = [None] * len(values)
    elif rule == ELEMENTWISE:
        pairs = [_aligned(shape, out_shape) if t and _reads_argument(prim, i) else None
                 for i, (shape, t) in enumerate(zip(shapes, traced))]
    elif rule == MOVES:
        pairs = _moved(prim, shapes, traced, params)
    elif rule == REDUCES:
        pairs = [_reduced(shapes[0], out_shape, params["axis"], params["keepdims"])]
    elif rule == PREFIX:
        pairs = [_prefixed(shapes[0], params["axis"])]
    elif rule == BLOCKS:
        batch_ndim = max([len(shape) - 2 for shape in shapes if len(shape) >= 2], default=0)
        pairs = [_blocks(shape, out_shape, batch_ndim) if t else None
                 for shape, t in zip(shapes, traced)]
    else:
        pairs = rule(shapes, out_shape, values, traced, **params)
    sources = [(p, out, inp) for p, pair in zip(patterns, pairs) if p is not None and pair
               is not None for out, inp in [pair]]
    return read(sources, int(np.prod(out_shape, dtype=np.int64)), width)


def _reads_argument(prim, i):
    """Whether argument i reaches the output's derivative (where's
    condition does not)."""
    rules = prim.jvp if prim.jvp is not None else None
    return rules is None or prim.rule_for(rules, i) is not None


def _numbers(shape, offset=0):
    return np.arange(offset, offset + int(np.prod(shape, dtype=np.int64)),
                     dtype=np.int64).reshape(shape)


def _aligned(shape, out_shape):
    """Output element i reads the element of an argument of ``shape`` that
    broadcasting puts at i."""
    source = np.broadcast_to(_numbers(shape), out_shape).ravel()
    return np.arange(source.size), source


def _moved(prim, shapes, traced, params):
    """Run the primitive on element numbers (1, 2, ...) of one traced
    argument at a time, the other arguments zero: each output element shows
    the element of that argument it is, or 0 for none. (One argument at a
    time, so that pieces added into one place, as scatter_sum adds them,
    each show.)"""
    pairs = []
    for i, t in enumerate(traced):
        if not t:
            pairs.append(None)
            continue
        numbered = [(_numbers(shape, 1) if shape else 1) if j == i else np.zeros(shape, np.int64)
                    for j, shape in enumerate(shapes)]
        out = np.asarray(prim.impl(*numbered, **params)).ravel().astype(np.int64)
        hit = np.flatnonzero(out)
        pairs.append((hit, out[hit] - 1))
    return pairs


def _everything(shape, out_shape):
    """Every output element reads every input element."""
    size, out_size = int(np.prod(shape, dtype=np.int64)), int(np.prod(out_shape, dtype=np.int64))
    return np.repeat(np.arange(out_size), size), np.tile(np.arange(size), out_size)


def contraction_reads(inputs, output, shapes, out_shape, values, traced, most=5e7):
    """The pairs of a contraction written as einsum subscripts (explicit
    letters): an output element reads each traced operand's elements that
    share its letters' values, where no constant operand is zero (so a
    sparse constant matrix gives a sparse pattern)."""
    letters = sorted(set("".join(inputs) + output))
    sizes = {}
    for term, shape in zip(inputs, shapes):
        for letter, d in zip(term, shape):
            sizes[letter] = max(sizes.get(letter, 1), d)
    joint = tuple(sizes[letter] for letter in letters)
    if np.prod(joint, dtype=np.float64) > most:
        return [_everything(shape, out_shape) if t else None for shape, t in zip(shapes, traced)]
    coordinate = dict(zip(letters, np.indices(joint, sparse=True)))

    def place(term, shape):
        """Each joint point's element of an operand (a size-1 axis broadcast)."""
        return tuple(coordinate[letter] if d > 1 else 0 for letter, d in zip(term, shape))

    def flat(term, shape):
        index = 0
        for letter, d in zip(term, shape):
            index = index * d + (coordinate[letter] if d > 1 else 0)
        return np.broadcast_to(index, joint)

    mask = np.ones(joint, bool)
    for term, shape, value, t in zip(inputs, shapes, values, traced):
        if not t:
            mask &= np.broadcast_to(np.asarray(value)[place(term, shape)] != 0, joint)
    out_index = flat(output, out_shape)[mask]
    return [(out_index, flat(term, shape)[mask]) if t else None
            for term, shape, t in zip(inputs, shapes, traced)]


def _reduced(shape, out_shape, axis, keepdims):
    """Each input element is read by the output element it is reduced into."""
    axes = tuple(range(len(shape))) if axis is None else tuple(a % len(shape) for a in axis)
    coords = np.indices(shape).reshape(len(shape), int(np.prod(shape, dtype=np.int64)))
    if keepdims:
        kept = [np.zeros_like(c) if d in axes else c for d, c in enumerate(coords)]
    else:
        kept = [c for d, c in enumerate(coords) if d not in axes]
    target = np.ravel_multi_index(kept, out_shape) if out_shape else \
        np.zeros(coords.shape[1], np.int64)
    return target, np.arange(coords.shape[1])


def _prefixed(shape, axis):
    """Output element i along ``axis`` reads the input elements 0..i there."""
    axis = axis % len(shape)
    numbers = np.moveaxis(_numbers(shape), axis, -1)
    n = shape[axis]
    lower = np.tril(np.ones((n, n), bool))  # [i, j]: i reads j
    i, j = np.nonzero(lower)
    out = numbers[..., i].ravel()
    inp = numbers[..., j].ravel()
    return out, inp


def _blocks(shape, out_shape, batch_ndim):
    """Every output entry of a batch element reads every input entry of the
    same batch element (matrix functions: the batch axes are the output's
    first ``batch_ndim``, and the input's in front of its last two,
    broadcast)."""
    batch = shape[:-2]
    out_batch = out_shape[:batch_ndim]
    per_in = int(np.prod(shape[len(batch):], dtype=np.int64))
    per_out = int(np.prod(out_shape[batch_ndim:], dtype=np.int64))
    source = np.broadcast_to(_numbers(batch), out_batch).ravel()  # each output batch's input one
    out_batch_index = np.repeat(np.arange(source.size), per_out * per_in)
    out = out_batch_index * per_out + np.tile(np.repeat(np.arange(per_out), per_in), source.size)
    inp = source[out_batch_index] * per_in + np.tile(np.arange(per_in), source.size * per_out)
    return out, inp
