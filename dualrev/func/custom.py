"""Functions with derivative rules of the user's: ``custom_jvp`` and
``custom_vjp``, as in JAX.

User code runs as often as in JAX: a call that nothing differentiates runs
the function once; forward mode runs the JVP rule once (never the function
besides); reverse mode runs ``fwd`` once when the function is called and
``bwd`` once per backward pass, or, for a ``custom_jvp`` function, its JVP
rule once, linearized: the rule runs with tangents that are leaves of a tape
of their own, and each backward pass sweeps that tape. (A backward pass
recorded with ``create_graph``, which JAX has no counterpart of, runs
``fwd`` once more.)

The rules are called on the inputs as the level being differentiated sees
them one level down (boxes of the levels below, which record), as JAX calls
them, so rules written in dualrev's operations are differentiable by every
enclosing transform, and a backward pass recorded with ``create_graph``
runs them again on this level's boxes: second and third derivatives of a
custom function are right. (PyTorch's ``autograd.Function`` loses them when
its backward saves constants.)

The missing mode is derived, not refused: the VJP of a ``custom_jvp``
function is the transpose of its JVP rule; the JVP of a ``custom_vjp``
function is forward mode through the function's own code.

``nondiff_argnums`` are taken as in JAX: the rules get those arguments
first (``jvp(*nondiff, primals, tangents)``, ``bwd(*nondiff, residuals,
g)``), and primals, tangents and cotangents are those of the other
arguments only. They carry no derivative (a tensor among them is a
constant to the rules).
"""

import functools

import numpy as np

from ..core.values import dtype_of, shape_of
from ..core.levels import new_level
from ..core.primitive import TABLE, Box, defprim, raw_value
from ..core.forward import fit_tangent
from ..batched import Batched
from ..core.levels import AMBIENT
from ..dual import Dual
from .vmap import vmap
from .. import shape_functions as S
from ..jet import Jet
from ..core.taylor import dense, fitted
from ..core.grad_mode import is_grad_enabled
from ..core.reverse import ReverseBox, computed_already, record_computed
from ..core.sweep import backward_pass
from .._tensor import Tensor, boxed
from .tree import flatten, unflatten


def _plain(value):
    """A result of the user's function, run on plain values, as a plain value."""
    while isinstance(value, Tensor) and not value.requires_grad:
        value = value._value
    if isinstance(value, Box):
        raise TypeError("a custom function returned a value that depends on a tensor that "
                        "requires grad; compute only from the function's arguments")
    return value


def _is_value(x):
    """A number, an array or a box: what can carry a derivative (a
    ``nondiff_argnums`` argument may be anything, a function say)."""
    return isinstance(x, (Box, np.ndarray, np.generic, float, int, list))


def _zeros_like(x, lead=()):
    """Zeros of x's shape (as its box shows it: one example's, under vmap);
    None for what is not a value."""
    if not _is_value(x):
        return None
    shape = tuple(shape_of(x))
    return np.zeros(lead + shape, dtype=dtype_of(raw_value(x))) if lead or shape else 0.0


def _name(fn):
    return getattr(fn, "__name__", "custom")


def _lower(value, level):
    """A box of ``level`` opened: its value one level down."""
    if isinstance(value, Box) and value._level == level:
        return value._inner()
    return value


def _below(value, level):
    """What the user's code returned from values below ``level``, as such a
    value: the tensors that dualrev's functions wrap results in (at this
    level or above, recording nothing) opened."""
    while isinstance(value, Tensor) and value._level >= level and not value.requires_grad:
        value = value._value
    return value


class _Custom:
    """What custom_jvp and custom_vjp share: the dispatch of a call by the
    level of its arguments, and the node that records a call in reverse
    mode (a primitive per function whose output is computed already, and
    whose VJP asks the call's record for its cotangents)."""

    def __init__(self, fn, nondiff_argnums=()):
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.nondiff_argnums = _checked_argnums(nondiff_argnums)
        self._node = defprim(f"custom:{_name(fn)}", computed_already, "*xs",
                             table=False, backward_name=f"{_name(fn)}Backward",
                             vjp=lambda g, i, *, call: call.cotangent(g, i))

    def __call__(self, *args):
        self._check_defined()
        return boxed(self._call(args))

    def _call(self, args):
        top = max((a for a in args if isinstance(a, Box)), key=lambda a: a._level, default=None)
        if top is None:
            return _plain(self.fn(*args))
        level = top._level
        if isinstance(top, Dual):
            return self._forward(args, level)
        if isinstance(top, Jet):
            return self._taylor(args, level)
        if isinstance(top, Batched):
            return self._batched(args, level)
        needed = [isinstance(a, ReverseBox) and a._level == level and a._edge() is not None
                  for a in args]
        if not any(needed) or not is_grad_enabled():  # nothing to differentiate at this level
            return type(top)._make(self._call([_lower(a, level) for a in args]), level)
        call = self._reverse(args, level, needed)
        call.last = max(i for i, n in enumerate(needed) if n)
        return record_computed(self._node, args, {"call": call}, call.value, level, type(top))

    def _batched(self, args, level):
        """vmap, as JAX batches a custom rule: a custom function of the same
        kind whose function and rules are vmapped, called on the examples'
        stacked values (so the user's rule, not the function's code, still
        gives its derivatives)."""
        in_dims = tuple(0 if isinstance(a, Batched) and a._level == level else None for a in args)
        stacked = [a.primal if d == 0 else a for a, d in zip(args, in_dims)]
        batched = type(self)(vmap(self.fn, in_dims=in_dims))
        self._batch_rules(batched, in_dims)
        return Batched._make(_stacked_values(batched._call(stacked)), level)

    def _split(self, values):
        """(the values at nondiff_argnums, the others), as tuples."""
        nondiff = self.nondiff_argnums
        for n in nondiff:
            if n >= len(values):
                raise TypeError(f"{_name(self.fn)}: nondiff_argnums {nondiff} out of range for a "
                                f"call with {len(values)} positional arguments")
        return (tuple(values[n] for n in nondiff),
                tuple(v for i, v in enumerate(values) if i not in nondiff))


def _checked_argnums(argnums):
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        argnums = (argnums,)
    if not isinstance(argnums, (tuple, list)) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in argnums):
        raise TypeError(f"nondiff_argnums must be a tuple of non-negative ints, got {argnums!r}")
    return tuple(sorted(set(argnums)))


def _stacked_values(value):
    """What vmap gave back for the examples: its tensors' values (plain
    ones, or the boxes of lower levels they hold)."""
    while isinstance(value, Tensor) and value._level == AMBIENT and not value.requires_grad:
        value = value._value
    return value


class _Call:
    """One call of a custom function in reverse mode: its output's value one
    level down, and the cotangents of its inputs, computed once per backward
    pass and shared by the rules of its inputs (let go after the last)."""

    __slots__ = ("value", "level", "pull", "last", "answer")

    def __init__(self, value, level, pull):
        self.value, self.level, self.pull = value, level, pull
        self.last = self.answer = None

    def cotangent(self, g, i):
        if self.answer is None or self.answer[0] is not g:
            recording = isinstance(g, ReverseBox) and g._level == self.level
            cotangents = self.pull(g, recording)
            self.answer = (g, [c if c is None or recording else _lower(c, self.level)
                               for c in cotangents])
        out = self.answer[1][i]
        if i == self.last:
            self.answer = None
        return out


class custom_jvp(_Custom):
    """A function with a forward-mode rule of its own.

    Args:
        fn: the function.
        nondiff_argnums: positions of arguments that are not differentiated
            (passed first to the rule, as in JAX).

    Example:
    >>> import dualrev as dr
    >>> @dr.custom_jvp
    ... def f(x):
    ...     return x ** 4
    >>> @f.defjvp
    ... def f_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return f(x), 4 * x ** 3 * t
    >>> dr.func.derivative(f, 3)(1.0)
    tensor(24.)
    """

    def __init__(self, fn, nondiff_argnums=()):
        super().__init__(fn, nondiff_argnums)
        self.jvp = None

    def defjvp(self, jvp):
        """Set the rule: ``jvp(primals, tangents) -> (output, output_tangent)``,
        written in dualrev operations (with ``nondiff_argnums``:
        ``jvp(*nondiff_args, primals, tangents)``, primals and tangents of the
        other arguments). Returns the rule (usable as a decorator)."""
        if self.nondiff_argnums:
            user = jvp

            def jvp(primals, tangents):  # the rule on all arguments, as the calls give them
                nondiff, diff = self._split(primals)
                return user(*nondiff, diff, self._split(tangents)[1])
            self.jvp = jvp
            return user
        self.jvp = jvp
        return jvp

    def defjvps(self, *jvps):
        """Set the rule by one function per argument, as JAX's ``defjvps``:
        ``jvps[i](tangent_i, ans, *primals)`` is argument i's contribution to
        the output's tangent (None: it contributes nothing); they are summed.

        Args:
            *jvps: one function or None per argument.

        Raises:
            TypeError: with ``nondiff_argnums``, as JAX.

        Example:
            >>> import dualrev as dr
            >>> @dr.custom_jvp
            ... def f(x, y):
            ...     return dr.sin(x) * y
            >>> f.defjvps(lambda x_dot, ans, x, y: dr.cos(x) * x_dot * y,
            ...           lambda y_dot, ans, x, y: dr.sin(x) * y_dot)
            >>> dr.func.grad(f, argnums=(0, 1))(0.0, 2.0)
            (tensor(2.), tensor(0.))
        """
        if self.nondiff_argnums:
            raise TypeError("Can't use ``defjvps`` with ``nondiff_argnums``.")

        def jvp(primals, tangents):
            ans = self(*primals)
            parts = [rule(t, ans, *primals) for rule, t in zip(jvps, tangents)
                     if rule is not None]
            if not parts:
                return ans, _zeros_like(ans)
            total = parts[0]
            for part in parts[1:]:
                total = total + part
            return ans, total
        self.jvp = jvp

    def _batch_rules(self, batched, in_dims):
        batched.defjvp(vmap(self.jvp, in_dims=(in_dims, in_dims)))

    def _check_defined(self):
        if self.jvp is None:
            raise TypeError(f"{_name(self.fn)}: define its rule with @{_name(self.fn)}.defjvp "
                            "before calling it")

    def _forward(self, args, level):
        """The rule, once, on the primals one level down and the tangents."""
        duals = [isinstance(a, Dual) and a._level == level for a in args]
        lead = next(shape_of(a.tangent)[:len(shape_of(a.tangent)) - len(a.shape)]
                    for a, d in zip(args, duals) if d)
        primals = tuple(a.primal if d else a for a, d in zip(args, duals))
        if not lead:
            tangents = tuple(a.tangent if d else _zeros_like(a) for a, d in zip(args, duals))
            out, tangent = self.jvp(primals, tangents)
        else:  # several directions (jacfwd): the rule, written for one, vmapped over them
            count = int(np.prod(lead, dtype=np.int64))
            tangents = tuple(S.reshape(a.tangent, (count,) + tuple(a.shape)) if d else None
                             for a, d in zip(args, duals))

            def rule(*ts):
                return self.jvp(primals, tuple(_zeros_like(a) if t is None else t
                                               for a, t in zip(args, ts)))
            outs, tangent = vmap(rule, in_dims=tuple(0 if d else None for d in duals))(*tangents)
            out = _stacked_values(outs)[0]
            tangent = S.reshape(tangent, lead + tuple(shape_of(out)))
        out, tangent = _below(out, level), _below(tangent, level)
        return Dual._make(out, fit_tangent(tangent, out), level)

    def _taylor(self, args, level):
        """Taylor mode through the rule, nested: y' = jvp(x, x'), so the
        output's series is the integral of the series of the rule's tangent,
        which Taylor mode gives one order lower, on the path x(t) and its
        derivative x'(t) as jets of a fresh level (and so through this same
        method again where the rule calls the function). Correct to any
        order, at more than O(K^2)."""
        jets = [isinstance(a, Jet) and a._level == level for a in args]
        order = len(next(a.series for a, j in zip(args, jets) if j))
        if order == 0:  # a jet of order 0 carries nothing more than its primal
            return self._call([_lower(a, level) for a in args])
        if args[jets.index(True)].lead:
            raise NotImplementedError(f"{_name(self.fn)}: the Laplacian (collapsed Taylor mode) "
                                      "does not go through a custom_jvp rule; use "
                                      "trace(dr.func.hessian(f)(x)) instead")
        inner = new_level()
        series = [dense((a.primal,) + a.series)[1:] if j else None for a, j in zip(args, jets)]
        path = tuple(Jet._make(a.primal, tuple(s[:-1]), inner) if j else a
                     for a, j, s in zip(args, jets, series))
        speed = tuple(Jet._make(s[0], tuple(c * float(k) for k, c in enumerate(s[1:], 2)), inner)
                      if j else _zeros_like(a) for a, j, s in zip(args, jets, series))
        out, tangent = self.jvp(path, speed)
        out, tangent = _lower(_below(out, inner), inner), _below(tangent, inner)
        coefficients = ((tangent.primal,) + tangent.series
                        if isinstance(tangent, Jet) and tangent._level == inner
                        else (tangent,) + (None,) * (order - 1))
        coefficients = tuple(fitted(None if c is None else c * (1.0 / k), out)
                             for k, c in enumerate(coefficients, 1))
        return out if all(c is None for c in coefficients) else Jet._make(out, coefficients, level)

    def _reverse(self, args, level, needed):
        """The rule, once, linearized, on the arguments one level down (as
        JAX runs it): its tangents are leaves of a tape of a fresh level
        above, which each backward pass sweeps (the rule is linear in them).
        A backward pass that is itself recorded (``create_graph``) needs
        the tape on the arguments as this level sees them: the rule runs
        again then."""
        out, linear = self._linearized([_lower(a, level) for a in args], needed)
        out = _below(out, level)

        def pull(g, recording):
            tape = self._linearized(args, needed)[1] if recording else linear
            return tape(g)
        return _Call(out, level, pull)

    def _linearized(self, args, needed):
        """The rule's output, and its tangent as a function of the output's
        cotangent: the input cotangents, by one sweep of the tangents' tape."""
        above = new_level()
        leaves = [Tensor._make(_zeros_like(a), above, requires_grad=True) if n else None
                  for a, n in zip(args, needed)]
        out, tangent = self.jvp(tuple(args), tuple(
            leaf if n else _zeros_like(a) for a, n, leaf in zip(args, needed, leaves)))

        def transposed(g):
            if not (isinstance(tangent, Tensor) and tangent._level == above
                    and tangent._edge() is not None):
                return [None] * len(args)  # the rule's tangent does not depend on the tangents
            got = iter(backward_pass([tangent._edge()], [g], box_type=Tensor, retain_graph=True,
                                     create_graph=False,
                                     capture=[leaf._edge() for leaf in leaves if leaf is not None]))
            return [next(got) if leaf is not None else None for leaf in leaves]
        return out, transposed


class custom_vjp(_Custom):
    """A function with a reverse-mode rule of its own.

    Args:
        fn: the function.
        nondiff_argnums: positions of arguments that are not differentiated:
            ``fwd`` takes every argument, ``bwd(*nondiff_args, residuals,
            g)`` returns cotangents of the others only (as in JAX).

    Example:
    >>> import dualrev as dr
    >>> @dr.custom_vjp
    ... def f(x):
    ...     return x ** 4
    >>> def f_fwd(x):
    ...     return f(x), x
    >>> def f_bwd(x, g):
    ...     return (4 * x ** 3 * g,)
    >>> f.defvjp(f_fwd, f_bwd)
    >>> dr.grad(dr.grad(dr.grad(f)))(1.0)
    tensor(24.)
    """

    def __init__(self, fn, nondiff_argnums=()):
        super().__init__(fn, nondiff_argnums)
        self.fwd = self.bwd = None

    def defvjp(self, fwd, bwd):
        """Set the rule: ``fwd(*args) -> (output, residuals)`` and
        ``bwd(residuals, cotangent) -> tuple of cotangents, one per argument``,
        both in dualrev operations (with ``nondiff_argnums``:
        ``bwd(*nondiff_args, residuals, cotangent)``, one cotangent per other
        argument)."""
        if not self.nondiff_argnums:
            self.fwd, self.bwd = fwd, bwd
            return
        user_fwd, user_bwd = fwd, bwd

        def fwd(*args):  # the residuals carry the nondiff arguments to bwd
            out, residuals = user_fwd(*args)
            return out, (self._split(args)[0], len(args), residuals)

        def bwd(residuals, g):
            nondiff, n_args, residuals = residuals
            diff = user_bwd(*nondiff, residuals, g)
            n_diff = n_args - len(nondiff)
            if not isinstance(diff, (tuple, list)) or len(diff) != n_diff:
                got = len(diff) if isinstance(diff, (tuple, list)) else type(diff).__name__
                raise TypeError(f"Custom VJP bwd rule of {_name(self.fn)} must produce a tuple of "
                                f"length equal to the primal args tuple, but got {got} and "
                                f"expected {n_diff}")
            diff = iter(diff)
            return tuple(None if i in self.nondiff_argnums else next(diff)
                         for i in range(n_args))
        self.fwd, self.bwd = fwd, bwd

    def _batch_rules(self, batched, in_dims):
        batched.defvjp(vmap(self.fwd, in_dims=in_dims), vmap(self.bwd, in_dims=(0, 0)))

    def _check_defined(self):
        if self.fwd is None:
            raise TypeError(f"{_name(self.fn)}: define its rules with {_name(self.fn)}.defvjp(fwd, "
                            "bwd) before calling it")

    def _forward(self, args, level):
        """Forward mode through the function's own code."""
        return self.fn(*args)

    _taylor = _forward  # Taylor mode too

    def _reverse(self, args, level, needed):
        """``fwd`` once, on the arguments one level down, as JAX gives it
        plain values (outer levels see its operations; NumPy code in it
        works); ``bwd`` once per backward pass. A backward pass that is
        itself recorded (``create_graph``) needs residuals that carry this
        level's derivatives too: then ``fwd`` runs again, on the arguments
        as this level sees them."""
        out, residuals = self.fwd(*[_lower(a, level) for a in args])
        out = _below(out, level)
        shapes = [tuple(shape_of(a)) if _is_value(a) else None for a in args]

        def pull(g, recording):
            again = self.fwd(*args)[1] if recording else residuals
            return _checked_cotangents(self.fn, self.bwd(again, g), shapes)
        return _Call(out, level, pull)


def _checked_cotangents(fn, cotangents, shapes):
    """``bwd``'s answer: one cotangent per argument, each of its argument's
    shape (JAX's checks and words)."""
    if not isinstance(cotangents, (tuple, list)) or len(cotangents) != len(shapes):
        got = len(cotangents) if isinstance(cotangents, (tuple, list)) else type(cotangents).__name__
        raise TypeError(f"Custom VJP bwd rule of {_name(fn)} must produce a tuple of length equal "
                        f"to the primal args tuple, but got {got} and expected {len(shapes)}")
    for i, (c, shape) in enumerate(zip(cotangents, shapes)):
        if c is not None and tuple(shape_of(c)) != shape:
            raise ValueError(f"Custom VJP bwd rule of {_name(fn)} must produce an output with the "
                             f"same shape as the args tuple of the primal function. At output[{i}], "
                             f"got shape {tuple(shape_of(c))} but expected {shape}")
    return list(cotangents)


def stop_gradient(x):
    """``x`` as a constant: its value, through which no derivative flows, in
    any mode (JAX's ``lax.stop_gradient``). Takes a pytree.

    Args:
        x: a tensor, or a pytree (tuple, list, dict) of them.

    Returns:
        The same structure, each tensor's value without derivatives.

    Example:
        >>> import dualrev as dr
        >>> dr.func.grad(lambda x: dr.func.stop_gradient(x) * x)(3.0)
        tensor(3.)
    """
    leaves, treedef = flatten(x)
    return unflatten(treedef, [boxed(TABLE.stop_gradient(leaf)) if isinstance(leaf, Box)
                               else boxed(TABLE.stop_gradient(raw_value(leaf)))
                               for leaf in leaves])
