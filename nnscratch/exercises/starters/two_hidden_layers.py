"""Exercise two-hidden-layers (Backpropagation page of the nnscratch site).

A network n_x-n_1-n_2-K: two sigmoid hidden layers and a softmax output. Write its
forward pass and the gradients of the batch-mean cross-entropy.

Grade it with:

    nnscratch check two-hidden-layers two_hidden_layers.py
"""

import numpy as np

from nnscratch import sigmoid, softmax  # you may use them


def feed_forward_2h(X: np.ndarray, params: dict) -> dict:
    """Forward pass.

    X: (n_x, m); params: W1 (n_1, n_x), b1 (n_1, 1), W2 (n_2, n_1), b2 (n_2, 1),
    W3 (K, n_2), b3 (K, 1). Returns the cache: Z1, A1 (n_1, m), Z2, A2 (n_2, m),
    Z3, A3 (K, m), with A3 = softmax(Z3).
    """
    raise NotImplementedError("write feed_forward_2h(X, params)")


def back_propagate_2h(X: np.ndarray, Y: np.ndarray, params: dict, cache: dict) -> dict:
    """Gradients of the batch-mean cross-entropy.

    X: (n_x, m); Y: one-hot (K, m); params as above; cache from feed_forward_2h.
    Returns dW1, db1, dW2, db2, dW3, db3, each of its parameter's shape.
    Do not modify the arguments.
    """
    raise NotImplementedError("write back_propagate_2h(X, Y, params, cache)")
