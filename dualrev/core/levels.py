"""Levels of nested differentiation, and the thread-local grad mode.

Every box (a reverse-mode Tensor or a forward-mode Dual) carries a level. An
operation is handled by the box of the highest level among its arguments;
boxes of lower levels are constants to it. Each transform call takes a fresh
level from a counter that only grows, so a transform applied inside another
always sits above it, and a Dual built by hand around other boxes sits above
everything it contains.

Level 0 belongs to the ambient PyTorch-style tape: tensors made by
``dr.tensor(..., requires_grad=True)`` record there.
"""

import itertools
import threading

AMBIENT = 0

_counter = itertools.count(1)


def new_level() -> int:
    """A level above every level handed out so far."""
    return next(_counter)


class _GradMode(threading.local):
    enabled = True


grad_state = _GradMode()
_threads_without_grad = [0]  # while 0, every thread records: no thread-local lookup per op
_switch = threading.Lock()


def is_grad_enabled() -> bool:
    """Whether operations on tensors that require grad are recorded now.

    True unless inside ``dr.no_grad()`` or after ``dr.set_grad_enabled(False)``.
    The grad mode is per thread, as in PyTorch.

    Returns:
        bool: the grad mode of the calling thread.

    Example:
        >>> import dualrev as dr
        >>> dr.is_grad_enabled()
        True
        >>> with dr.no_grad():
        ...     dr.is_grad_enabled()
        False
    """
    return grad_state.enabled


def _set_grad_enabled(flag: bool) -> None:
    flag = bool(flag)
    with _switch:
        if flag != grad_state.enabled:
            _threads_without_grad[0] += -1 if flag else 1
        grad_state.enabled = flag
