"""Exercise tanh-hidden (Activations page of the nnscratch site).

The network of the site with tanh in place of the sigmoid in its hidden layer:
write the forward pass and the gradients of the batch-mean cross-entropy.

Grade it with:

    nnscratch check tanh-hidden tanh_hidden.py
"""

import numpy as np

from nnscratch import softmax  # the output layer is still a softmax


def feed_forward_tanh(X: np.ndarray, params: dict) -> dict:
    """Forward pass with a tanh hidden layer.

    X: (n_x, m), one column per example; params: W1 (n_h, n_x), b1 (n_h, 1),
    W2 (K, n_h), b2 (K, 1). Returns the cache: a dict with Z1, A1 (n_h, m) and
    Z2, A2 (K, m), where A2 = softmax(Z2).
    """
    raise NotImplementedError("write feed_forward_tanh(X, params)")


def back_propagate_tanh(
    X: np.ndarray, Y: np.ndarray, params: dict, cache: dict
) -> dict:
    """Gradients of the batch-mean cross-entropy for the tanh network.

    X: (n_x, m); Y: one-hot (K, m); params as above; cache: what feed_forward_tanh
    returned. Returns a dict with dW1 (n_h, n_x), db1 (n_h, 1), dW2 (K, n_h),
    db2 (K, 1). Do not modify the arguments.
    """
    raise NotImplementedError("write back_propagate_tanh(X, Y, params, cache)")
