"""Exercise sigmoid-derivative (Activations page of the nnscratch site).

Write sigmoid_derivative(z), the derivative of sigma(z) = 1 / (1 + exp(-z)), so that it
keeps full relative precision far out in both tails (|z| up to 700 in float64) and
never overflows.

Grade it with:

    nnscratch check sigmoid-derivative sigmoid_derivative.py
"""

import numpy as np


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """sigma'(z), element-wise.

    z: float64 array of any shape. Returns an array of the same shape and dtype.
    """
    raise NotImplementedError("write sigmoid_derivative(z)")
