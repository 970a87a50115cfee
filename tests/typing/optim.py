"""Optimizers take their options with their types."""

import dualrev as dr

w = dr.zeros(3, requires_grad=True)
sgd = dr.optim.SGD([w], lr=0.1, momentum=0.9)
reveal_type(sgd)  # SGD
reveal_type(dr.optim.Adam([{"params": [w]}], lr=1e-3, betas=(0.9, 0.99)))  # Adam
sgd.zero_grad()
(w * w).sum().backward()
sgd.step()
reveal_type(sgd.state_dict())  # dict[str, Any]


def wrong_types() -> None:
    """Never run. Each line is an error mypy must report: an ignore that
    ignores nothing is an error itself (warn_unused_ignores)."""
    dr.optim.SGD([w], lr="fast")  # type: ignore[arg-type]
    dr.optim.Adam([w], betas=0.9)  # type: ignore[arg-type]
