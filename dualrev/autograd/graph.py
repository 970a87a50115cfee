"""PyTorch's ``torch.autograd.graph``: hooks on what the graph saves.

``saved_tensors_hooks(pack_hook, unpack_hook)`` hands every tensor a node
saves, while it is active, to ``pack_hook``, and keeps what it returns
instead; the backward pass calls ``unpack_hook`` on that to get the tensor
back (and so does reading ``grad_fn._saved_<name>``). As in PyTorch, the
hooks are per thread, the innermost pair applies, and no version check is
made on a value the hooks own.
"""

from ..core.graph import set_saved_box_type
from ..core.reverse import pop_saved_hooks, push_saved_hooks, saved_hooks
from .._tensor import Tensor

set_saved_box_type(Tensor)  # grad_fn._saved_<name> shows tensors


class saved_tensors_hooks:
    """Context manager: pack what nodes save with ``pack_hook`` and unpack
    it at backward with ``unpack_hook``.

    Args:
        pack_hook: called with each tensor a node saves (an input, or the
            output), at the time it is saved; what it returns is kept.
        unpack_hook: called with what ``pack_hook`` returned, when the
            backward pass (or ``grad_fn._saved_<name>``) needs the tensor;
            returns a tensor of the same value.

    Raises:
        RuntimeError: on entry inside ``disable_saved_tensors_hooks``.

    Example:
        >>> import dualrev as dr
        >>> packed = []
        >>> def pack(t):
        ...     packed.append(t)
        ...     return t.detach().numpy()
        >>> x = dr.tensor([1.0, 2.0], requires_grad=True)
        >>> with dr.autograd.graph.saved_tensors_hooks(pack, dr.from_numpy):
        ...     y = (x * x).sum()
        >>> len(packed)
        2
        >>> y.backward()
        >>> x.grad
        tensor([2., 4.])
    """

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        push_saved_hooks(self.pack_hook, self.unpack_hook)
        return self

    def __exit__(self, *exc):
        pop_saved_hooks()
        return False


class save_on_cpu(saved_tensors_hooks):
    """PyTorch's hooks that move saved tensors to the CPU: every tensor
    here lives there already, so they keep the tensor as it is.

    Args:
        pin_memory: accepted, as PyTorch; nothing to pin.
        device_type: accepted, as PyTorch.

    Example:
        >>> import dualrev as dr
        >>> x = dr.tensor(2.0, requires_grad=True)
        >>> with dr.autograd.graph.save_on_cpu():
        ...     y = x ** 3
        >>> y.backward(); x.grad
        tensor(12.)
    """

    def __init__(self, pin_memory=False, device_type="cuda"):
        super().__init__(lambda t: t, lambda t: t)


class disable_saved_tensors_hooks:
    """Context manager in which saved-tensor hooks may not be set: entering
    ``saved_tensors_hooks`` inside raises, and so does entering this while
    hooks are set (as in PyTorch).

    Args:
        error_message: the message of the RuntimeError raised by an attempt
            to set hooks inside.

    Raises:
        RuntimeError: on entry while this thread has hooks set.

    Example:
        >>> import dualrev as dr
        >>> with dr.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
        ...     try:
        ...         dr.autograd.graph.saved_tensors_hooks(id, id).__enter__()
        ...     except RuntimeError as e:
        ...         print(e)
        no hooks here
    """

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        if saved_hooks.stack:
            raise RuntimeError(self.error_message)
        self._previous = saved_hooks.disabled
        saved_hooks.disabled = self.error_message
        return self

    def __exit__(self, *exc):
        saved_hooks.disabled = self._previous
        return False


__all__ = ["saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks"]


def __dir__():
    return __all__
