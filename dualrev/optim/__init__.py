"""Optimizers with PyTorch's ``torch.optim`` interface: ``SGD``, ``Adam`` and
``LBFGS`` (whose ``step`` takes a closure that re-evaluates the loss).

An optimizer holds *parameter groups* (``param_groups``: a list of dicts,
each with its ``"params"`` and its own options) and a per-parameter
``state`` dict (momentum buffers, moment estimates). ``step()`` updates every
parameter that has a ``.grad``, in place and outside the graph; parameters
whose ``.grad`` is ``None`` are left alone.

>>> import dualrev as dr
>>> x = dr.tensor([1.0, -2.0], requires_grad=True)
>>> opt = dr.optim.SGD([x], lr=0.1)
>>> opt.zero_grad()
>>> (x * x).sum().backward()
>>> opt.step()
>>> x
tensor([ 0.8000, -1.6000], requires_grad=True)

Numerics. The updates follow PyTorch's default (single-tensor, non-fused,
non-foreach) CPU algorithms operation for operation, in the parameter's own
dtype, and round as its kernels do: Python-number options are cast to the
parameter's dtype; ``add(alpha=)``, ``lerp`` and ``addcmul`` are fused
multiply-adds (a single rounding); ``addcdiv`` is ``x + (value * a) / b``.
So SGD reproduces PyTorch's float32 and float64 trajectories bit for bit.
Adam agrees to the last bit or so: PyTorch takes its ``sqrt`` from a vector
math library that is not correctly rounded (about one value in six is one ulp
off on an AVX-512 CPU), where NumPy's is exact. float16 parameters are
updated in float32 and stored as float16 (PyTorch's float16 rounding depends
on its vectorisation and is not reproduced).
"""

from .base import Optimizer
from .first_order import SGD, Adam
from .lbfgs import LBFGS

__all__ = ["Optimizer", "SGD", "Adam", "LBFGS"]


def __dir__():
    return __all__
