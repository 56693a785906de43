"""Checkers of the Automatic differentiation page's exercises: the backward rule of
tanh, and the gradient of a value that forks (W in the loss and in the penalty).

Same footing as the other checkers: generators that yield one line per check passed
and raise `CheckFailed` at the first failure; references in float64, by central
differences.
"""

import numpy as np

from ..activations import softmax
from ..gradcheck import numerical_gradient
from ..losses import compute_loss
from .tools import CheckFailed, as_array, call, compare, distinct_sizes

# |x| of the saturated entries of every case: tanh(x) rounds to +-1 beyond about 19
TANH_EDGES = np.array([5.0, 19.0, 20.0, 400.0])


def _unchanged(check, function, names, inputs):
    """Fail if the reader's function changed one of its arguments in place."""
    for name, before, after in zip(names, inputs, function.last["args_after"]):
        if not (isinstance(after, np.ndarray) and np.array_equal(before, after)):
            raise CheckFailed(
                check,
                f"your function changed {name} in place",
                "return a new array: a backward rule must leave what it is given "
                "alone (the same dy may reach other operations)",
            )


def check_tanh_backward(f: dict, rng: np.random.Generator, fixed: bool = True):
    """tanh_backward(x, y, dy): shape, central differences of sum(dy * tanh(x)) for
    a matrix and a vector, and the saturated entries."""
    function = f["tanh_backward"]
    K, m = distinct_sizes(rng, 2)
    for shape in ((K, m), (K * m + 1,)):
        x = rng.uniform(-3, 3, size=shape)
        y, dy = np.tanh(x), rng.standard_normal(shape)
        check = f"shape and values against central differences, x of shape {shape}"
        got = call(check, function, x.copy(), y.copy(), dy.copy())
        got = as_array(check, "tanh_backward(x, y, dy)", got, shape)
        _unchanged(check, function, ("x", "y", "dy"), (x, y, dy))
        numeric = numerical_gradient(lambda: float(np.sum(dy * np.tanh(x))), x)
        suspects = {
            "tanh'(x) is 1 - tanh(x)**2 = 1 - y**2, not 1 - x**2": dy * (1 - x**2),
            "y * (1 - y) is the sigmoid's slope; tanh's is 1 - y**2": dy * y * (1 - y),
            "you returned the local slope 1 - y**2 alone: a backward rule multiplies "
            "it by the gradient arriving from above, dy": 1 - y**2,
            "you returned the slope times y; the local slope of tanh is 1 - y**2, "
            "which multiplies dy": dy * y,
        }
        error = compare(check, "dx", got, numeric, 1e-7, suspects=suspects)
        yield f"{check}: largest relative error {error:.1e}"

    check = "saturated entries: |x| up to 400, where tanh(x) rounds to +-1"
    size = np.concatenate([TANH_EDGES, rng.uniform(5, 400, size=4)])
    x = np.concatenate([size, -size])
    y, dy = np.tanh(x), rng.standard_normal(x.shape)
    got = call(check, function, x.copy(), y.copy(), dy.copy())
    got = as_array(check, "tanh_backward(x, y, dy)", got, x.shape)
    error = compare(check, "dx", got, dy * (1 - y * y), 1e-12)
    yield f"{check}: largest relative error {error:.1e}, every entry finite"


def penalised_loss(W, X, Y, lam) -> float:
    """The batch-mean cross-entropy of softmax(W @ X) plus (lam / 2) ||W||^2."""
    return compute_loss(Y, W @ X) + lam / 2 * float(np.sum(W * W))


def check_weight_decay_fork(f: dict, rng: np.random.Generator, fixed: bool = True):
    """weight_decay_gradient(W, X, Y, lam): shape, then central differences of the
    penalised loss."""
    function = f["weight_decay_gradient"]
    K, n, m = distinct_sizes(rng, 3)
    W, X = rng.standard_normal((K, n)) / np.sqrt(n), rng.standard_normal((n, m))
    Y = np.eye(K)[:, rng.integers(0, K, m)]
    lam = float(rng.uniform(0.05, 1.0))
    check = "shape and dtype"
    got = call(check, function, W.copy(), X.copy(), Y.copy(), lam)
    got = as_array(check, "dW", got, (K, n))
    _unchanged(check, function, ("W", "X", "Y"), (W, X, Y))
    yield f"{check}: W {(K, n)}, X {(n, m)}, lam = {lam:.3f} give dW {(K, n)}, float64"

    check = "values against central differences of the loss plus the penalty"
    numeric = numerical_gradient(lambda: penalised_loss(W, X, Y, lam), W)
    through_logits = (softmax(W @ X) - Y) / m @ X.T
    overwritten = (
        "W is used twice, so its gradient has two parts that add; your dW holds only "
        "one of them: the second assignment to dW overwrote the first"
    )
    suspects = {
        overwritten + " (what is left is lam * W, the penalty's part)": lam * W,
        overwritten + " (what is left is the logits' part)": through_logits,
        "the derivative of (lam/2)||W||^2 is lam * W: the 2 of the square cancels "
        "the 1/2": through_logits + lam / 2 * W,
        "the penalty is not a mean over the examples: its gradient is lam * W, "
        "without 1/m": through_logits + lam * W / m,
        "the penalty's part has the wrong sign: it is + lam * W": through_logits
        - lam * W,
    }
    error = compare(check, "dW", got, numeric, 1e-6, m=m, suspects=suspects)
    yield f"{check}: largest relative error {error:.1e}"
