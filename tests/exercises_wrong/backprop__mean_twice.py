"""Wrong: divides by m in dZ2 and again in each gradient."""


def back_propagate(X, Y, params, cache):
    m = X.shape[1]
    A1 = cache["A1"]
    dZ2 = (cache["A2"] - Y) / m
    dZ1 = (params["W2"].T @ dZ2) * A1 * (1 - A1)
    return {
        "dW1": dZ1 @ X.T / m,
        "db1": dZ1.sum(axis=1, keepdims=True) / m,
        "dW2": dZ2 @ A1.T / m,
        "db2": dZ2.sum(axis=1, keepdims=True) / m,
    }
