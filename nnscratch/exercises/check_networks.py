"""Checkers of the whole-network exercises: backprop with a sigmoid hidden layer, a tanh
hidden layer, and two hidden layers.

The reader's gradients are compared with central differences of the batch-mean
cross-entropy (float64), on sizes that are all different; a gradient that matches a
known mistake gets a targeted hint.
"""

import numpy as np

from ..activations import sigmoid, softmax
from ..gradcheck import numerical_gradient
from ..losses import compute_loss
from .tools import CheckFailed, as_array, call, compare, distinct_sizes, type_name


def random_network(rng: np.random.Generator, sizes: list[int], m: int):
    """X (sizes[0], m), one-hot Y (sizes[-1], m) and params W1, b1, ... of a network."""
    X = rng.standard_normal((sizes[0], m))
    Y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], m)]
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), 1):
        params[f"W{l}"] = rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)
        params[f"b{l}"] = rng.standard_normal((n_out, 1)) * 0.1
    return X, Y, params


def forward(X: np.ndarray, params: dict, g) -> dict:
    """Reference forward pass: hidden layers g, softmax output; cache Z1, A1, ..."""
    cache, A, L = {}, X, len(params) // 2
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        A = softmax(Z) if l == L else g(Z)
        cache[f"Z{l}"], cache[f"A{l}"] = Z, A
    return cache


def backward(X, Y, params, cache, g_prime) -> dict:
    """Gradients of the batch-mean cross-entropy, with `g_prime(Z, A)` as g' (which a
    suspect replaces by a typical wrong derivative)."""
    L, m = len(params) // 2, X.shape[1]
    dZ, grads = (cache[f"A{L}"] - Y) / m, {}
    for l in range(L, 0, -1):
        A_prev = X if l == 1 else cache[f"A{l - 1}"]
        grads[f"dW{l}"], grads[f"db{l}"] = dZ @ A_prev.T, dZ.sum(axis=1, keepdims=True)
        if l > 1:
            dZ = (params[f"W{l}"].T @ dZ) * g_prime(
                cache[f"Z{l - 1}"], cache[f"A{l - 1}"]
            )
    return grads


def numeric_gradients(X, Y, params, g) -> dict:
    """Central differences of the batch-mean cross-entropy for every parameter."""
    work = {k: v.copy() for k, v in params.items()}
    L = len(params) // 2

    def loss():
        return compute_loss(Y, forward(X, work, g)[f"Z{L}"])

    return {f"d{k}": numerical_gradient(loss, work[k]) for k in work}


def check_forward(check, function, X, params, g, name_of_g, suspects):
    """The reader's forward cache against the reference, one array at a time."""
    expected = forward(X, params, g)
    got = call(check, function, X.copy(), {k: v.copy() for k, v in params.items()})
    if not isinstance(got, dict):
        raise CheckFailed(
            check,
            f"{function.__name__} must return a dict (the cache); "
            f"got {type_name(got)}",
        )
    for key, value in expected.items():
        if key not in got:
            raise CheckFailed(
                check, f"the cache has no {key!r}; it needs {', '.join(expected)}"
            )
        as_array(check, f"cache[{key!r}]", got[key], value.shape)
        hint = suspects.get(key, {})
        compare(check, f"cache[{key!r}]", got[key], value, 1e-10, suspects=hint)
    arrays = ", ".join(expected)
    return f"{check}: {arrays} match ({name_of_g} hidden layers, softmax output)"


def check_gradients(function, X, Y, params, g, suspects):
    """The reader's gradients: inputs left alone, shapes, then central differences, last
    layer first. Yields one line per check passed.

    `suspects` maps a hint to the g' of a typical mistake; its gradients are computed
    with `backward` and compared with the reader's.
    """
    check = "returns every gradient with its parameter's shape"
    cache = forward(X, params, g)
    inputs = (X, Y, params, cache)
    copies = [
        v.copy() if isinstance(v, np.ndarray) else {k: a.copy() for k, a in v.items()}
        for v in inputs
    ]
    got = call(check, function, *copies)
    keys = ", ".join(f"'d{k}': d{k}" for k in params)
    if not isinstance(got, dict):
        hint = ""
        if isinstance(got, (tuple, list)):
            hint = f"return the gradients in a dict, as the starter says: {{{keys}}}"
        raise CheckFailed(
            check,
            f"{function.__name__} must return a dict of gradients; "
            f"got {type_name(got)}",
            hint,
        )
    m, L = X.shape[1], len(params) // 2
    for key, value in params.items():
        if f"d{key}" not in got:
            raise CheckFailed(
                check,
                f"the returned dict has no 'd{key}'; it needs "
                f"{', '.join('d' + k for k in params)}",
            )
        as_array(check, f"d{key}", got[f"d{key}"], value.shape)
    _unchanged(check, inputs, function.last["args_after"])
    shapes = ", ".join(f"{k} {v.shape}" for k, v in params.items() if k.startswith("W"))
    yield f"{check}: {shapes}, m = {m}; arguments left unchanged"

    check = "gradients against central differences of the mean cross-entropy"
    numeric = numeric_gradients(X, Y, params, g)
    wrong = {
        hint: backward(X, Y, params, cache, g_prime)
        for hint, g_prime in suspects.items()
    }
    worst = 0.0
    for l in range(L, 0, -1):
        for key in (f"dW{l}", f"db{l}"):
            known = {hint: w[key] for hint, w in wrong.items()}
            try:
                error = compare(check, key, got[key], numeric[key], 1e-6, m, known)
            except CheckFailed as e:
                if e.hint or l == L:
                    raise
                hint = (
                    f"dW{l + 1} and db{l + 1} are right, so dZ{l + 1} is: the "
                    f"mistake is in dZ{l} = (W{l + 1}.T @ dZ{l + 1}) * g'(Z{l}) "
                    "or after it"
                )
                raise CheckFailed(check, e.detail, hint) from None
            worst = max(worst, error)
    yield f"{check}: largest relative error {worst:.1e}"


def _unchanged(check, inputs, after):
    """Fail if the reader's function modified one of its arguments in place
    (`after`: the arguments as they were when it returned)."""
    names = ("X", "Y", "params", "cache")
    for name, before, now in zip(names, inputs, after):
        if isinstance(before, np.ndarray):
            pairs = [(name, before, now)]
        else:
            now = now if isinstance(now, dict) else {}
            pairs = [(f"{name}[{k!r}]", before[k], now.get(k)) for k in before]
        for label, a, b in pairs:
            same = isinstance(b, np.ndarray) and a.shape == b.shape
            if not (same and np.array_equal(a, b)):
                raise CheckFailed(
                    check,
                    f"your function changed {label} in place",
                    "work on new arrays: `x = x * y` rather than `x *= y` "
                    "on an array you were given",
                )


def _sizes(rng, hidden):
    n = distinct_sizes(rng, hidden + 3)
    return n[:-1], n[-1]  # layer sizes (n_x, hidden..., K) and m


def _sigmoid_suspects(layer):
    """Typical wrong derivatives of the sigmoid, as hints -> g'(Z, A)."""
    Z, A = f"Z{layer}", f"A{layer}"
    return {
        f"sigmoid'({Z}) is {A} * (1 - {A}), not {Z} * (1 - {Z})": lambda Z, A: (
            Z * (1 - Z)
        ),
        f"you left out the factor sigmoid'({Z}) = {A} * (1 - {A})": lambda Z, A: 1.0,
    }


def check_backprop(f: dict, rng: np.random.Generator, fixed: bool = True):
    """back_propagate(X, Y, params, cache) of the sigmoid network."""
    sizes, m = _sizes(rng, 1)
    X, Y, params = random_network(rng, sizes, m)
    yield from check_gradients(
        f["back_propagate"], X, Y, params, sigmoid, _sigmoid_suspects(1)
    )


TANH_SUSPECTS = {
    "A1 * (1 - A1) is the sigmoid's derivative; tanh'(Z1) is 1 - tanh(Z1)**2 = "
    "1 - A1**2": lambda Z, A: A * (1 - A),
    "tanh'(Z1) is 1 - A1**2 with A1 = tanh(Z1), not 1 - Z1**2": lambda Z, A: 1 - Z**2,
}


def check_tanh_hidden(f: dict, rng: np.random.Generator, fixed: bool = True):
    """feed_forward_tanh and back_propagate_tanh."""
    sizes, m = _sizes(rng, 1)
    X, Y, params = random_network(rng, sizes, m)
    Z1 = params["W1"] @ X + params["b1"]
    suspects = {"A1": {"A1 is tanh(Z1), not sigmoid(Z1)": sigmoid(Z1)}}
    yield check_forward(
        "forward pass", f["feed_forward_tanh"], X, params, np.tanh, "tanh", suspects
    )
    yield from check_gradients(
        f["back_propagate_tanh"],
        X,
        Y,
        params,
        np.tanh,
        TANH_SUSPECTS,
    )


def check_two_hidden_layers(f: dict, rng: np.random.Generator, fixed: bool = True):
    """feed_forward_2h and back_propagate_2h of n_x-n_1-n_2-K."""
    sizes, m = _sizes(rng, 2)
    X, Y, params = random_network(rng, sizes, m)
    Z3 = forward(X, params, sigmoid)["Z3"]
    hint = "the output layer is a softmax: A3 = softmax(Z3), not sigmoid(Z3)"
    suspects = {"A3": {hint: sigmoid(Z3)}}
    yield check_forward(
        "forward pass", f["feed_forward_2h"], X, params, sigmoid, "sigmoid", suspects
    )
    yield from check_gradients(
        f["back_propagate_2h"], X, Y, params, sigmoid, _sigmoid_suspects("")
    )
