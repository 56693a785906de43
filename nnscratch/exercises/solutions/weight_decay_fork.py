"""Solution of the exercise weight-decay-fork (Automatic differentiation page)."""

import numpy as np


def weight_decay_gradient(
    W: np.ndarray, X: np.ndarray, Y: np.ndarray, lam: float
) -> np.ndarray:
    """dL/dW of the mean cross-entropy of softmax(W @ X) plus (lam / 2) ||W||^2,
    equation (E2) of the Automatic differentiation page's exercises.

    W: (K, n); X: (n, m); Y: one-hot (K, m); lam: a float. Returns dW, (K, n): the
    two paths from W to L, through the logits and through the penalty, added.
    """
    m = X.shape[1]
    Z = W @ X  # first use of W
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    A = E / E.sum(axis=0, keepdims=True)  # softmax(Z), stable
    dZ = (A - Y) / m
    dW = dZ @ X.T  # (E2) the path through the logits
    dW = dW + lam * W  # (E2) the path through the penalty, added
    return dW
