"""Wrong in the negative tail: exp(-z) overflows for z below about -709."""

import numpy as np


def sigmoid_derivative(z):
    e = np.exp(-z)
    return e / (1 + e) ** 2
