"""Tensors, Duals and the dr.X functions as mypy reads them (from the stubs
the name table writes). Each reveal_type says what mypy must reveal; run as
a script, the value must be of that type too."""

import dualrev as dr

x = dr.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
reveal_type(x)  # Tensor
reveal_type(dr.sin(x))  # Tensor
reveal_type(dr.add(x, [[1.0, 2.0], [3.0, 4.0]], alpha=2))  # Tensor
reveal_type(x.sum())  # Tensor
reveal_type(x.sum(dim=0, keepdim=True))  # Tensor
reveal_type(x + 1)  # Tensor
reveal_type(2.0 * x)  # Tensor
reveal_type(x @ x)  # Tensor
reveal_type(x > 1)  # Tensor
reveal_type(x == x)  # Tensor
reveal_type(x[0])  # Tensor
reveal_type(x.T)  # Tensor
reveal_type(x.detach().add_(1))  # Tensor
reveal_type(x.shape)  # Size
reveal_type(x.size())  # Size
reveal_type(x.size(0))  # int
reveal_type(x.ndim)  # int
reveal_type(x.numel())  # int
reveal_type(x.dtype)  # dtype
reveal_type(x.grad)  # Tensor | None
reveal_type(x.sum().item())  # float | int
reveal_type(x.max())  # Tensor
reveal_type(x.max(dim=1).values)  # Tensor
reveal_type(x.sort())  # tuple[Tensor, Tensor, fallback=values_indices[Tensor]]
reveal_type(dr.split(x, 1))  # tuple[Tensor, ...]
reveal_type(dr.where(x > 2))  # tuple[Tensor, ...]
reveal_type(dr.where(x > 2, x, 0.0))  # Tensor
reveal_type(dr.equal(x, x))  # bool
reveal_type(x.is_floating_point())  # bool
reveal_type(dr.einsum("ij,jk->ik", x, x))  # Tensor
reveal_type(dr.cat([x, x]))  # Tensor
reveal_type(dr.zeros(2, 3))  # Tensor
reveal_type(dr.linalg.det(x))  # Tensor
reveal_type(dr.linalg.slogdet(x).logabsdet)  # Tensor
reveal_type(dr.autograd.grad(x.sum(), x))  # tuple[Tensor, ...]
reveal_type(dr.grad((x * x).sum(), [x]))  # tuple[Tensor, ...]

d = dr.Dual(2.0, 1.0)
reveal_type(d)  # Dual
reveal_type(d.sin())  # Dual
reveal_type(d * 3)  # Dual
reveal_type(d > 0)  # Tensor
reveal_type(d.size())  # Size


def wrong_types() -> None:
    """Never run. Each line is an error mypy must report: an ignore that
    ignores nothing is an error itself (warn_unused_ignores)."""
    x.sinn()  # type: ignore[attr-defined]
    dr.sin("x")  # type: ignore[arg-type]
    dr.sin([x, x])  # type: ignore[arg-type]
    x.sum(keepdim="yes")  # type: ignore[arg-type]
