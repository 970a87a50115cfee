"""``dualrev.cuda``: what ``torch.cuda`` answers on a machine without CUDA,
so code that asks before choosing a device runs unchanged. dualrev runs on
NumPy arrays, on the CPU only."""

__all__ = ["is_available", "device_count"]


def is_available():
    """Whether CUDA can be used: never (dualrev runs on the CPU).

    Returns:
        False.

    Example:
        >>> import dualrev as dr
        >>> dr.device("cuda" if dr.cuda.is_available() else "cpu")
        device(type='cpu')
    """
    return False


def device_count():
    """The number of CUDA devices dualrev can use: none.

    Returns:
        0.

    Example:
        >>> import dualrev as dr
        >>> dr.cuda.device_count()
        0
    """
    return 0


def __dir__():
    return __all__
