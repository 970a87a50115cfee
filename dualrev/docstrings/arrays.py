"""Reference docstrings of the functions of ``dualrev/array_functions.py``
and ``dualrev/shape_functions.py``, by public name."""

DOCS: dict[str, str] = {}
