"""PyTorch's ``torch.autograd``: ``backward`` and ``grad`` on tensors,
custom ``Function``s, ``gradcheck`` and anomaly mode; the submodules
``forward_ad`` (dual tensors), ``graph`` (saved-tensor hooks) and
``functional`` (Jacobians, Hessians and their products)."""

from ..core.anomaly import (
    detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled, set_detect_anomaly)
from ..core.grad_mode import enable_grad, no_grad, set_grad_enabled
from ..custom_function import Function, FunctionCtx
from ..gradcheck import GradcheckError, gradcheck, gradgradcheck
from ..gradients import backward, grad
from . import forward_ad, functional, graph

__all__ = ["backward", "grad", "gradcheck", "gradgradcheck", "GradcheckError", "Function",
           "FunctionCtx", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "no_grad", "enable_grad", "set_grad_enabled",
           "forward_ad", "functional", "graph"]


def __dir__():
    return __all__
