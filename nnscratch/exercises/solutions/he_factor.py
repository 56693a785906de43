"""Solution of the exercise he-factor (Initialisation page)."""

import numpy as np


def he_std(fan_in: int) -> float:
    """Standard deviation of the weights of a ReLU layer, equation (E2) of the
    Initialisation page's exercises.

    fan_in: number of inputs n_in of the layer. Returns sqrt(2 / n_in).
    """
    return float(np.sqrt(2 / fan_in))  # (E2)
