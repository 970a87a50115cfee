"""PyTorch's ``torch.nn`` namespace, as far as dualrev has it: the functional
losses and activations of ``dualrev.nn.functional``."""

from . import functional

__all__ = ["functional"]
