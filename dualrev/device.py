"""Devices as PyTorch names them. dualrev computes with NumPy arrays, on the
CPU: ``device("cpu")`` is the one device a tensor lives on. Other devices
can be named (``device("cuda")``, as code that picks one writes it) but not
used: a factory or ``Tensor.to`` given one raises, saying so. (Other devices
are planned through the Python Array API standard: see docs/design.md.)"""

import re

#: The device types PyTorch 2.13 knows, in its order (its error lists them).
TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
         "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")

_DEVICE_STRING = re.compile(r"([a-zA-Z_]+)(?::(0|[1-9][0-9]*))?")


class device:
    """A device, as ``torch.device``: a type (``'cpu'``) and an optional
    index. Made from a string (``device("cpu")``, ``device("cpu:0")``) or a
    type and an index (``device("cpu", 0)``).

    Only the CPU holds tensors: any device can be named, and naming another
    one where a tensor is made or moved raises a RuntimeError. As in
    PyTorch, a device equals another device of the same type and index,
    never a string (compare ``x.device.type == "cpu"``).

    Args:
        type: a device type, with an optional ``:index`` (``"cpu"``,
            ``"cpu:0"``), or a device to copy.
        index: the device's index (a non-negative int), or None.

    Raises:
        RuntimeError: a string that names no device type, or an index that
            is malformed or negative (PyTorch's words).
        TypeError: ``type`` that is no string or device, ``index`` no int.

    Example:
        >>> import dualrev as dr
        >>> dr.device("cpu")
        device(type='cpu')
        >>> dr.device("cpu:0").index
        0
        >>> dr.tensor([1.0]).device == dr.device("cpu")
        True
    """

    __slots__ = ("_type", "_index")

    def __init__(self, type, index=None):
        if isinstance(type, device) and index is None:
            self._type, self._index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError("Cannot access accelerator device when none is available. "
                               + CPU_ONLY)
        if not isinstance(type, str):
            raise TypeError(f"device(): argument 'type' (position 1) must be str or "
                            f"dualrev.device, not {_name(type)}")
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
            raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                            f"{_name(index)}")
        kind, parsed = _parse(type)
        if index is not None and parsed is not None:
            raise RuntimeError(f"type (string) must not include an index because index was "
                               f"passed explicitly: {type}")
        index = parsed if index is None else index
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self._type, self._index = kind, index

    @property
    def type(self):
        """The device type: ``'cpu'``, ``'cuda'``..."""
        return self._type

    @property
    def index(self):
        """The device's index, or None when none was given."""
        return self._index

    def __repr__(self):
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self):
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __eq__(self, other):
        if isinstance(other, device):
            return self._type == other._type and self._index == other._index
        return NotImplemented  # a string is no device: False, as in PyTorch

    def __hash__(self):
        return hash((self._type, self._index))

    def __reduce__(self):
        return device, (self._type, self._index)


def _name(value):
    return type(value).__name__


def _parse(text):
    """A device string as its type and index (None when it has none), or
    PyTorch's RuntimeError."""
    if not text:
        raise RuntimeError("Device string must not be empty")
    match = _DEVICE_STRING.fullmatch(text)
    if match is None:
        raise RuntimeError(f"Invalid device string: '{text}'")
    if match.group(1) not in TYPES:
        raise RuntimeError(f"Expected one of {', '.join(TYPES)} device type at start of device "
                           f"string: {text}")
    return match.group(1), None if match.group(2) is None else int(match.group(2))


CPU = device("cpu")

CPU_ONLY = ("dualrev runs on NumPy arrays, on the CPU only (device='cpu'). Other devices (GPUs "
            "through CuPy or JAX arrays) are planned through the Python Array API standard: see "
            "the section 'Devices' in docs/design.md.")


def check_device(where, fn, name="device"):
    """``where`` (None, a device string or a device) as a device the tensor
    can live on: the CPU. Another device raises a RuntimeError saying that
    dualrev runs on the CPU only; anything else a TypeError naming ``fn``'s
    argument ``name``."""
    if where is None or where is CPU or type(where) is str and where == "cpu":
        return CPU
    if isinstance(where, str) or isinstance(where, int) and not isinstance(where, bool):
        where = device(where)
    elif not isinstance(where, device):
        raise TypeError(f"{fn}(): argument '{name}' must be dualrev.device, not {_name(where)}")
    if where.type != "cpu":
        raise RuntimeError(f"{fn}(): device '{where}' is not available. {CPU_ONLY}")
    return CPU
