"""``save``/``load`` for files of tensors and of dicts, lists and tuples of
them, such as an optimizer's ``state_dict()``. (Pickling and copying a
tensor is Tensor's own: ``__reduce_ex__``, ``__deepcopy__``, ``__copy__``.)

Why a file of ``save`` is safe to ``load``: it is a NumPy ``.npz`` archive
of one array per tensor and a JSON text describing the structure around
them, and holds no pickle. NumPy reads the arrays with ``allow_pickle=False``
and JSON makes only numbers, strings, lists and dicts, from which ``load``
builds only tensors, containers, dtypes and sizes: a file cannot make it run
code. (A pickle can, which is why ``load`` reads no pickle, not even a
tensor's.)

Tensors are stored by value, as leaves: a view is stored as a tensor of its
own values, sharing memory with nothing once loaded. A tensor that appears
twice in one object is stored once and loads as one tensor.
"""

import contextlib
import json
import os
import zipfile

import numpy as np

from . import dtypes
from .core.values import canonical
from ._tensor import Size, Tensor

_FORMAT, _VERSION = "dualrev", 1
_STRUCTURE = "structure"  # the archive's JSON entry; tensors are "0", "1", ...
_SCALARS = (type(None), bool, int, float, str)
_CONTAINERS = (dict, list, tuple)
_DTYPES = {d.name: d for d in dtypes._BY_NUMPY.values()}
# What reading a file that save did not write raises: not an archive, a pickle
# (which np.load refuses), entries missing or of the wrong kind.
_DAMAGED = (ValueError, TypeError, KeyError, IndexError, RuntimeError, EOFError,
            zipfile.BadZipFile)


# -- save and load --------------------------------------------------------------------

def save(obj, f):
    """Write ``obj`` to ``f``, a path or a binary file object, for ``load``.

    ``obj`` is a tensor, or dicts, lists and tuples (nested) of tensors,
    dtypes, sizes, str, int, float, bool and None, such as an optimizer's
    ``state_dict()``. Tensors keep their values, dtype, shape,
    ``requires_grad`` and ``.grad``, and load as leaves. The file is a NumPy
    ``.npz`` archive with a JSON description of the structure: no pickle.

    Args:
        obj (Tensor | dict | list | tuple | ...): what to save.
        f (str | os.PathLike | binary file): a path (the file is created or
            overwritten) or a file object opened for writing bytes.

    Returns:
        None

    Raises:
        TypeError: if ``obj`` holds something else (a function, an array, a
            Dual...), naming where it is.
        ValueError: if ``obj`` contains itself.
        OSError: if the path cannot be written.

    Example:
        >>> import io
        >>> import dualrev as dr
        >>> w = dr.tensor([1.0, -2.0], requires_grad=True)
        >>> file = io.BytesIO()
        >>> dr.save({"w": w, "step": 3}, file)
        >>> _ = file.seek(0)
        >>> dr.load(file)
        {'w': tensor([ 1., -2.], requires_grad=True), 'step': 3}
    """
    writer = _Writer()
    structure = {"format": _FORMAT, "version": _VERSION,
                 "object": writer.entry(obj, "obj"), "tensors": writer.tensors}
    with _opened(f, "wb") as file:
        np.savez(file, **{_STRUCTURE: np.array(json.dumps(structure))}, **writer.arrays)


def load(f):
    """The object written by ``save`` to ``f``, a path or a binary file object.

    Only files written by ``save`` load: ``load`` never unpickles, so a file
    cannot run code (as ``torch.load(f, weights_only=True)``).

    Args:
        f (str | os.PathLike | binary file): a path or a file object opened for
            reading bytes, at the start of what ``save`` wrote.

    Returns:
        object: the saved object, its tensors new leaves.

    Raises:
        ValueError: if the file was not written by ``dr.save`` (a
            ``torch.save`` pickle, a NumPy array) or is damaged, saying so.
        OSError: if the path cannot be read.

    Example:
        >>> import io
        >>> import dualrev as dr
        >>> file = io.BytesIO()
        >>> dr.save([dr.tensor(2.5), (dr.float32, None)], file)
        >>> _ = file.seek(0)
        >>> dr.load(file)
        [tensor(2.5000), (dualrev.float32, None)]
    """
    with _opened(f, "rb") as file:
        name = repr(file.name) if hasattr(file, "name") else "the file"
        try:
            archive = np.load(file, allow_pickle=False)
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise ValueError("it holds a single array: read it with numpy.load")
            with archive:
                return _read(archive)
        except _DAMAGED as error:
            raise _not_ours(name, error) from None



def _read(archive):
    structure = json.loads(str(archive[_STRUCTURE]))
    if not (type(structure) is dict and structure.get("format") == _FORMAT):
        raise ValueError(f"it has no {_FORMAT} structure")
    if structure["version"] != _VERSION:
        raise ValueError(f"its format version is {structure['version']} and this dualrev "
                         f"reads version {_VERSION}: update dualrev")
    return _Reader(archive, structure["tensors"]).entry(structure["object"])


def _not_ours(name, why):
    return ValueError(f"dualrev.load reads only files written by dualrev.save, and {name} is "
                      f"not one or is damaged ({why}). dualrev.load never unpickles: a pickle "
                      "(such as a torch.save file) can run arbitrary code. If you trust this "
                      "file, read it with the program that wrote it.")


@contextlib.contextmanager
def _opened(f, mode):
    """``f`` itself if a file object, else the file at that path, opened."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, mode) as file:
            yield file
    else:
        yield f


class _Writer:
    """Describes an object as JSON entries and collects its tensors' values:
    a scalar is itself, anything else a one-key dict naming its kind."""

    def __init__(self):
        self.arrays = {}   # the archive's arrays, by the tensors' numbers
        self.tensors = []  # per tensor: {"requires_grad": ..., "grad": a number or None}
        self._numbers = {}  # id(tensor) -> its number
        self._open = set()  # ids of the containers being described

    def entry(self, obj, where):
        kind = type(obj)
        if kind in _SCALARS:
            return obj
        if isinstance(obj, Tensor):
            return {"tensor": self._tensor(obj)}
        if kind is dtypes.dtype:
            return {"dtype": obj.name}
        if kind is Size:
            return {"size": list(obj)}
        if kind not in _CONTAINERS:
            name = kind.__qualname__ if kind.__module__ == "builtins" else \
                f"{kind.__module__}.{kind.__qualname__}"
            raise TypeError(f"dualrev.save can't save {where}, of type {name}: it saves tensors, "
                            "dtypes and sizes, str, int, float, bool and None, in dicts, lists "
                            "and tuples. Convert it to one of these (a NumPy array with "
                            "dualrev.from_numpy) or leave it out.")
        if id(obj) in self._open:
            raise ValueError(f"dualrev.save can't save {where}: it contains itself")
        self._open.add(id(obj))
        if kind is dict:
            body = [[self.entry(key, f"a key of {where}"), self.entry(value, f"{where}[{key!r}]")]
                    for key, value in obj.items()]
        else:
            body = [self.entry(value, f"{where}[{i}]") for i, value in enumerate(obj)]
        self._open.remove(id(obj))
        return {kind.__name__: body}

    def _tensor(self, tensor):
        number = self._numbers.get(id(tensor))
        if number is None:
            number = self._numbers[id(tensor)] = len(self.tensors)
            self.arrays[str(number)] = np.asarray(tensor._stored("save"))
            record = {"requires_grad": tensor.requires_grad, "grad": None}
            self.tensors.append(record)
            if tensor._grad is not None:
                record["grad"] = self._tensor(tensor._grad)
        return number


class _Reader:
    """Rebuilds an object from the entries of ``_Writer``."""

    def __init__(self, archive, records):
        self.archive, self.records = archive, records
        self.tensors = {}  # number -> the tensor loaded

    def entry(self, entry):
        if type(entry) in _SCALARS:
            return entry
        if type(entry) is not dict or len(entry) != 1:
            raise ValueError(f"unknown entry {entry!r}")
        ((kind, body),) = entry.items()
        if kind == "tensor":
            return self._tensor(body)
        if kind == "dtype":
            return _DTYPES[body]
        if kind == "size":
            return Size(body)
        if kind == "list":
            return [self.entry(e) for e in body]
        if kind == "tuple":
            return tuple(self.entry(e) for e in body)
        if kind == "dict":
            return {self.entry(key): self.entry(value) for key, value in body}
        raise ValueError(f"unknown entry {kind!r}")

    def _tensor(self, number):
        if number not in self.tensors:
            record = self.records[number]
            value = self.archive[str(number)]
            dtypes.from_numpy_dtype(value.dtype)  # only dualrev's dtypes
            tensor = self.tensors[number] = Tensor._make(canonical(value))
            tensor.requires_grad_(record["requires_grad"] is True)
            if record["grad"] is not None:
                tensor.grad = self._tensor(record["grad"])
        return self.tensors[number]
