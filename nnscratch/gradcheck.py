"""Central-difference gradients: the oracle the derivations are tested against."""

from collections.abc import Callable

import numpy as np


# --8<-- [start:numerical_gradient]
def numerical_gradient(
    f: Callable[[], float], x: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    """Central-difference gradient, equation (14) of the Backpropagation page.

    Calls `f` twice per entry of `x` (2 * x.size calls in all). Float64 only:
    the Backpropagation page explains why h = 1e-6 is of no use in float32.

    Args:
        f: callable of no arguments returning a float; it must read `x`.
        x: float64 array of any shape, nudged in place one entry at a time
            and restored.
        h: step.

    Returns:
        Array of the shape of `x`.
    """
    if x.dtype != np.float64:
        raise ValueError(f"numerical_gradient needs float64; got {x.dtype}: "
                         "pass x.astype(np.float64)")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + h
        f_plus = f()
        x[i] = saved - h
        f_minus = f()
        x[i] = saved
        grad[i] = (f_plus - f_minus) / (2 * h)  # (14)
    return grad
# --8<-- [end:numerical_gradient]


# --8<-- [start:relative_error]
def relative_error(
    analytic: np.ndarray, numeric: np.ndarray, tiny: float = 1e-300
) -> float:
    """Relative error of two arrays, equation (15) of the Backpropagation page.

    The largest difference divided by the largest magnitude in either array
    (`tiny` if both are zero), so entries near zero do not blow it up.

    Args:
        analytic, numeric: arrays of the same shape.
        tiny: floor of the denominator.

    Returns:
        A float, 0 for identical arrays.
    """
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    if analytic.shape != numeric.shape:
        raise ValueError(
            f"shapes differ: {analytic.shape} vs {numeric.shape}")
    scale = max(np.abs(analytic).max(), np.abs(numeric).max(), tiny)  # (15)
    return float(np.max(np.abs(analytic - numeric)) / scale)  # (15)
# --8<-- [end:relative_error]
