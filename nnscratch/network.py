"""The 784-n_h-10 network: forward pass and backpropagation.

Shapes follow the package convention: one column per example, so a batch
`X` is (n_x, m), `Y` is (K, m), `W1` is (n_h, n_x) and `W2` is (K, n_h).
"""

import numpy as np

from .activations import relu, sigmoid, softmax

# the checks live in their own module; HIDDEN_ACTIVATIONS, check_activation re-exported
from .checks import (  # noqa: F401
    HIDDEN_ACTIVATIONS, check_activation, check_backward, check_forward, checked_by,
)


@checked_by(check_forward)  # shapes, dtypes, activation: before the listing runs
# --8<-- [start:feed_forward]
def feed_forward(X, params, activation="sigmoid", mask=None):
    r"""Forward pass of a batch.

    $$Z^{[1]} = W^{[1]} X + b^{[1]}, \quad A^{[1]} = g(Z^{[1]}), \quad
    Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]}, \quad A^{[2]} = \operatorname{softmax}(Z^{[2]})$$

    with $g$ the sigmoid or relu; each bias broadcasts across the columns.
    With a dropout `mask` $M^{[1]}$, layer 2 reads $D^{[1]} = A^{[1]} \odot M^{[1]}$
    in place of $A^{[1]}$.

    Args:
        X: inputs, shape (n_x, m).
        params: dict with W1 (n_h, n_x), b1 (n_h, 1), W2 (K, n_h), b2 (K, 1).
        activation: "sigmoid" or "relu" for the hidden layer.
        mask: optional dropout mask (n_h, m) from `dropout_mask`; None at test time.

    Returns:
        The cache: dict with Z1, A1 (n_h, m) and Z2, A2 (K, m); with a mask,
        also M1 and D1 (n_h, m).
    """
    g = sigmoid if activation == "sigmoid" else relu
    Z1 = params["W1"] @ X + params["b1"]
    A1 = g(Z1)
    cache = {"Z1": Z1, "A1": A1}
    if mask is not None:
        cache["M1"], cache["D1"] = mask, A1 * mask
    Z2 = params["W2"] @ cache.get("D1", A1) + params["b2"]
    cache["Z2"], cache["A2"] = Z2, softmax(Z2)
    return cache
# --8<-- [end:feed_forward]


@checked_by(check_backward)
# --8<-- [start:back_propagate]
def back_propagate(X, Y, params, cache, activation="sigmoid"):
    r"""Gradients of the mean cross-entropy loss with respect to every parameter.

    $$\begin{aligned}
    dZ^{[2]} &= \tfrac{1}{m}(A^{[2]} - Y) & dW^{[2]} &= dZ^{[2]} A^{[1]\top} & db^{[2]} &= dZ^{[2]}\mathbf 1 \\
    dZ^{[1]} &= W^{[2]\top} dZ^{[2]} \odot g'(Z^{[1]}) & dW^{[1]} &= dZ^{[1]} X^{\top} & db^{[1]} &= dZ^{[1]}\mathbf 1
    \end{aligned}$$

    With dropout, $dW^{[2]} = dZ^{[2]} D^{[1]\top}$ and $W^{[2]\top} dZ^{[2]}$ is
    multiplied by $M^{[1]}$ before $g'$.
    Here $dP$ means $\partial L / \partial P$ for the batch-mean loss $L$, so
    the gradients are already batch means. The sigmoid's $g'(Z^{[1]})$ is
    read from the cache as $A^{[1]} \odot (1 - A^{[1]})$, never recomputed.

    Args:
        X: inputs, shape (n_x, m).
        Y: one-hot targets, shape (K, m).
        params: dict with W1, b1, W2, b2 (see `feed_forward`).
        cache: the dict `feed_forward` returned for this X.
        activation: the hidden activation `feed_forward` used.

    Returns:
        Dict with dW1 (n_h, n_x), db1 (n_h, 1), dW2 (K, n_h), db2 (K, 1).
    """
    m = X.shape[1]
    A1 = cache["A1"]
    dZ2 = (cache["A2"] - Y) / m
    dW2 = dZ2 @ cache.get("D1", A1).T
    db2 = dZ2.sum(axis=1, keepdims=True)
    dA1 = params["W2"].T @ dZ2
    if "M1" in cache:  # dropout: only the kept units pass gradient back
        dA1 *= cache["M1"]
    if activation == "sigmoid":
        dZ1 = dA1 * A1 * (1 - A1)
    else:
        dZ1 = dA1 * (cache["Z1"] > 0)
    dW1 = dZ1 @ X.T
    db1 = dZ1.sum(axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
# --8<-- [end:back_propagate]


def predict(X, params, activation="sigmoid"):
    """Predicted class of each column of X, shape (m,)."""
    return np.argmax(feed_forward(X, params, activation)["Z2"], axis=0)


# --8<-- [start:dropout_mask]
def dropout_mask(
    shape: tuple[int, int], p: float, rng: np.random.Generator, dtype=np.float32
) -> np.ndarray:
    """Inverted-dropout mask: each entry 0 with probability p, else 1 / (1 - p).

    Equation (7) of the Training page, one independent draw per hidden unit and
    per example; dividing by 1 - p keeps the mean of every entry at 1, so the
    network is used unchanged (no mask, no rescaling) at test time.

    Args:
        shape: (n_h, m), one entry per hidden unit and example of the batch.
        p: drop probability in [0, 1).
        rng: a `numpy.random.Generator`.

    Returns:
        Array of the given shape and dtype with values 0 and 1 / (1 - p).
    """
    keep = rng.random(shape, dtype=np.float32) >= p  # (7): B, 1 w.p. 1 - p
    return keep.astype(dtype) / np.dtype(dtype).type(1 - p)  # (7): B / (1 - p)
# --8<-- [end:dropout_mask]
