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


class no_grad(_GradModeSwitch):
    """Operations inside record nothing: results do not require grad."""
    _mode = False


class enable_grad(_GradModeSwitch):
    """Operations inside are recorded again (inside a ``no_grad``)."""
    _mode = True


class set_grad_enabled(_GradModeSwitch):
    """Switch recording on or off; takes effect at once, so it also works
    as a plain call: ``dr.set_grad_enabled(False)``."""

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
