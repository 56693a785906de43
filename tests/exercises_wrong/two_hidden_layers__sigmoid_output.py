"""Wrong: the output layer uses a sigmoid instead of the softmax."""

from nnscratch import sigmoid


def feed_forward_2h(X, params):
    cache, A = {}, X
    for l in (1, 2, 3):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        A = sigmoid(Z)
        cache[f"Z{l}"], cache[f"A{l}"] = Z, A
    return cache


def back_propagate_2h(X, Y, params, cache):
    raise NotImplementedError
