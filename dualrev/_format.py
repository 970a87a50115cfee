"""Text rendering of tensors, matching PyTorch 2.13's ``repr`` character for character.

As in torch, a single formatter is chosen for all the printed elements of a
tensor: a notation (integer-valued floats as ``2.``, fixed point, or scientific)
and a common column width.  Rows are wrapped to the line width, tensors with
more elements than the threshold are summarized with ``...``, and suffixes such
as ``dtype=`` or ``grad_fn=`` follow the data.  Only the dtype names differ from
torch: they read ``dualrev.float32`` instead of ``torch.float32``.
"""

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTIONS = _PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, sci_mode=None):
    """Set how tensors print; the defaults are torch's (4, 1000, 3, 80, None).

    An argument left as None keeps its current value, except ``sci_mode``: like
    torch, every call sets it, and None means "choose automatically". The
    options are global.

    Args:
        precision (int | None): digits after the decimal point (default 4).
        threshold (float | None): tensors with more entries than this print
            summarised, with ``...`` (default 1000).
        edgeitems (int | None): entries shown at each end of a summarised
            dimension (default 3).
        linewidth (int | None): characters per line before wrapping (default 80).
        sci_mode (bool | None): scientific notation on (True), off (False), or
            chosen from the values (None).

    Returns:
        None

    Example:
        >>> import dualrev as dr
        >>> dr.set_printoptions(precision=2)
        >>> dr.tensor([1.0 / 3.0, 2.0])
        tensor([0.33, 2.00])
        >>> dr.set_printoptions(precision=4)
    """
    changes = dict(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth)
    for name, value in changes.items():
        if value is not None:
            setattr(_OPTIONS, name, value)
    _OPTIONS.sci_mode = sci_mode


class _Formatter:
    """One notation and column width shared by every printed element of a tensor."""

    def __init__(self, shown: np.ndarray):
        self.floating = np.issubdtype(shown.dtype, np.floating)
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if not self.floating:
            self.width = max([1] + [len(str(v)) for v in shown.tolist()])
            return
        # Only finite nonzero values decide the notation and width, so zeros,
        # nan and inf may end up wider than the column.
        chosen = shown[np.isfinite(shown) & (shown != 0)]
        if chosen.size == 0:
            return
        magnitudes = np.abs(chosen).astype(np.float64)
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(chosen == np.ceil(chosen)))
        if _OPTIONS.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = _OPTIONS.sci_mode
        spec, dot = self._spec()
        self.width = max(len(format(v, spec)) + dot for v in chosen.tolist())

    def _spec(self) -> tuple[str, int]:
        """The format spec of the notation, and whether a '.' is appended after it."""
        if self.sci_mode:
            return f".{_OPTIONS.precision}e", 0
        if self.int_mode:
            return ".0f", 1
        return f".{_OPTIONS.precision}f", 0

    def format(self, value) -> str:
        if not self.floating:
            text = str(value)
        else:
            spec, dot = self._spec()
            text = format(value, spec)
            if dot and math.isfinite(value):
                text += "."
        return text.rjust(self.width)


def _shown_values(a: np.ndarray, summarize: bool) -> np.ndarray:
    """The elements that a summarized print shows, flattened (all of them if not summarizing)."""
    edge = _OPTIONS.edgeitems
    if not summarize or a.ndim == 0:
        return a.reshape(-1)
    if a.ndim == 1:
        # With edgeitems 0, a[-0:] is the whole row; torch has the same quirk.
        return np.concatenate((a[:edge], a[-edge:])) if len(a) > 2 * edge else a
    if not edge:
        return a.reshape(-1)[:0]
    return np.concatenate([_shown_values(a[i], True) for i in _shown_indices(len(a), summarize)])


def _shown_indices(length: int, summarize: bool) -> list[int]:
    edge = _OPTIONS.edgeitems
    if summarize and length > 2 * edge:
        return [*range(edge), *range(length - edge, length)]
    return list(range(length))


def _row_str(row: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    edge = _OPTIONS.edgeitems
    if summarize and not edge:
        items = ["..."]
    elif summarize and len(row) > 2 * edge:
        items = [fmt.format(v) for v in row[:edge].tolist()] + [" ..."]
        items += [fmt.format(v) for v in row[-edge:].tolist()]
    else:
        items = [fmt.format(v) for v in row.tolist()]
    per_line = max(1, math.floor((_OPTIONS.linewidth - indent) / (fmt.width + 2)))
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    """Brackets and elements; sub-tensors of a k-d tensor are separated by k-1 newlines."""
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _row_str(a, indent, summarize, fmt)
    edge = _OPTIONS.edgeitems
    parts = [_nested_str(a[i], indent + 1, summarize, fmt) for i in _shown_indices(len(a), summarize)]
    if summarize and len(a) > 2 * edge:
        parts.insert(edge, "...")
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ', suffix' items, moving one to a new line when it would pass the line width.

    Lengths are measured as torch measures its own text, so that the lines
    break where torch's do: the last line counts two characters more than it
    holds, and ``dualrev.`` counts as the ``torch.`` it replaces.
    """
    line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        suffix_length = len(suffix.replace("dualrev.", "torch."))
        if line_length + suffix_length + 2 > _OPTIONS.linewidth:
            text += ",\n" + " " * indent + suffix
            line_length = indent + suffix_length
        else:
            text += ", " + suffix
            line_length += suffix_length + 2
    return text + ")"


def tensor_repr(
    values: "np.ndarray | float",
    *,
    default_dtype: np.dtype,
    requires_grad: bool = False,
    grad_fn_name: str | None = None,
    prefix: str = "tensor(",
) -> str:
    """The repr torch 2.13 gives a tensor holding ``values`` when ``default_dtype`` is its default float dtype.

    ``grad_fn_name`` wins over ``requires_grad``; continuation lines are indented by ``len(prefix)``.
    """
    a = np.asarray(values)
    default_dtype = np.dtype(default_dtype)
    indent = len(prefix)
    dtype_suffix = f"dtype=dualrev.{a.dtype.name}"
    size_suffix = f"size={a.shape}"
    suffixes = []
    if a.size == 0:
        # "[]" shows neither shape nor dtype, so any but (0,) and the default float dtype are spelled out.
        if a.ndim != 1:
            suffixes.append(size_suffix)
        if a.dtype != default_dtype:
            suffixes.append(dtype_suffix)
        body = "[]"
    else:
        if not _OPTIONS.edgeitems:
            suffixes.append(size_suffix)
        if a.dtype not in (default_dtype, np.int64, np.bool_):
            suffixes.append(dtype_suffix)
        summarize = a.size > _OPTIONS.threshold
        body = _nested_str(a, indent, summarize, _Formatter(_shown_values(a, summarize)))
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)


def format_scalar(value, format_spec: str) -> str:
    """``format()`` of a 0-d tensor: torch formats the Python number given by ``item()``."""
    return format(np.asarray(value).item(), format_spec)
