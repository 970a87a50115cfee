"""Saved-tensor hooks (dr.autograd.graph.saved_tensors_hooks) with the
examples of PyTorch's "Hooks for saved tensors" tutorial, and PyTorch's
``grad_fn._saved_<name>`` attributes."""

import threading

import numpy as np
import pytest

import dualrev as dr

graph = dr.autograd.graph


def test_tutorial_pack_and_unpack_are_called_at_save_and_at_backward():
    log = []

    def pack_hook(x):
        log.append(("pack", x.tolist()))
        return x

    def unpack_hook(x):
        log.append(("unpack", x.tolist()))
        return x

    a = dr.ones(5, requires_grad=True)
    b = dr.ones(5, requires_grad=True) * 2
    with graph.saved_tensors_hooks(pack_hook, unpack_hook):
        y = a * b
    assert sorted(log) == [("pack", [1.0] * 5), ("pack", [2.0] * 5)]  # (torch packs b first)
    log.clear()
    y.sum().backward()
    assert sorted(log) == [("unpack", [1.0] * 5), ("unpack", [2.0] * 5)]
    np.testing.assert_allclose(a.grad.numpy(), [2.0] * 5)


def test_tutorial_the_hooks_may_change_the_value_and_back():
    x = dr.tensor([0.5, -1.0, 2.0], requires_grad=True)
    with graph.saved_tensors_hooks(lambda t: t * 4, lambda t: t / 4):
        y = dr.pow(x, 2)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy())


def test_what_unpack_returns_is_what_backward_uses():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    with graph.saved_tensors_hooks(lambda t: t, lambda t: t * 10):
        y = (x * x).sum()
    y.backward()  # each factor read as 10x: d = 10x + 10x
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 40.0])


def test_tutorial_saving_to_numpy_and_back_second_order():
    """The tutorial's offloading example, to NumPy arrays; the unpacked
    tensor keeps its place in the graph, so a recorded backward pass
    still reaches the inputs."""
    packed = []

    def pack(t):
        packed.append(type(t).__name__)
        return t.detach().numpy().copy()

    x = dr.tensor([0.5, 1.5], requires_grad=True)
    with graph.saved_tensors_hooks(pack, dr.from_numpy):
        y = x.pow(3).sum()
    assert packed and set(packed) == {"Tensor"}
    (g,) = dr.autograd.grad(y, x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), [0.75, 6.75])
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 9.0])


def test_saving_to_disk(tmp_path):
    """The tutorial's example that saves each tensor to a file."""
    counter = [0]

    def pack_hook(t):
        counter[0] += 1
        path = tmp_path / f"saved_{counter[0]}.pt"
        dr.save(t.detach(), path)
        return path

    def unpack_hook(path):
        return dr.load(path)

    x = dr.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    with graph.saved_tensors_hooks(pack_hook, unpack_hook):
        y = (x.exp() * x.sin()).sum()
    assert counter[0] >= 2 and len(list(tmp_path.iterdir())) == counter[0]
    y.backward()
    xv = x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), np.exp(xv) * (np.sin(xv) + np.cos(xv)))


def test_scalar_code_is_packed_too():
    seen = []
    x = dr.tensor(2.0, requires_grad=True)
    with graph.saved_tensors_hooks(lambda t: seen.append(float(t)) or t, lambda t: t):
        y = (x * x).sin()
    assert sorted(seen) == [2.0, 2.0, 4.0]
    y.backward()
    assert float(x.grad) == pytest.approx(np.cos(4.0) * 4.0)


def test_nothing_is_packed_outside_or_by_nodes_that_save_nothing():
    seen = []
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    with graph.saved_tensors_hooks(lambda t: seen.append(t) or t, lambda t: t):
        y = x + 1.0  # add saves nothing
        z = (x * 2.0).detach()
    w = x.exp()  # after the block: no hooks
    assert seen == []
    (y.sum() + w.sum() + z.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), 1 + np.exp([1.0, 2.0]))


def test_the_innermost_hooks_apply_and_outer_ones_come_back():
    outer, inner = [], []
    x = dr.tensor([1.0], requires_grad=True)
    with graph.saved_tensors_hooks(lambda t: outer.append(1) or t, lambda t: t):
        with graph.saved_tensors_hooks(lambda t: inner.append(1) or t, lambda t: t):
            x.exp()
        x.sin()
    assert inner == [1] and outer == [1]


def test_hooks_are_per_thread():
    seen = []
    x = dr.tensor([1.0], requires_grad=True)
    other = []

    def elsewhere():
        other.append(x.exp().grad_fn._saved_result is not None)

    with graph.saved_tensors_hooks(lambda t: seen.append(1) or t, lambda t: t):
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
    assert seen == [] and other == [True]


def test_no_version_check_with_hooks_as_in_pytorch():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
        h = x * 1
        z = (h * h).sum()
    h.mul_(2)
    z.backward()  # the saved tensor is h itself, now [2, 4]
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])


def test_disable_saved_tensors_hooks():
    with graph.disable_saved_tensors_hooks("hooks are off here"):
        with pytest.raises(RuntimeError, match="hooks are off here"):
            with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
        with pytest.raises(RuntimeError, match="off"):
            with graph.disable_saved_tensors_hooks("off"):
                pass
    with graph.saved_tensors_hooks(lambda t: t, lambda t: t):  # usable again
        pass


def test_save_on_cpu_keeps_values():
    x = dr.tensor([1.0, 3.0], requires_grad=True)
    with graph.save_on_cpu(pin_memory=True):
        y = (x ** 3).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 27.0])


def test_the_unpack_hook_runs_at_each_access_of_a_saved_field():
    calls = []
    x = dr.tensor(2.0, requires_grad=True)
    with graph.saved_tensors_hooks(lambda t: t * 4, lambda t: calls.append(1) or t / 4):
        y = x.pow(2)
    saved = y.grad_fn._saved_self
    assert saved is not x and float(saved) == 2.0 and calls == [1]
    y.grad_fn._saved_self
    assert calls == [1, 1]


# -- grad_fn._saved_<name> ---------------------------------------------------------------

def test_saved_result_self_other_exponent():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = dr.tensor([3.0, 4.0], requires_grad=True)
    e = x.exp()
    assert e.grad_fn._saved_result.tolist() == e.tolist()
    assert e.grad_fn._saved_result.grad_fn is e.grad_fn
    m = x * y
    assert m.grad_fn._saved_self is x and m.grad_fn._saved_other is y
    p = x.pow(2)
    assert p.grad_fn._saved_self is x
    assert p.grad_fn._saved_exponent == 2 and type(p.grad_fn._saved_exponent) is int
    assert x.sum().grad_fn._saved_self_sym_sizes == (2,)
    assert (dr.ones(2, 2, requires_grad=True) @ x).grad_fn._saved_vec is x


def test_saved_field_not_saved_this_time_is_none():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    c = dr.tensor([5.0, 6.0])
    m = x * c  # only x needs a gradient: c is saved, x is not
    assert m.grad_fn._saved_self is None and m.grad_fn._saved_other is c
    assert (x * 2).grad_fn._saved_other.tolist() == 2


def test_saved_fields_of_scalar_code_are_tensors():
    x = dr.tensor(2.0, requires_grad=True)
    y = x * x
    assert y.grad_fn._saved_self is x and y.grad_fn._saved_other is x
    w = x * 3
    v = w * w
    assert float(v.grad_fn._saved_self) == 6.0
    assert v.grad_fn._saved_self.grad_fn is w.grad_fn


def test_dir_lists_the_fields_of_this_node_and_others_raise():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    names = [n for n in dir((x * x).grad_fn) if n.startswith("_saved_")]
    assert names == ["_saved_other", "_saved_self"]
    assert [n for n in dir(x.exp().grad_fn) if n.startswith("_saved_")] == ["_saved_result"]
    with pytest.raises(AttributeError, match="'MulBackward0' object has no attribute "
                                             "'_saved_result'"):
        (x * x).grad_fn._saved_result
    assert not hasattr(x.sin().grad_fn, "_saved_result")


def test_freed_saved_values_raise_torchs_error():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    e = x.exp()
    e.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time "
                                           r"\(or directly access saved tensors after they have "
                                           "already been freed\\)"):
        e.grad_fn._saved_result
    m = x * x
    m.sum().backward(retain_graph=True)
    assert m.grad_fn._saved_self is x


def test_saved_field_after_an_inplace_change_raises():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = h.sin()
    h.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.grad_fn._saved_self
