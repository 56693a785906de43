"""Exercise cross-entropy-gradient (Softmax and cross-entropy page, nnscratch site).

With L the cross-entropy of softmax(Z2) against the one-hot Y, averaged over the m
examples of the batch, write the gradient dL/dZ2.

Grade it with:

    nnscratch check cross-entropy-gradient cross_entropy_gradient.py
"""

import numpy as np

from nnscratch import softmax  # you may use it


def loss_gradient(Y: np.ndarray, Z2: np.ndarray) -> np.ndarray:
    """dL/dZ2 of the batch-mean cross-entropy.

    Y: one-hot targets, shape (K, m); Z2: logits, shape (K, m). Returns (K, m).
    """
    raise NotImplementedError("write loss_gradient(Y, Z2)")
