"""Exercise mse-sigmoid-output (Softmax and cross-entropy page of the nnscratch site).

An output layer of K sigmoids, A2 = sigmoid(Z2), trained with the mean squared error
L = 1/(2m) * sum over all entries of (A2 - Y)**2. Write dL/dZ2.

Grade it with:

    nnscratch check mse-sigmoid-output mse_sigmoid_output.py
"""

import numpy as np

from nnscratch import sigmoid  # you may use it


def mse_gradient(Y: np.ndarray, Z2: np.ndarray) -> np.ndarray:
    """dL/dZ2 of the mean squared error of a sigmoid output.

    Y: one-hot targets, shape (K, m); Z2: logits, shape (K, m). Returns (K, m).
    """
    raise NotImplementedError("write mse_gradient(Y, Z2)")
