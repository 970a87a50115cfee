"""Errors in PyTorch's words: each case raises what PyTorch 2.13 raises for
the same program (``torch`` in place of ``dualrev``), and the pattern is the
key phrase of PyTorch's message. torch is not needed to run them.
"""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dualrev as dr


def leaf(values=(1.0, 2.0)):
    return dr.tensor(list(values), requires_grad=True)


def phrase(text):
    return re.escape(text)


# -------------------------------------------------------- backward misuse ---

def test_non_scalar_backward_without_gradient():
    x = leaf()
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()


def test_non_scalar_autograd_grad_without_grad_outputs():
    x = leaf()
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        dr.autograd.grad(x * 2, x)


def test_non_scalar_among_several_outputs():
    x = leaf()
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        dr.autograd.backward([x.sum(), x * 2])


def test_one_element_non_scalar_backward_is_allowed():
    # PyTorch accepts any single-element tensor as "scalar"
    x = leaf([3.0])
    (x * 2).reshape(1, 1).backward()
    assert x.grad.tolist() == [2.0]


def test_second_backward_through_freed_graph():
    x = leaf()
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=phrase("retain_graph=True")):
        y.backward()


def test_second_backward_message_starts_like_pytorch():
    x = leaf()
    y = x.exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_second_autograd_grad_through_freed_graph():
    x = leaf()
    y = x.exp().sum()
    dr.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match=phrase("retain_graph=True")):
        dr.autograd.grad(y, x)


def test_backward_of_graph_freed_by_another_output():
    x = leaf()
    h = x.exp()
    a, b = h.sum(), (h * 2).sum()
    a.backward()
    with pytest.raises(RuntimeError, match=phrase("retain_graph=True")):
        b.backward()  # ExpBackward0's saved output was freed by a.backward()


def test_second_backward_through_freed_double_backward_graph():
    x = leaf()
    (g,) = dr.autograd.grad((x ** 3).sum(), x, create_graph=True)
    g.sum().backward()
    with pytest.raises(RuntimeError, match=phrase("retain_graph=True")):
        g.sum().backward()


def test_backward_of_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        dr.tensor([1.0, 2.0]).sum().backward()


def test_backward_of_int_tensor():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does "
                                           "not have a grad_fn"):
        dr.tensor([1, 2]).sum().backward()


def test_autograd_grad_of_constant_output():
    x = leaf()
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        dr.autograd.grad(dr.tensor(1.0), [x])


def test_backward_under_no_grad_result():
    x = leaf()
    with dr.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        y.backward()


def test_backward_of_detached():
    x = leaf()
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        (x * 2).sum().detach().backward()


# ------------------------------------------------------- requires_grad ---

@pytest.mark.parametrize("make", [
    lambda: dr.tensor([1, 2], requires_grad=True),
    lambda: dr.tensor(3, requires_grad=True),
    lambda: dr.tensor([True, False], requires_grad=True),
    lambda: dr.tensor([1, 2]).requires_grad_(),
    lambda: dr.zeros(2, dtype=dr.int64, requires_grad=True),
    lambda: dr.arange(3, requires_grad=True),
], ids=["tensor_int", "tensor_int_0d", "tensor_bool", "requires_grad_", "zeros_int64", "arange"])
def test_requires_grad_on_non_float(make):
    with pytest.raises(RuntimeError, match="(?i)only Tensors of floating point"):
        make()


def test_requires_grad_setter_on_int():
    t = dr.tensor([1, 2])
    with pytest.raises(RuntimeError, match="(?i)only Tensors of floating point"):
        t.requires_grad = True


def test_change_requires_grad_of_non_leaf():
    y = leaf() * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        y.requires_grad = False
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        y.requires_grad_(False)
    assert y.requires_grad_(True) is y  # asking for what it already has is fine, as in PyTorch


# ---------------------------------------------------------- autograd.grad ---

def test_grad_of_unused_input():
    x = leaf()
    unused = dr.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match=phrase("allow_unused=True")):
        dr.autograd.grad((x * 2).sum(), [x, unused])
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        dr.autograd.grad((x * 2).sum(), [unused])


def test_grad_of_unused_input_with_allow_unused_false():
    x = leaf()
    unused = dr.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match=phrase("allow_unused=True")):
        dr.autograd.grad((x * 2).sum(), [unused], allow_unused=False)


def test_grad_wrt_input_that_does_not_require_grad():
    x = leaf()
    with pytest.raises(RuntimeError, match="One of the differentiated Tensors does not require grad"):
        dr.autograd.grad((x * 2).sum(), dr.tensor(1.0))


# ------------------------------------------------------- gradient shape ---

def test_backward_gradient_of_wrong_shape():
    x = leaf()
    with pytest.raises(RuntimeError, match="Mismatch in shape: grad_output\\[0\\] has a shape of "):
        (x * 2).backward(dr.tensor([1.0, 2.0, 3.0]))


def test_autograd_grad_outputs_of_wrong_shape():
    x = leaf()
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        dr.autograd.grad(x * 2, x, grad_outputs=dr.ones(3))


def test_autograd_backward_gradient_of_wrong_shape():
    x = leaf()
    with pytest.raises(RuntimeError, match="Mismatch in shape: grad_output\\[0\\]"):
        dr.autograd.backward([x * 2], [dr.ones(2, 1)])


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 5), m=st.integers(1, 5))
def test_gradient_shape_must_match_exactly(n, m):
    x = dr.ones(n, requires_grad=True)
    y = x * 2
    if n == m:
        y.backward(dr.ones(m))
        assert x.grad.tolist() == [2.0] * n
    else:
        with pytest.raises(RuntimeError, match="Mismatch in shape"):
            y.backward(dr.ones(m))


def test_grad_tensors_of_wrong_length():
    x = leaf()
    with pytest.raises(RuntimeError, match="got 2 tensors and 1 gradients"):
        dr.autograd.backward([x.sum(), x.sum()], [dr.tensor(1.0)])


# -------------------------------------------------------------- in place ---

def test_inplace_change_of_saved_input():
    x = leaf()
    h = x * 1
    y = (h * h).sum()
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def _scalar_graph():
    """Scalar code keeps the floats it saves, not their tensors: a change in
    place must still be caught through the tensor's version counter."""
    x = dr.tensor(1.5, requires_grad=True)
    h = x * 2.0
    return x, h, h * h  # the product saves h's float


@pytest.mark.parametrize("change", [
    lambda x, h: h.add_(1.0),
    lambda x, h: h.detach().add_(1.0),  # shares h's version counter
    lambda x, h: _under_no_grad(lambda: h.mul_(3.0)),
])
def test_inplace_change_of_a_saved_scalar(change):
    x, h, y = _scalar_graph()
    change(x, h)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_inplace_change_of_a_saved_scalar_leaf():
    x = dr.tensor(1.5, requires_grad=True)
    y = x * x
    _under_no_grad(lambda: x.add_(1.0))
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_a_saved_scalar_shared_but_not_changed_is_fine():
    x, h, y = _scalar_graph()
    h.detach()
    h.retain_grad()
    y.backward(create_graph=True)
    assert float(x.grad) == 8 * 1.5  # d/dx (2x)^2
    x.grad.backward()  # second order through the kept floats
    assert float(x.grad) == 8 * 1.5 + 8.0


def _under_no_grad(fn):
    with dr.no_grad():
        return fn()


def test_inplace_change_of_saved_output():
    x = leaf()
    h = x.exp()  # exp saves its output
    y = h.sum() * 2
    h.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_inplace_change_of_exp_output_caught():
    x = leaf()
    h = x.exp()
    y = h.sum()
    h += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_setitem_on_saved_tensor():
    x = leaf()
    h = x * 1
    y = (h * h).sum()
    h[0] = 5.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_inplace_under_no_grad_still_bumps_the_version():
    x = leaf()
    h = x * 1
    y = (h * h).sum()
    with dr.no_grad():
        h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_inplace_change_of_unsaved_tensor_is_fine():
    x = leaf()
    h = x * 1
    y = (h + 1).sum()  # add saves nothing
    h.add_(1)
    y.backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_inplace_change_then_retain_graph_backward():
    x = leaf()
    h = x * 1
    y = (h * h).sum()
    y.backward(retain_graph=True)
    h.mul_(3)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


@pytest.mark.parametrize("op", [
    lambda t: t.add_(1),
    lambda t: t.sub_(1),
    lambda t: t.mul_(2),
    lambda t: t.div_(2),
    lambda t: t.zero_(),
    lambda t: t.fill_(3.0),
    lambda t: t.copy_(dr.ones(2)),
    lambda t: t.clamp_(0.0, 1.0),
    lambda t: t.__iadd__(1),
    lambda t: t.__isub__(1),
    lambda t: t.__imul__(2),
    lambda t: t.__itruediv__(2),
], ids=["add_", "sub_", "mul_", "div_", "zero_", "fill_", "copy_", "clamp_",
        "iadd", "isub", "imul", "itruediv"])
def test_inplace_on_leaf_that_requires_grad(op):
    x = leaf()
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in "
                                           "an in-place operation"):
        op(x)
    assert x.tolist() == [1.0, 2.0] and x._version == 0  # unchanged


def test_setitem_on_leaf_that_requires_grad():
    x = leaf()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used in "
                                           "an in-place operation"):
        x[0] = 5.0


def test_augmented_assignment_statement_on_leaf():
    x = leaf()
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in "
                                           "an in-place operation"):
        x += 1


def test_inplace_on_view_of_leaf():
    x = leaf()
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being "
                                           "used in an in-place operation"):
        x[0:1].mul_(2)


def test_inplace_on_leaf_is_allowed_under_no_grad():
    x = leaf()
    with dr.no_grad():
        x.add_(1)
        x *= 2
    assert x.tolist() == [4.0, 6.0] and x.is_leaf and x.requires_grad


# ------------------------------------------------------- values of tensors ---

def test_item_of_multi_element_tensor():
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        dr.tensor([1.0, 2.0]).item()


def test_item_of_empty_tensor():
    with pytest.raises(RuntimeError, match="a Tensor with 0 elements cannot be converted to Scalar"):
        dr.tensor([]).item()


def test_bool_of_multi_element_tensor():
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is "
                                           "ambiguous"):
        bool(dr.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value"):
        if dr.tensor([1.0, 2.0]) > 0:
            pass


def test_bool_of_empty_tensor():
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with no values is ambiguous"):
        bool(dr.tensor([]))


def test_float_of_multi_element_tensor():
    with pytest.raises(ValueError, match="only one element tensors can be converted to Python "
                                         "scalars"):
        float(dr.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="only one element tensors can be converted"):
        int(dr.tensor([1.0, 2.0]))


def test_numpy_of_tensor_that_requires_grad():
    with pytest.raises(RuntimeError, match=phrase("Can't call numpy() on Tensor that requires grad")):
        leaf().numpy()


# ------------------------------------------------------------ shape errors ---

@pytest.mark.parametrize("shape, words", [
    ((4, 2), "shape '[4, 2]' is invalid for input of size 6"),
    ((5,), "shape '[5]' is invalid for input of size 6"),
    ((-1, 4), "shape '[-1, 4]' is invalid for input of size 6"),
])
def test_bad_reshape(shape, words):
    with pytest.raises(RuntimeError, match=phrase(words)):
        dr.arange(6.0).reshape(*shape)
    with pytest.raises(RuntimeError, match=phrase(words)):
        dr.arange(6.0).view(shape)


def test_reshape_with_two_inferred_dims():
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        dr.arange(6.0).reshape(-1, -1)


def test_matmul_of_0d():
    with pytest.raises(RuntimeError, match="both arguments to matmul need to be at least 1D, "
                                           "but they are 0D and 0D"):
        dr.tensor(2.0) @ dr.tensor(3.0)
    with pytest.raises(RuntimeError, match="both arguments to matmul need to be at least 1D, "
                                           "but they are 0D and 1D"):
        dr.matmul(dr.tensor(2.0), dr.tensor([3.0]))


def test_matmul_shape_mismatch():
    with pytest.raises(RuntimeError, match=phrase("mat1 and mat2 shapes cannot be multiplied "
                                                  "(2x3 and 2x3)")):
        dr.ones(2, 3) @ dr.ones(2, 3)


# --------------------------------------------------------- hooks & grads ---

def test_retain_grad_on_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has requires_grad=False"):
        dr.tensor(1.0).retain_grad()


def test_register_hook_on_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require "
                                           "gradient"):
        dr.tensor(1.0).register_hook(lambda g: g)


def test_assign_grad_of_wrong_shape():
    x = leaf()
    with pytest.raises(RuntimeError, match="attempting to assign a gradient of size"):
        x.grad = dr.ones(3)


@pytest.mark.parametrize("then_changed", [False, True])
def test_a_saved_tensor_detached_in_place_cannot_be_used(then_changed):
    """PyTorch's error, even when the tensor is also changed in place after."""
    for values in (2.0, [2.0, 3.0]):  # a float kept by scalar code, and an array
        for _ in range(2):
            b = dr.tensor(values, requires_grad=True)
            h = b * 1
            y = (h * h).sum()
            h.detach_()
            if then_changed:
                h.add_(1.0)
            with pytest.raises(RuntimeError, match="detached in-place"):
                y.backward()
    b = dr.tensor(2.0, requires_grad=True)
    h = b * 1
    y = h + 1  # add saves nothing: no error, as in PyTorch
    h.detach_()
    y.backward()
    assert float(b.grad) == 1.0


def test_a_tensor_detached_in_place_before_it_is_saved_is_fine():
    a = dr.tensor(0.7, requires_grad=True)
    p = a * 2.5
    p.detach_()
    q = p / (a * a + 1)
    (a + q).backward()
    expected = 1 - 1.75 * 2 * 0.7 / (0.7 * 0.7 + 1) ** 2
    assert abs(float(a.grad) - expected) < 1e-12


def test_a_view_cannot_be_detached_in_place():
    x = dr.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="Can't detach views in-place"):
        x[0].detach_()


def test_a_python_number_from_a_tensor_that_requires_grad_warns_as_pytorch():
    import math
    t = dr.tensor(1.0, requires_grad=True)
    with pytest.warns(UserWarning, match="Converting a tensor with requires_grad=True to a scalar"):
        assert math.sin(t) == pytest.approx(0.8414709848078965)
    with pytest.warns(UserWarning, match="Consider using tensor.detach"):
        float(t)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert t.item() == 1.0 and float(t.detach()) == 1.0  # item() and detached: no warning
