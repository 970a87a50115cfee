"""Reference docstrings of the functions of ``dualrev/functions.py``
(reductions, comparisons, products, ...), by public name."""

DOCS: dict[str, str] = {}
