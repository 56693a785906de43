"""Solution of the exercise float32-step (Training page)."""

import numpy as np


def float32_step() -> float:
    """Step h of a float32 central difference, equation (E2) of the Training page's
    exercises: the cube root of float32's machine epsilon, about 5e-3.
    """
    eps = float(np.finfo(np.float32).eps)  # (E2) 2**-23
    return eps ** (1 / 3)  # (E2)
