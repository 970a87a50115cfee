"""Primitives: one record per operation, holding its NumPy implementation,
its JVP rule and its VJP rule side by side.

A rule names what it needs by its parameter names, and that is all it gets:

    defprim("sin", impl, jvp=lambda t, x: t * cos(x),
                         vjp=lambda g, x: g * cos(x))

The first parameter is the tangent (JVP) or the cotangent (VJP). The others
may be ``ans`` (the primal output), an argument name (its value), an argument
name with ``_shape`` (only its shape), and, for a variadic primitive, ``i``
(which argument). Keyword-only parameters receive the primitive's static
parameters (``axis``, ``keepdims``...). A rule for a primitive of several
arguments is a tuple with one rule per argument; ``None`` marks an argument
that is not differentiable. Because the rule says what it reads, the tape
saves exactly that and nothing else (a staged VJP), and knows which saved
tensors an in-place change would invalidate.

Rules are written in dualrev's own operations, so they are differentiable in
turn: reverse-over-reverse, forward-over-reverse and the rest fall out of the
same table.
"""

import inspect

import numpy as np

class _Table:
    """The primitives of the table by name, as attributes (``TABLE.astype``).
    The rules fill it. The core applies a few of them itself, to bring a
    tangent or a cotangent to its value's shape and dtype (reshape,
    broadcast_to, sum, astype, clone, scatter), and reaches them here by
    name: it imports nothing above it."""


TABLE = _Table()
NO_PARAMS = {}  # shared by calls without static parameters; never mutated


class Box:
    """A value that carries a level: the base of Tensor and Dual."""

    __slots__ = ("_level",)

    def _apply(self, prim, args, params):
        """Handle ``prim`` on ``args``, of which this box has the top level."""
        raise NotImplementedError

    def _apply1(self, prim):
        """``prim(self)`` for a primitive of one argument and no parameters."""
        return self._apply(prim, (self,), NO_PARAMS)

    def _apply2(self, prim, x, y):
        """``prim(x, y)`` for a primitive of two arguments and no parameters,
        of which this box has the top level."""
        return self._apply(prim, (x, y), NO_PARAMS)

    def _inner(self):
        """The value one level down (the primal, for a Dual)."""
        raise NotImplementedError


def bind1(prim, x):
    """``prim(x)`` for a primitive without static parameters: the short path
    of unary functions and operators."""
    if isinstance(x, Box):
        return x._apply1(prim)
    return prim.impl(x)


def bind2(prim, x, y):
    """``prim(x, y)`` without static parameters: the short path of the
    binary operators. The argument of the higher level handles it."""
    if isinstance(x, Box):
        if isinstance(y, Box) and y._level > x._level:
            return y._apply2(prim, x, y)
        return x._apply2(prim, x, y)
    if isinstance(y, Box):
        return y._apply2(prim, x, y)
    return prim.impl(x, y)


# What a primitive's ``on_floats`` function raises where NumPy gives inf or
# nan (``math.log(0.0)``, ``1.0 / 0.0``, ``math.exp(1000.0)``): the
# implementation then runs and gives NumPy's result.
FLOAT_ERRORS = (ValueError, ArithmeticError)


def identity(g):
    """The rule of an input whose tangent or cotangent passes unchanged (add,
    clone). The tape passes such a cotangent on without calling it."""
    return g


def check_operand(x):
    """Refuse a list or tuple that holds boxes: NumPy would turn it into an
    array of plain values and silently drop their derivatives."""
    if type(x) is list or type(x) is tuple:
        stack = list(x)
        while stack:
            item = stack.pop()
            if isinstance(item, Box):
                raise TypeError("a list or tuple of tensors is not a tensor: NumPy would read "
                                "their values and drop their derivatives. Make one tensor of "
                                "them first with dr.stack(...) or dr.cat(...).")
            if type(item) is list or type(item) is tuple:
                stack.extend(item)
    return x


def raw_value(x):
    """The plain NumPy value under any nesting of boxes, for decisions that
    depend on data (which branch of a rule to take), never for derivatives."""
    while isinstance(x, Box):
        x = x._inner()
    return x


def share_memory(a, b):
    """Whether the arrays under two values (boxes opened) may share memory:
    a view and its base, or an output that is an input."""
    a, b = raw_value(a), raw_value(b)
    return a is b or (type(a) is np.ndarray and type(b) is np.ndarray
                      and np.may_share_memory(a, b))


class _Rule:
    """A rule function with the names of what it reads, resolved once."""

    __slots__ = ("fn", "needs")

    def __init__(self, fn, prim, reads=None):
        self.fn = fn
        if reads is None:
            reads = _positional(fn)[1:]
        self.needs = tuple(prim._resolve(name) for name in reads)


def _positional(fn):
    return [p.name for p in inspect.signature(fn).parameters.values()
            if p.kind is p.POSITIONAL_OR_KEYWORD]


def _times_derivative(derivative, n_reads):
    """The JVP and VJP rule of an argument whose derivative (elementwise) is
    ``derivative``: the tangent or cotangent times it. The rule reads what
    the derivative reads. (One or two reads are spelled out: packing them in
    a tuple would cost scalar code 5% of a recorded op.)"""
    if n_reads == 1:
        return lambda g, a: g * derivative(a)
    if n_reads == 2:
        return lambda g, a, b: g * derivative(a, b)
    return lambda g, *reads: g * derivative(*reads)


class Primitive:
    """One operation of the table. Calling it dispatches to the box of the
    highest level among the arguments, or runs the NumPy implementation when
    there is no box."""

    __slots__ = ("name", "impl", "arg_names", "variadic", "jvp", "joint_jvp", "vjp", "linear",
                 "broadcasts", "backward_name", "view", "batch", "taylor", "sparsity", "vmap", "public",
                 "doc", "on_floats", "_plans")

    def __call__(self, *args, **params):
        top = None
        for a in args:
            if isinstance(a, Box) and (top is None or a._level > top._level):
                top = a
        if top is None:
            return self.impl(*args, **params)
        return top._apply(self, args, params)

    def __repr__(self):
        return f"<primitive {self.name}>"

    @property
    def differentiable(self):
        return self.vjp is not None

    def _resolve(self, name):
        """Map a rule parameter name to what the rule reads: ('ans',),
        ('value', i), ('shape', i), ('all', None), ('index', None)."""
        if name == "ans":
            return ("ans", None)
        if self.variadic:
            base = self.arg_names[0]
            if name == base:
                return ("all", None)
            if name == base + "_shape":
                return ("all_shapes", None)
            if name == "i":
                return ("index", None)
        for i, arg in enumerate(self.arg_names):
            if name == arg:
                return ("value", i)
            if name == arg + "_shape":
                return ("shape", i)
        raise TypeError(f"rule of primitive {self.name!r} asks for {name!r}, which is none of "
                        f"'ans', {', '.join(map(repr, self.arg_names))} or their '_shape'")

    def rule_for(self, rules, i):
        """The rule of argument i (a variadic primitive shares one rule)."""
        if rules is None:
            return None
        return rules[0] if self.variadic else rules[i]

    def vjp_plan(self, bits, n_args):
        """The plan of a node whose inputs with a set bit in ``bits`` need a
        cotangent. Cached per pattern."""
        key = bits if not self.variadic else (bits, n_args)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = VjpPlan(self, bits, n_args)
        return plan


class VjpPlan:
    """What a node of one primitive saves and runs, for one pattern of which
    inputs need a cotangent.

    needs: what to save, once each (see Primitive._resolve), in this order:
      a node's ``saved`` is a tuple of these.
    rules: per input, (rule function, what it reads, the one position it
      reads) or None for no cotangent. What it reads is a tuple of positions
      in ``saved``: an int, -1 for the input's index, or a tuple of ints for
      all inputs' values; the one position is None unless it reads exactly
      one saved value.
    simple: every rule reads nothing or exactly one saved value, so a node
      without parameters or casts runs its rules by the short path.
    mask: per input, whether it gets a cotangent.
    records: some input gets a cotangent.
    saved_args: when every saved value is an input's value, the inputs'
      indices in saving order (else None). Recording then saves the
      arguments as they are, with no shapes or outputs to work out.
    saves_values: something saved is a value, not only shapes (freeing the
      node after a backward pass then matters, and a second pass raises).
    drops_edges: an input that requires grad gets no cotangent (its rule is
      None), so its edge must not be recorded.
    scalar: a node of this plan may take the short path of scalar code
      (``reverse._scalar_node``): it records, saves nothing but inputs, and
      drops no edge.
    keeps: which inputs a node saves, as bits (1: the first, 2: the
      second), when ``scalar``.
    """

    __slots__ = ("prim", "needs", "rules", "mask", "records", "simple", "saved_args",
                 "saves_values", "drops_edges", "scalar", "keeps")

    def __init__(self, prim, bits, n_args):
        given = [prim.rule_for(prim.vjp, i) if bits >> i & 1 else None for i in range(n_args)]
        needs = sorted({need for rule in given if rule is not None for need in _reads(rule, n_args)},
                       key=_saving_order)
        rules = []
        for rule in given:
            if rule is None:
                rules.append(None)
                continue
            positions = []
            for need in rule.needs:
                if need[0] == "index":
                    positions.append(-1)
                elif need[0] == "all":
                    positions.append(tuple(needs.index(("value", k)) for k in range(n_args)))
                else:
                    positions.append(needs.index(need))
            single = positions[0] if len(positions) == 1 and type(positions[0]) is int \
                and positions[0] >= 0 else None
            rules.append((rule.fn, tuple(positions), single))
        self.prim = prim
        self.needs = tuple(needs)
        self.rules = tuple(rules)
        self.mask = tuple(rule is not None for rule in given)
        self.records = any(self.mask)
        self.simple = all(rule is None or not rule[1] or rule[2] is not None for rule in rules)
        self.saves_values = any(kind in ("value", "ans") for kind, _ in needs)
        only_values = all(kind == "value" for kind, _ in needs)
        self.saved_args = tuple(i for _, i in needs) if only_values else None
        self.drops_edges = any(bits >> i & 1 and not m for i, m in enumerate(self.mask))
        self.scalar = self.records and self.saved_args is not None and not self.drops_edges
        self.keeps = sum(1 << i for i in self.saved_args or ())


def _reads(rule, n_args):
    """What a rule reads that must be saved."""
    for need in rule.needs:
        if need[0] == "all":
            yield from (("value", k) for k in range(n_args))
        elif need[0] != "index":
            yield need


def _saving_order(need):
    """Inputs' values first, in argument order (so that a node saving every
    input keeps the call's own arguments), then the rest."""
    kind, i = need
    return (kind != "value", kind, -1 if i is None else i)


class _UnaryPrimitive(Primitive):
    """A primitive of one argument and no static parameters: the calls that
    rules make most, dispatched without a loop or a keyword dict."""

    __slots__ = ()

    def __call__(self, x):
        if type(x) is float:
            fast = self.on_floats
            if fast is not None:  # (no Python call in between)
                try:
                    return fast(x)
                except FLOAT_ERRORS:
                    pass
            return self.impl(x)
        if isinstance(x, Box):
            return x._apply1(self)
        return self.impl(x)


class _BinaryPrimitive(Primitive):
    """A primitive of two arguments and no static parameters."""

    __slots__ = ()

    def __call__(self, x, y):
        return bind2(self, x, y)


def _takes_params(impl):
    """Whether an implementation has keyword-only (static) parameters;
    NumPy's ufuncs, which cannot be inspected, have none."""
    try:
        parameters = inspect.signature(impl).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind is p.KEYWORD_ONLY for p in parameters)


def _as_rules(prim, rules, reads=None):
    """The rules as _Rule records, one per argument; ``reads`` gives what
    each reads where the functions' signatures cannot say (rules made from
    a ``derivative``)."""
    if rules is None:
        return None
    if callable(rules):
        rules = (rules,)
    if not prim.variadic and len(rules) != len(prim.arg_names):
        raise TypeError(f"primitive {prim.name!r} has {len(prim.arg_names)} arguments "
                        f"but {len(rules)} rules")
    reads = reads or (None,) * len(rules)
    return tuple(None if r is None else _Rule(r, prim, n) for r, n in zip(rules, reads))


def defprim(name, impl, args="x", *, jvp=None, vjp=None, derivative=None, joint_jvp=None,
            linear=False, broadcasts=False, backward_name=None, view=False, batch=None,
            taylor=None, sparsity=None, vmap=None, public=None, doc=None, table=True):
    """Define a primitive and add it to the table (``table=False``: a
    primitive of the user's, kept out of the table).

    impl: the implementation on NumPy values. One that has an ``on_floats``
      attribute (a C function such as ``math.sin`` or ``operator.add``, that
      gives a float for floats) is spared on Python floats, the values of scalar code: the function is
      called directly, and the implementation only where it raises (see
      ``FLOAT_ERRORS``).
    args: the argument names, space separated; a leading ``*`` makes the
      primitive variadic (``"*xs"``: any number of arguments, one shared rule).
    jvp, vjp: a rule or a tuple of rules, one per argument (see module doc).
    derivative: for an elementwise primitive whose JVP and VJP both multiply
      by the derivative, that derivative (one per argument, a tuple for
      several), given once in place of ``jvp`` and ``vjp``: ``lambda x:
      cos(x)`` for sin. It reads what a rule reads (``x``, ``ans``...).
    joint_jvp: the JVP of all arguments at once, ``joint_jvp(tangents,
      primals, **params)``, None in ``tangents`` for an argument without
      one; given in place of ``jvp`` where one contribution per argument,
      summed, would cost more (scatter_sum: one array, not one per piece).
    linear: the primitive is linear in its first argument and its other
      arguments are not differentiable; its JVP is the primitive itself
      applied to the tangent, so no JVP rule is given.
    broadcasts: the arguments broadcast against each other (elementwise
      ops); the tape then sums cotangents back to each argument's shape, and
      rules are written as if shapes were equal.
    backward_name: the node name PyTorch uses (``MulBackward0``); by default
      the capitalised primitive name followed by ``Backward0``.
    view: the output shares memory with the first argument (an in-place
      change of either is seen by the other).
    taylor: how Taylor mode (``core.taylor``) computes the coefficients of
      the output of a primitive that is not ``linear``: ``LOCALLY_LINEAR``
      (its JVP applied to each coefficient: maps linear in the inputs near
      the point, selections, piecewise linear functions), ``MULTILINEAR``
      (linear in each input: Cauchy products), or a rule ``taylor(ans, *xs,
      **params)`` that gets each argument's coefficients ``(x_0, ..., x_K)``
      (None above order 0 for a constant) and returns the output's
      ``(y_1, ..., y_K)``, None for a zero one.
    sparsity: which input elements each output element reads, for sparsity
      detection (``core.sparsity``): ``ELEMENTWISE`` (the default of
      broadcasting and public primitives), ``MOVES``, ``REDUCES``,
      ``PREFIX``, ``BLOCKS`` or a function giving the pairs.
    vmap: how ``vmap`` (``core.batching``) batches the primitive where its
      other fields do not say (elementwise, linear with ``batch``, reductions
      and matrix functions need nothing): ``TRAILING`` (axes counted from
      the end), ``JOINTLY_LINEAR`` or ``MULTILINEAR`` (batched as a JVP), or
      a rule ``vmap(values, batched, size, **params)`` giving the stacked
      result.
    public: the names under which the PyTorch-style surface exposes the
      primitive as it is, space separated, the first PyTorch's (``"asin
      arcsin"``): ``dr.X``, Tensor and Dual methods, Tensor's in-place
      ``X_``, and NumPy's ufunc of one of these names. An elementwise
      primitive needs nothing more to be part of the surface.
    doc: the docstring of its public function, where the record says more
      than "elementwise X" (what it does at ties, its domain...).
    batch: for a linear primitive whose static parameters name axes or
      shapes, ``batch(t, x_shape, lead, **params) -> (t, params[, finish])``
      adapts the tangent and the parameters to a tangent with leading batch
      axes ``lead`` in front of the argument's shape ``x_shape``; ``finish``,
      if returned, is applied to the result.
    """
    names = args.split()
    variadic = bool(names) and names[0].startswith("*")
    arity = None if variadic else len(names)
    kind = Primitive if _takes_params(impl) else {1: _UnaryPrimitive, 2: _BinaryPrimitive}.get(
        arity, Primitive)
    prim = kind()
    prim.name = name
    prim.impl = impl
    prim.on_floats = getattr(impl, "on_floats", None)
    prim.variadic = variadic
    prim.arg_names = tuple(n.lstrip("*") for n in names)
    prim.linear = linear
    prim.broadcasts = broadcasts
    prim.view = view
    prim.batch = batch
    prim.taylor = taylor
    prim.vmap = vmap
    prim.sparsity = sparsity if sparsity is not None else (
        "elementwise" if broadcasts or public else None)
    prim.backward_name = backward_name or (
        "".join(part.capitalize() for part in name.split("_")) + "Backward0")
    prim.public = tuple(public.split()) if public else ()
    prim.doc = doc
    prim._plans = {}
    if derivative is not None:
        if jvp is not None or vjp is not None:
            raise TypeError(f"primitive {name!r} gives a derivative: its jvp and vjp follow from it")
        if _takes_params(impl):
            raise TypeError(f"primitive {name!r} has static parameters: give jvp and vjp rules, "
                            "which receive them, not a derivative")
        derivatives = derivative if isinstance(derivative, tuple) else (derivative,)
        reads = tuple(_positional(d) for d in derivatives)
        jvp = vjp = tuple(_times_derivative(d, len(r)) for d, r in zip(derivatives, reads))
    else:
        reads = None
    prim.jvp = _as_rules(prim, jvp, reads)
    prim.joint_jvp = joint_jvp
    prim.vjp = _as_rules(prim, vjp, reads)
    if linear and jvp is not None:
        raise TypeError(f"primitive {name!r} is declared linear: its JVP is itself, give no jvp rule")
    if table:
        if name in vars(TABLE):
            raise ValueError(f"primitive {name!r} is defined twice")
        setattr(TABLE, name, prim)
    return prim


def primitives():
    """All primitives of the table, by name."""
    return dict(vars(TABLE))

