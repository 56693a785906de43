"""Solution of the exercise backprop (Backpropagation page)."""

import numpy as np


def back_propagate(X: np.ndarray, Y: np.ndarray, params: dict, cache: dict) -> dict:
    """Gradients of the batch-mean cross-entropy, equations (E1)-(E2) of the
    Backpropagation page's exercises (sigmoid hidden layer, softmax output).

    X: (n_x, m); Y: one-hot (K, m); params: W1 (n_h, n_x), b1, W2 (K, n_h), b2;
    cache: Z1, A1 (n_h, m), Z2, A2 (K, m). Returns dW1, db1, dW2, db2, each of
    its parameter's shape.
    """
    m = X.shape[1]
    A1 = cache["A1"]
    dZ2 = (cache["A2"] - Y) / m  # (E1)
    dW2 = dZ2 @ A1.T  # (E1)
    db2 = dZ2.sum(axis=1, keepdims=True)  # (E1)
    dZ1 = (params["W2"].T @ dZ2) * A1 * (1 - A1)  # (E2)
    dW1 = dZ1 @ X.T  # (E2)
    db1 = dZ1.sum(axis=1, keepdims=True)  # (E2)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
