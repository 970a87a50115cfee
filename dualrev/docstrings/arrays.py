"""Reference docstrings of the functions of ``dualrev/array_functions.py``
and ``dualrev/shape_functions.py``, by public name (the latter kept in
``shapes.py`` and included here)."""

from .selections import DOCS as _SELECTIONS
from .shapes import DOCS as _SHAPES

DOCS: dict[str, str] = {**_SHAPES, **_SELECTIONS}
