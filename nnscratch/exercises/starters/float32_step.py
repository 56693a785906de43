"""Exercise float32-step (Training page of the nnscratch site).

Choose the step h (Delta on the pages) of the central difference
(L(theta_r + h) - L(theta_r - h)) / (2h) so that a gradient check computed in
float32 is as accurate as it can be. The checker runs a
float32 check of dW1 with your h and compares its error with the best step of a grid.

Grade it with:

    nnscratch check float32-step float32_step.py
"""


def float32_step() -> float:
    """The step h for a float32 central difference."""
    raise NotImplementedError("return your step h")
