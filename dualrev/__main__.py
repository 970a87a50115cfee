"""``python -m dualrev``: a short tour of dualrev, printing as it goes."""

import dualrev as dr


def section(title):
    print(f"\n== {title} ==")


def main():
    a, b, c = dr.tensor(1.0), dr.tensor(-2.0), dr.tensor(1.0)

    section("A scalar backward: f(x) = a x^2 + b x + c at x = 0")
    x = dr.tensor(0.0, requires_grad=True)
    y = a * dr.pow(x, 2) + b * x + c
    y.backward()
    print("y =", y)
    print("dy/dx =", x.grad)

    section("A non-scalar backward needs a gradient: y.backward(gradient=ones)")
    x = dr.tensor([[0.0, 0.0], [1.0, 2.0]], requires_grad=True)
    y = a * dr.pow(x, 2) + b * x + c
    y.backward(gradient=dr.ones_like(x))
    print("x.grad =", x.grad)
    print("the same as backward of the weighted sum (y * ones).sum()")

    section("dr.autograd.grad with create_graph=True, then the second derivative")
    x = dr.tensor(0.0, requires_grad=True)
    y = a * dr.pow(x, 2) + b * x + c
    (dy_dx,) = dr.autograd.grad(y, x, create_graph=True)
    (d2y_dx2,) = dr.autograd.grad(dy_dx, x)
    print("dy/dx =", dy_dx.data, "  d2y/dx2 =", d2y_dx2.data)

    section("Several inputs, several outputs (gradients of the outputs add up)")
    x1 = dr.tensor(1.0, requires_grad=True)
    x2 = dr.tensor(2.0, requires_grad=True)
    y1, y2 = x1 * x2, x1 + x2
    print("d(y1)/d(x1, x2) =", *dr.autograd.grad(y1, [x1, x2], retain_graph=True))
    print("d(y1 + y2)/d(x1, x2) =", *dr.autograd.grad([y1, y2], [x1, x2]))

    section("Minimising f with SGD (500 steps, lr 0.01)")
    x = dr.tensor(0.0, requires_grad=True)
    optimizer = dr.optim.SGD([x], lr=0.01)
    for _ in range(500):
        optimizer.zero_grad()
        y = a * dr.pow(x, 2) + b * x + c
        y.backward()
        optimizer.step()
    print(f"x = {x.item():.6f}, f(x) = {(a * x ** 2 + b * x + c).item():.3e}  (the minimum is at x = 1)")

    section("Forward mode: a Dual number carries a tangent")
    d = dr.Dual(2.0, 1.0)
    out = dr.sin(d) * d
    print("f(x) = x sin x at 2:", float(out.primal), "  f'(2) =", float(out.tangent))
    dd = dr.Dual(dr.Dual(2.0, 1.0), dr.Dual(1.0, 0.0))
    out = dr.sin(dd) * dd
    print("nested Duals give f''(2) =", float(out.tangent.tangent))

    section("Composed: a whole Hessian in one forward-over-reverse pass")
    def rosenbrock(v):
        return (100 * (v[1:] - v[:-1] ** 2) ** 2 + (1 - v[:-1]) ** 2).sum()
    print(dr.func.hessian(rosenbrock)(dr.tensor([1.0, 1.0, 1.0])))

    section("Newton-CG on exact Hessian-vector products: Rosenbrock's minimum from (-1.2, 1)")
    result = dr.func.minimize(rosenbrock, dr.tensor([-1.2, 1.0]), method="newton-cg", tol=1e-10)
    print(f"x = {result.x.tolist()} after {result.nit} Newton steps, {result.nfev} gradients "
          f"and {result.nhev} Hessian-vector products: {result.message}")

    section("Taylor mode: f, f', ..., f^(6) of x sin x at 2 in one pass, and a Laplacian")
    print([round(float(v), 6) for v in dr.func.taylor(lambda v: dr.sin(v) * v, 6)(2.0)])
    print("Laplacian of sum(x^3) at (1, 2, 3) =",
          float(dr.func.laplacian(lambda v: (v ** 3).sum())(dr.tensor([1.0, 2.0, 3.0]))),
          "(6 sum(x) = 36)")


if __name__ == "__main__":
    main()
