"""Solution of the exercise sigmoid-derivative (Activations page)."""

import numpy as np


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """Derivative of the sigmoid, equation (E1) of the Activations page's exercises.

    z: array of any shape. Returns an array of the same shape, accurate to full
    relative precision in both tails.
    """
    log_s_plus = -np.logaddexp(0, -z)  # (E1) log sigma(z), never overflows
    log_s_minus = -np.logaddexp(0, z)  # (E1) log sigma(-z) = log(1 - sigma(z))
    return np.exp(log_s_plus + log_s_minus)  # (E1)
