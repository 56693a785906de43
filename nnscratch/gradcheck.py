"""Central-difference gradients: the oracle every derivation is tested against."""

import numpy as np


# --8<-- [start:numerical_gradient]
def numerical_gradient(f, x, h=1e-6):
    r"""Central-difference estimate of the gradient of a scalar function.

    $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}$$

    The error is $O(h^2)$ plus rounding of order $\epsilon f / h$; use float64.

    Args:
        f: callable of no arguments returning a float; it must read `x`.
        x: float64 array, perturbed in place one entry at a time and restored.
        h: step.

    Returns:
        Array of the shape of `x`.
    """
    if x.dtype != np.float64:
        raise ValueError(f"numerical_gradient needs float64; got {x.dtype}: pass x.astype(np.float64)")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + h
        f_plus = f()
        x[i] = saved - h
        f_minus = f()
        x[i] = saved
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
# --8<-- [end:numerical_gradient]


# --8<-- [start:relative_error]
def relative_error(analytic, numeric, tiny=1e-300):
    r"""Norm-based relative error of two arrays of the same shape.

    $$\operatorname{err} = \frac{\max_i |a_i - n_i|}{\max(\max_i |a_i|, \max_i |n_i|, \text{tiny})}$$
    """
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    if analytic.shape != numeric.shape:
        raise ValueError(f"shapes differ: {analytic.shape} vs {numeric.shape}")
    scale = max(np.max(np.abs(analytic)), np.max(np.abs(numeric)), tiny)
    return float(np.max(np.abs(analytic - numeric)) / scale)
# --8<-- [end:relative_error]
