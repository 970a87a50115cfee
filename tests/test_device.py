"""Devices: ``device`` as ``torch.device`` (made, printed, compared, pickled,
and PyTorch 2.13's errors for bad strings), the CPU accepted by every
factory and by ``Tensor.to`` in all of PyTorch's forms, and any other device
refused with an error that says dualrev runs on the CPU. PyTorch's messages
were recorded from torch 2.13."""

import copy
import doctest
import inspect
import pickle

import numpy as np
import pytest

import dualrev as dr
import dualrev.cuda
from dualrev import creation, methods
from dualrev.device import device

CPU_ONLY = "dualrev runs on NumPy arrays, on the CPU only"
TORCH_TYPES = ("cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, "
               "lazy, vulkan, mps, meta, hpu, mtia, privateuseone")


# -- the device object ------------------------------------------------------------

@pytest.mark.parametrize("made, type_, index, text, shown", [
    (lambda: device("cpu"), "cpu", None, "cpu", "device(type='cpu')"),
    (lambda: device("cpu", 0), "cpu", 0, "cpu:0", "device(type='cpu', index=0)"),
    (lambda: device("cpu:0"), "cpu", 0, "cpu:0", "device(type='cpu', index=0)"),
    (lambda: device("cpu:12"), "cpu", 12, "cpu:12", "device(type='cpu', index=12)"),
    (lambda: device(type="cpu", index=1), "cpu", 1, "cpu:1", "device(type='cpu', index=1)"),
    (lambda: device("cuda"), "cuda", None, "cuda", "device(type='cuda')"),
    (lambda: device("cuda:1"), "cuda", 1, "cuda:1", "device(type='cuda', index=1)"),
    (lambda: device(device("mps", 2)), "mps", 2, "mps:2", "device(type='mps', index=2)"),
])
def test_a_device_is_made_and_shown_as_in_pytorch(made, type_, index, text, shown):
    d = made()
    assert (d.type, d.index, str(d), repr(d)) == (type_, index, text, shown)


def test_devices_compare_by_type_and_index_never_equal_to_strings():
    assert device("cpu") == device("cpu") and device("cpu:0") == device("cpu", 0)
    assert device("cpu") != device("cpu", 0) and device("cpu") != device("cuda")
    assert hash(device("cpu:1")) == hash(device("cpu", 1))
    assert len({device("cpu"), device("cpu"), device("cpu", 0)}) == 2
    # PyTorch 2.13: torch.device("cpu") == "cpu" is False, both ways round
    assert not device("cpu") == "cpu" and not "cpu" == device("cpu") and device("cpu") != "cpu"
    assert device("cpu") != 0 and device("cpu") is not None


def test_a_device_pickles_and_copies():
    for d in (device("cpu"), device("cuda", 3)):
        for again in (pickle.loads(pickle.dumps(d)), copy.copy(d), copy.deepcopy(d)):
            assert again == d and repr(again) == repr(d)


def test_a_device_is_read_only():
    with pytest.raises(AttributeError):
        device("cpu").type = "cuda"


@pytest.mark.parametrize("args, error, message", [
    (("foo",), RuntimeError, f"Expected one of {TORCH_TYPES} device type at start of device "
                             "string: foo"),
    (("CPU",), RuntimeError, f"Expected one of {TORCH_TYPES} device type at start of device "
                             "string: CPU"),
    (("cpu:x",), RuntimeError, "Invalid device string: 'cpu:x'"),
    (("cpu:01",), RuntimeError, "Invalid device string: 'cpu:01'"),
    (("cpu:-1",), RuntimeError, "Invalid device string: 'cpu:-1'"),
    ((" cpu",), RuntimeError, "Invalid device string: ' cpu'"),
    (("",), RuntimeError, "Device string must not be empty"),
    (("cpu", -1), RuntimeError, "Device index must not be negative"),
    (("cpu:0", 1), RuntimeError, "type (string) must not include an index because index was "
                                 "passed explicitly: cpu:0"),
    (("cpu", "0"), TypeError, "device(): argument 'index' (position 2) must be int, not str"),
    ((3.0,), TypeError, "device(): argument 'type' (position 1) must be str or dualrev.device, "
                        "not float"),
    ((0,), RuntimeError, "Cannot access accelerator device when none is available."),
])
def test_bad_devices_raise_pytorchs_errors(args, error, message):
    with pytest.raises(error) as raised:
        device(*args)
    assert str(raised.value).startswith(message)


# -- factories ----------------------------------------------------------------------

FACTORY_CALLS = {
    "tensor": lambda **kw: dr.tensor([1.0, 2.0], **kw),
    "as_tensor": lambda **kw: dr.as_tensor([1.0, 2.0], **kw),
    "zeros": lambda **kw: dr.zeros(2, 3, **kw),
    "ones": lambda **kw: dr.ones((2,), **kw),
    "empty": lambda **kw: dr.empty(2, **kw),
    "full": lambda **kw: dr.full((2,), 1.5, **kw),
    "zeros_like": lambda **kw: dr.zeros_like(dr.ones(2), **kw),
    "ones_like": lambda **kw: dr.ones_like(dr.ones(2), **kw),
    "empty_like": lambda **kw: dr.empty_like(dr.ones(2), **kw),
    "full_like": lambda **kw: dr.full_like(dr.ones(2), 3.0, **kw),
    "arange": lambda **kw: dr.arange(3, **kw),
    "linspace": lambda **kw: dr.linspace(0, 1, 5, **kw),
    "eye": lambda **kw: dr.eye(2, **kw),
    "rand": lambda **kw: dr.rand(2, **kw),
    "randn": lambda **kw: dr.randn(2, **kw),
    "randint": lambda **kw: dr.randint(0, 5, (2,), **kw),
    "Tensor": lambda **kw: dr.Tensor([1.0], **kw),
}


def test_every_factory_takes_a_device():
    """Every function of ``creation`` that makes a tensor from sizes or
    data has ``device=`` and a sample here (a new factory fails until it
    has both)."""
    made = {name for name, fn in vars(creation).items() if inspect.isfunction(fn)
            and fn.__module__ == creation.__name__ and not name.startswith("_")}
    assert made - {"from_numpy", "manual_seed"} | {"Tensor"} == set(FACTORY_CALLS)
    for name in FACTORY_CALLS:
        fn = dr.Tensor if name == "Tensor" else getattr(creation, name)
        assert "device" in inspect.signature(fn).parameters, name


@pytest.mark.parametrize("where", [None, "cpu", "cpu:0", device("cpu"), device("cpu", 1)])
@pytest.mark.parametrize("name", sorted(FACTORY_CALLS))
def test_factories_make_tensors_on_the_cpu(name, where):
    out = FACTORY_CALLS[name](device=where)
    plain = FACTORY_CALLS[name]()
    assert isinstance(out, dr.Tensor) and out.device == device("cpu")
    assert out.shape == plain.shape and out.dtype == plain.dtype


@pytest.mark.parametrize("where", ["cuda", "cuda:0", "mps", "meta", device("cuda"),
                                   device("xla", 2)])
@pytest.mark.parametrize("name", sorted(FACTORY_CALLS))
def test_factories_refuse_other_devices(name, where):
    shown = str(where)
    with pytest.raises(RuntimeError) as raised:
        FACTORY_CALLS[name](device=where)
    message = str(raised.value)
    assert message.startswith(f"{name}(): device '{shown}' is not available. {CPU_ONLY}")
    assert "Python Array API" in message and "docs/design.md" in message


@pytest.mark.parametrize("name", sorted(FACTORY_CALLS))
def test_factories_refuse_what_is_no_device(name):
    with pytest.raises(TypeError, match=f"^{name}\\(\\): argument 'device' must be "
                                        "dualrev.device, not float$"):
        FACTORY_CALLS[name](device=3.0)
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        FACTORY_CALLS[name](device="gpu")
    with pytest.raises(RuntimeError, match="^Cannot access accelerator device when none is "
                                           f"available. {CPU_ONLY}"):
        FACTORY_CALLS[name](device=0)


def test_factories_check_the_device_with_requires_grad():
    x = dr.zeros(2, device=device("cpu"), requires_grad=True)
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


# -- a tensor's device ------------------------------------------------------------------

def test_a_tensor_lives_on_the_cpu():
    x = dr.tensor([1.0], requires_grad=True)
    assert x.device == device("cpu") and x.device.type == "cpu" and x.device.index is None
    assert repr(x.device) == "device(type='cpu')" and str(x.device) == "cpu"
    assert x.is_cuda is False and (x * 2).is_cuda is False
    assert x.cpu() is x and dr.tensor([1.0]).cpu().device == device("cpu")
    with pytest.raises(RuntimeError, match=f"^cuda\\(\\): no CUDA device. {CPU_ONLY}"):
        x.cuda()


def test_the_cuda_module_answers_as_pytorch_without_cuda():
    assert dualrev.cuda.is_available() is False
    assert dualrev.cuda.device_count() == 0


# -- Tensor.to ---------------------------------------------------------------------------

X = dr.tensor([1.5, -2.0])
INT = dr.tensor([1, 2], dtype=dr.int32)


@pytest.mark.parametrize("call, dtype, same", [
    (lambda x: x.to(), dr.float64, True),
    (lambda x: x.to(None), dr.float64, True),
    (lambda x: x.to("cpu"), dr.float64, True),
    (lambda x: x.to(device("cpu", 0)), dr.float64, True),
    (lambda x: x.to(device="cpu"), dr.float64, True),
    (lambda x: x.to("cpu", non_blocking=True), dr.float64, True),
    (lambda x: x.to(dr.float64), dr.float64, True),
    (lambda x: x.to(dr.float32), dr.float32, False),
    (lambda x: x.to(dtype=dr.float32), dr.float32, False),
    (lambda x: x.to(np.float32), dr.float32, False),
    (lambda x: x.to(int), dr.int64, False),
    (lambda x: x.to(float), dr.float64, True),
    (lambda x: x.to("cpu", dr.int64), dr.int64, False),
    (lambda x: x.to(device("cpu"), dr.float32, False, False), dr.float32, False),
    (lambda x: x.to(device="cpu", dtype=dr.int64, copy=True), dr.int64, False),
    (lambda x: x.to(dr.float32, True, True), dr.float32, False),
    (lambda x: x.to(dr.float64, copy=True), dr.float64, False),
    (lambda x: x.to("cpu", copy=True), dr.float64, False),
    (lambda x: x.to(INT), dr.int32, False),
    (lambda x: x.to(X), dr.float64, True),
    (lambda x: x.to(X, copy=True), dr.float64, False),
    (lambda x: x.to(X, True, False), dr.float64, True),
])
def test_to_takes_pytorchs_forms(call, dtype, same):
    out = call(X)
    assert out.dtype == dtype and out.device == device("cpu") and (out is X) == same
    np.testing.assert_array_equal(out.numpy(), X.numpy().astype(dtype.numpy))


def test_a_copy_made_by_to_is_new_memory_and_records():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = x.to("cpu", copy=True)
    assert y is not x and y.grad_fn.name() == "ToCopyBackward0"
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
    z = dr.tensor([1.0, 2.0])
    w = z.to(dr.float64, copy=True)
    w[0] = 7.0
    assert z[0].item() == 1.0


def test_to_a_float_dtype_is_differentiable():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = x.to("cpu", dr.float32)
    assert y.dtype == dr.float32 and y.requires_grad
    (y * 3).sum().backward()
    assert x.grad.dtype == dr.float64
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_to_on_a_dual_and_inside_transforms():
    d = dr.Dual(np.array([1.0, 2.0]), np.array([1.0, 0.0])).to("cpu", dr.float32)
    assert d.dtype == dr.float32
    np.testing.assert_array_equal(np.asarray(d.tangent), [1.0, 0.0])
    g = dr.func.grad(lambda x: (x.to("cpu") ** 2).sum())(dr.tensor([1.0, 3.0]))
    np.testing.assert_array_equal(g.numpy(), [2.0, 6.0])


@pytest.mark.parametrize("where", ["cuda", "cuda:0", "mps", device("cuda"), device("meta")])
@pytest.mark.parametrize("form", [lambda x, d: x.to(d), lambda x, d: x.to(d, dr.float32),
                                  lambda x, d: x.to(device=d), lambda x, d: x.to(d, copy=True)])
def test_to_another_device_raises(where, form):
    with pytest.raises(RuntimeError, match=f"^to\\(\\): device '{where}' is not available. "
                                           f"{CPU_ONLY}"):
        form(X, where)


@pytest.mark.parametrize("call, got", [
    (lambda x: x.to(dr.float32, "cpu"), "dualrev.dtype, str"),
    (lambda x: x.to("cpu", "cpu"), "str, str"),
    (lambda x: x.to([1]), "list"),
    (lambda x: x.to(3.0), "float"),
    (lambda x: x.to(X, dr.float64), "Tensor, dualrev.dtype"),
    (lambda x: x.to(X, dtype=dr.float64), "Tensor, dtype=dualrev.dtype"),
    (lambda x: x.to("cpu", non_blocking=1), "str, non_blocking=int"),
    (lambda x: x.to(dtype="float"), "dtype=str"),
    (lambda x: x.to(device=3.0), "device=float"),
    (lambda x: x.to("cpu", dr.float32, False, False, False), "str, dualrev.dtype, bool, bool, "
                                                              "bool"),
])
def test_to_with_arguments_of_no_form_raises_pytorchs_type_error(call, got):
    with pytest.raises(TypeError) as raised:
        call(X)
    message = str(raised.value)
    assert message.startswith(f"to() received an invalid combination of arguments - got "
                              f"({got}), but expected one of:\n * (dualrev.device device = None")
    assert " * (dualrev.dtype dtype, bool non_blocking = False, bool copy = False)" in message


def test_to_names_its_keywords():
    assert list(inspect.signature(X.to).parameters) == [
        "args", "device", "dtype", "non_blocking", "copy"]
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        X.to("cpu", bogus=1)


def test_to_with_a_bad_device_string_raises_pytorchs_error():
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda.* device string: gpu"):
        X.to("gpu")


# -- docstrings ---------------------------------------------------------------------------

def test_docstring_examples_run(monkeypatch):
    # (dr.device and dr.cuda are exported by the package; set here until they are)
    monkeypatch.setattr(dr, "device", device, raising=False)
    monkeypatch.setattr(dr, "cuda", dualrev.cuda, raising=False)
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    tests = []
    for obj, name in ((device, "device"), (dualrev.cuda.is_available, "is_available"),
                      (dualrev.cuda.device_count, "device_count"), (methods.to, "to"),
                      (methods.cpu, "cpu")):
        tests += finder.find(obj, name, globs={})
    assert sum(len(t.examples) for t in tests) >= 8
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
