"""Solution of the exercise softmax (Softmax and cross-entropy page)."""

import numpy as np


def softmax(Z: np.ndarray) -> np.ndarray:
    """Column-wise softmax, equation (E1) of the Softmax page's exercises.

    Z: logits, shape (K, m), one column per example. Returns probabilities of
    shape (K, m) whose columns sum to 1, for logits of any size.
    """
    shifted = Z - Z.max(axis=0, keepdims=True)  # (E1) every exponent <= 0
    E = np.exp(shifted)  # (E1)
    return E / E.sum(axis=0, keepdims=True)  # (E1)
