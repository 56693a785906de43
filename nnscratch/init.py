"""Parameter initialisation (the Initialisation page, equations (1) and (2))."""

import numpy as np

# --8<-- [start:scale_numerator]
SCALE_NUMERATOR = {"sigmoid": 1.0, "relu": 2.0}  # (2): c per activation
# --8<-- [end:scale_numerator]


# --8<-- [start:init_params]
def init_params(n_x: int = 784, n_h: int = 64, n_y: int = 10, *,
                rng: np.random.Generator, activation: str = "sigmoid",
                dtype: type = np.float32) -> dict[str, np.ndarray]:
    """Draw both layers' weights with variance c / fan-in; biases start at 0.

    Equations (1) and (2) of the Initialisation page.

    Args:
        n_x, n_h, n_y: sizes of the input, hidden and output layers.
        rng: a numpy.random.Generator; the only source of randomness.
        activation: "sigmoid" (c = 1) or "relu" (c = 2).
        dtype: dtype of the returned arrays.

    Returns:
        Dict with W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1).
    """
    c = SCALE_NUMERATOR[activation]  # (2)
    W1 = rng.standard_normal((n_h, n_x)) * np.sqrt(c / n_x)  # (1)
    W2 = rng.standard_normal((n_y, n_h)) * np.sqrt(c / n_h)  # (1)
    return {
        "W1": W1.astype(dtype),
        "b1": np.zeros((n_h, 1), dtype=dtype),  # (1)
        "W2": W2.astype(dtype),
        "b2": np.zeros((n_y, 1), dtype=dtype),  # (1)
    }
# --8<-- [end:init_params]
