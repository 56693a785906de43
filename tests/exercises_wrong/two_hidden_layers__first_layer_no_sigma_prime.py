"""Wrong: the sigmoid's derivative is left out in the first hidden layer only."""

# the forward pass is the reference one; only the backward pass is wrong
from nnscratch.exercises.solutions.two_hidden_layers import (  # noqa: F401
    feed_forward_2h,
)


def back_propagate_2h(X, Y, params, cache):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ3 = (cache["A3"] - Y) / m
    dZ2 = (params["W3"].T @ dZ3) * A2 * (1 - A2)
    dZ1 = params["W2"].T @ dZ2
    return {
        "dW3": dZ3 @ A2.T,
        "db3": dZ3.sum(axis=1, keepdims=True),
        "dW2": dZ2 @ A1.T,
        "db2": dZ2.sum(axis=1, keepdims=True),
        "dW1": dZ1 @ X.T,
        "db1": dZ1.sum(axis=1, keepdims=True),
    }
