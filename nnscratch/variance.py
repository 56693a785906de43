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
