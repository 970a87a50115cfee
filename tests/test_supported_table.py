"""The table of supported functions (``docs/supported.py``, shown on
``guides/supported.md`` and ``zh/supported.md``) lists the whole surface
and says the right thing about known rows."""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

import dualrev as dr
from dualrev import _numpy_api, names

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _load():
    spec = importlib.util.spec_from_file_location("dualrev_docs_supported", DOCS / "supported.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SUPPORTED = _load()


@pytest.fixture(scope="module")
def english():
    return SUPPORTED.table("en")


@pytest.fixture(scope="module")
def chinese():
    return SUPPORTED.table("zh")


def _rows(markdown):
    """{first cell: the other cells} of every table row."""
    rows = {}
    for line in markdown.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_every_public_dr_name_is_listed(english):
    rows = _rows(english)
    missing = [f"dr.{n}" for n in names.FUNCTIONS if f"dr.{n}" not in rows]
    assert not missing, missing
    # the rest of dr's public callables are named below the tables
    for name in dr.__all__:
        obj = getattr(dr, name)
        if SUPPORTED._is_operation(obj) and f"dr.{name}" not in rows:
            assert f"`{name}`" in english, name
    for module in (dr.linalg, dr.special, dr.nn.functional):
        for name in module.__all__:
            if SUPPORTED._is_operation(getattr(module, name)):
                assert f"{module.__name__.replace('dualrev', 'dr')}.{name}" in rows, name


def test_every_tensor_method_is_listed(english):
    rows = _rows(english)
    for name in dir(dr.Tensor):
        if name.startswith("_") or name.endswith("_"):
            continue
        assert (f"dr.{name}" in rows or f"Tensor.{name}" in rows
                or f"`{name}`" in english), name


def test_every_numpy_entry_is_listed(english):
    rows = _rows(english)
    expected = ({f"np.{u.__name__}" for u in _numpy_api.UFUNCS}
                | {f"np.{u.__name__}" for u in _numpy_api.CONSTANT_UFUNCS}
                | {f"np.{u.__name__}.reduce" for u in _numpy_api.REDUCTIONS}
                | {("np.linalg." if f.__module__ == "numpy.linalg" else "np.") + f.__name__
                   for f in _numpy_api.ARRAY_FUNCTIONS})
    assert expected <= set(rows), sorted(expected - set(rows))


def test_known_rows(english):
    rows = _rows(english)
    assert rows["dr.sin"][0] == "any order"
    assert rows["dr.sin"][2] == "`np.sin`"
    assert rows["dr.sin"][1] == "yes (+ `sin_`)"
    assert rows["dr.argmax"][0] == "not differentiable (integer or boolean result)"
    assert rows["dr.eq"][0].startswith("not differentiable")
    assert rows["dr.where"][0] == "any order"          # where(cond, x, y), not where(cond)
    assert rows["dr.detach"][0].startswith("not differentiable")
    assert rows["dr.linalg.det"][0] == "any order"
    assert rows["dr.nn.functional.relu"][0] == "any order"
    assert rows["np.sin"] == ["`dr.sin`", "any order"]
    assert rows["np.argmax"] == ["`dr.argmax`", "not differentiable (integer or boolean result)"]
    assert rows["np.linalg.det"] == ["`dr.linalg.det`", "any order"]
    assert rows["np.isnan"][1].startswith("not differentiable")
    assert "not probed" not in english


def test_record_and_probe_agree():
    """For the public elementwise primitives the verdict comes from the
    record; probing the same function, as if it had none, gives the same."""
    for fn in {fn for fn in names.FUNCTIONS.values() if hasattr(fn, "primitive")}:
        def unmarked(*args, fn=fn):
            return fn(*args)
        if fn.primitive.differentiable:
            assert SUPPORTED.differentiability(unmarked) == SUPPORTED.ANY, fn.__name__
        else:
            assert SUPPORTED.differentiability(unmarked) in (SUPPORTED.INTEGER,
                                                            SUPPORTED.CONSTANT), fn.__name__


def test_a_gradient_that_is_not_recorded_is_first_order_only():
    """The probe itself: a custom function whose backward leaves the graph
    (through NumPy) differentiates once."""
    class Cube(dr.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * dr.tensor(3 * x.detach().numpy() ** 2)

    assert SUPPORTED.differentiability(Cube.apply) == SUPPORTED.FIRST
    assert SUPPORTED.differentiability(lambda x: x * 2.0) == SUPPORTED.ANY  # gradient constant


def test_chinese_table_has_chinese_headers_and_the_same_rows(english, chinese):
    assert "| 函数 | 可微性 | 张量方法 | NumPy |" in chinese
    assert set(_rows(chinese)) == set(_rows(english))
    assert _rows(chinese)["dr.sin"][0] == "任意阶"


def test_the_pages_have_the_marker():
    for page in ("pages/guides/supported.md", "pages/zh/supported.md"):
        text = (DOCS / page).read_text(encoding="utf-8")
        assert text.count(SUPPORTED.MARKER) == 1, page
        assert SUPPORTED.MARKER not in SUPPORTED.expand(text, "en")


def test_numpy_counterparts():
    assert SUPPORTED.numpy_counterpart("np.sin") == "dr.sin"
    assert SUPPORTED.numpy_counterpart("np.greater") == "dr.gt"
    assert SUPPORTED.numpy_counterpart("np.add.reduce") == "dr.sum"
    assert SUPPORTED.numpy_counterpart("np.linalg.svd") == "dr.linalg.svd"
    assert re.fullmatch(r"dr\.\w+", SUPPORTED.numpy_counterpart("np.take_along_axis"))
    assert np.take_along_axis in _numpy_api.ARRAY_FUNCTIONS
