"""Solution of the exercise two-hidden-layers (Backpropagation page)."""

import numpy as np

from nnscratch import sigmoid, softmax


def feed_forward_2h(X: np.ndarray, params: dict) -> dict:
    """Forward pass of n_x-n_1-n_2-K, equation (E3) of the Backpropagation page.

    X: (n_x, m); params: W1 (n_1, n_x), b1 (n_1, 1), W2 (n_2, n_1), b2 (n_2, 1),
    W3 (K, n_2), b3 (K, 1). Returns the cache Z1, A1, Z2, A2, Z3, A3 (A3 = softmax).
    """
    cache, A = {}, X
    for l in (1, 2, 3):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]  # (E3)
        A = softmax(Z) if l == 3 else sigmoid(Z)  # (E3)
        cache[f"Z{l}"], cache[f"A{l}"] = Z, A
    return cache


def back_propagate_2h(X: np.ndarray, Y: np.ndarray, params: dict, cache: dict) -> dict:
    """Gradients of the batch-mean cross-entropy, equations (E4)-(E5) of the
    Backpropagation page. Returns dW1, db1, dW2, db2, dW3, db3.
    """
    m = X.shape[1]
    dZ = (cache["A3"] - Y) / m  # (E4)
    grads = {}
    for l in (3, 2, 1):
        A_prev = X if l == 1 else cache[f"A{l - 1}"]
        grads[f"dW{l}"] = dZ @ A_prev.T  # (E5)
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True)  # (E5)
        if l > 1:
            A = cache[f"A{l - 1}"]
            dZ = (params[f"W{l}"].T @ dZ) * A * (1 - A)  # (E4)
    return grads
