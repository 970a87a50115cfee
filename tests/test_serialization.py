"""Pickling and copying tensors, and dr.save / dr.load.

What PyTorch 2.13 does (checked by hand with ``torch`` in place of
``dualrev``; torch is not needed to run these tests):

* a leaf pickles and deep-copies with its values, dtype and requires_grad,
  and deepcopy keeps ``.grad`` (here pickle and save keep it too: PyTorch's
  drop it);
* a non-leaf that requires grad pickles (and ``torch.save``s) as a leaf that
  requires grad, and refuses deepcopy with a RuntimeError ("Only Tensors
  created explicitly by the user (graph leaves) support the deepcopy
  protocol at the moment");
* ``copy.copy`` makes a new leaf sharing memory, with requires_grad and
  without ``.grad``;
* dtypes unpickle as the same object; a tensor saved twice in one object
  loads as one tensor.

Views pickle and save as tensors of their own values: unlike PyTorch, a view
and its base stored together load as two tensors that share no memory.
"""

import contextlib
import copy
import doctest
import io
import json
import os
import pickle
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dualrev as dr
import dualrev.serialization

DTYPES = [dr.float16, dr.float32, dr.float64, dr.int8, dr.uint8, dr.int16, dr.int32, dr.int64,
          dr.bool]
DEEPCOPY_ERROR = ("Only Tensors created explicitly by the user (graph leaves) support the "
                  "deepcopy protocol at the moment")


def through_file(obj):
    file = io.BytesIO()
    dr.save(obj, file)
    file.seek(0)
    return dr.load(file)


ROUND_TRIPS = {
    "pickle": lambda obj: pickle.loads(pickle.dumps(obj)),
    "deepcopy": copy.deepcopy,
    "save-load": through_file,
}


@contextlib.contextmanager
def default_dtype(dtype):
    before = dr.get_default_dtype()
    dr.set_default_dtype(dtype)
    try:
        yield
    finally:
        dr.set_default_dtype(before)


def assert_same_values(out, t):
    assert type(out) is dr.Tensor and out is not t
    assert out.dtype is t.dtype
    assert out.shape == t.shape
    assert np.asarray(out._value).tobytes() == np.asarray(t._value).tobytes()  # NaNs, -0.0 too
    assert not np.shares_memory(np.asarray(out._value), np.asarray(t._value))


def assert_on_the_scalar_path(out, default=None, source=None):
    """A loaded 0-d float64 tensor holds a Python float (the fast scalar path)
    when it was loaded while float64 was the default dtype, as any new one
    does. (In float32 mode one saved from float64 mode may hold either.)"""
    scalar_path = (default or dr.get_default_dtype()) is dr.float64
    if not scalar_path and source is not None and type(source._value) is float:
        return
    for u in (out, out.grad):
        if u is not None:
            assert (type(u._value) is float) == (
                scalar_path and u.dtype is dr.float64 and u.dim() == 0)


def assert_same_tensor(out, t):
    """``out`` is a leaf copy of ``t``: values, dtype, shape, requires_grad, .grad."""
    assert_same_values(out, t)
    assert out.requires_grad == t.requires_grad
    assert out.is_leaf and out._base is None
    if t._grad is None:
        assert out.grad is None
    else:
        assert_same_values(out.grad, t.grad)


# -- the round trip, as a property ------------------------------------------------------

@st.composite
def tensors(draw):
    """A leaf of any dtype and shape (0-d to 3-d, sizes 0 to 3), maybe a
    strided view of a bigger tensor, maybe requiring grad and with a .grad."""
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
    view = bool(shape) and draw(st.booleans())
    values = draw(hnp.arrays(dtype.numpy, (2 * shape[0],) + shape[1:] if view else shape))
    t = dr.from_numpy(values)
    if view:
        t = t[::2]
    if dtype.is_floating_point and draw(st.booleans()):
        t.requires_grad_()
    if dtype.is_floating_point and draw(st.booleans()):
        t.grad = dr.from_numpy(draw(hnp.arrays(dtype.numpy, shape)))
    return t


@pytest.mark.parametrize("default", [dr.float64, dr.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("round_trip", ROUND_TRIPS.values(), ids=ROUND_TRIPS)
@settings(max_examples=60, deadline=None)
@given(t=tensors())
def test_round_trip_keeps_values_dtype_shape_requires_grad_and_grad(round_trip, default, t):
    with default_dtype(default):
        out = round_trip(t)
    assert_same_tensor(out, t)
    assert_on_the_scalar_path(out, default, t)


@pytest.mark.parametrize("round_trip", ROUND_TRIPS.values(), ids=ROUND_TRIPS)
def test_leaf_that_requires_grad(round_trip):
    x = dr.tensor([1.0, -2.0], requires_grad=True)
    (x * x).sum().backward()
    out = round_trip(x)
    assert_same_tensor(out, x)
    assert out.grad.tolist() == [2.0, -4.0]
    (out * 3).sum().backward()  # a leaf of its own: its own gradient accumulates
    assert out.grad.tolist() == [5.0, -1.0] and x.grad.tolist() == [2.0, -4.0]


@pytest.mark.parametrize("default", [dr.float64, dr.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("round_trip", ROUND_TRIPS.values(), ids=ROUND_TRIPS)
def test_zero_dim_tensors_stay_zero_dim(round_trip, default):
    with default_dtype(default):
        scalars = [dr.tensor(2.5, requires_grad=True), dr.tensor(-0.0, dtype=dr.float64),
                   dr.tensor(1.5, dtype=dr.float32), dr.tensor(3), dr.tensor(True)]
        scalars[1].detach()  # its float moves into a 0-d array, shared with the detached one
        for t in scalars:
            out = round_trip(t)
            assert_same_tensor(out, t)
            assert_on_the_scalar_path(out)
            assert out.shape == () and repr(out) == repr(t)


# -- dtypes and sizes -----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES + [dr.half, dr.float, dr.double, dr.long, dr.int],
                         ids=repr)
def test_dtypes_unpickle_as_the_same_object(dtype):
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(dtype, protocol)) is dtype
    assert copy.deepcopy(dtype) is dtype and copy.copy(dtype) is dtype
    assert through_file(dtype) is dtype


@pytest.mark.parametrize("round_trip", ROUND_TRIPS.values(), ids=ROUND_TRIPS)
def test_sizes_round_trip(round_trip):
    size = dr.ones(2, 0, 3).shape
    out = round_trip(size)
    assert type(out) is dr.Size and out == size and repr(out) == "dualrev.Size([2, 0, 3])"


# -- tensors with a history, views ---------------------------------------------------

def non_leaves():
    x = dr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    kept = x * 2
    kept.retain_grad()
    kept.sum().backward(retain_graph=True)
    return {"product": x * 2, "view of a leaf": x[1:], "retains grad": kept}


@pytest.mark.parametrize("kind", non_leaves())
@pytest.mark.parametrize("round_trip", [ROUND_TRIPS["pickle"], through_file],
                         ids=["pickle", "save-load"])
def test_non_leaf_is_stored_as_a_leaf_that_requires_grad(round_trip, kind):
    t = non_leaves()[kind]
    out = round_trip(t)
    assert_same_values(out, t)
    assert out.is_leaf and out.grad_fn is None and out.requires_grad
    assert (out.grad is not None) == (kind == "retains grad")


@pytest.mark.parametrize("kind", non_leaves())
def test_deepcopy_of_non_leaf_raises_pytorch_error(kind):
    t = non_leaves()[kind]
    with pytest.raises(RuntimeError, match=r"^Only Tensors created explicitly by the user "
                                           r"\(graph leaves\) support the deepcopy protocol .*"
                                           r"Deep-copy tensor\.detach\(\) instead"):
        copy.deepcopy(t)


def test_deepcopy_of_tensors_without_history():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    with dr.no_grad():
        made = x * 2
    detached = (x * 3).detach()
    for t in (made, detached):
        assert_same_tensor(copy.deepcopy(t), t)


def test_deepcopy_copies_grad_once():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    x.grad = dr.tensor([3.0, 4.0])
    for order in ([x, x.grad], [x.grad, x]):
        out = copy.deepcopy(order)
        a, g = out if order[0] is x else out[::-1]
        assert a.grad is g and g is not x.grad


@pytest.mark.parametrize("round_trip", ROUND_TRIPS.values(), ids=ROUND_TRIPS)
def test_view_is_stored_as_its_own_values(round_trip):
    base = dr.arange(6.0).reshape(2, 3)
    view = base[:, 1]
    out_base, out_view = round_trip((base, view))
    assert_same_tensor(out_view, view)
    assert out_view.tolist() == [1.0, 4.0]
    out_view.add_(100)  # no memory is shared any more
    assert out_base.tolist() == base.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_a_tensor_stored_twice_loads_as_one():
    x = dr.tensor([1.0], requires_grad=True)
    for round_trip in (ROUND_TRIPS["pickle"], through_file):
        out = round_trip({"a": x, "b": [x]})
        assert out["a"] is out["b"][0]


# -- copy.copy --------------------------------------------------------------------------

def test_copy_shares_memory_not_grad():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    x.grad = dr.tensor([1.0, 1.0])
    c = copy.copy(x)
    assert c is not x and c.is_leaf and c.requires_grad and c.grad is None
    assert np.shares_memory(c.detach().numpy(), x.detach().numpy())

    scalar = dr.tensor(1.5)
    c = copy.copy(scalar)
    c.add_(1)
    assert scalar.item() == 2.5 and scalar._version == 0  # memory shared, version not

    product = x * 2
    c = copy.copy(product)
    assert c.is_leaf and c.requires_grad and c.tolist() == [2.0, 4.0]


# -- save and load -------------------------------------------------------------------------

def test_save_and_load_nested_structures(tmp_path):
    w = dr.tensor([[1.0, 2.0]], requires_grad=True)
    w.grad = dr.tensor([[0.5, -0.5]])
    obj = {
        "weights": [w, (dr.tensor(7), dr.tensor([True, False]))],
        3: {"nested": {"deep": [None, True, False, 0, -12345678901234567890, 1.5, "ünï"]}},
        "specials": (float("inf"), -0.0),
        (1, "key"): [],
        "empty": ({}, (), [[]]),
        "meta": (dr.float32, dr.Size([2, 3])),
    }
    path = tmp_path / "checkpoint.pt"
    dr.save(obj, path)
    assert os.listdir(tmp_path) == ["checkpoint.pt"]  # no .npz added to the name
    out = dr.load(str(path))
    assert list(out) == list(obj)  # the keys, their types and order
    assert_same_tensor(out["weights"][0], w)
    assert out["weights"][0].grad.tolist() == [[0.5, -0.5]]
    for loaded, saved in zip(out["weights"][1], obj["weights"][1]):
        assert_same_tensor(loaded, saved)
    for key in (3, (1, "key"), "empty", "meta"):
        assert out[key] == obj[key] and type(out[key]) is type(obj[key])
    assert str(out["specials"]) == "(inf, -0.0)"
    assert type(out["empty"][0]) is dict and type(out["empty"][2]) is list
    assert out["meta"][0] is dr.float32 and type(out["meta"][1]) is dr.Size
    nan = dr.load(io.BytesIO(save_to_bytes(float("nan"))))
    assert nan != nan


def save_to_bytes(obj):
    file = io.BytesIO()
    dr.save(obj, file)
    return file.getvalue()


def test_save_and_load_through_open_files(tmp_path):
    path = tmp_path / "t"
    with open(path, "wb") as f:
        dr.save(dr.tensor([1, 2, 3], dtype=dr.int16), f)
    with open(path, "rb") as f:
        out = dr.load(f)
    assert out.dtype is dr.int16 and out.tolist() == [1, 2, 3] and not out.requires_grad


def test_the_file_is_an_npz_numpy_can_read(tmp_path):
    path = tmp_path / "t"
    dr.save({"x": dr.tensor([1.5, 2.5], dtype=dr.float32)}, path)
    with np.load(path, allow_pickle=False) as archive:
        assert archive["0"].tolist() == [1.5, 2.5] and archive["0"].dtype == np.float32
        assert json.loads(str(archive["structure"]))["object"] == {
            "dict": [["x", {"tensor": 0}]]}


# -- optimizer state dicts -------------------------------------------------------------

OPTIMIZERS = {
    "sgd": lambda ps: dr.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgd-nesterov": lambda ps: dr.optim.SGD([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.2}],
                                            lr=0.05, momentum=0.8, nesterov=True),
    "adam": lambda ps: dr.optim.Adam(ps, lr=0.1, betas=(0.8, 0.99)),
    "adam-amsgrad": lambda ps: dr.optim.Adam(ps, lr=0.05, amsgrad=True, weight_decay=0.3,
                                             maximize=True),
}


def set_grads(params, k):
    """A gradient from the parameter's current values and the step number."""
    for p in params:
        v = np.asarray(p.detach())
        p.grad = dr.from_numpy(np.asarray(v * v * v * v.dtype.type(0.25) - v.dtype.type(0.1 * k)))


@pytest.mark.parametrize("default", [dr.float64, dr.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("dtype", [dr.float64, dr.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("make", OPTIMIZERS.values(), ids=OPTIMIZERS)
def test_loaded_optimizer_steps_exactly_as_the_original(make, dtype, default, tmp_path):
    with default_dtype(default):
        params = [dr.tensor([0.5, -1.25, 2.0], dtype=dtype, requires_grad=True),
                  dr.tensor(0.75, dtype=dtype, requires_grad=True)]
        opt = make(params)
        for k in range(3):
            set_grads(params, k)
            opt.step()
        dr.save({"params": params, "optimizer": opt.state_dict()}, tmp_path / "checkpoint")

        checkpoint = dr.load(tmp_path / "checkpoint")
        resumed_params = checkpoint["params"]
        resumed = make(resumed_params)
        resumed.load_state_dict(checkpoint["optimizer"])
        for saved, loaded in zip(opt.state.values(), resumed.state.values()):
            assert saved.keys() == loaded.keys()
            for key in saved:
                assert_same_tensor(loaded[key], saved[key])
        for k in range(3, 6):
            set_grads(params, k)
            opt.step()
            set_grads(resumed_params, k)
            resumed.step()
        for p, q in zip(params, resumed_params):
            assert_same_tensor(q, p)


def test_optimizer_state_dict_structure_round_trips():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    opt = dr.optim.Adam([x], lr=0.1, betas=(0.5, 0.9))
    x.grad = dr.tensor([1.0, -1.0])
    opt.step()
    saved = opt.state_dict()
    out = through_file(saved)
    assert out["param_groups"] == saved["param_groups"]
    assert type(out["param_groups"][0]["betas"]) is tuple
    assert list(out["state"]) == [0]  # an int key stays an int
    assert out["state"][0]["step"].dtype is dr.float64 and out["state"][0]["step"].item() == 1.0


# -- safety: dr.load never runs code from a file ---------------------------------------

class RunsCode:
    """Unpickled, it runs code that creates the file ``marker`` (as a malicious file would)."""

    def __init__(self, kind, marker):
        self.kind, self.marker = kind, str(marker)

    def __reduce__(self):
        if self.kind == "os.system":
            return os.system, (f"touch '{self.marker}'",)
        return exec, (f"open({self.marker!r}, 'w').close()",)


PAYLOADS = ["os.system", "exec"]


@pytest.mark.parametrize("kind", PAYLOADS)
def test_a_malicious_pickle_is_refused(kind, tmp_path):
    marker = tmp_path / "marker"
    payload = pickle.dumps({"weights": RunsCode(kind, marker)})
    pickle.loads(payload)  # the file is really malicious: pickle runs its code
    assert marker.exists()
    marker.unlink()

    path = tmp_path / "evil.pt"
    path.write_bytes(payload)
    with pytest.raises(ValueError, match="dualrev.load reads only files written by dualrev.save"
                                         ".* never unpickles"):
        dr.load(path)
    with pytest.raises(ValueError, match="never unpickles"):
        dr.load(io.BytesIO(payload))
    assert not marker.exists()


@pytest.mark.parametrize("kind", PAYLOADS)
def test_a_malicious_archive_is_refused(kind, tmp_path):
    """An archive like save's, with the code in a pickled (object) array."""
    marker = tmp_path / "marker"
    structure = {"format": "dualrev", "version": 1, "object": {"tensor": 0},
                 "tensors": [{"requires_grad": False, "grad": None}]}
    path = tmp_path / "evil.npz"
    evil = np.empty(1, dtype=object)
    evil[0] = RunsCode(kind, marker)
    np.savez(path, structure=np.array(json.dumps(structure)), **{"0": evil})
    with pytest.raises(ValueError, match="Object arrays cannot be loaded"):
        dr.load(path)
    assert not marker.exists()


@pytest.mark.parametrize("entry", [
    {"global": "os.system"},
    {"tensor": 0, "extra": 1},
    {"dtype": "object"},
    [1, 2],
])
def test_unknown_entries_are_refused(entry, tmp_path):
    structure = {"format": "dualrev", "version": 1, "object": {"list": [entry]}, "tensors": []}
    path = tmp_path / "odd.npz"
    np.savez(path, structure=np.array(json.dumps(structure)))
    with pytest.raises(ValueError, match=re.escape(f"and {str(path)!r} is not one or is damaged")):
        dr.load(path)


def test_damaged_and_foreign_files_are_refused(tmp_path):
    data = save_to_bytes({"x": dr.ones(50)})
    for cut in (0, 10, len(data) // 2, len(data) - 10):
        with pytest.raises(ValueError, match="is not one or is damaged"):
            dr.load(io.BytesIO(data[:cut]))
    array = io.BytesIO()
    np.save(array, np.ones(3))
    array.seek(0)
    with pytest.raises(ValueError, match="single array: read it with numpy.load"):
        dr.load(array)
    newer = io.BytesIO()
    np.savez(newer, structure=np.array(json.dumps({"format": "dualrev", "version": 2})))
    newer.seek(0)
    with pytest.raises(ValueError, match="format version is 2 .* update dualrev"):
        dr.load(newer)
    with pytest.raises(FileNotFoundError):
        dr.load(tmp_path / "missing")


# -- wrong input to dr.save --------------------------------------------------------------

class Thing:
    pass


@pytest.mark.parametrize("obj, where, type_name", [
    (lambda: 1, "obj", "function"),
    (Thing(), "obj", "Thing"),
    ({"a": [1, np.ones(2)]}, r"obj\['a'\]\[1\]", "numpy.ndarray"),
    ([np.float64(1.0)], r"obj\[0\]", "numpy.float64"),
    ({"s": {1, 2}}, r"obj\['s'\]", "set"),
    ({Thing(): 1}, "a key of obj", "Thing"),
    (dr.Dual(1.0, 1.0), "obj", "dualrev.dual.Dual"),
])
def test_save_refuses_unsupported_types(obj, where, type_name, tmp_path):
    path = tmp_path / "out"
    with pytest.raises(TypeError, match=rf"^dualrev.save can't save {where}, of type \S*"
                                        rf"{type_name}: it saves tensors") as error:
        dr.save(obj, path)
    assert "pickle" not in str(error.value)
    assert not path.exists()  # nothing written


def test_save_refuses_a_structure_that_contains_itself():
    loop = [1]
    loop.append({"again": loop})
    with pytest.raises(ValueError, match=r"can't save obj\[1\]\['again'\]: it contains itself"):
        dr.save(loop, io.BytesIO())
    shared = [1.0]
    assert through_file([shared, shared]) == [[1.0], [1.0]]  # shared, not a loop: fine


@pytest.mark.parametrize("action, word", [
    (pickle.dumps, "pickle"), (copy.copy, "copy"), (copy.deepcopy, "deep-copy"),
    (lambda t: dr.save(t, io.BytesIO()), "save"),
])
def test_tensors_inside_transforms_are_refused(action, word):
    def f(x):
        with pytest.raises(RuntimeError, match=f"can't {word} a tensor inside a dualrev.func "
                                               f"transform.*{word} the result"):
            action(x)
        return x.sum()
    dr.func.grad(f)(dr.ones(2))
    dr.func.hessian(f)(dr.ones(2))


def test_docstring_examples():
    result = doctest.testmod(dualrev.serialization)
    assert result.attempted > 0 and result.failed == 0
