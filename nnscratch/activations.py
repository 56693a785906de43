"""Activation functions and their derivatives.

Every function works element-wise on arrays of any shape, except `softmax`
and `softmax_jacobian`, which work on columns (one column per example).
The `# (n)` comments name the equation a line implements on the page given
in the docstring.
"""

import numpy as np


# --8<-- [start:sigmoid]
def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, equation (1) of the Activations page.

    Computed as printed: for very negative z, exp(-z) overflows to +inf on
    purpose and 1 / (1 + inf) = 0 (the warning is silenced for this line).

    Args:
        z: array of any shape, float32 or float64.

    Returns:
        Array of the same shape and dtype, values in [0, 1].
    """
    z = np.asarray(z)
    with np.errstate(over="ignore", under="ignore"):
        return 1 / (1 + np.exp(-z))  # (1)
# --8<-- [end:sigmoid]


# --8<-- [start:sigmoid_derivative]
def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """The sigmoid's slope, equation (5) of the Activations page.

    Uses the product sigma(z) sigma(-z), which keeps its relative precision
    in both tails.

    Args:
        z: array of any shape.

    Returns:
        Array of the same shape, values in [0, 1/4].
    """
    return sigmoid(z) * sigmoid(-z)  # (5)
# --8<-- [end:sigmoid_derivative]


# --8<-- [start:relu]
def relu(z: np.ndarray) -> np.ndarray:
    """Rectified linear unit, equation (6) of the Activations page.

    Args:
        z: array of any shape.

    Returns:
        Array of the same shape and dtype.
    """
    return np.maximum(z, 0)  # (6)


def relu_derivative(z: np.ndarray) -> np.ndarray:
    """Slope of relu, equation (7) of the Activations page (0 at the kink).

    Args:
        z: array of any shape.

    Returns:
        Array of the same shape and dtype as z, values in {0, 1}.
    """
    z = np.asarray(z)
    return (z > 0).astype(z.dtype)  # (7)
# --8<-- [end:relu]


# --8<-- [start:softmax]
def softmax(Z: np.ndarray) -> np.ndarray:
    """Column-wise softmax, equation (2) of the Softmax page.

    Each column is shifted by its maximum first, so no exponent is positive.

    Args:
        Z: logits, shape (K, m): one column per example.

    Returns:
        Probabilities, shape (K, m); each column sums to 1.
    """
    shifted = Z - Z.max(axis=0, keepdims=True)  # (2): z_k - max z
    with np.errstate(under="ignore"):
        E = np.exp(shifted)  # (2): numerators
    return E / E.sum(axis=0, keepdims=True)  # (2): divide by their sum
# --8<-- [end:softmax]


# --8<-- [start:softmax_jacobian]
def softmax_jacobian(z: np.ndarray) -> np.ndarray:
    """Softmax Jacobian of one example: equation (8) of the Softmax page.

    Args:
        z: logits of one example, shape (K,).

    Returns:
        J, shape (K, K): J[k2, k] is the derivative of output k2 by logit k.
    """
    y_hat = softmax(np.asarray(z).reshape(-1, 1)).ravel()  # (1)
    return np.diag(y_hat) - np.outer(y_hat, y_hat)  # (8)
# --8<-- [end:softmax_jacobian]


# |z| beyond which a sigmoid unit counts as saturated: at 5 its slope is 0.0066,
# 38 times below the slope at 0 (the Backpropagation page); beyond 16.64 the slope
# is below 6e-8, and for z > 16.64 the float32 product A(1 - A) that
# backpropagation uses is exactly 0 (the Activations page).
SATURATION_THRESHOLDS = (5.0, 16.64)


# --8<-- [start:saturated_shares]
def saturated_shares(
    Z: np.ndarray, thresholds: tuple[float, ...] = SATURATION_THRESHOLDS
) -> dict[str, float]:
    """The share of pre-activations beyond each threshold in absolute value.

    Args:
        Z: hidden pre-activations, shape (n_h, m): one entry per (hidden unit,
            image) pair.
        thresholds: values of |z|, each > 0.

    Returns:
        {"5": share of entries with |z| > 5, "16.64": ...}: floats in [0, 1],
        keyed by the threshold written with `format(t, "g")`.
    """
    size = np.abs(Z)
    return {format(t, "g"): float(np.mean(size > t)) for t in thresholds}
# --8<-- [end:saturated_shares]
