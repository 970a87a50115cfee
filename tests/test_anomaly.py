"""Anomaly mode, as PyTorch's ``torch.autograd.detect_anomaly``: the error
messages and warnings below are PyTorch 2.13's words for the same programs
(``torch`` in place of ``dualrev``). torch is not needed to run them.
"""

import re
import threading
import warnings

import numpy as np
import pytest

import dualrev as dr
from dualrev.core.forward import DEFER_SIZE

ENABLED = ("Anomaly Detection has been enabled. This mode will increase the runtime and should "
           "only be enabled for debugging.")
SQRT_NAN = "Function 'SqrtBackward0' returned nan values in its 0th output."

# NumPy's own warnings of 0/0 and of sqrt and log out of their domain, on the way to the nans
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


@pytest.fixture(autouse=True)
def anomaly_mode_off():
    """Each test starts, and leaves, with the mode off (and check_nan at its default)."""
    dr.autograd.set_detect_anomaly(False)
    yield
    dr.autograd.set_detect_anomaly(False)


def detect_anomaly(check_nan=True):
    """``dr.autograd.detect_anomaly``, taking its warning that the mode is on."""
    with pytest.warns(UserWarning, match=re.escape(ENABLED)):
        return dr.autograd.detect_anomaly(check_nan=check_nan)


def messages(record, start):
    return [str(w.message) for w in record if str(w.message).startswith(start)]


def line_of(text):
    """The number of the line of this file that holds ``text``."""
    with open(__file__, encoding="utf-8") as f:
        return next(n for n, line in enumerate(f, 1) if text in line)


# -- the errors of the backward sweep ---------------------------------------------

def test_nan_in_backward_is_an_error_naming_the_node_and_its_output():
    x = dr.tensor([0.0, 1.0], requires_grad=True)
    with detect_anomaly(), pytest.warns(UserWarning, match="Error detected in SqrtBackward0"):
        y = dr.sqrt(x)
        with pytest.raises(RuntimeError, match=f"^{re.escape(SQRT_NAN)}$"):
            (y * 0.0).sum().backward()  # 0 * inf in sqrt's rule at 0


def test_nan_in_backward_on_scalars():
    x = dr.tensor(0.0, requires_grad=True)
    with detect_anomaly(), pytest.warns(UserWarning, match="Error detected in SqrtBackward0"):
        y = x.sqrt() * 0.0
        with pytest.raises(RuntimeError, match=re.escape(SQRT_NAN)):
            y.backward()


def test_the_index_is_that_of_the_input_whose_gradient_is_nan():
    # d(x**w)/dw = x**w * log(x): nan at x = -1 (PyTorch: PowBackward1, its 1th output)
    x = dr.tensor([-1.0, 2.0], requires_grad=True)
    w = dr.tensor([1.0, 2.0], requires_grad=True)
    with detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = x ** w
        with pytest.raises(RuntimeError,
                           match=re.escape("Function 'PowBackward1' returned nan values in its "
                                           "1th output.")):
            y.sum().backward()
    assert x.grad is None and w.grad is None


def test_the_warning_shows_the_forward_call_that_made_the_node():
    x = dr.tensor([0.0], requires_grad=True)
    with detect_anomaly(), pytest.warns(UserWarning) as record:
        y = dr.sqrt(x)  # the forward call of the failing node
        with pytest.raises(RuntimeError):
            (y * 0.0).sum().backward()  # the backward call
    [message] = messages(record, "Error detected in")
    head, _, trace = message.partition("\n")
    assert head == ("Error detected in SqrtBackward0. Traceback of forward call that caused "
                    "the error:")
    last = trace.splitlines()[-2:]  # PyTorch's format: the innermost frame last
    assert last == [f'  File "{__file__}", line {line_of("# the forward call of the")}, in '
                    "test_the_warning_shows_the_forward_call_that_made_the_node",
                    "    y = dr.sqrt(x)  # the forward call of the failing node"]
    assert "dualrev" + "/" not in trace.replace("\\", "/").split("tests/")[-1]  # ends outside
    [warning] = [w for w in record if str(w.message) == message]
    assert warning.category is UserWarning
    assert (warning.filename, warning.lineno) == (__file__, line_of("# the backward call"))


def test_traceback_goes_through_the_users_functions():
    def inner(x):
        return dr.sqrt(x)  # inner's forward call

    def outer(x):
        return inner(x) * 0.0

    x = dr.tensor([0.0], requires_grad=True)
    with detect_anomaly(), pytest.warns(UserWarning) as record:
        y = outer(x)
        with pytest.raises(RuntimeError, match=re.escape(SQRT_NAN)):
            y.sum().backward()
    [message] = messages(record, "Error detected in SqrtBackward0")
    names = re.findall(r", in (\w+)\n", message + "\n")
    assert names[-3:] == ["test_traceback_goes_through_the_users_functions", "outer", "inner"]
    assert "return dr.sqrt(x)  # inner's forward call" in message


def test_a_node_made_while_the_mode_was_off_is_checked_but_has_no_traceback():
    x = dr.tensor([0.0], requires_grad=True)
    y = dr.sqrt(x) * 0.0
    with detect_anomaly(), pytest.warns(UserWarning) as record:
        with pytest.raises(RuntimeError, match=re.escape(SQRT_NAN)):
            y.sum().backward()
    assert messages(record, "Error detected in") == [
        "Error detected in SqrtBackward0. No forward pass information available. Enable detect "
        "anomaly during forward pass for more information."]


def test_other_errors_of_a_node_warn_with_its_traceback_too():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    with detect_anomaly(check_nan=False), pytest.warns(UserWarning) as record:
        y = dr.exp(x)  # saves its output
        with dr.no_grad():
            y.mul_(2.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()
    [message] = messages(record, "Error detected in ExpBackward0. Traceback of forward call")
    assert "y = dr.exp(x)  # saves its output" in message


def test_a_post_hook_that_replaces_the_nan_clears_it():
    """PyTorch checks a node's outputs after its post hooks ran."""
    x = dr.tensor([0.0], requires_grad=True)
    with detect_anomaly():
        y = dr.sqrt(x)
        y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: (dr.zeros_like(x),))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # numpy's 0/0
            warnings.simplefilter("error", UserWarning)
            (y * 0.0).sum().backward()
    assert x.grad.tolist() == [0.0]


def test_no_error_and_no_warning_when_off():
    assert not dr.is_anomaly_enabled()
    x = dr.tensor([0.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("error", UserWarning)
        (dr.sqrt(x) * 0.0).sum().backward()
    assert np.isnan(x.grad.numpy()).all()


def test_check_nan_false_records_tracebacks_but_does_not_raise():
    x = dr.tensor([0.0], requires_grad=True)
    with detect_anomaly(check_nan=False):
        assert dr.is_anomaly_enabled() and not dr.is_anomaly_check_nan_enabled()
        y = dr.sqrt(x)  # recorded with its traceback
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("error", UserWarning)
            (y * 0.0).sum().backward(retain_graph=True)
    assert np.isnan(x.grad.numpy()).all()
    trace = y.grad_fn.trace
    assert trace[-1].lineno == line_of("# recorded with its traceback")
    assert trace[-1].filename == __file__


# -- the switches --------------------------------------------------------------------

def test_the_names_are_exported():
    assert dr.is_anomaly_enabled is dr.autograd.is_anomaly_enabled
    assert dr.is_anomaly_check_nan_enabled is dr.autograd.is_anomaly_check_nan_enabled
    for name in ("detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
                 "is_anomaly_check_nan_enabled"):
        assert name in dr.autograd.__all__
    assert dr.is_anomaly_enabled() is False
    assert dr.is_anomaly_check_nan_enabled() is True  # PyTorch's default


def test_detect_anomaly_warns_where_it_is_made():
    with pytest.warns(UserWarning, match=f"^{re.escape(ENABLED)}$") as record:
        dr.autograd.detect_anomaly()  # made here
    assert (record[0].filename, record[0].lineno) == (__file__, line_of("# made here"))
    assert not dr.is_anomaly_enabled()  # made, not entered


def test_detect_anomaly_restores_the_previous_mode():
    dr.autograd.set_detect_anomaly(True, check_nan=False)
    with detect_anomaly():
        assert dr.is_anomaly_enabled() and dr.is_anomaly_check_nan_enabled()
        with detect_anomaly(check_nan=False):
            assert dr.is_anomaly_enabled() and not dr.is_anomaly_check_nan_enabled()
        assert dr.is_anomaly_check_nan_enabled()
    assert dr.is_anomaly_enabled() and not dr.is_anomaly_check_nan_enabled()
    dr.autograd.set_detect_anomaly(False)
    with pytest.raises(ValueError, match="inside"):
        with detect_anomaly():
            assert dr.is_anomaly_enabled()
            raise ValueError("inside")
    assert not dr.is_anomaly_enabled() and dr.is_anomaly_check_nan_enabled()


def test_detect_anomaly_as_a_decorator():
    seen = []
    decorate = detect_anomaly(check_nan=False)
    assert not dr.is_anomaly_enabled()  # decorating switches nothing on

    @decorate
    def f(x):
        """f's own docstring."""
        seen.append((dr.is_anomaly_enabled(), dr.is_anomaly_check_nan_enabled()))
        if x < 0:
            raise ValueError("negative")
        return 2 * x

    assert f.__doc__ == "f's own docstring."
    assert f(3) == 6
    assert seen == [(True, False)]
    assert not dr.is_anomaly_enabled() and dr.is_anomaly_check_nan_enabled()
    with pytest.raises(ValueError, match="negative"):
        f(-1)
    assert not dr.is_anomaly_enabled() and dr.is_anomaly_check_nan_enabled()


def test_set_detect_anomaly_as_a_plain_call():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # it does not warn (PyTorch's does not)
        dr.autograd.set_detect_anomaly(True)
    assert dr.is_anomaly_enabled() and dr.is_anomaly_check_nan_enabled()
    dr.autograd.set_detect_anomaly(True, check_nan=False)
    assert dr.is_anomaly_enabled() and not dr.is_anomaly_check_nan_enabled()
    dr.autograd.set_detect_anomaly(False, check_nan=False)
    assert not dr.is_anomaly_enabled() and not dr.is_anomaly_check_nan_enabled()
    dr.autograd.set_detect_anomaly(False)
    assert not dr.is_anomaly_enabled() and dr.is_anomaly_check_nan_enabled()


def test_set_detect_anomaly_as_a_context_manager():
    with dr.autograd.set_detect_anomaly(True):
        assert dr.is_anomaly_enabled()
        with dr.autograd.set_detect_anomaly(False):
            assert not dr.is_anomaly_enabled()
        assert dr.is_anomaly_enabled()
        x = dr.tensor([0.0], requires_grad=True)
        with pytest.warns(UserWarning, match="Error detected in SqrtBackward0"):
            with pytest.raises(RuntimeError, match=re.escape(SQRT_NAN)):
                (dr.sqrt(x) * 0.0).sum().backward()
    assert not dr.is_anomaly_enabled()
    with pytest.raises(KeyError):
        with dr.autograd.set_detect_anomaly(True, check_nan=False):
            raise KeyError("out")
    assert not dr.is_anomaly_enabled() and dr.is_anomaly_check_nan_enabled()


def test_the_mode_is_one_for_the_whole_process():
    """As PyTorch's: another thread sees it."""
    seen = []
    dr.autograd.set_detect_anomaly(True, check_nan=False)
    thread = threading.Thread(
        target=lambda: seen.append((dr.is_anomaly_enabled(), dr.is_anomaly_check_nan_enabled())))
    thread.start()
    thread.join()
    assert seen == [(True, False)]


def test_free_when_off_nodes_keep_no_traceback():
    assert not dr.is_anomaly_enabled()
    x = dr.tensor(0.5, requires_grad=True)
    a = dr.tensor([0.5, 2.0], requires_grad=True)
    nodes = [dr.sin(x).grad_fn, (x * x).grad_fn, dr.sum(a * a).grad_fn, dr.exp(a).grad_fn]
    assert all(node.trace is None for node in nodes)
    assert all(node.extra is None for k, node in enumerate(nodes) if k != 2)  # the fast path
    with detect_anomaly():
        nodes = [dr.sin(x).grad_fn, (x * x).grad_fn, dr.sum(a * a).grad_fn,
                 dr.exp(a).grad_fn]
    assert all(node.trace is not None for node in nodes)
    assert nodes[0].trace[-1].filename == __file__
    assert dr.sin(x).grad_fn.extra is None  # off again


def test_gradients_are_unchanged_in_anomaly_mode():
    def f(x, a):
        return dr.sum(dr.sin(a * x) * dr.exp(a)) + x ** 3

    x = dr.tensor(0.7, requires_grad=True)
    a = dr.tensor([0.5, -1.0, 2.0], requires_grad=True)
    f(x, a).backward()
    expected = x.grad.item(), a.grad.numpy().copy()
    x.grad = a.grad = None
    with detect_anomaly():
        f(x, a).backward()
    assert x.grad.item() == expected[0]
    np.testing.assert_array_equal(a.grad.numpy(), expected[1])


# -- under dualrev.func ------------------------------------------------------------

def test_func_grad_goes_through_the_same_check():
    with detect_anomaly(), pytest.warns(UserWarning) as record:
        with pytest.raises(RuntimeError, match=re.escape(SQRT_NAN)):
            dr.func.grad(lambda x: dr.sqrt(x) * 0.0)(dr.tensor(0.0))  # grad's forward call
    [message] = messages(record, "Error detected in SqrtBackward0. Traceback")
    assert "# grad's forward call" in message


def test_func_vjp_and_jacrev_go_through_the_same_check():
    with detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, pull = dr.func.vjp(dr.sqrt, dr.tensor([0.0, 1.0]))
        with pytest.raises(RuntimeError, match=re.escape(SQRT_NAN)):
            pull(dr.tensor([0.0, 1.0]))
        # jacrev pushes its unit cotangents as one batch (a Dual): the nan of
        # the rows is still the backward function's, not forward mode's
        with pytest.raises(RuntimeError, match=re.escape(SQRT_NAN)):
            dr.func.jacrev(dr.sqrt)(dr.tensor([0.0, 1.0]))
    jacobian = dr.func.jacrev(dr.sqrt)(dr.tensor([1.0, 4.0]))  # and no nan: as without
    np.testing.assert_allclose(jacobian.numpy(), np.diag([0.5, 0.25]))


JVP_NAN = "Function 'sqrt' returned nan values in its tangent (the tangents of its inputs had none)."


def test_func_jvp_names_the_primitive():
    with detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(RuntimeError, match=f"^{re.escape(JVP_NAN)}$"):
            dr.func.jvp(dr.sqrt, (dr.tensor([0.0, 1.0]),), (dr.tensor([0.0, 1.0]),))  # 0/0
        with pytest.raises(RuntimeError, match=re.escape(JVP_NAN)):
            dr.func.jvp(lambda x: dr.sqrt(x * 0.0 - 1.0), (dr.tensor(1.0),), (dr.tensor(1.0),))
        with pytest.raises(RuntimeError, match=re.escape(JVP_NAN)):
            dr.func.jacfwd(dr.sqrt)(dr.zeros(3))  # 0/0 off the diagonal
        with pytest.raises(RuntimeError, match=re.escape(JVP_NAN)):
            dr.func.hessian(lambda x: dr.sum(dr.sqrt(x)))(dr.zeros(3))
        with pytest.raises(RuntimeError, match=re.escape(JVP_NAN)):
            dr.sqrt(dr.Dual(0.0, 0.0))


def test_forward_mode_raises_only_for_a_new_nan():
    nan = float("nan")
    with detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _, tangent = dr.func.jvp(dr.sqrt, (dr.tensor([1.0, 4.0]),), (dr.tensor([nan, 1.0]),))
        assert np.isnan(tangent.numpy()[0])
        _, tangent = dr.func.jvp(dr.sqrt, (dr.tensor([0.0]),), (dr.tensor([1.0]),))  # 1/0: inf
        assert tangent.tolist() == [float("inf")]
        with pytest.raises(RuntimeError, match=re.escape(
                "Function 'mul' returned nan values in its tangent (the tangents of its inputs "
                "had none).")):
            dr.func.jvp(lambda x: dr.sqrt(x) * 0.0, (dr.tensor([0.0]),), (dr.tensor([1.0]),))


def test_forward_mode_does_not_raise_when_off_or_without_check_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _, tangent = dr.func.jvp(dr.sqrt, (dr.tensor([0.0]),), (dr.tensor([0.0]),))
        assert np.isnan(tangent.numpy()).all()
        with detect_anomaly(check_nan=False):
            _, tangent = dr.func.jvp(dr.sqrt, (dr.tensor([0.0]),), (dr.tensor([0.0]),))
        assert np.isnan(tangent.numpy()).all()


def test_a_deferred_tangent_is_checked_when_computed_and_shows_its_forward_call():
    n = DEFER_SIZE
    with detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        d = dr.Dual(np.zeros(n), np.zeros(n))
        y = dr.sqrt(d)  # a large array: its tangent is deferred
    with pytest.warns(UserWarning) as record, warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(RuntimeError, match=re.escape(JVP_NAN)):
            y.tangent
    [message] = messages(record, "Error detected in sqrt. Traceback of forward call")
    assert "y = dr.sqrt(d)  # a large array" in message
