"""Tests for dualrev._format: every expected string was printed by PyTorch 2.13.

Each case was produced by ``repr`` of the same data in torch 2.13 (with
``torch.set_default_dtype`` set to the case's default dtype) and ``torch.``
replaced by ``dualrev.``; torch itself is not needed to run them.
"""

import ast

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dualrev._format import format_scalar, set_printoptions, tensor_repr

F64 = np.dtype(np.float64)
F32 = np.dtype(np.float32)
nan, inf = np.nan, np.inf
DEFAULTS = dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)


@pytest.fixture(autouse=True)
def default_print_options():
    set_printoptions(**DEFAULTS)
    yield
    set_printoptions(**DEFAULTS)


def case(name, values, kwargs, expected, options=None):
    return pytest.param(values, kwargs, options or {}, expected, id=name)


REPR_CASES = [
    case(
        'scalar_negative_integral',
        np.array(-2.0),
        dict(default_dtype=F64),
        'tensor(-2.)',
    ),
    case(
        'scalar_fraction',
        np.array(1.00001),
        dict(default_dtype=F64),
        'tensor(1.0000)',
    ),
    case(
        'scalar_python_float_grad_fn',
        3.0,
        dict(default_dtype=F64, grad_fn_name='AddBackward0'),
        'tensor(3., grad_fn=<AddBackward0>)',
    ),
    case(
        'matrix_requires_grad',
        np.array([[0.0, 0.0], [1.0, 2.0]]),
        dict(default_dtype=F64, requires_grad=True),
        (
            'tensor([[0., 0.],\n'
            '        [1., 2.]], requires_grad=True)'
        ),
    ),
    case(
        'negative_alignment',
        np.array([[-2.0, -2.0], [0.0, 2.0]]),
        dict(default_dtype=F64),
        (
            'tensor([[-2., -2.],\n'
            '        [ 0.,  2.]])'
        ),
    ),
    case(
        'mixed_fractions',
        np.array([-1.5, 0.25, 10.125]),
        dict(default_dtype=F64),
        'tensor([-1.5000,  0.2500, 10.1250])',
    ),
    case(
        'sci_wide_range',
        np.array([1e-4, 1e3]),
        dict(default_dtype=F64),
        'tensor([1.0000e-04, 1.0000e+03])',
    ),
    case(
        'sci_large',
        np.array([1.5e9, 2.0]),
        dict(default_dtype=F64),
        'tensor([1.5000e+09, 2.0000e+00])',
    ),
    case(
        'sci_small',
        np.array([1e-5, 2e-5]),
        dict(default_dtype=F64),
        'tensor([1.0000e-05, 2.0000e-05])',
    ),
    case(
        'sci_integral_values',
        np.array([1e10, 1.0, -3.0]),
        dict(default_dtype=F64),
        'tensor([ 1.0000e+10,  1.0000e+00, -3.0000e+00])',
    ),
    case(
        'ratio_at_1000_is_fixed',
        np.array([0.5, 500.0]),
        dict(default_dtype=F64),
        'tensor([  0.5000, 500.0000])',
    ),
    case(
        'float32_non_default',
        np.array([0.1, 2.5], dtype=np.float32),
        dict(default_dtype=F64),
        'tensor([0.1000, 2.5000], dtype=dualrev.float32)',
    ),
    case(
        'float32_default',
        np.array([0.1, 2.5], dtype=np.float32),
        dict(default_dtype=F32),
        'tensor([0.1000, 2.5000])',
    ),
    case(
        'float64_when_float32_default',
        np.array([0.1, 2.5]),
        dict(default_dtype=F32),
        'tensor([0.1000, 2.5000], dtype=dualrev.float64)',
    ),
    case(
        'float32_rounding_shows',
        np.array(123456.789, dtype=np.float32),
        dict(default_dtype=F64),
        'tensor(123456.7891, dtype=dualrev.float32)',
    ),
    case(
        'float64_same_value',
        np.array(123456.789),
        dict(default_dtype=F64),
        'tensor(123456.7890)',
    ),
    case(
        'float32_sci_digits',
        np.array([1e-8, 1.0], dtype=np.float32),
        dict(default_dtype=F32),
        'tensor([1.0000e-08, 1.0000e+00])',
    ),
    case(
        'float32_grad_fn_order',
        np.array([1.5, 2.0], dtype=np.float32),
        dict(default_dtype=F64, grad_fn_name='MulBackward0'),
        'tensor([1.5000, 2.0000], dtype=dualrev.float32, grad_fn=<MulBackward0>)',
    ),
    case(
        'float32_requires_grad_order',
        np.array(2.5, dtype=np.float32),
        dict(default_dtype=F64, requires_grad=True),
        'tensor(2.5000, dtype=dualrev.float32, requires_grad=True)',
    ),
    case(
        'int64_vector',
        np.array([1, -20, 300]),
        dict(default_dtype=F64),
        'tensor([  1, -20, 300])',
    ),
    case(
        'int64_scalar',
        np.array(7),
        dict(default_dtype=F64),
        'tensor(7)',
    ),
    case(
        'int32_suffix',
        np.array([[1, 2], [3, 4]], dtype=np.int32),
        dict(default_dtype=F64),
        (
            'tensor([[1, 2],\n'
            '        [3, 4]], dtype=dualrev.int32)'
        ),
    ),
    case(
        'uint8_suffix',
        np.array([0, 255], dtype=np.uint8),
        dict(default_dtype=F32),
        'tensor([  0, 255], dtype=dualrev.uint8)',
    ),
    case(
        'int8_negative',
        np.array([-128, 5], dtype=np.int8),
        dict(default_dtype=F64),
        'tensor([-128,    5], dtype=dualrev.int8)',
    ),
    case(
        'bool_vector',
        np.array([True, False, True]),
        dict(default_dtype=F64),
        'tensor([ True, False,  True])',
    ),
    case(
        'bool_scalar',
        np.array(False),
        dict(default_dtype=F32),
        'tensor(False)',
    ),
    case(
        'bool_matrix',
        np.array([[True], [False]]),
        dict(default_dtype=F64),
        (
            'tensor([[ True],\n'
            '        [False]])'
        ),
    ),
    case(
        'three_d',
        np.arange(12.0).reshape(2, 2, 3),
        dict(default_dtype=F64),
        (
            'tensor([[[ 0.,  1.,  2.],\n'
            '         [ 3.,  4.,  5.]],\n'
            '\n'
            '        [[ 6.,  7.,  8.],\n'
            '         [ 9., 10., 11.]]])'
        ),
    ),
    case(
        'four_d_int',
        np.arange(16).reshape(2, 2, 2, 2),
        dict(default_dtype=F64),
        (
            'tensor([[[[ 0,  1],\n'
            '          [ 2,  3]],\n'
            '\n'
            '         [[ 4,  5],\n'
            '          [ 6,  7]]],\n'
            '\n'
            '\n'
            '        [[[ 8,  9],\n'
            '          [10, 11]],\n'
            '\n'
            '         [[12, 13],\n'
            '          [14, 15]]]])'
        ),
    ),
    case(
        'wrap_float_row',
        np.arange(30.0) / 4,
        dict(default_dtype=F64),
        (
            'tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000, 1.2500, 1.5000, 1.7500, 2.0000,\n'
            '        2.2500, 2.5000, 2.7500, 3.0000, 3.2500, 3.5000, 3.7500, 4.0000, 4.2500,\n'
            '        4.5000, 4.7500, 5.0000, 5.2500, 5.5000, 5.7500, 6.0000, 6.2500, 6.5000,\n'
            '        6.7500, 7.0000, 7.2500])'
        ),
    ),
    case(
        'wrap_int_row',
        np.arange(40) * 1000,
        dict(default_dtype=F64),
        (
            'tensor([    0,  1000,  2000,  3000,  4000,  5000,  6000,  7000,  8000,  9000,\n'
            '        10000, 11000, 12000, 13000, 14000, 15000, 16000, 17000, 18000, 19000,\n'
            '        20000, 21000, 22000, 23000, 24000, 25000, 26000, 27000, 28000, 29000,\n'
            '        30000, 31000, 32000, 33000, 34000, 35000, 36000, 37000, 38000, 39000])'
        ),
    ),
    case(
        'wrap_matrix_rows',
        np.arange(36.0).reshape(2, 18) - 10.5,
        dict(default_dtype=F32),
        (
            'tensor([[-10.5000,  -9.5000,  -8.5000,  -7.5000,  -6.5000,  -5.5000,  -4.5000,\n'
            '          -3.5000,  -2.5000,  -1.5000,  -0.5000,   0.5000,   1.5000,   2.5000,\n'
            '           3.5000,   4.5000,   5.5000,   6.5000],\n'
            '        [  7.5000,   8.5000,   9.5000,  10.5000,  11.5000,  12.5000,  13.5000,\n'
            '          14.5000,  15.5000,  16.5000,  17.5000,  18.5000,  19.5000,  20.5000,\n'
            '          21.5000,  22.5000,  23.5000,  24.5000]], dtype=dualrev.float64)'
        ),
    ),
    case(
        'dtype_suffix_moves_to_next_line',
        np.arange(24.0, dtype=np.float32).reshape(2, 12) * 1000,
        dict(default_dtype=F64),
        (
            'tensor([[    0.,  1000.,  2000.,  3000.,  4000.,  5000.,  6000.,  7000.,  8000.,\n'
            '          9000., 10000., 11000.],\n'
            '        [12000., 13000., 14000., 15000., 16000., 17000., 18000., 19000., 20000.,\n'
            '         21000., 22000., 23000.]], dtype=dualrev.float32)'
        ),
    ),
    case(
        'two_suffixes_wrap',
        np.arange(13.0).reshape(1, 13) * 100000,
        dict(default_dtype=F32, requires_grad=True),
        (
            'tensor([[      0.,  100000.,  200000.,  300000.,  400000.,  500000.,  600000.,\n'
            '          700000.,  800000.,  900000., 1000000., 1100000., 1200000.]],\n'
            '       dtype=dualrev.float64, requires_grad=True)'
        ),
    ),
    case(
        'suffix_fits_as_torch_measures_it',
        np.full(17, 7, dtype=np.int32),
        dict(default_dtype=F64),
        'tensor([7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7], dtype=dualrev.int32)',
    ),
    case(
        'suffix_wraps',
        np.full(18, 7, dtype=np.int32),
        dict(default_dtype=F64),
        (
            'tensor([7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7],\n'
            '       dtype=dualrev.int32)'
        ),
    ),
    case(
        'summarize_vector',
        np.arange(2000.0),
        dict(default_dtype=F64),
        (
            'tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n'
            '        1.9990e+03])'
        ),
    ),
    case(
        'summarize_matrix',
        np.arange(1600).reshape(40, 40),
        dict(default_dtype=F64),
        (
            'tensor([[   0,    1,    2,  ...,   37,   38,   39],\n'
            '        [  40,   41,   42,  ...,   77,   78,   79],\n'
            '        [  80,   81,   82,  ...,  117,  118,  119],\n'
            '        ...,\n'
            '        [1480, 1481, 1482,  ..., 1517, 1518, 1519],\n'
            '        [1520, 1521, 1522,  ..., 1557, 1558, 1559],\n'
            '        [1560, 1561, 1562,  ..., 1597, 1598, 1599]])'
        ),
    ),
    case(
        'summarize_uses_shown_values_only',
        np.concatenate([np.ones(3), np.full(1000, 0.5), np.ones(3) * 2]),
        dict(default_dtype=F64),
        'tensor([1., 1., 1.,  ..., 2., 2., 2.])',
    ),
    case(
        'summarize_3d',
        np.arange(1029).reshape(7, 7, 21),
        dict(default_dtype=F32),
        (
            'tensor([[[   0,    1,    2,  ...,   18,   19,   20],\n'
            '         [  21,   22,   23,  ...,   39,   40,   41],\n'
            '         [  42,   43,   44,  ...,   60,   61,   62],\n'
            '         ...,\n'
            '         [  84,   85,   86,  ...,  102,  103,  104],\n'
            '         [ 105,  106,  107,  ...,  123,  124,  125],\n'
            '         [ 126,  127,  128,  ...,  144,  145,  146]],\n'
            '\n'
            '        [[ 147,  148,  149,  ...,  165,  166,  167],\n'
            '         [ 168,  169,  170,  ...,  186,  187,  188],\n'
            '         [ 189,  190,  191,  ...,  207,  208,  209],\n'
            '         ...,\n'
            '         [ 231,  232,  233,  ...,  249,  250,  251],\n'
            '         [ 252,  253,  254,  ...,  270,  271,  272],\n'
            '         [ 273,  274,  275,  ...,  291,  292,  293]],\n'
            '\n'
            '        [[ 294,  295,  296,  ...,  312,  313,  314],\n'
            '         [ 315,  316,  317,  ...,  333,  334,  335],\n'
            '         [ 336,  337,  338,  ...,  354,  355,  356],\n'
            '         ...,\n'
            '         [ 378,  379,  380,  ...,  396,  397,  398],\n'
            '         [ 399,  400,  401,  ...,  417,  418,  419],\n'
            '         [ 420,  421,  422,  ...,  438,  439,  440]],\n'
            '\n'
            '        ...,\n'
            '\n'
            '        [[ 588,  589,  590,  ...,  606,  607,  608],\n'
            '         [ 609,  610,  611,  ...,  627,  628,  629],\n'
            '         [ 630,  631,  632,  ...,  648,  649,  650],\n'
            '         ...,\n'
            '         [ 672,  673,  674,  ...,  690,  691,  692],\n'
            '         [ 693,  694,  695,  ...,  711,  712,  713],\n'
            '         [ 714,  715,  716,  ...,  732,  733,  734]],\n'
            '\n'
            '        [[ 735,  736,  737,  ...,  753,  754,  755],\n'
            '         [ 756,  757,  758,  ...,  774,  775,  776],\n'
            '         [ 777,  778,  779,  ...,  795,  796,  797],\n'
            '         ...,\n'
            '         [ 819,  820,  821,  ...,  837,  838,  839],\n'
            '         [ 840,  841,  842,  ...,  858,  859,  860],\n'
            '         [ 861,  862,  863,  ...,  879,  880,  881]],\n'
            '\n'
            '        [[ 882,  883,  884,  ...,  900,  901,  902],\n'
            '         [ 903,  904,  905,  ...,  921,  922,  923],\n'
            '         [ 924,  925,  926,  ...,  942,  943,  944],\n'
            '         ...,\n'
            '         [ 966,  967,  968,  ...,  984,  985,  986],\n'
            '         [ 987,  988,  989,  ..., 1005, 1006, 1007],\n'
            '         [1008, 1009, 1010,  ..., 1026, 1027, 1028]]])'
        ),
    ),
    case(
        'summarize_float32_hidden_tiny_values',
        np.linspace(-1, 1, 1001, dtype=np.float32) ** 3,
        dict(default_dtype=F64),
        (
            'tensor([-1.0000, -0.9940, -0.9880,  ...,  0.9880,  0.9940,  1.0000],\n'
            '       dtype=dualrev.float32)'
        ),
    ),
    case(
        'at_threshold_not_summarized',
        np.arange(6),
        dict(default_dtype=F64),
        'tensor([0, 1, 2, 3, 4, 5])',
        options={'threshold': 6, 'edgeitems': 2},
    ),
    case(
        'nan_inf_fixed',
        np.array([nan, inf, -inf, 1.5]),
        dict(default_dtype=F64),
        'tensor([   nan,    inf,   -inf, 1.5000])',
    ),
    case(
        'nan_inf_integral',
        np.array([nan, -inf, 2.0]),
        dict(default_dtype=F64),
        'tensor([nan, -inf, 2.])',
    ),
    case(
        'nan_inf_sci',
        np.array([nan, 1e-6, 1.0]),
        dict(default_dtype=F64),
        'tensor([       nan, 1.0000e-06, 1.0000e+00])',
    ),
    case(
        'all_nan',
        np.array([nan, nan]),
        dict(default_dtype=F64),
        'tensor([nan, nan])',
    ),
    case(
        'scalar_inf',
        np.array(-inf),
        dict(default_dtype=F64),
        'tensor(-inf)',
    ),
    case(
        'negative_zero',
        np.array([-0.0]),
        dict(default_dtype=F64),
        'tensor([-0.])',
    ),
    case(
        'negative_zero_fixed',
        np.array([0.0, -0.0, 0.5]),
        dict(default_dtype=F64),
        'tensor([0.0000, -0.0000, 0.5000])',
    ),
    case(
        'zeros_only',
        np.zeros((2, 2)),
        dict(default_dtype=F64),
        (
            'tensor([[0., 0.],\n'
            '        [0., 0.]])'
        ),
    ),
    case(
        'empty_vector',
        np.zeros(0),
        dict(default_dtype=F64),
        'tensor([])',
    ),
    case(
        'empty_matrix',
        np.zeros((0, 3)),
        dict(default_dtype=F64),
        'tensor([], size=(0, 3))',
    ),
    case(
        'empty_3d_float32',
        np.zeros((2, 0, 1), dtype=np.float32),
        dict(default_dtype=F64),
        'tensor([], size=(2, 0, 1), dtype=dualrev.float32)',
    ),
    case(
        'empty_int64_shows_dtype',
        np.zeros(0, dtype=np.int64),
        dict(default_dtype=F64),
        'tensor([], dtype=dualrev.int64)',
    ),
    case(
        'empty_bool',
        np.zeros((0, 2), dtype=bool),
        dict(default_dtype=F64),
        'tensor([], size=(0, 2), dtype=dualrev.bool)',
    ),
    case(
        'empty_requires_grad',
        np.zeros(0),
        dict(default_dtype=F64, requires_grad=True),
        'tensor([], requires_grad=True)',
    ),
    case(
        'empty_float64_when_float32_default',
        np.zeros(0),
        dict(default_dtype=F32),
        'tensor([], dtype=dualrev.float64)',
    ),
    case(
        'custom_prefix_indent',
        np.array([[1.5, 2.0], [3.0, 4.0]]),
        dict(default_dtype=F64, prefix='MyTensor('),
        (
            'MyTensor([[1.5000, 2.0000],\n'
            '          [3.0000, 4.0000]])'
        ),
    ),
    case(
        'float16',
        np.array([0.1, 1000.0], dtype=np.float16),
        dict(default_dtype=F64),
        'tensor([9.9976e-02, 1.0000e+03], dtype=dualrev.float16)',
    ),
    case(
        'opt_precision_2',
        np.array([1.12345, -2.5]),
        dict(default_dtype=F64),
        'tensor([ 1.12, -2.50])',
        options={'precision': 2},
    ),
    case(
        'opt_precision_10_float32',
        np.array([0.1], dtype=np.float32),
        dict(default_dtype=F32),
        'tensor([0.1000000015])',
        options={'precision': 10},
    ),
    case(
        'opt_sci_mode_true',
        np.array([1.0, 2.5]),
        dict(default_dtype=F64),
        'tensor([1.0000e+00, 2.5000e+00])',
        options={'sci_mode': True},
    ),
    case(
        'opt_sci_mode_false',
        np.array([1e-6, 1e6]),
        dict(default_dtype=F64),
        'tensor([      0.0000, 1000000.0000])',
        options={'sci_mode': False},
    ),
    case(
        'opt_threshold_edgeitems',
        np.arange(10),
        dict(default_dtype=F64),
        'tensor([0, 1,  ..., 8, 9])',
        options={'threshold': 5, 'edgeitems': 2},
    ),
    case(
        'opt_threshold_matrix',
        np.arange(30.0).reshape(6, 5),
        dict(default_dtype=F64),
        (
            'tensor([[ 0.,  ...,  4.],\n'
            '        ...,\n'
            '        [25.,  ..., 29.]])'
        ),
        options={'threshold': 5, 'edgeitems': 1},
    ),
    case(
        'opt_edgeitems_zero',
        np.arange(20.0).reshape(4, 5),
        dict(default_dtype=F64),
        'tensor([...], size=(4, 5))',
        options={'threshold': 5, 'edgeitems': 0},
    ),
    case(
        'opt_linewidth_40',
        np.arange(12.0) + 0.5,
        dict(default_dtype=F64),
        (
            'tensor([ 0.5000,  1.5000,  2.5000,\n'
            '         3.5000,  4.5000,  5.5000,\n'
            '         6.5000,  7.5000,  8.5000,\n'
            '         9.5000, 10.5000, 11.5000])'
        ),
        options={'linewidth': 40},
    ),
]


@pytest.mark.parametrize("values, kwargs, options, expected", REPR_CASES)
def test_repr_matches_torch(values, kwargs, options, expected):
    set_printoptions(**{**DEFAULTS, **options})
    assert tensor_repr(values, **kwargs) == expected


@pytest.mark.parametrize(
    "value, spec, expected",
    [
        (np.array(1.0), "", "1.0"),
        (np.array(1.0), ".2f", "1.00"),
        (np.array(0.1, dtype=np.float32), "", "0.10000000149011612"),
        (np.array(0.1, dtype=np.float32), ".3f", "0.100"),
        (np.array(-2.5), "e", "-2.500000e+00"),
        (np.array(3), "", "3"),
        (np.array(3), "05d", "00003"),
        (np.array(3), ".1f", "3.0"),
        (np.array(True), "", "True"),
        (np.array(True), ".2f", "1.00"),
        (2.0, "g", "2"),
        (np.array(nan), "", "nan"),
        (np.array(-0.0), "", "-0.0"),
        (np.array(1e20), "", "1e+20"),
        (np.array(255, dtype=np.uint8), "x", "ff"),
        (np.array(1234567.0), ",.1f", "1,234,567.0"),
    ],
)
def test_format_scalar_matches_torch(value, spec, expected):
    assert format_scalar(value, spec) == expected


def test_python_float_is_a_float64_scalar():
    assert tensor_repr(0.5, default_dtype=F64) == "tensor(0.5000)"
    assert tensor_repr(0.5, default_dtype=F32) == "tensor(0.5000, dtype=dualrev.float64)"


def test_grad_fn_wins_over_requires_grad():
    text = tensor_repr(np.array(1.0), default_dtype=F64, requires_grad=True, grad_fn_name="SumBackward0")
    assert text == "tensor(1., grad_fn=<SumBackward0>)"


def test_options_persist_but_every_call_resets_sci_mode():
    # Like torch.set_printoptions: unspecified options keep their value, except sci_mode.
    set_printoptions(precision=2, sci_mode=True)
    assert tensor_repr(np.array([1.5]), default_dtype=F64) == "tensor([1.50e+00])"
    set_printoptions(linewidth=100)
    assert tensor_repr(np.array([1.5]), default_dtype=F64) == "tensor([1.50])"


def _body(text: str) -> str:
    """The bracketed data of a repr without suffixes."""
    return text[len("tensor(") : text.rindex("]") + 1]


small_shapes = hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5)


@given(hnp.arrays(st.sampled_from([np.int64, np.bool_]), small_shapes))
def test_integer_and_bool_data_read_back_exactly(a):
    text = tensor_repr(a, default_dtype=F64)
    assert text.startswith("tensor([") and text.endswith("])")
    assert ast.literal_eval(_body(text)) == a.tolist()


@given(hnp.arrays(np.float64, small_shapes, elements=st.floats(allow_nan=False, allow_infinity=False)))
def test_float_data_reads_back_exactly_at_full_precision(a):
    # 17 significant digits identify any float64 exactly.
    set_printoptions(precision=16, sci_mode=True)
    assert ast.literal_eval(_body(tensor_repr(a, default_dtype=F64))) == a.tolist()


@given(hnp.arrays(np.float32, small_shapes, elements=st.floats(width=32, allow_nan=False, allow_infinity=False)))
def test_float32_matches_its_float64_copy_but_for_the_suffix(a):
    # Printing reads float32 values exactly, as the float64 numbers they are.
    set_printoptions(linewidth=1000)
    as32 = tensor_repr(a, default_dtype=F64)
    as64 = tensor_repr(a.astype(np.float64), default_dtype=F64)
    assert as32 == as64[:-1] + ", dtype=dualrev.float32)"
