"""Activation functions and their derivatives.

Every function works element-wise on arrays of any shape, except `softmax`
and `softmax_jacobian`, which work on columns (one column per example).
"""

import numpy as np


# --8<-- [start:sigmoid]
def sigmoid(z):
    r"""Logistic function, safe for every finite input.

    $$\sigma(z) = \frac{1}{1 + e^{-z}}$$

    For very negative $z$ ($z < -88.7$ in float32, $z < -709.8$ in float64)
    $e^{-z}$ overflows to $+\infty$ on purpose and $1 / (1 + \infty) = 0$; for
    very positive $z$ it underflows to 0 and the result is 1. The overflow
    therefore only ever replaces a true value below the smallest normal
    number (at most $3 \cdot 10^{-39}$ in float32) by 0, and relative
    precision holds everywhere above it. The two flags are silenced locally,
    which costs nothing, where the sign-branched form
    $e^{-|z|}$ / $(1 + e^{-|z|})$ costs three more passes over an array that
    every batch computes.

    Args:
        z: array of any shape, float32 or float64.

    Returns:
        Array of the same shape and dtype, values in [0, 1].
    """
    z = np.asarray(z)
    with np.errstate(over="ignore", under="ignore"):
        return 1 / (1 + np.exp(-z))
# --8<-- [end:sigmoid]


# --8<-- [start:sigmoid_derivative]
def sigmoid_derivative(z):
    r"""Derivative of the logistic function.

    $$\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr) = \sigma(z)\,\sigma(-z)$$

    The product $\sigma(z)\sigma(-z)$ keeps full relative precision in both
    tails, where $1 - \sigma(z)$ would cancel to 0 for $z \gtrsim 37$.

    Args:
        z: array of any shape.

    Returns:
        Array of the same shape, values in (0, 1/4].
    """
    return sigmoid(z) * sigmoid(-z)
# --8<-- [end:sigmoid_derivative]


# --8<-- [start:relu]
def relu(z):
    r"""Rectified linear unit, $\operatorname{relu}(z) = \max(0, z)$.

    Args:
        z: array of any shape.

    Returns:
        Array of the same shape and dtype.
    """
    return np.maximum(z, 0)


def relu_derivative(z):
    r"""Derivative of relu: $1$ where $z > 0$, else $0$ (we take 0 at the kink).

    Args:
        z: array of any shape.

    Returns:
        Array of the same shape and dtype as `z`, values in {0, 1}.
    """
    z = np.asarray(z)
    return (z > 0).astype(z.dtype)
# --8<-- [end:relu]


# --8<-- [start:softmax]
def softmax(Z):
    r"""Column-wise softmax, stable for any finite logits.

    $$\operatorname{softmax}(z)_k = \frac{e^{z_k - \max_j z_j}}{\sum_i e^{z_i - \max_j z_j}}$$

    Subtracting the column maximum changes nothing mathematically (it cancels
    between numerator and denominator) but keeps every exponent $\le 0$.

    Args:
        Z: logits, shape (K, m): one column per example.

    Returns:
        Probabilities, shape (K, m); each column sums to 1.
    """
    shifted = Z - Z.max(axis=0, keepdims=True)
    with np.errstate(under="ignore"):
        E = np.exp(shifted)
    return E / E.sum(axis=0, keepdims=True)
# --8<-- [end:softmax]


# --8<-- [start:softmax_jacobian]
def softmax_jacobian(z):
    r"""Jacobian of the softmax of one example.

    $$\frac{\partial \hat y_k}{\partial z_i} = \hat y_k(\delta_{ki} - \hat y_i),
    \qquad J = \operatorname{diag}(\hat y) - \hat y\,\hat y^{\top}$$

    Args:
        z: logits of one example, shape (K,).

    Returns:
        J, shape (K, K), with J[k, i] = d softmax(z)_k / d z_i.
    """
    y_hat = softmax(np.asarray(z).reshape(-1, 1)).ravel()
    return np.diag(y_hat) - np.outer(y_hat, y_hat)
# --8<-- [end:softmax_jacobian]
