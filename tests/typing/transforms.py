"""The transforms of dr.func return functions whose results mypy knows."""

import dualrev as dr


def cube_sum(x: dr.Tensor) -> dr.Tensor:
    return (x ** 3).sum()


x = dr.tensor([1.0, 2.0])
reveal_type(dr.func.grad(cube_sum))  # def (*Any, **Any) -> Tensor
reveal_type(dr.func.grad(cube_sum)(x))  # Tensor
reveal_type(dr.func.grad(cube_sum, has_aux=True))  # def (*Any, **Any) -> tuple[Tensor, Any]
reveal_type(dr.grad(cube_sum)(x))  # Tensor
reveal_type(dr.func.value_and_grad(cube_sum)(x))  # tuple[Tensor, Tensor]
reveal_type(dr.func.jacfwd(dr.sin)(x))  # Tensor
reveal_type(dr.func.jacrev(dr.sin)(x))  # Tensor
reveal_type(dr.func.hessian(cube_sum)(x))  # Tensor
reveal_type(dr.func.jvp(cube_sum, (x,), (x,)))  # tuple[Tensor, Tensor]
reveal_type(dr.func.hvp(cube_sum, (x,), (x,)))  # tuple[Tensor, Tensor]
reveal_type(dr.func.derivative(dr.sin, 2)(x))  # Tensor
out, vjp_fn = dr.func.vjp(dr.sin, x)
reveal_type(out)  # Tensor
reveal_type(vjp_fn)  # def (*Any, **Any) -> tuple[Tensor, ...]
reveal_type(vjp_fn(x))  # tuple[Tensor, ...]


def wrong_types() -> None:
    """Never run. Each line is an error mypy must report: an ignore that
    ignores nothing is an error itself (warn_unused_ignores)."""
    dr.func.grad(cube_sum)(x).sinn()  # type: ignore[attr-defined]
    dr.func.jvp(cube_sum, x, x)  # type: ignore[call-overload]
