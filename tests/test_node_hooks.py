"""Hooks on the graph's nodes see tensors, as PyTorch's do, and a leaf's
post-accumulate-grad hook runs once its ``.grad`` has been added to."""

import pytest

import dualrev as dr


def test_node_hooks_get_tuples_of_tensors_and_may_replace_the_gradients():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = dr.exp(x)
    seen = []
    y.grad_fn.register_prehook(lambda grad_outputs: seen.append(("pre", grad_outputs)))
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs:
                            seen.append(("post", grad_inputs, grad_outputs)))
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: (grad_inputs[0] * 2,))
    y.sum().backward()
    (pre, outputs), (post, inputs, outputs_again) = seen
    assert type(outputs) is tuple and type(inputs) is tuple
    assert all(isinstance(t, dr.Tensor) for t in outputs + inputs + outputs_again)
    assert outputs[0].tolist() == [1.0, 1.0]
    assert dr.allclose(inputs[0], dr.exp(x.detach()))
    assert dr.allclose(x.grad, 2 * dr.exp(x.detach()))  # the second hook doubled it


def test_a_prehook_may_replace_the_gradient_and_hooks_keep_the_graph_with_create_graph():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 10,))
    (g,) = dr.autograd.grad(y.sum(), x, create_graph=True)
    assert g.tolist() == [20.0, 40.0] and g.grad_fn is not None
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        z = x * 3
        z.grad_fn.register_prehook(lambda grad_outputs: (dr.ones(3),))
        z.sum().backward()


def test_post_accumulate_grad_hooks_run_after_each_accumulation_until_removed():
    w = dr.tensor([1.0, 2.0], requires_grad=True)
    grads = []
    handle = w.register_post_accumulate_grad_hook(lambda t: grads.append(t.grad.tolist()))
    (w * w).sum().backward()
    (w * 3).sum().backward()
    handle.remove()
    (w * 3).sum().backward()
    assert grads == [[2.0, 4.0], [5.0, 7.0]] and w.grad.tolist() == [8.0, 10.0]
    with pytest.raises(RuntimeError, match="cannot be registered on non-leaf tensors"):
        (w * 2).register_post_accumulate_grad_hook(print)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        dr.ones(2).register_post_accumulate_grad_hook(print)
