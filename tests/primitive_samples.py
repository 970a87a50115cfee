"""Sample inputs and NumPy references for every primitive of the rule table,
and for the operations composed from primitives that ``COMPOSITES`` names.

``SPECS[name]`` says, for the primitive ``name``:

* ``samples``: a hypothesis strategy of ``Sample`` (raw NumPy arguments,
  the primitive's normalised static parameters, which arguments are
  differentiated) with random shapes, broadcasting between arguments, 0-d
  cases, and values in the primitive's domain, kept away from its kinks and
  ties so that finite differences are meaningful;
* ``reference``: a NumPy computation of the value, written independently of
  the primitive's implementation wherever NumPy offers one;
* ``kinks`` (optional): samples sitting exactly on kinks and ties (relu at 0,
  amax ties, clamp bounds...), where finite differences mean nothing but the
  JVP and the VJP must still pick the same one-sided derivative.

Values are drawn from a NumPy generator seeded by hypothesis, so examples are
reproducible and ties happen only where a strategy asks for them.
"""

import dataclasses
import math
import os
from typing import Callable, Optional

import numpy as np
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

F64 = np.dtype(np.float64)
F32 = np.dtype(np.float32)


@dataclasses.dataclass
class Sample:
    args: tuple          # raw NumPy arguments (float64 unless a dtype is the point)
    params: dict         # static parameters, normalised as dualrev.functions passes them
    diff: tuple          # indices of the arguments to differentiate
    seed: int            # seeds the random directions the checks use
    eps: float = 1e-6    # finite-difference step
    rtol: float = 1e-5   # tolerance of finite-difference comparisons


@dataclasses.dataclass
class Spec:
    samples: st.SearchStrategy
    reference: Callable
    kinks: Optional[st.SearchStrategy] = None


def checked_by(env):
    """``checked(max_examples)``: deterministic hypothesis settings, the same
    examples on every run. ``{env}_EXAMPLES=10`` runs ten times the examples;
    ``{env}_RANDOM=1`` draws new ones on each run."""
    scale = float(os.environ.get(f"{env}_EXAMPLES", "1"))
    fixed = os.environ.get(f"{env}_RANDOM", "") in ("", "0")

    def checked(max_examples):
        return settings(max_examples=max(1, round(max_examples * scale)), deadline=None,
                        derandomize=fixed, database=None,
                        suppress_health_check=list(HealthCheck),
                        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])
    return checked


# -- building blocks ----------------------------------------------------------

MAX_SIDE = 3
SEEDS = st.integers(0, 2**32 - 1)


def shapes(min_dims=0, max_dims=3, min_side=1, max_side=MAX_SIDE):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable(n, max_dims=3, min_side=1):
    """n shapes that broadcast together (some 0-d, some with 1s)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=0, max_dims=max_dims, min_side=min_side, max_side=MAX_SIDE
    ).map(lambda b: b.input_shapes)


def sometimes_empty(draw):
    """The smallest side for a drawn shape: 0 (an empty array) one time in five."""
    return 0 if draw(st.integers(0, 4)) == 0 else 1


def uniform(lo, hi):
    return lambda rng, shape: rng.uniform(lo, hi, shape)


def between_steps(rng, shape):
    """Away from integers and halves, where rounding jumps (and finite
    differences would see the jump)."""
    return rng.integers(-3, 3, shape) + rng.uniform(0.1, 0.4, shape)


def away_from_zero(lo, hi):
    """|x| in [lo, hi], either sign."""
    return lambda rng, shape: rng.uniform(lo, hi, shape) * rng.choice([-1.0, 1.0], shape)


def off_lattice(rng, shape):
    """Odd multiples of 1/4 in [-1.75, 1.75]: at least 1/4 from every multiple of
    1/2 (and from 0), so never tied with ``on_lattice`` values."""
    return 0.5 * rng.integers(-4, 4, shape) + 0.25


def on_lattice(rng, shape):
    """Multiples of 1/2 in [-2, 2]: ties between such values are frequent."""
    return 0.5 * rng.integers(-4, 5, shape)


def distinct(rng, shape):
    """Pairwise distinct values, at least 0.1 apart: no ties in a reduction."""
    n = int(np.prod(shape, dtype=int))
    spread = rng.permutation(n) * 0.3 - 0.15 * n
    return (spread + rng.uniform(-0.1, 0.1, n)).reshape(shape)


def with_zeros(maker):
    """Values from ``maker`` with one or more entries set to exactly 0."""
    def make(rng, shape):
        x = np.array(maker(rng, shape), dtype=F64)
        if x.size and rng.random() < 0.7:
            zeros = rng.integers(1, min(x.size, 3) + 1)
            x.reshape(-1)[rng.choice(x.size, zeros, replace=False)] = 0.0
        return x
    return make


def booleans(p_true=0.5):
    return lambda rng, shape: rng.random(shape) < p_true


def array(value, dtype=F64):
    return np.asarray(value, dtype=dtype)


def rng_of(seed):
    return np.random.default_rng(seed)


# -- strategies by kind -----------------------------------------------------------

@st.composite
def elementwise(draw, makers, diff=None, params=st.just({}), **options):
    """Arguments of mutually broadcastable shapes, one value maker each."""
    min_side = sometimes_empty(draw)
    arg_shapes = draw(broadcastable(len(makers), min_side=min_side)) if len(makers) > 1 \
        else (draw(shapes(min_side=min_side)),)
    seed = draw(SEEDS)
    rng = rng_of(seed)
    args = tuple(array(m(rng, s), dtype=None) for m, s in zip(makers, arg_shapes))
    args = tuple(a.astype(F64) if a.dtype.kind == "f" else a for a in args)
    if diff is None:
        diff = tuple(range(len(makers)))
    return Sample(args, draw(params), diff, seed, **options)


def reduction_axes(ndim, single=False):
    """A reduction's normalised ``axis``: None, or a sorted tuple of negative
    ints (a negative int when ``single``). A 0-d value reduces over ``()``."""
    if ndim == 0:
        return st.sampled_from([None] if single else [None, ()])
    if single:
        return st.one_of(st.none(), st.integers(-ndim, -1))
    subsets = st.sets(st.integers(-ndim, -1), min_size=1).map(lambda s: tuple(sorted(s)))
    return st.one_of(st.none(), subsets)


@st.composite
def reduction(draw, maker, single_axis=False, diff=(0,), empty=False):
    shape = draw(shapes(min_side=sometimes_empty(draw) if empty else 1))
    seed = draw(SEEDS)
    x = array(maker(rng_of(seed), shape), dtype=None)
    params = dict(axis=draw(reduction_axes(len(shape), single_axis)), keepdims=draw(st.booleans()))
    return Sample((x,), params, diff, seed)


def with_params(shape_st, params_of, maker=uniform(-2, 2)):
    """One argument of a drawn shape; ``params_of(draw, shape)`` draws the
    static parameters. ``shape_st`` may be a function of the smallest side."""
    @st.composite
    def strategy(draw):
        shape = draw(shape_st(sometimes_empty(draw)) if callable(shape_st) else shape_st)
        params = params_of(draw, shape)
        seed = draw(SEEDS)
        return Sample((array(maker(rng_of(seed), shape)),), params, (0,), seed)
    return strategy()


@st.composite
def index_for(draw, shape):
    """A normalised index (as ``dualrev._args.normalize_index`` makes it)
    into an array of ``shape``: ints, slices (negative steps, empty ones),
    None, Ellipsis, integer arrays (negative entries, repeats, 0-d ones, all
    of one broadcast shape) or a boolean mask over the leading axes."""
    ndim = len(shape)
    if ndim == 0:
        return draw(st.sampled_from([(), (None,), (Ellipsis,), (None, Ellipsis)]))
    rng = rng_of(draw(SEEDS))
    kind = draw(st.sampled_from(["basic", "arrays", "mask"]))
    parts, axis = [], 0
    if kind == "mask":
        axis = draw(st.integers(1, min(2, ndim)))
        parts.append(rng.random(shape[:axis]) < 0.6)
    array_shape = draw(shapes(max_dims=2))
    choices = ["int", "slice", "full"] + (["array", "array"] if kind == "arrays" else [])
    for size in shape[axis:]:
        choice = draw(st.sampled_from(choices))
        if choice == "int":
            parts.append(draw(st.integers(-size, size - 1)))
        elif choice == "slice":
            bound = st.one_of(st.none(), st.integers(-size - 1, size + 1))
            step = draw(st.sampled_from([None, 1, 2, -1, -2]))
            parts.append(slice(draw(bound), draw(bound), step))
        elif choice == "array":
            parts.append(rng.integers(-size, size, array_shape))
        else:
            parts.append(slice(None))
    def full(part):
        return isinstance(part, slice) and part == slice(None)

    if draw(st.booleans()):  # an Ellipsis stands for a run (maybe empty) of full slices
        start = end = draw(st.integers(0, len(parts)))
        while end < len(parts) and full(parts[end]) and draw(st.booleans()):
            end += 1
        parts[start:end] = [Ellipsis]
    elif draw(st.booleans()):  # trailing full slices may be left out
        while parts and full(parts[-1]):
            parts.pop()
    for _ in range(draw(st.integers(0, 2))):
        parts.insert(draw(st.integers(0, len(parts))), None)
    return tuple(parts)


def indexed_shape(shape, index):
    return np.zeros(shape)[index].shape


@st.composite
def getitem_samples(draw):
    shape = draw(shapes())
    seed = draw(SEEDS)
    return Sample((array(uniform(-2, 2)(rng_of(seed), shape)),),
                  dict(index=draw(index_for(shape))), (0,), seed)


@st.composite
def scatter_samples(draw):
    shape = draw(shapes())
    index = draw(index_for(shape))
    seed = draw(SEEDS)
    g = array(uniform(-2, 2)(rng_of(seed), indexed_shape(shape, index)))
    return Sample((g,), dict(shape=shape, index=index), (0,), seed)


@st.composite
def scatter_sum_samples(draw):
    """One to three pieces of one shape, each with its own index (basic or
    advanced, repeats included), sometimes one covering everything."""
    shape = draw(shapes())
    count = draw(st.integers(1, 3))
    indices = tuple((Ellipsis,) if draw(st.booleans()) and draw(st.booleans())
                    else draw(index_for(shape)) for _ in range(count))
    seed = draw(SEEDS)
    rng = rng_of(seed)
    pieces = tuple(array(uniform(-2, 2)(rng, indexed_shape(shape, index))) for index in indices)
    diff = tuple(i for i in range(count) if draw(st.booleans())) or (0,)
    return Sample(pieces, dict(shape=shape, indices=indices), diff, seed)


@st.composite
def index_put_samples(draw):
    shape = draw(shapes(min_dims=1))
    index = draw(index_for(shape))
    target = indexed_shape(shape, index)
    # v broadcasts to the indexed shape: a suffix of it, some sides set to 1
    v_shape = target[draw(st.integers(0, len(target))):]
    v_shape = tuple(1 if draw(st.booleans()) and draw(st.booleans()) else s for s in v_shape)
    seed = draw(SEEDS)
    rng = rng_of(seed)
    return Sample((array(rng.uniform(-2, 2, shape)), array(rng.uniform(-2, 2, v_shape))),
                  dict(index=index), (0, 1), seed)


@st.composite
def along_axis(draw):
    """(x shape, indices, axis) for take_along_axis: repeats, some entries never picked."""
    shape = draw(shapes(min_dims=1))
    axis = draw(st.integers(-len(shape), -1))
    picks = draw(st.integers(1, 4))
    seed = draw(SEEDS)
    rng = rng_of(seed)
    idx_shape = list(shape)
    idx_shape[axis] = picks
    indices = rng.integers(0, shape[axis], idx_shape)
    return shape, indices, axis, seed


@st.composite
def gather_samples(draw):
    shape, indices, axis, seed = draw(along_axis())
    x = array(uniform(-2, 2)(rng_of(seed + 1), shape))
    return Sample((x,), dict(indices=indices, axis=axis), (0,), seed)


@st.composite
def scatter_along_samples(draw):
    shape, indices, axis, seed = draw(along_axis())
    g = array(uniform(-2, 2)(rng_of(seed + 1), indices.shape))
    return Sample((g,), dict(indices=indices, axis=axis, shape=shape), (0,), seed)


@st.composite
def concatenate_samples(draw):
    shape = draw(shapes(min_dims=1, min_side=sometimes_empty(draw)))
    axis = draw(st.integers(-len(shape), -1))
    count = draw(st.integers(1, 3))
    seed = draw(SEEDS)
    rng = rng_of(seed)
    args = []
    for _ in range(count):
        s = list(shape)
        s[axis] = draw(st.integers(0 if 0 in shape else 1, 3))
        args.append(array(rng.uniform(-2, 2, s)))
    return Sample(tuple(args), dict(axis=axis), tuple(range(count)), seed)


@st.composite
def stack_samples(draw):
    shape = draw(shapes(min_side=sometimes_empty(draw)))
    axis = draw(st.integers(-len(shape) - 1, -1))
    count = draw(st.integers(1, 3))
    seed = draw(SEEDS)
    rng = rng_of(seed)
    args = tuple(array(rng.uniform(-2, 2, shape)) for _ in range(count))
    return Sample(args, dict(axis=axis), tuple(range(count)), seed)


@st.composite
def matmul_samples(draw):
    """1-d and n-d operands in every combination, batch axes broadcasting."""
    n, k, m = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    batch_x, batch_y = draw(broadcastable(2, max_dims=2))
    x_shape = (k,) if draw(st.booleans()) else batch_x + (n, k)
    y_shape = (k,) if draw(st.booleans()) else batch_y + (k, m)
    seed = draw(SEEDS)
    rng = rng_of(seed)
    return Sample((array(rng.uniform(-2, 2, x_shape)), array(rng.uniform(-2, 2, y_shape))),
                  {}, (0, 1), seed)


@st.composite
def dot_samples(draw):
    k = draw(st.integers(1, 4))
    seed = draw(SEEDS)
    rng = rng_of(seed)
    return Sample((array(rng.uniform(-2, 2, k)), array(rng.uniform(-2, 2, k))), {}, (0, 1), seed)


def _reshape_target(draw, shape):
    """Another shape of the same size: its prime factors regrouped, 1s added."""
    size = math.prod(shape)
    factors, n, p = [], size, 2
    while n > 1:
        while n % p == 0:
            factors.append(p)
            n //= p
        p += 1
    groups = draw(st.integers(0, 3)) if factors else draw(st.integers(0, 2))
    dims = [1] * groups
    if factors and not dims:
        dims = [1]
    for f in factors:
        dims[draw(st.integers(0, len(dims) - 1))] *= f
    return tuple(dims)


def _squeezable(draw):
    base = list(draw(shapes(max_dims=2, min_side=sometimes_empty(draw))))
    for _ in range(draw(st.integers(1, 2))):
        base.insert(draw(st.integers(0, len(base))), 1)
    return tuple(base)


@st.composite
def squeeze_samples(draw):
    shape = _squeezable(draw)
    ones = [i - len(shape) for i, s in enumerate(shape) if s == 1]
    axis = tuple(sorted(draw(st.sets(st.sampled_from(ones), min_size=1))))
    seed = draw(SEEDS)
    return Sample((array(uniform(-2, 2)(rng_of(seed), shape)),), dict(axis=axis), (0,), seed)


@st.composite
def broadcast_to_samples(draw):
    b = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                               min_side=1, max_side=MAX_SIDE))
    seed = draw(SEEDS)
    x = array(uniform(-2, 2)(rng_of(seed), b.input_shapes[0]))
    return Sample((x,), dict(shape=b.result_shape), (0,), seed)


@st.composite
def clamp_params(draw):
    lo, hi = sorted(draw(st.integers(-4, 4)) * 0.5 for _ in range(2))
    which = draw(st.sampled_from(["both", "min", "max"]))
    return dict(min=None if which == "max" else lo, max=None if which == "min" else hi)


@st.composite
def astype_samples(draw):
    shape = draw(shapes())
    seed = draw(SEEDS)
    dtype = draw(st.sampled_from([F64, F32]))
    x = array(uniform(-2, 2)(rng_of(seed), shape))
    # a cast to float32 rounds: finite differences need a larger step
    options = dict(eps=1e-2, rtol=1e-4) if dtype == F32 else {}
    return Sample((x,), dict(dtype=dtype), (0,), seed, **options)


@st.composite
def along_one_axis(draw, maker=uniform(-2, 2), min_dims=1, params=lambda draw, shape: {}):
    """One argument of at least ``min_dims`` axes and a normalised ``axis``."""
    shape = draw(shapes(min_dims=min_dims, min_side=sometimes_empty(draw)))
    seed = draw(SEEDS)
    x = array(maker(rng_of(seed), shape))
    return Sample((x,), dict(axis=draw(st.integers(-len(shape), -1)), **params(draw, shape)),
                  (0,), seed)


def either_order(draw, shape):
    """The ``descending`` parameter of sorting."""
    return dict(descending=draw(st.booleans()))


# einsum: subscripts in NumPy's forms (implicit, explicit, '...', repeated letters,
# 0-d operands, three operands); each letter gets a size, '...' a shape that
# operands take a suffix of, some sides 1 (broadcasting).
EINSUM_SUBSCRIPTS = [
    "ij,jk->ik", "ij,jk", "i,i->", "i,i", "i,j->ij", "ii->", "ii", "ii->i", "iij->ji", "ij->",
    "ij->ji", "ba", "Ab,bA->A", "bA,Ac", "...ij,...jk->...ik", "...i,...i->...", "...ii->...i",
    "i...->...", "ijk,jil->kl", "ij,ij,ij->i", "i,ij,j->", ",ij->ij", "ij,jk,kl->il",
    "bij,bjk->bik", "a...,...->...", "...,...",
]


@st.composite
def einsum_samples(draw):
    subscripts = draw(st.sampled_from(EINSUM_SUBSCRIPTS))
    terms = subscripts.split("->")[0].split(",")
    letters = sorted(set(subscripts) - set(".,->"))
    sizes = {c: draw(st.integers(1, 3)) for c in letters}
    ellipsis = draw(shapes(max_dims=2))
    seed = draw(SEEDS)
    rng = rng_of(seed)
    args = []
    for term in terms:
        head, dots, tail = term.partition("...")
        middle = ellipsis[draw(st.integers(0, len(ellipsis))):] if dots else ()
        middle = tuple(1 if draw(st.booleans()) and draw(st.booleans()) else n for n in middle)
        shape = tuple(sizes[c] for c in head) + middle + tuple(sizes[c] for c in tail)
        args.append(array(rng.uniform(-2, 2, shape)))
    return Sample(tuple(args), dict(subscripts=subscripts), tuple(range(len(args))), seed)


def orthogonal(rng, batch, n):
    """Random orthogonal n x n matrices (QR of Gaussian ones, signs fixed)."""
    q, r = np.linalg.qr(rng.standard_normal(batch + (n, n)))
    return q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]


def from_spectrum(rng, batch, m, n, values):
    """U diag(values) Vᵀ with random orthogonal U (m x k) and V (n x k)."""
    k = min(m, n)
    u = orthogonal(rng, batch, m)[..., :k]
    v = orthogonal(rng, batch, n)[..., :k]
    return (u * values[..., None, :]) @ np.swapaxes(v, -1, -2)


def separated(rng, batch, k, low, gap):
    """k values per matrix from ``low`` up, at least ``gap`` apart, shuffled."""
    steps = low + gap * np.arange(k) + rng.uniform(0, gap / 4, batch + (k,))
    return rng.permuted(steps, axis=-1)


@st.composite
def matrices(draw, kind, tall=False):
    """A batch of matrices (0-2 leading axes): ``kind`` is "regular" (singular
    values in [0.6, 1.6], either sign of det), "spd" (eigenvalues 0.5 apart
    from 0.5 up), "symmetric" (eigenvalues 0.6 apart, either sign) or
    "spectral" (m x n, singular values 0.5 apart from 0.5 up); ``tall``: m >= n."""
    batch = draw(shapes(max_dims=2, max_side=2))
    n = draw(st.integers(1, 3))
    m = draw(st.integers(n if tall else 1, 4)) if kind == "spectral" else n
    seed = draw(SEEDS)
    rng = rng_of(seed)
    if kind == "regular":
        values = rng.uniform(0.6, 1.6, batch + (n,)) * rng.choice([-1.0, 1.0], batch + (n,))
    elif kind == "spd":
        values = separated(rng, batch, n, 0.5, 0.5)
    elif kind == "symmetric":
        values = separated(rng, batch, n, -1.0, 0.6)
    else:
        values = separated(rng, batch, min(m, n), 0.5, 0.5)
    if kind in ("spd", "symmetric"):
        q = orthogonal(rng, batch, n)
        return (q * values[..., None, :]) @ np.swapaxes(q, -1, -2), seed
    return from_spectrum(rng, batch, m, n, values), seed


def matrix_samples(kind, tall=False):
    return matrices(kind, tall).map(lambda made: Sample((made[0],), {}, (0,), made[1]))


@st.composite
def solve_samples(draw):
    """a regular (batch broadcasting with b's), b a vector or a batch of matrices."""
    a, seed = draw(matrices("regular"))
    n = a.shape[-1]
    rng = rng_of(seed + 1)
    if draw(st.booleans()):
        b_shape = (n,)
    else:
        a_batch = a.shape[:-2]
        suffix = a_batch[draw(st.integers(0, len(a_batch))):]
        batch = tuple(1 if draw(st.booleans()) else s for s in suffix)
        b_shape = draw(shapes(max_dims=1, max_side=2)) + batch + (n, draw(st.integers(1, 3)))
    return Sample((a, array(rng.uniform(-2, 2, b_shape))), {}, (0, 1), seed)


@st.composite
def axis_pair(draw, ndim):
    first = draw(st.integers(-ndim, -1))
    second = draw(st.integers(-ndim, -1).filter(lambda a: a != first))
    return first, second


@st.composite
def diagonal_samples(draw):
    shape = draw(shapes(min_dims=2, min_side=sometimes_empty(draw)))
    axis1, axis2 = draw(axis_pair(len(shape)))
    seed = draw(SEEDS)
    params = dict(offset=draw(st.integers(-3, 3)), axis1=axis1, axis2=axis2)
    return Sample((array(uniform(-2, 2)(rng_of(seed), shape)),), params, (0,), seed)


@st.composite
def diag_samples(draw):
    shape = draw(shapes(min_dims=1, max_dims=2))
    seed = draw(SEEDS)
    return Sample((array(uniform(-2, 2)(rng_of(seed), shape)),), dict(k=draw(st.integers(-2, 2))),
                  (0,), seed)


@st.composite
def take_samples(draw):
    shape = draw(shapes())
    axis = draw(st.one_of(st.none(), st.integers(-len(shape), -1))) if shape else None
    size = int(np.prod(shape, dtype=int)) if axis is None else shape[axis]
    seed = draw(SEEDS)
    rng = rng_of(seed)
    indices = rng.integers(-size, size, draw(shapes(max_dims=2)))
    return Sample((array(rng.uniform(-2, 2, shape)),), dict(indices=indices, axis=axis), (0,), seed)


@st.composite
def roll_samples(draw):
    shape = draw(shapes(min_side=sometimes_empty(draw)))
    if not shape or draw(st.booleans()):
        params = dict(shift=(draw(st.integers(-4, 4)),), axis=None)
    else:
        axis = tuple(draw(st.lists(st.integers(-len(shape), -1), min_size=1, max_size=3)))
        params = dict(shift=tuple(draw(st.integers(-4, 4)) for _ in axis), axis=axis)
    seed = draw(SEEDS)
    return Sample((array(uniform(-2, 2)(rng_of(seed), shape)),), params, (0,), seed)


@st.composite
def pad_samples(draw):
    shape = draw(shapes(min_side=sometimes_empty(draw)))
    pad_width = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in shape)
    seed = draw(SEEDS)
    params = dict(pad_width=pad_width, value=draw(st.sampled_from([0.0, 1.5])))
    return Sample((array(uniform(-2, 2)(rng_of(seed), shape)),), params, (0,), seed)


@st.composite
def tensordot_samples(draw):
    """Sizes to sum over (maybe none), placed among free axes of x and y in
    random orders; ``axes`` pairs them up."""
    summed = draw(shapes(max_dims=2))

    def operand():
        dims = draw(st.permutations([(None, n) for n in draw(shapes(max_dims=2))] +
                                    [(k, n) for k, n in enumerate(summed)]))
        places = {k: p - len(dims) for p, (k, _) in enumerate(dims) if k is not None}
        return tuple(n for _, n in dims), tuple(places[k] for k in range(len(summed)))

    (x_shape, x_axes), (y_shape, y_axes) = operand(), operand()
    seed = draw(SEEDS)
    rng = rng_of(seed)
    return Sample((array(rng.uniform(-2, 2, x_shape)), array(rng.uniform(-2, 2, y_shape))),
                  dict(axes=(x_axes, y_axes)), (0, 1), seed)


@st.composite
def inner_samples(draw):
    """Operands sharing their last side, or 0-d (one time in five each)."""
    k = draw(st.integers(1, 3))

    def operand_shape():
        return draw(shapes(max_dims=2)) + (k,) if draw(st.integers(0, 4)) else ()

    x_shape, y_shape = operand_shape(), operand_shape()
    seed = draw(SEEDS)
    rng = rng_of(seed)
    return Sample((array(rng.uniform(-2, 2, x_shape)), array(rng.uniform(-2, 2, y_shape))),
                  {}, (0, 1), seed)


@st.composite
def pair_samples(draw, same_size):
    """Two arguments of any shapes (``same_size``: as many entries each)."""
    x_shape = draw(shapes())
    y_shape = draw(st.permutations(x_shape)) if same_size else draw(shapes())
    seed = draw(SEEDS)
    rng = rng_of(seed)
    return Sample((array(rng.uniform(-2, 2, x_shape)), array(rng.uniform(-2, 2, tuple(y_shape)))),
                  {}, (0, 1), seed)


@st.composite
def matrix_norm_samples(draw):
    x, seed = draw(matrices("spectral"))
    if draw(st.booleans()):
        x = np.swapaxes(x, -1, -2)
    axis = draw(axis_pair(x.ndim))
    ord = draw(st.sampled_from(["fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf]))
    return Sample((x,), dict(ord=ord, axis=axis, keepdims=draw(st.booleans())), (0,), seed)


# -- references ---------------------------------------------------------------------

def ref_clamp(x, *, min, max):
    lo = -np.inf if min is None else min
    hi = np.inf if max is None else max
    return np.minimum(np.maximum(x, lo), hi)


def ref_scatter(g, *, shape, index):
    out = np.zeros(shape)
    np.add.at(out, index, g)
    return out


def ref_scatter_sum(*pieces, shape, indices):
    out = np.zeros(shape)
    for piece, index in zip(pieces, indices):
        np.add.at(out, index, piece)
    return out


def ref_index_put(x, v, *, index):
    out = np.array(x, dtype=np.result_type(x, v), copy=True)
    out[index] = v
    return out


def ref_scatter_along(g, *, indices, axis, shape):
    """Slow and plain: each picked entry adds to where it was picked from."""
    out = np.zeros(shape)
    axis = axis % len(shape)
    for pos in np.ndindex(*indices.shape):
        target = list(pos)
        target[axis] = indices[pos]
        out[tuple(target)] += g[pos]
    return out


def ref_gather(x, *, indices, axis):
    out = np.empty(indices.shape)
    axis = axis % x.ndim
    for pos in np.ndindex(*indices.shape):
        source = list(pos)
        source[axis] = indices[pos]
        out[pos] = x[tuple(source)]
    return out


def ref_matmul(x, y):
    """Batched matmul by einsum, 1-d operands promoted as NumPy and PyTorch do."""
    x2 = x[None, :] if x.ndim == 1 else x
    y2 = y[:, None] if y.ndim == 1 else y
    out = np.einsum("...ij,...jk->...ik", x2, y2)
    if y.ndim == 1:
        out = out[..., 0]
    if x.ndim == 1:
        out = out[..., 0] if y.ndim == 1 else out[..., 0, :]
    return out


def ref_cumprod(x, *, axis):
    """Products of growing prefixes, taken one by one."""
    moved = np.moveaxis(x, axis, -1)
    out = np.stack([np.prod(moved[..., :i + 1], axis=-1) for i in range(moved.shape[-1])], -1) \
        if moved.shape[-1] else moved
    return np.moveaxis(out, -1, axis)


def ref_sort(x, *, axis, descending):
    ascending = np.sort(x, axis)
    return np.flip(ascending, axis) if descending else ascending


def ref_argsort(x, *, axis, descending):
    order = np.argsort(x, axis=axis, kind="stable")
    return np.flip(order, axis) if descending else order


def ref_slogdet(x):
    sign, logabsdet = np.linalg.slogdet(x)
    return np.stack([sign, logabsdet], axis=-1)


def ref_eigh(x):
    w, v = np.linalg.eigh(x)
    return np.concatenate([w[..., None], np.swapaxes(v, -1, -2)], axis=-1)


def ref_svd(x):
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    return np.concatenate([np.swapaxes(u, -1, -2), s[..., None], vh], axis=-1)


def ref_qr(x):
    return np.concatenate(np.linalg.qr(x), axis=-2)


def ref_roll(x, *, shift, axis):
    return np.roll(x, shift[0] if axis is None else shift, axis)


def ref_tril(x, *, k):
    return x * (np.arange(x.shape[-1]) - np.arange(x.shape[-2])[:, None] <= k)


def ref_triu(x, *, k):
    return x * (np.arange(x.shape[-1]) - np.arange(x.shape[-2])[:, None] >= k)


def _reduce(fn):
    return lambda x, *, axis, keepdims: fn(x, axis=axis, keepdims=keepdims)


def _binary(fn):
    return lambda x, y: fn(x, y)


# -- the registry --------------------------------------------------------------------

R = uniform(-2, 2)

UNARY = {
    # name: (values, reference)
    "neg": (R, np.negative),
    "exp": (uniform(-2, 2), np.exp),
    "expm1": (uniform(-2, 2), np.expm1),
    "log": (uniform(0.2, 3), np.log),
    "log1p": (uniform(-0.8, 3), np.log1p),
    "sqrt": (uniform(0.2, 3), np.sqrt),
    "sin": (uniform(-3, 3), np.sin),
    "sinh": (uniform(-2, 2), np.sinh),
    "cosh": (uniform(-2, 2), np.cosh),
    "exp2": (uniform(-2, 2), np.exp2),
    "floor": (between_steps, np.floor),
    "ceil": (between_steps, np.ceil),
    "round": (between_steps, np.round),
    "trunc": (between_steps, np.trunc),
    "cos": (uniform(-3, 3), np.cos),
    "tan": (uniform(-1.2, 1.2), np.tan),
    "tanh": (uniform(-2, 2), np.tanh),
    "sigmoid": (uniform(-4, 4), lambda x: 1 / (1 + np.exp(-x))),
    "relu": (away_from_zero(0.1, 2), lambda x: np.where(x > 0, x, 0.0)),
    "abs": (away_from_zero(0.1, 2), np.abs),
    "clone": (R, np.copy),
    "arcsin": (uniform(-0.8, 0.8), np.arcsin),
    "arccos": (uniform(-0.8, 0.8), np.arccos),
    "arctan": (uniform(-3, 3), np.arctan),
    "arcsinh": (uniform(-3, 3), np.arcsinh),
    "arccosh": (uniform(1.2, 3), np.arccosh),
    "arctanh": (uniform(-0.8, 0.8), np.arctanh),
    "cbrt": (away_from_zero(0.2, 3), np.cbrt),
}

BINARY = {
    "add": ((R, R), np.add),
    "sub": ((R, R), np.subtract),
    "mul": ((R, R), np.multiply),
    "div": ((R, away_from_zero(0.5, 2)), np.divide),
    "maximum": ((off_lattice, on_lattice), np.maximum),
    "minimum": ((off_lattice, on_lattice), np.minimum),
    "arctan2": ((R, away_from_zero(0.3, 2)), np.arctan2),
    "hypot": ((R, away_from_zero(0.3, 2)), np.hypot),
    "logaddexp": ((R, R), np.logaddexp),
    "xlogy": ((R, uniform(0.3, 2)), lambda x, y: x * np.log(y)),
}

SPECS = {}
for _name, (_values, _ref) in UNARY.items():
    SPECS[_name] = Spec(elementwise((_values,)), _ref)
for _name, (_values, _ref) in BINARY.items():
    SPECS[_name] = Spec(elementwise(_values), _binary(_ref))

SPECS["pow"] = Spec(
    st.one_of(
        # the smooth region: positive base, any exponent, both differentiated
        elementwise((uniform(0.3, 2), uniform(-2, 2.5))),
        # any base (zeros and negatives) with integer exponents, d/dbase only
        elementwise((with_zeros(R), lambda rng, s: rng.integers(0, 4, s).astype(float)),
                    diff=(0,)),
        # base 0 with positive exponents, d/dexponent only: the 0 * log 0 limit
        elementwise((with_zeros(uniform(0.3, 2)), uniform(0.5, 3)), diff=(1,)),
    ),
    _binary(np.power))
SPECS["clamp"] = Spec(elementwise((off_lattice,), params=clamp_params()), ref_clamp)


def bounds_below(rng, shape):
    """Multiples of 1/2 less 0.1: never tied with off_lattice values or with
    bounds_above ones."""
    return on_lattice(rng, shape) - 0.1


def bounds_above(rng, shape):
    return on_lattice(rng, shape) + 0.1


SPECS["clamp_tensors"] = Spec(elementwise((off_lattice, bounds_below, bounds_above)),
                              lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi),
                              kinks=elementwise((on_lattice, on_lattice, on_lattice)))
SPECS["where"] = Spec(elementwise((booleans(), R, R), diff=(1, 2)), np.where)
SPECS["astype"] = Spec(astype_samples(), lambda x, *, dtype: np.asarray(x).astype(dtype))

for _name, _fn in [("sum", np.sum), ("mean", np.mean)]:
    SPECS[_name] = Spec(reduction(R, empty=_name == "sum"), _reduce(_fn))
SPECS["prod"] = Spec(reduction(with_zeros(uniform(-1.5, 1.5))), _reduce(np.prod))
SPECS["amax"] = Spec(reduction(distinct), _reduce(np.max))
SPECS["amin"] = Spec(reduction(distinct), _reduce(np.min))

SPECS["reshape"] = Spec(with_params(shapes(), lambda draw, s: dict(shape=_reshape_target(draw, s))),
                        lambda x, *, shape: np.reshape(x, shape))
SPECS["broadcast_to"] = Spec(broadcast_to_samples(), lambda x, *, shape: np.broadcast_to(x, shape))
SPECS["permute"] = Spec(
    with_params(lambda min_side: shapes(min_side=min_side),
                lambda draw, s: dict(axes=tuple(draw(st.permutations(range(len(s))))))),
    lambda x, *, axes: np.transpose(x, axes))
SPECS["transpose"] = Spec(
    with_params(lambda min_side: shapes(min_dims=1, min_side=min_side),
                lambda draw, s: dict(dim0=draw(st.integers(-len(s), -1)),
                                                         dim1=draw(st.integers(-len(s), -1)))),
    lambda x, *, dim0, dim1: np.swapaxes(x, dim0, dim1))
SPECS["squeeze"] = Spec(squeeze_samples(), lambda x, *, axis: np.squeeze(x, axis))
SPECS["unsqueeze"] = Spec(
    with_params(lambda min_side: shapes(min_side=min_side),
                lambda draw, s: dict(axis=draw(st.integers(-len(s) - 1, -1)))),
    lambda x, *, axis: np.expand_dims(x, axis))
SPECS["getitem"] = Spec(getitem_samples(), lambda x, *, index: x[index])
SPECS["scatter"] = Spec(scatter_samples(), ref_scatter)
SPECS["scatter_sum"] = Spec(scatter_sum_samples(), ref_scatter_sum)
SPECS["index_put"] = Spec(index_put_samples(), ref_index_put)
SPECS["gather"] = Spec(gather_samples(), ref_gather)
SPECS["scatter_along"] = Spec(scatter_along_samples(), ref_scatter_along)
SPECS["concatenate"] = Spec(concatenate_samples(), lambda *xs, axis: np.concatenate(xs, axis))
SPECS["stack"] = Spec(stack_samples(), lambda *xs, axis: np.stack(xs, axis))
SPECS["matmul"] = Spec(matmul_samples(), ref_matmul)
SPECS["dot"] = Spec(dot_samples(), lambda x, y: np.sum(x * y))

SPECS["cumsum"] = Spec(along_one_axis(), lambda x, *, axis: np.cumsum(x, axis))
SPECS["cumprod"] = Spec(along_one_axis(with_zeros(uniform(-1.5, 1.5))), ref_cumprod)
SPECS["einsum"] = Spec(einsum_samples(), lambda *xs, subscripts: np.einsum(subscripts, *xs))
SPECS["det"] = Spec(matrix_samples("regular"), np.linalg.det)
SPECS["slogdet_packed"] = Spec(matrix_samples("regular"), ref_slogdet)
SPECS["inv"] = Spec(matrix_samples("regular"), np.linalg.inv)
SPECS["solve"] = Spec(solve_samples(), np.linalg.solve)
SPECS["cholesky"] = Spec(matrix_samples("spd"), np.linalg.cholesky)
SPECS["eigh_packed"] = Spec(matrix_samples("symmetric"), ref_eigh)
SPECS["qr_packed"] = Spec(matrix_samples("spectral", tall=True), ref_qr)
SPECS["svd_packed"] = Spec(matrix_samples("spectral"), ref_svd)

# Operations composed from primitives (``dualrev.rules.X``) get the same checks.
COMPOSITES = ("diff", "trace", "diagonal", "diag", "tril", "triu", "sort", "take", "flip", "roll",
              "pad", "tensordot", "outer", "inner", "vdot", "matrix_norm")
SPECS["diff"] = Spec(along_one_axis(params=lambda draw, shape: dict(n=draw(st.integers(1, 2)))),
                     lambda x, *, n, axis: np.diff(x, n, axis))
SPECS["trace"] = Spec(diagonal_samples(), lambda x, **params: np.trace(x, **params))
SPECS["diagonal"] = Spec(diagonal_samples(), lambda x, **params: np.diagonal(x, **params))
SPECS["diag"] = Spec(diag_samples(), lambda x, *, k: np.diag(x, k))
for _name, _ref in [("tril", ref_tril), ("triu", ref_triu)]:
    SPECS[_name] = Spec(with_params(lambda min_side: shapes(min_dims=2, min_side=min_side),
                                    lambda draw, s: dict(k=draw(st.integers(-2, 2)))), _ref)
SPECS["sort"] = Spec(along_one_axis(distinct, params=either_order), ref_sort)
SPECS["take"] = Spec(take_samples(), lambda x, *, indices, axis: np.take(x, indices, axis))
SPECS["flip"] = Spec(with_params(shapes(), lambda draw, s: dict(axis=draw(reduction_axes(len(s))))),
                     lambda x, *, axis: np.flip(x, axis))
SPECS["roll"] = Spec(roll_samples(), ref_roll)
SPECS["pad"] = Spec(pad_samples(), lambda x, *, pad_width, value:
                    np.pad(x, pad_width, constant_values=value) if x.ndim else x)
SPECS["tensordot"] = Spec(tensordot_samples(), lambda x, y, *, axes: np.tensordot(x, y, axes))
SPECS["outer"] = Spec(pair_samples(same_size=False), np.outer)
SPECS["inner"] = Spec(inner_samples(), np.inner)
SPECS["vdot"] = Spec(pair_samples(same_size=True), np.vdot)
SPECS["matrix_norm"] = Spec(matrix_norm_samples(), lambda x, *, ord, axis, keepdims:
                            np.linalg.norm(x, ord, axis, keepdims))

# not differentiable
SPECS["sign"] = Spec(elementwise((away_from_zero(0.1, 2),)), np.sign,
                     kinks=elementwise((with_zeros(on_lattice),)))
for _name, _fn in [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less),
                   ("le", np.less_equal), ("gt", np.greater), ("ge", np.greater_equal)]:
    SPECS[_name] = Spec(elementwise((on_lattice, on_lattice)), _binary(_fn))
SPECS["logical_and"] = Spec(elementwise((booleans(), booleans())), _binary(np.logical_and))
SPECS["logical_or"] = Spec(elementwise((booleans(), booleans())), _binary(np.logical_or))
SPECS["logical_not"] = Spec(elementwise((booleans(),)), np.logical_not)
SPECS["logical_xor"] = Spec(elementwise((booleans(), booleans())), _binary(np.logical_xor))


def small_integers(rng, shape):
    return rng.integers(-20, 20, shape)


def shifts(rng, shape):
    return rng.integers(0, 8, shape)


for _name, _fn in [("bitwise_and", np.bitwise_and), ("bitwise_or", np.bitwise_or),
                   ("bitwise_xor", np.bitwise_xor)]:
    SPECS[_name] = Spec(elementwise((small_integers, small_integers)), _binary(_fn))
SPECS["left_shift"] = Spec(elementwise((small_integers, shifts)), _binary(np.left_shift))
SPECS["right_shift"] = Spec(elementwise((small_integers, shifts)), _binary(np.right_shift))
SPECS["bitwise_not"] = Spec(elementwise((small_integers,)), np.invert)
SPECS["stop_gradient"] = Spec(elementwise((R,)), lambda x: x)
SPECS["argmax"] = Spec(reduction(distinct, single_axis=True), _reduce(np.argmax))
SPECS["argmin"] = Spec(reduction(distinct, single_axis=True), _reduce(np.argmin))
SPECS["all"] = Spec(reduction(booleans(0.8), single_axis=True), _reduce(np.all))
SPECS["any"] = Spec(reduction(booleans(0.2), single_axis=True), _reduce(np.any))
SPECS["argsort"] = Spec(along_one_axis(distinct, params=either_order), ref_argsort)


# -- samples on kinks and ties --------------------------------------------------------

def ties(rng, shape):
    """Few distinct values (0 among them): ties everywhere."""
    return rng.integers(-1, 2, shape).astype(float)


SPECS["relu"].kinks = elementwise((ties,))
SPECS["abs"].kinks = elementwise((ties,))
SPECS["maximum"].kinks = elementwise((ties, ties))
SPECS["minimum"].kinks = elementwise((ties, ties))
SPECS["clamp"].kinks = elementwise((on_lattice,), params=clamp_params())
SPECS["amax"].kinks = reduction(ties)
SPECS["amin"].kinks = reduction(ties)
SPECS["prod"].kinks = reduction(ties)            # several zeros in one product
SPECS["sort"].kinks = along_one_axis(ties, params=either_order)  # any one permutation of ties


# -- special functions (dualrev.rules.special) ---------------------------------------------

def _scipy(name):
    """scipy.special's function (imported here: scipy is an optional extra)."""
    import scipy.special  # (here: only the special functions' references need it)
    return getattr(scipy.special, name)


def _orders(most):
    return st.integers(0, most).map(lambda n: dict(n=n))


for _name, _values in [("erf", R), ("erfc", R), ("erfinv", uniform(-0.9, 0.9)),
                       ("erfcx", uniform(-1.5, 3)), ("ndtr", uniform(-3, 3)),
                       ("log_ndtr", uniform(-6, 3)), ("ndtri", uniform(0.05, 0.95)),
                       ("gammaln", uniform(0.2, 4)), ("entr", uniform(0.2, 3))]:
    SPECS[_name] = Spec(elementwise((_values,)), lambda x, _f=_name: _scipy(_f)(x))
SPECS["polygamma"] = Spec(elementwise((uniform(0.3, 3),), params=_orders(3)),
                          lambda x, *, n: _scipy("polygamma")(n, x))
SPECS["bessel_i"] = Spec(elementwise((uniform(-3, 3),), params=_orders(3)),
                         lambda x, *, n: _scipy("iv")(n, x))
SPECS["bessel_ie"] = Spec(elementwise((away_from_zero(0.1, 3),), params=_orders(3)),
                          lambda x, *, n: _scipy("ive")(n, x),
                          kinks=elementwise((with_zeros(uniform(-3, 3)),), params=_orders(3)))
SPECS["xlog1py"] = Spec(elementwise((R, uniform(-0.7, 2))), lambda x, y: x * np.log1p(y))
COMPOSITES += ("sinc", "multigammaln")
SPECS["sinc"] = Spec(elementwise((with_zeros(uniform(-2.5, 2.5)),)), np.sinc)
SPECS["multigammaln"] = Spec(elementwise((uniform(1.2, 4),),
                                         params=st.integers(1, 3).map(lambda p: dict(p=p))),
                             lambda x, *, p: _scipy("multigammaln")(x, p) if x.ndim else
                             _scipy("multigammaln")(float(x), p))
