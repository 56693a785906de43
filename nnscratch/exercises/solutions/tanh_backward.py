"""Solution of the exercise tanh-backward (Automatic differentiation page)."""

import numpy as np


def tanh_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """Backward rule of y = tanh(x), equation (E1) of the Automatic differentiation
    page's exercises.

    x: input, any shape; y: tanh(x); dy: dL/dy, the shape of y. Returns dL/dx, the
    shape of x: each entry of dy times the local slope tanh'(x) = 1 - y**2.
    """
    return dy * (1 - y * y)  # (E1)
