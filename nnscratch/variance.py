"""The variance of the pre-activations at initialisation (Initialisation page)."""

import numpy as np

from .activations import sigmoid


# --8<-- [start:variance_measurements]
def variance_measurements(
    X: np.ndarray, n_h: int = 64, n_units: int = 2048, seed: int = 0
) -> dict[str, dict]:
    """Measured and predicted variance of z at initialisation, both layers.

    Weights are drawn as init_params draws them for a sigmoid network,
    N(0, 1/n_in). Many more units are drawn than the network has, so that
    the measured numbers sit close to their expectations. The predictions
    are equations (7) and (8) of the Initialisation page; the split into
    "within a unit" and "between units" is equation (9).

    Args:
        X: images, shape (784, m), values in [0, 1].
        n_h: first-layer units feeding the sigmoid layer (the network's 64).
        n_units: units drawn per layer.
        seed: seed of the weights.

    Returns:
        One dict per layer ("input layer", "sigmoid hidden layer") with
        "z" (every measured value, flattened), "measured" (variance pooled
        over units and images), "within a unit" (each unit's variance over
        the images, averaged over units), "between units" (variance of the
        units' means), "write-up" (n_in Var(w) times the mean Var(x_i))
        and "corrected" (Var(w) times the sum of E[x_i^2]).
    """
    rng = np.random.default_rng(seed)
    inputs = X.astype(np.float64)
    m = inputs.shape[1]
    result = {}
    for layer in ("input layer", "sigmoid hidden layer"):
        n_in = inputs.shape[0]
        var_w = 1 / n_in  # (1) with c = 1
        Z = rng.standard_normal((n_units, n_in)) * np.sqrt(var_w) @ inputs
        result[layer] = {
            "z": Z.ravel(),
            "measured": float(Z.var()),
            "within a unit": float(Z.var(axis=1).mean()),  # (9), first part
            "between units": float(Z.mean(axis=1).var()),  # (9), second part
            "write-up": n_in * var_w * inputs.var(axis=1).mean(),  # (8)
            "corrected": var_w * np.sum(inputs**2) / m,  # (7)
        }
        inputs = sigmoid(Z[:n_h])  # the next layer sees n_h sigmoid units
    return result
# --8<-- [end:variance_measurements]


# --8<-- [start:standardised_tanh_variances]
def standardised_tanh_variances(
    X: np.ndarray, n_h: int = 64, n_units: int = 2048, seed: int = 0
) -> dict[str, float]:
    """Var(z) in both layers when the inputs are standardised and g = tanh.

    Each pixel that varies over the images of X is standardised (mean 0,
    variance 1 over those images); pixels that never vary are dropped, since
    they cannot be scaled to variance 1. Weights are N(0, 1/n_in) as in
    init_params with c = 1; the second layer reads tanh of n_h first-layer
    units. All in float64.

    Args:
        X: images, shape (784, m), values in [0, 1].
        n_h: first-layer units feeding the second layer.
        n_units: units drawn per layer.
        seed: seed of the weights.

    Returns:
        "input layer": Var(Z1) pooled over units and images (about 1),
        "tanh hidden layer": Var(Z2) pooled likewise (about 1/3),
        "E[tanh(z1)^2]": the second moment of the second layer's inputs,
        "E[z1^4]/E[z1^2]^2": the tails of those n_h units' pre-activations (3 for
        a normal distribution).
    """
    rng = np.random.default_rng(seed)
    X = X.astype(np.float64)
    sd = X.std(axis=1)
    varying = sd > 0
    S = (X[varying] - X[varying].mean(axis=1, keepdims=True)) / sd[varying, None]
    Z1 = rng.standard_normal((n_units, S.shape[0])) / np.sqrt(S.shape[0]) @ S
    z1 = Z1[:n_h]
    A1 = np.tanh(z1)  # mean about 0, second moment below 1
    Z2 = rng.standard_normal((n_units, n_h)) / np.sqrt(n_h) @ A1
    return {
        "input layer": float(Z1.var()),
        "tanh hidden layer": float(Z2.var()),
        "E[tanh(z1)^2]": float(np.mean(A1**2)),
        "E[z1^4]/E[z1^2]^2": float(np.mean(z1**4) / np.mean(z1**2) ** 2),
    }
# --8<-- [end:standardised_tanh_variances]
