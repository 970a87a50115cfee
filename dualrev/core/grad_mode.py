"""Grad mode switches: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.
Each works as a context manager and as a decorator; the mode is per thread."""

import functools

from .levels import _set_grad_enabled, is_grad_enabled


class _GradModeSwitch:
    """Sets the grad mode on entry and puts the previous one back on exit."""

    _mode = None

    def __enter__(self):
        self._previous = is_grad_enabled()
        _set_grad_enabled(self._mode)
        return self

    def __exit__(self, *exc):
        _set_grad_enabled(self._previous)
        return False

    def __call__(self, fn):
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper


class _BareDecoratorSwitch(_GradModeSwitch):
    """A switch that also decorates without parentheses, as PyTorch's
    ``@torch.no_grad``: ``no_grad(fn)`` is ``no_grad()(fn)``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        if not callable(orig_func):
            raise TypeError(f"{cls.__name__}() takes no arguments; as a decorator it takes a "
                            f"function, got {type(orig_func).__name__}")
        return cls()(orig_func)


class no_grad(_BareDecoratorSwitch):
    """Operations inside record nothing: results do not require grad.

    A context manager, and a decorator with or without parentheses.

    Example:
        >>> import dualrev as dr
        >>> x = dr.tensor(1.0, requires_grad=True)
        >>> @dr.no_grad
        ... def double(t):
        ...     return t * 2
        >>> double(x).requires_grad
        False
    """
    _mode = False

    def __init__(self):  # (PyTorch's signature: no_grad() takes nothing)
        pass


class enable_grad(_BareDecoratorSwitch):
    """Operations inside are recorded again (inside a ``no_grad``).

    A context manager, and a decorator with or without parentheses
    (``@dr.enable_grad`` or ``@dr.enable_grad()``). On exit the previous grad
    mode comes back. The grad mode is per thread.

    Args:
        orig_func (callable | None): the function, when used as a decorator
            without parentheses (default None).

    Raises:
        TypeError: if given an argument that is not callable.

    Example:
        >>> import dualrev as dr
        >>> x = dr.tensor(1.0, requires_grad=True)
        >>> @dr.enable_grad
        ... def double(t):
        ...     return t * 2
        >>> with dr.no_grad():
        ...     double(x).requires_grad
        True
    """
    _mode = True

    def __init__(self, orig_func=None):  # the signature __new__ takes, for readers and the docs
        pass


class set_grad_enabled(_GradModeSwitch):
    """Switch the recording of operations on (True) or off (False).

    It takes effect at once, so it works as a plain call
    (``dr.set_grad_enabled(False)``); as a context manager it puts the previous
    mode back on exit, and as a decorator it sets the mode while the function
    runs. The grad mode is per thread.

    Args:
        mode (bool): record operations (True) or not (False).

    Raises:
        TypeError: if ``mode`` is not a bool.

    Example:
        >>> import dualrev as dr
        >>> x = dr.tensor(1.0, requires_grad=True)
        >>> with dr.set_grad_enabled(False):
        ...     (x * 2).requires_grad
        False
        >>> (x * 2).requires_grad
        True
    """

    def __init__(self, mode):
        if not isinstance(mode, (bool, int)):
            raise TypeError(f"set_grad_enabled(): argument 'mode' must be bool, not "
                            f"{type(mode).__name__}")
        self._previous = is_grad_enabled()
        self._mode = bool(mode)
        _set_grad_enabled(self._mode)

    def __enter__(self):
        return self

    def __call__(self, fn):
        _set_grad_enabled(self._previous)  # as a decorator it must not switch now
        return super().__call__(fn)


__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]
