"""Solution of the exercise tanh-hidden (Activations page)."""

import numpy as np

from nnscratch import softmax


def feed_forward_tanh(X: np.ndarray, params: dict) -> dict:
    """Forward pass with a tanh hidden layer, equations (E2) of the Activations page.

    X: (n_x, m); params: W1 (n_h, n_x), b1 (n_h, 1), W2 (K, n_h), b2 (K, 1).
    Returns the cache: Z1, A1 (n_h, m) and Z2, A2 (K, m).
    """
    Z1 = params["W1"] @ X + params["b1"]  # (E2)
    A1 = np.tanh(Z1)  # (E2)
    Z2 = params["W2"] @ A1 + params["b2"]  # (E2)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": softmax(Z2)}  # (E2)


def back_propagate_tanh(
    X: np.ndarray, Y: np.ndarray, params: dict, cache: dict
) -> dict:
    """Gradients of the batch-mean cross-entropy, equations (E3)-(E4) of the
    Activations page.

    X: (n_x, m); Y: one-hot (K, m); params as above; cache from feed_forward_tanh.
    Returns dW1 (n_h, n_x), db1 (n_h, 1), dW2 (K, n_h), db2 (K, 1).
    """
    m = X.shape[1]
    dZ2 = (cache["A2"] - Y) / m  # (E3)
    dW2 = dZ2 @ cache["A1"].T  # (E3)
    db2 = dZ2.sum(axis=1, keepdims=True)  # (E3)
    dZ1 = (params["W2"].T @ dZ2) * (1 - cache["A1"] ** 2)  # (E4)
    dW1 = dZ1 @ X.T  # (E4)
    db1 = dZ1.sum(axis=1, keepdims=True)  # (E4)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
