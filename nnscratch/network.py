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
def feed_forward(
    X: np.ndarray,
    params: dict[str, np.ndarray],
    activation: str = "sigmoid",
    mask: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Forward pass of a batch: equations (1)-(4) of the Backpropagation page.

    Each bias column is added to every column of the batch. With a dropout
    `mask` (Training page), layer 2 reads D1 = A1 * M1 in place of A1.

    Args:
        X: inputs, shape (n_x, m), one example per column.
        params: dict with W1 (n_h, n_x), b1 (n_h, 1), W2 (K, n_h), b2 (K, 1).
        activation: "sigmoid" or "relu" for the hidden layer.
        mask: optional dropout mask (n_h, m) from `dropout_mask`; None at
            test time.

    Returns:
        The cache: dict with Z1, A1 (n_h, m) and Z2, A2 (K, m); with a mask,
        also M1 and D1 (n_h, m).
    """
    g = sigmoid if activation == "sigmoid" else relu
    Z1 = params["W1"] @ X + params["b1"]  # (1)
    A1 = g(Z1)  # (2)
    cache = {"Z1": Z1, "A1": A1}
    if mask is not None:  # dropout, Training page
        cache["M1"], cache["D1"] = mask, A1 * mask
    Z2 = params["W2"] @ cache.get("D1", A1) + params["b2"]  # (3)
    cache["Z2"], cache["A2"] = Z2, softmax(Z2)  # (4)
    return cache
# --8<-- [end:feed_forward]


@checked_by(check_backward)
# --8<-- [start:back_propagate]
def back_propagate(
    X: np.ndarray,
    Y: np.ndarray,
    params: dict[str, np.ndarray],
    cache: dict[str, np.ndarray],
    activation: str = "sigmoid",
) -> dict[str, np.ndarray]:
    """Gradients of the mean loss: equations (6)-(13), Backpropagation page.

    Each gradient dP is the derivative of the mean loss over the batch with
    respect to P, so it is already a batch mean and has the shape of P. The
    sigmoid's slope is read from the cached A1, never recomputed. With dropout
    (Training page), layer 2 saw D1 and only the kept units pass gradient
    back.

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
    dZ2 = (cache["A2"] - Y) / m  # (6)
    dW2 = dZ2 @ cache.get("D1", A1).T  # (7)
    db2 = dZ2.sum(axis=1, keepdims=True)  # (8)
    dA1 = params["W2"].T @ dZ2  # (9)
    if "M1" in cache:  # dropout: only the kept units pass gradient back
        dA1 *= cache["M1"]
    if activation == "sigmoid":
        dZ1 = dA1 * A1 * (1 - A1)  # (10)
    else:
        dZ1 = dA1 * (cache["Z1"] > 0)  # (13)
    dW1 = dZ1 @ X.T  # (11)
    db1 = dZ1.sum(axis=1, keepdims=True)  # (12)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
# --8<-- [end:back_propagate]


def predict(
    X: np.ndarray, params: dict[str, np.ndarray], activation: str = "sigmoid"
) -> np.ndarray:
    """Predicted class of each column of X (n_x, m): integers, shape (m,)."""
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
        dtype: dtype of the mask.

    Returns:
        Array of the given shape and dtype with values 0 and 1 / (1 - p).
    """
    keep = rng.random(shape, dtype=np.float32) >= p  # (7): B, 1 w.p. 1 - p
    return keep.astype(dtype) / np.dtype(dtype).type(1 - p)  # (7): B / (1 - p)
# --8<-- [end:dropout_mask]
