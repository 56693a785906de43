"""Parameter initialisation."""

import numpy as np

# --8<-- [start:scale_numerator]
SCALE_NUMERATOR = {"sigmoid": 1.0, "relu": 2.0}
# --8<-- [end:scale_numerator]


# --8<-- [start:init_params]
def init_params(n_x=784, n_h=64, n_y=10, *, rng, activation="sigmoid", dtype=np.float32):
    r"""Draw the weights of the two layers; biases start at zero.

    $$W^{[l]}_{ij} \sim \mathcal N\!\left(0, \frac{c}{n_{\text{in}}}\right),
    \qquad b^{[l]} = 0$$

    with $c = 1$ for sigmoid (the write-up's `randn * sqrt(1/fan_in)`) and
    $c = 2$ for relu (He initialisation), $n_{\text{in}}$ being the layer's
    fan-in.

    Args:
        n_x, n_h, n_y: sizes of the input, hidden and output layers.
        rng: a `numpy.random.Generator`; the only source of randomness.
        activation: "sigmoid" or "relu", which picks $c$.
        dtype: dtype of the returned arrays.

    Returns:
        Dict with W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1).
    """
    c = SCALE_NUMERATOR[activation]
    return {
        "W1": (rng.standard_normal((n_h, n_x)) * np.sqrt(c / n_x)).astype(dtype),
        "b1": np.zeros((n_h, 1), dtype=dtype),
        "W2": (rng.standard_normal((n_y, n_h)) * np.sqrt(c / n_h)).astype(dtype),
        "b2": np.zeros((n_y, 1), dtype=dtype),
    }
# --8<-- [end:init_params]
