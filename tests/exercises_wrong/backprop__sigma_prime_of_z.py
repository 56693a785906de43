"""Wrong: sigma'(Z1) written as Z1(1 - Z1)."""


def back_propagate(X, Y, params, cache):
    m = X.shape[1]
    A1, Z1 = cache["A1"], cache["Z1"]
    dZ2 = (cache["A2"] - Y) / m
    dZ1 = (params["W2"].T @ dZ2) * Z1 * (1 - Z1)
    return {
        "dW1": dZ1 @ X.T,
        "db1": dZ1.sum(axis=1, keepdims=True),
        "dW2": dZ2 @ A1.T,
        "db2": dZ2.sum(axis=1, keepdims=True),
    }
