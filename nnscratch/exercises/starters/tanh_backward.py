"""Exercise tanh-backward (Automatic differentiation page of the nnscratch site).

Write the backward rule of tanh: given the input x of y = tanh(x), its output y and
the gradient dy = dL/dy arriving from above, return dL/dx. The checker compares it
with central differences on fixed arrays of several shapes.

Grade it with:

    nnscratch check tanh-backward tanh_backward.py
"""

import numpy as np


def tanh_backward(x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """Gradient of L with respect to x, for y = tanh(x) elementwise.

    x: input, any shape; y: tanh(x), the output the forward pass kept; dy: dL/dy,
    the shape of y. Returns dL/dx, the shape of x. Do not modify the arguments.
    """
    raise NotImplementedError("write tanh_backward(x, y, dy)")
