"""The tiny network of the Backpropagation page's worked example."""

import numpy as np


def worked_example() -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Inputs, one-hot targets and parameters of a 3-2-2 network with m = 2 examples.

    The numbers are chosen so that the weights and biases are whole numbers or
    halves, the first layer's pre-activations Z1 come out as whole numbers, and
    every later step (Z2 and the rest are not round) can be followed with a
    pencil and a calculator.

    Returns:
        (X, Y, params) in float64: X (3, 2), Y (2, 2) one-hot for the labels
        t = (0, 1), params with W1 (2, 3), b1 (2, 1), W2 (2, 2), b2 (2, 1).
    """
    X = np.array([[1.0, 0.0],
                  [0.0, 1.0],
                  [1.0, 1.0]])
    Y = np.array([[1.0, 0.0],
                  [0.0, 1.0]])
    params = {
        "W1": np.array([[0.5, -0.5, 0.5],
                        [-1.0, 1.0, 0.0]]),
        "b1": np.array([[0.0], [0.0]]),
        "W2": np.array([[1.0, -1.0],
                        [0.0, 1.0]]),
        "b2": np.array([[0.0], [0.5]]),
    }
    return X, Y, params
