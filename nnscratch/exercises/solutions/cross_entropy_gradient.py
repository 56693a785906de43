"""Solution of the exercise cross-entropy-gradient (Softmax and cross-entropy page)."""

import numpy as np

from nnscratch import softmax


def loss_gradient(Y: np.ndarray, Z2: np.ndarray) -> np.ndarray:
    """dL/dZ2 of the batch-mean cross-entropy, equation (E2) of the Softmax page.

    Y: one-hot targets (K, m); Z2: logits (K, m). Returns (K, m).
    """
    m = Y.shape[1]
    return (softmax(Z2) - Y) / m  # (E2)
