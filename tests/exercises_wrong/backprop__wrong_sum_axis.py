"""Wrong: db2 sums over the classes (axis=0) instead of over the examples."""


def back_propagate(X, Y, params, cache):
    m = X.shape[1]
    A1 = cache["A1"]
    dZ2 = (cache["A2"] - Y) / m
    dZ1 = (params["W2"].T @ dZ2) * A1 * (1 - A1)
    return {
        "dW1": dZ1 @ X.T,
        "db1": dZ1.sum(axis=1, keepdims=True),
        "dW2": dZ2 @ A1.T,
        "db2": dZ2.sum(axis=0, keepdims=True),
    }
