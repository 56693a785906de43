"""Wrong: the backward pass uses the sigmoid's derivative A1(1 - A1)."""

import numpy as np

from nnscratch import softmax


def feed_forward_tanh(X, params):
    Z1 = params["W1"] @ X + params["b1"]
    A1 = np.tanh(Z1)
    Z2 = params["W2"] @ A1 + params["b2"]
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": softmax(Z2)}


def back_propagate_tanh(X, Y, params, cache):
    m = X.shape[1]
    A1 = cache["A1"]
    dZ2 = (cache["A2"] - Y) / m
    dZ1 = (params["W2"].T @ dZ2) * A1 * (1 - A1)
    return {
        "dW1": dZ1 @ X.T,
        "db1": dZ1.sum(axis=1, keepdims=True),
        "dW2": dZ2 @ A1.T,
        "db2": dZ2.sum(axis=1, keepdims=True),
    }
