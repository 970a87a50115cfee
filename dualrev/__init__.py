"""dualrev: automatic differentiation on NumPy, with PyTorch's autograd API.

Reverse mode through ``Tensor.backward`` and ``dualrev.grad``, forward mode
through ``Dual``, and the two composed for Hessians and higher derivatives.
The math functions ``dr.X`` come from the name table (``dualrev.names``).
"""

from .core.malloc import tune_allocator
from . import autograd, cuda, func, linalg, names, nn, optim, special
from ._format import set_printoptions
from ._tensor import Size, Tensor
from ._unified import backward, grad
from .core.anomaly import is_anomaly_check_nan_enabled, is_anomaly_enabled
from .core.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (
    arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace,
    manual_seed, ones, ones_like, rand, randint, randn, tensor, zeros, zeros_like)
from .dtypes import (
    bool, double, dtype, float, float16, float32, float64, get_default_dtype, half, int,
    int8, int16, int32, int64, long, set_default_dtype, short, uint8)
from .device import device
from .dual import Dual
from .func.custom import custom_jvp, custom_vjp
from .serialization import load, save

__version__ = "0.1.0"

__all__ = [
    "autograd", "cuda", "device", "func", "linalg", "nn", "optim", "special", "set_printoptions", "Size", "Tensor", "backward",
    "grad", "is_anomaly_check_nan_enabled", "is_anomaly_enabled", "enable_grad",
    "is_grad_enabled", "no_grad", "set_grad_enabled", "arange", "as_tensor", "empty",
    "empty_like", "eye", "from_numpy", "full", "full_like", "linspace", "manual_seed", "ones",
    "ones_like", "rand", "randint", "randn", "tensor", "zeros", "zeros_like", "bool", "double",
    "dtype", "float", "float16", "float32", "float64", "get_default_dtype", "half", "int",
    "int8", "int16", "int32", "int64", "long", "set_default_dtype", "short", "uint8", "Dual",
    "custom_jvp", "custom_vjp", "load", "save"]
names.install(globals())  # dr.X for each function of the name table, added to __all__


def __dir__():
    return __all__ + ["__version__"]


tune_allocator()
