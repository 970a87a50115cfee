"""The API reference is a reference: every public function, class and method
has a docstring with Args (when it takes arguments), Returns (functions and
methods) and at least one example, and every example runs here (a doctest
collector over the whole public surface, so examples cannot rot).

The method forms the name table makes (``x.sin()``, ``x.sin_()``) carry the
docstring of their function (``dr.sin``), which is checked as the function.
Modules, dtypes and the exception classes need a docstring only.
"""

import doctest
import inspect
import sys
from pathlib import Path

import numpy as np
import pytest

import dualrev as dr
from dualrev import names

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_docs import public_surface  # noqa: E402  (the public names, as the API pages)

INSTALLED = {(cls.__name__, name) for cls, name in names._INSTALLED}


def _target(obj):
    return obj.fget if isinstance(obj, property) else obj


def _generated_method(qualified):
    parts = qualified.split(".")
    return len(parts) == 3 and parts[1] in ("Tensor", "Dual") and (parts[1], parts[2]) in INSTALLED


def _takes_arguments(obj):
    try:
        parameters = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return False
    return any(name not in ("self", "cls") for name in parameters)


def _needs(qualified, obj):
    """The sections ``obj``'s docstring must have."""
    target = _target(obj)
    if inspect.ismodule(target) or isinstance(target, dr.dtype):
        return set()
    if inspect.isclass(target) and issubclass(target, BaseException):
        return set()
    needs = {">>>"}
    if inspect.isclass(target):
        if _takes_arguments(target):
            needs.add("Args:")
        return needs
    if isinstance(obj, property):
        return needs
    if _takes_arguments(target):
        needs.add("Args:")
    needs.add("Returns:")
    return needs


SURFACE = sorted({q: o for q, o in public_surface()}.items())


@pytest.mark.parametrize("qualified, obj", SURFACE, ids=[q for q, _ in SURFACE])
def test_every_public_name_has_a_reference_docstring(qualified, obj):
    doc = inspect.getdoc(_target(obj)) or ""
    assert doc.strip(), f"{qualified} has no docstring"
    member = qualified.split(".")[-1]
    if _generated_method(qualified):
        name = member.rstrip("_")
        function = getattr(dr, name, None)
        if function is not None or member == name + "_":  # a method form of dr.X (or X_)
            assert f"dualrev.{name}" in doc or (function is not None and doc == inspect.getdoc(
                function)), f"{qualified}: a method form names or repeats its function's docstring"
            return
    missing = sorted(section for section in _needs(qualified, obj) if section not in doc)
    assert not missing, f"{qualified}'s docstring lacks {', '.join(missing)}"


def _docstrings():
    """Each distinct docstring of the surface once, with the first name that has it."""
    seen = {}
    for qualified, obj in SURFACE:
        doc = inspect.getdoc(_target(obj))
        if doc and ">>>" in doc and doc not in seen:
            seen[doc] = qualified
    return sorted((q, d) for d, q in seen.items())


DOCSTRINGS = _docstrings()


@pytest.mark.parametrize("qualified, doc", DOCSTRINGS, ids=[q for q, _ in DOCSTRINGS])
def test_the_examples_in_the_docstrings_run(qualified, doc):
    parser = doctest.DocTestParser()
    test = parser.get_doctest(doc, {"dr": dr, "np": np}, qualified, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    lines = []
    with np.errstate(all="ignore"):
        runner.run(test, out=lines.append)
    assert runner.failures == 0, "".join(lines)
