"""Bad input gets a clear exception in PyTorch's type and words (checked by
hand against PyTorch 2.13), never AttributeError, a NumPy exception or
message, a wrong number or a hang: the examples of issue 9 (items 10 and 12)
and what the fuzzer (tests/test_fuzz.py) found. torch is not needed to run
them.

dualrev accepts array-likes (numbers, lists, arrays) wherever a dr.X
function takes a tensor, as ``dr.sin`` does; things that are not array-likes
(None, strings, other objects) raise PyTorch's TypeError.
"""

import time

import numpy as np
import pytest

import dualrev as dr


def quick(fn, limit=1.0):
    start = time.perf_counter()
    try:
        return fn()
    finally:
        assert time.perf_counter() - start < limit


# ------------------------------------------------------ the input argument ---

def test_array_likes_are_accepted_like_sin():
    assert dr.sum([1.0, 2.0]).item() == 3.0
    assert dr.sin([0.0, 0.0]).tolist() == [0.0, 0.0]
    assert dr.mean(np.array([1.0, 3.0])).item() == 2.0
    assert dr.cumsum([1, 2, 3], 0).tolist() == [1, 3, 6]
    assert dr.linalg.det([[1.0, 0.0], [0.0, 2.0]]).item() == 2.0


@pytest.mark.parametrize("fn, call", [
    ("sum", lambda: dr.sum(None)),
    ("detach", lambda: dr.detach(None)),
    ("sin", lambda: dr.sin(None)),
    ("mean", lambda: dr.mean("abc")),
    ("triu", lambda: dr.triu(None)),
    ("linalg.det", lambda: dr.linalg.det(None)),
    ("topk", lambda: dr.topk(object(), 1)),
])
def test_non_array_like_input_is_a_type_error(fn, call):
    with pytest.raises(TypeError, match=rf"{fn}\(\): argument '\w+' \(position 1\) must be "
                                        "Tensor, not"):
        call()


def test_sum_of_none_in_pytorch_words():
    with pytest.raises(TypeError, match=r"^sum\(\): argument 'input' \(position 1\) must be "
                                        r"Tensor, not NoneType$"):
        dr.sum(None)


def test_other_argument_named_and_positioned():
    with pytest.raises(TypeError, match=r"add\(\): argument 'other' \(position 2\) must be Tensor, "
                                        "not NoneType"):
        dr.add(dr.zeros(2), None)
    with pytest.raises(TypeError, match="atan2.*'other'.*not NoneType"):
        dr.zeros(2).atan2(None)
    with pytest.raises(TypeError, match="matmul.*'other'.*not NoneType"):
        dr.zeros(2).matmul(None)


def test_reshape_as_of_none_and_of_a_number():
    with pytest.raises(TypeError, match="'other'.*must be Tensor, not NoneType"):
        dr.zeros(3).reshape_as(None)
    with pytest.raises(RuntimeError, match=r"shape '\[\]' is invalid for input of size 3"):
        dr.zeros(3).reshape_as(3)  # a number is a 0-d array-like
    with pytest.raises(TypeError, match="'other'.*not NoneType"):
        dr.zeros(3).type_as(None)
    with pytest.raises(TypeError, match="'other'.*not NoneType"):
        dr.zeros(3).expand_as(None)


def test_ragged_and_object_data():
    with pytest.raises(ValueError, match="ragged"):
        dr.sum([[1.0], [1.0, 2.0]])
    with pytest.raises(TypeError, match="Python objects"):
        dr.sum(np.array([None, 1.0], dtype=object))
    with pytest.raises(TypeError, match="complex"):
        dr.exp([1j])


def test_from_numpy_takes_only_an_ndarray():
    with pytest.raises(TypeError, match=r"expected np\.ndarray \(got list\)"):
        dr.from_numpy([1.0])
    assert dr.from_numpy(np.array([1.0])).tolist() == [1.0]


def test_a_number_is_an_array_like_not_a_crash():
    assert dr.reciprocal(0).item() == float("inf")
    assert np.isnan(dr.std(1.0).item())
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        dr.std(-1)


# ------------------------------------------------------------- operators ---

def test_none_times_tensor_is_a_type_error():
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \*: 'NoneType' and "
                                        "'Tensor'"):
        None * dr.zeros(0, 3)
    with pytest.raises(TypeError, match="unsupported operand"):
        dr.zeros(2) + "a"


def test_comparison_with_a_string():
    assert (dr.tensor([1.0]) == "abc") is False
    assert (dr.tensor([1.0]) != "abc") is True
    with pytest.raises(TypeError, match="'<' not supported between instances of 'Tensor' and "
                                        "'str'"):
        dr.tensor([1.0]) < "abc"


# ------------------------------------------------------ dims, sizes, k, n ---

def test_topk_k_out_of_range():
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        dr.topk(dr.zeros(3), 5)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        quick(lambda: dr.topk(dr.zeros(3), 10 ** 12))
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        dr.topk(dr.zeros(3), -1)


def test_triu_tril_need_a_matrix():
    with pytest.raises(RuntimeError, match="triu: input tensor must have at least 2 dimensions"):
        dr.zeros(3).triu()
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions"):
        dr.tril(dr.tensor(1.0))


def test_sort_of_a_0d_tensor():
    values, indices = dr.tensor(1.0).sort()
    assert values.item() == 1.0 and indices.item() == 0
    assert dr.argsort(dr.tensor(2.0)).item() == 0


def test_diff_with_a_huge_order_is_quick():
    out = quick(lambda: dr.zeros(2, 3).diff(10 ** 12))
    assert tuple(out.shape) == (2, 0)
    with pytest.raises(RuntimeError, match="order must be non-negative but got -1"):
        dr.zeros(2, 3).diff(-1)
    with pytest.raises(RuntimeError, match="diff expects input to be at least one-dimensional"):
        dr.tensor(1.0).diff()


def test_huge_sizes_are_refused_not_allocated():
    for make in (lambda: dr.zeros(10 ** 12), lambda: dr.ones(10 ** 6, 10 ** 6),
                 lambda: dr.arange(10 ** 13), lambda: dr.zeros(3).repeat(10 ** 12),
                 lambda: dr.eye(10 ** 7), lambda: dr.randn(10 ** 12)):
        with pytest.raises(RuntimeError, match="can't allocate memory"):
            quick(make)


def test_negative_sizes():
    with pytest.raises(RuntimeError, match="negative dimension -1"):
        dr.zeros(-1)
    with pytest.raises(RuntimeError, match="negative dimension"):
        dr.zeros(2).repeat(-1)


def test_sizes_must_be_ints():
    with pytest.raises(TypeError, match=r"zeros\(\): argument 'size' \(position 1\) must be tuple "
                                        "of ints, not str"):
        dr.zeros("a")
    with pytest.raises(TypeError, match="must be tuple of ints"):
        dr.zeros(1.5)
    with pytest.raises(TypeError, match="must be tuple of ints"):
        dr.zeros(2).reshape("a")


def test_dims_must_be_ints():
    with pytest.raises(TypeError, match="argument 'dim' must be int"):
        dr.sum(dr.zeros(2), "a")
    with pytest.raises(TypeError, match="argument 'dim' must be int"):
        dr.unsqueeze(dr.zeros(2), None)
    with pytest.raises(IndexError, match="Dimension out of range"):
        dr.sum(dr.zeros(2), 10 ** 12)


def test_dtype_must_be_a_dtype():
    with pytest.raises(TypeError, match="argument 'dtype' must be dualrev.dtype, not float"):
        dr.zeros(2, dtype=1.5)
    with pytest.raises(TypeError, match="argument 'dtype' must be dualrev.dtype, not int"):
        dr.zeros(2).to_dtype(1)


def test_reduction_without_identity_of_empty_input():
    with pytest.raises(RuntimeError, match=r"max\(\): Expected reduction dim to be specified for "
                                           r"input.numel\(\) == 0"):
        dr.max(dr.zeros(3, 0))
    with pytest.raises(RuntimeError, match=r"amax\(\): Expected reduction dim 1 to have non-zero"):
        dr.amax(dr.zeros(3, 0), 1)


def test_shapes_that_do_not_broadcast():
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of "
                                           r"tensor b \(0\) at non-singleton dimension 1"):
        dr.zeros(3, 3).addcmul(dr.zeros(0), dr.zeros(0))
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        dr.add(dr.zeros(3), dr.zeros(2))
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        dr.zeros(3, 3).clamp(dr.zeros(0), dr.zeros(0))


# ------------------------------------------------------------------ others ---

def test_einsum_without_equation_or_operands():
    for call in (lambda: dr.einsum(dr.zeros(2)), lambda: dr.einsum("abc")):
        with pytest.raises(ValueError, match="must specify the equation string and at least one "
                                             "operand"):
            call()


def test_randint_forms():
    dr.manual_seed(0)
    x = dr.randint(10, (3,))
    assert tuple(x.shape) == (3,) and x.dtype == dr.int64 and 0 <= x.min().item() <= 9
    y = dr.randint(2, (3,))
    assert tuple(y.shape) == (3,) and set(y.tolist()) <= {0, 1}
    z = dr.randint(5, 7, (2, 2))
    assert tuple(z.shape) == (2, 2) and set(z.flatten().tolist()) <= {5, 6}
    with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to'"):
        dr.randint(5, 2, (3,))


def test_transform_argnums_must_be_non_empty():
    with pytest.raises(RuntimeError, match="argnums must be non-empty"):
        dr.func.jacfwd(lambda x: x, argnums=())(dr.zeros(2))
    with pytest.raises(RuntimeError, match="argnums must be non-empty"):
        dr.func.grad(lambda x: x.sum(), argnums=())(dr.zeros(2))
    with pytest.raises(RuntimeError, match="argnums must be non-empty"):
        dr.func.jacrev(lambda x: x.sum(), argnums=())(dr.zeros(2))


def test_transform_of_a_non_tensor():
    with pytest.raises(ValueError, match="Thing passed to transform API must be Tensor, got "
                                         "<class 'NoneType'>"):
        dr.func.grad(lambda x: x.sum())(None)
    with pytest.raises(ValueError, match="Thing passed to transform API must be Tensor"):
        dr.func.jacrev(lambda x: x)("abc")


def test_singular_matrix_is_pytorchs_linalg_error():
    with pytest.raises(dr.linalg.LinAlgError, match="singular"):
        dr.linalg.inv(dr.zeros(2, 2))
    with pytest.raises(RuntimeError, match="not positive-definite"):
        dr.linalg.cholesky(-dr.eye(2))
    with pytest.raises(RuntimeError, match="linalg.det: The input tensor A must have at least 2 "
                                           "dimensions"):
        dr.linalg.det(dr.zeros(3))


def test_take_out_of_range():
    with pytest.raises(IndexError, match="out of range: tried to access index 1 on a tensor of 1 "
                                         "elements"):
        dr.tensor(3).take(dr.tensor(1))


def test_huge_python_ints():
    with pytest.raises(RuntimeError, match="without overflow"):
        dr.exp(2 ** 64)
    with pytest.raises(IndexError, match="int64"):
        dr.zeros(2)[2 ** 64]


@pytest.mark.parametrize("call, error, words", [
    (lambda: dr.zeros(2, dtype=dr.bool) - (), RuntimeError, "must match the size"),
    (lambda: dr.zeros(3) + [[1.0], 2.0], ValueError, "ragged list"),
    (lambda: [[1.0], 2.0] * dr.zeros(3), ValueError, "ragged list"),
    (lambda: dr.zeros(3) + dr.zeros(2), RuntimeError, "must match the size of tensor b"),
    (lambda: dr.tensor(1.0).norm(0, 0, np.zeros(3)), TypeError, "'keepdim' must be bool"),
    (lambda: dr.Tensor(requires_grad=np.ones((2, 2))), TypeError, "'requires_grad' must be bool"),
    (lambda: dr.autograd.gradcheck(False, dr.ones(2, requires_grad=True)), TypeError,
     "must be callable"),
    (lambda: dr.autograd.gradcheck(dr.sin, dr.ones(2, requires_grad=True), [[1.0], [1.0, 2.0]]),
     TypeError, "'eps' must be float"),
    (lambda: dr.autograd.gradgradcheck(float, True), ValueError, "at least one input tensor"),
    (lambda: dr.autograd.set_detect_anomaly(np.zeros(3)), TypeError, "'mode' must be bool"),
    (lambda: dr.zeros(2).size(np.zeros(3)), TypeError, "argument 'dim' must be int")])
def test_what_a_long_fuzz_run_found(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_inner_refuses_last_dimensions_that_differ():
    x = dr.tensor([0.3, 0.6, 0.2], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"inner\(\) the last dimension must match on both "
                                           r"input tensors but got shapes \[3\] and \[1\]"):
        dr.inner(x, dr.tensor([3.0]))
    assert dr.inner(x, 2.0).tolist() == pytest.approx([0.6, 1.2, 0.4])  # a 0-d operand scales


def test_addmm_input_must_expand_to_the_product():
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(1\) must match the "
                                           r"existing size \(2\) at non-singleton dimension 1"):
        dr.addmm(dr.tensor([1.0, 1.0]), dr.ones(2, 2), dr.ones(2, 1))
    assert dr.addmm(dr.tensor([1.0]), dr.ones(2, 2), dr.ones(2, 1)).tolist() == [[3.0], [3.0]]


def test_permute_with_a_dim_twice_says_so():
    for dims in ((0, 0), (1, -1)):
        with pytest.raises(RuntimeError, match=r"permute\(\): duplicate dims are not allowed\."):
            dr.zeros(2, 3).permute(*dims)
    with pytest.raises(RuntimeError, match="input.dim\\(\\) = 2 is not equal to len\\(dims\\) = 1"):
        dr.permute(dr.zeros(2, 3), (0,))
