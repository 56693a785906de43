"""Solution of the exercise mse-sigmoid-output (Softmax and cross-entropy page)."""

import numpy as np

from nnscratch import sigmoid


def mse_gradient(Y: np.ndarray, Z2: np.ndarray) -> np.ndarray:
    """dL/dZ2 of the mean squared error of sigmoid outputs.

    Equation (E4) of the Softmax page's exercises.

    Y: one-hot targets (K, m); Z2: logits (K, m). Returns (K, m).
    """
    m = Y.shape[1]
    A2 = sigmoid(Z2)  # (E3)
    return (A2 - Y) * A2 * (1 - A2) / m  # (E4)
