"""Wrong: forgets the 1/m."""

# the forward pass is the reference one; only the backward pass is wrong
from nnscratch.exercises.solutions.two_hidden_layers import (  # noqa: F401
    feed_forward_2h,
)


def back_propagate_2h(X, Y, params, cache):
    dZ, grads = cache["A3"] - Y, {}
    for l in (3, 2, 1):
        A_prev = X if l == 1 else cache[f"A{l - 1}"]
        grads[f"dW{l}"], grads[f"db{l}"] = dZ @ A_prev.T, dZ.sum(axis=1, keepdims=True)
        if l > 1:
            A = cache[f"A{l - 1}"]
            dZ = (params[f"W{l}"].T @ dZ) * A * (1 - A)
    return grads
