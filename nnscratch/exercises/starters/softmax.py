"""Exercise softmax (Softmax and cross-entropy page of the nnscratch site).

Write softmax(Z) for a (K, m) array of logits, one column per example, so that it
works for logits of any size (1000 or -1000 included) without overflow.

Grade it with:

    nnscratch check softmax softmax.py
"""

import numpy as np


def softmax(Z: np.ndarray) -> np.ndarray:
    """Column-wise softmax.

    Z: logits, shape (K, m). Returns probabilities of shape (K, m); each column
    sums to 1.
    """
    raise NotImplementedError("write softmax(Z)")
