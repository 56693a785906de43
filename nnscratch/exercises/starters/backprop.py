"""Exercise backprop (Backpropagation page of the nnscratch site).

Write back_propagate for the site's network (sigmoid hidden layer, softmax output,
batch-mean cross-entropy), with the package's signature and return dict.

Grade it with:

    nnscratch check backprop backprop.py
"""

import numpy as np


def back_propagate(X: np.ndarray, Y: np.ndarray, params: dict, cache: dict) -> dict:
    """Gradients of the batch-mean cross-entropy with respect to every parameter.

    X: (n_x, m), one column per example; Y: one-hot (K, m); params: W1 (n_h, n_x),
    b1 (n_h, 1), W2 (K, n_h), b2 (K, 1); cache: Z1, A1 (n_h, m), Z2, A2 (K, m) of
    the forward pass. Returns a dict with dW1, db1, dW2, db2, each of the shape of
    its parameter. Do not modify the arguments.
    """
    raise NotImplementedError("write back_propagate(X, Y, params, cache)")
