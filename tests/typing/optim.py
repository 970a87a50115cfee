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
    """Never run: each line is an error mypy must report."""
    dr.optim.SGD([w], lr="fast")  # E: arg-type
    dr.optim.Adam([w], betas=0.9)  # E: arg-type
