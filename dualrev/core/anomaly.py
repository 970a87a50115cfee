"""PyTorch's anomaly mode: ``detect_anomaly``, ``set_detect_anomaly``.

While the mode is on, every node recorded keeps the traceback of the
forward call that made it (in its ``extra``, so that the backward sweep
runs it by its general path), and an error raised while a node runs in
the backward sweep comes with a warning that shows that traceback. With
``check_nan`` (the default), the sweep runs every node by its general path
and raises when one returns nan in a gradient (PyTorch's check); forward
mode raises when an operation's JVP makes a tangent with nan out of
tangents without.

The mode is one switch for the whole process, as PyTorch's. Off, it costs
nothing per operation but the read of one flag where a node is recorded,
and of one per backward pass.
"""

import functools
import os
import sys
import traceback
import warnings

import numpy as np

from .cotangents import Pieces
from .primitive import Box, raw_value

ENABLED = [False]       # the mode is on (a list, read where nodes are recorded)
CHECKING_NAN = [False]  # on, and checking for nan
_check_nan = [True]     # the check_nan setting, kept while the mode is off (as PyTorch)
_batching = [0]         # reverse sweeps running on a batch of cotangents (see batched_sweep)

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # dualrev/

ENABLED_WARNING = ("Anomaly Detection has been enabled. This mode will increase the runtime and "
                   "should only be enabled for debugging.")


def is_anomaly_enabled() -> bool:
    """Whether anomaly mode is on (see ``dualrev.autograd.detect_anomaly``).

    Returns:
        bool: True inside ``detect_anomaly`` or after ``set_detect_anomaly(True)``.

    Example:
        >>> import dualrev as dr
        >>> dr.is_anomaly_enabled()
        False
        >>> with dr.autograd.set_detect_anomaly(True):
        ...     dr.is_anomaly_enabled()
        True
    """
    return ENABLED[0]


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly mode checks gradients for nan: its ``check_nan`` setting.

    True by default; the setting is kept while the mode is off, as in PyTorch.

    Returns:
        bool: the ``check_nan`` setting.

    Example:
        >>> import dualrev as dr
        >>> dr.is_anomaly_check_nan_enabled()
        True
        >>> with dr.autograd.set_detect_anomaly(True, check_nan=False):
        ...     dr.is_anomaly_check_nan_enabled()
        False
    """
    return _check_nan[0]


def _set(mode, check_nan):
    ENABLED[0] = bool(mode)
    _check_nan[0] = bool(check_nan)
    CHECKING_NAN[0] = ENABLED[0] and _check_nan[0]


class detect_anomaly:
    """Anomaly mode inside: a context manager, and a decorator
    (``@detect_anomaly()``).

    Operations recorded inside keep the traceback of their forward call: an
    error raised while their node runs in the backward pass comes with a
    warning that shows where the node was made. With ``check_nan`` (the
    default), a backward function that returns nan is an error,
    ``RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th
    output.`` (output i being the gradient of the operation's input i), and
    so is, in forward mode (``dualrev.func.jvp``, ``jacfwd``, ``Dual``), an
    operation whose tangent has nan where the tangents it got had none.

    For debugging only: it slows every operation down. As in PyTorch,
    making one warns so (a ``UserWarning``).

    Args:
        check_nan (bool): raise where a gradient or tangent turns nan (default True).

    Example:
        >>> import dualrev as dr
        >>> x = dr.tensor(-1.0, requires_grad=True)
        >>> with dr.autograd.detect_anomaly():
        ...     dr.sqrt(x).backward()
        Traceback (most recent call last):
        RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output.
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self._previous = []
        warnings.warn(ENABLED_WARNING, UserWarning, stacklevel=2)

    def __enter__(self):
        self._previous.append((ENABLED[0], _check_nan[0]))
        _set(True, self.check_nan)

    def __exit__(self, *exc):
        _set(*self._previous.pop())
        return False

    def __call__(self, fn):
        check_nan = self.check_nan

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_detect_anomaly(True, check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Switch anomaly mode on or off (see ``detect_anomaly``), with its
    ``check_nan`` setting.

    It takes effect at once, so it works as a plain call,
    ``set_detect_anomaly(True)``; as a context manager it puts the previous
    mode back on exit. Unlike ``detect_anomaly`` it does not warn.

    Args:
        mode (bool): anomaly mode on (True) or off (False).
        check_nan (bool): raise where a gradient or tangent turns nan (default True).

    Raises:
        TypeError: if ``mode`` or ``check_nan`` is not a bool.

    Example:
        >>> import dualrev as dr
        >>> with dr.autograd.set_detect_anomaly(True):
        ...     dr.is_anomaly_enabled()
        True
        >>> dr.is_anomaly_enabled()
        False
    """

    def __init__(self, mode, check_nan=True):
        for name, flag in (("mode", mode), ("check_nan", check_nan)):
            if not isinstance(flag, (bool, np.bool_)):
                raise TypeError(f"set_detect_anomaly(): argument '{name}' must be bool, not "
                                f"{type(flag).__name__}")
        self._previous = (ENABLED[0], _check_nan[0])
        _set(bool(mode), bool(check_nan))

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _set(*self._previous)
        return False


# -- what the recording and the sweeps call ----------------------------------------

def forward_trace():
    """The traceback of the current forward call, up to where it entered
    dualrev (the frames inside dualrev left out). Source lines are read
    when it is printed."""
    stack = traceback.StackSummary.extract(traceback.walk_stack(sys._getframe(1)),
                                           lookup_lines=False)
    stack.reverse()
    while stack and stack[-1].filename.startswith(_PACKAGE):
        stack.pop()
    return stack


def note_forward(node):
    """Called as ``node`` is recorded while the mode is on: it keeps where
    it was made (setting its ``extra``, so the sweep runs it by the general
    path)."""
    node.trace = forward_trace()


def deferred():
    """What a deferred tangent made while the mode is on keeps (see
    ``forward._Deferred``): where it was made, and whether to check it."""
    return forward_trace(), _check_nan[0]


def computed(deferred, tangents, tangent_of):
    """The tangent of ``deferred`` (made while the mode was on), by
    ``tangent_of`` from ``tangents``, checked for a new nan if it was to
    be; an error warns of where its operation was called."""
    trace, check_nan = deferred.anomaly
    try:
        tangent = tangent_of(deferred.prim, deferred.ans, deferred.primals, tangents,
                             deferred.params)
        if check_nan and tangent is not None:
            check_tangent(deferred.prim, tangent, tangents)
        return tangent
    except Exception:
        report(deferred.prim.name, trace)
        raise


def report(name, trace):
    """Warn, as PyTorch does when an error is raised while a node runs, of
    where the node named ``name`` was recorded (``trace``, None if it was
    recorded while the mode was off)."""
    if trace is None:
        message = (f"Error detected in {name}. No forward pass information available. "
                   "Enable detect anomaly during forward pass for more information.")
    else:
        message = (f"Error detected in {name}. Traceback of forward call that caused the "
                   f"error:\n{''.join(traceback.format_list(trace)).rstrip()}")
    warnings.warn(message, UserWarning, stacklevel=_outside_dualrev())


def report_node(node):
    """``report`` for a node of the backward sweep (an accumulator of a leaf
    has no traceback)."""
    report(node.name(), getattr(node.extra, "trace", None))


def _outside_dualrev():
    """The ``stacklevel`` of the innermost caller outside dualrev (for
    ``warnings.warn`` called by our caller)."""
    level, frame = 2, sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        level, frame = level + 1, frame.f_back
    return level


class batched_sweep:
    """Around a reverse sweep whose cotangents are Duals batching several
    cotangents (``func.jacrev``): their tangents are gradients, not forward
    mode's. Inside, forward mode checks nothing, and a node's outputs are
    checked tangents and all."""

    def __enter__(self):
        _batching[0] += 1

    def __exit__(self, *exc):
        _batching[0] -= 1
        return False


def check_outputs(node, grads):
    """Raise PyTorch's error if a gradient that ``node`` returned (one per
    input) has nan."""
    every = _batching[0] > 0
    for i, g in enumerate(grads):
        if g is not None and has_nan(g, every):
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                               "output.")


def check_tangent(prim, tangent, tangents):
    """Raise if the tangent that ``prim``'s JVP made has nan while the
    tangents it was given (``tangents``, None for none) had none."""
    if _batching[0]:  # a batch of gradients: the sweep checks them (check_outputs)
        return
    if has_nan(tangent) and not any(t is not None and has_nan(t) for t in tangents):
        raise RuntimeError(f"Function '{prim.name}' returned nan values in its tangent "
                           "(the tangents of its inputs had none).")


def has_nan(value, every=False):
    """Whether a value has a nan: for a box, the value under it, or with
    ``every`` the tangents of Duals too."""
    if type(value) is Pieces:  # a cotangent in pieces, not written out
        return any(has_nan(v, every) for v in value.values)
    if every:
        while isinstance(value, Box) and not hasattr(value, "tangent"):
            value = value._inner()
        if isinstance(value, Box):  # a Dual
            return has_nan(value.primal, every) or has_nan(value.tangent, every)
    value = raw_value(value)
    if type(value) is float:
        return value != value
    value = np.asarray(value)
    return value.dtype.kind in "fc" and bool(np.isnan(value).any())
