"""Loss functions.

`compute_loss` is the loss the network is trained with: categorical
cross-entropy of a softmax output, computed from the logits. The binary
cross-entropy pair documents the derivation the write-up printed (a sigmoid
output with two classes); the network never uses it. The `# (n)` comments
name equations of the Softmax and cross-entropy page.
"""

import numpy as np


# --8<-- [start:log_softmax]
def log_softmax(Z: np.ndarray) -> np.ndarray:
    """Column-wise log of the softmax, equation (5) of the Softmax page.

    Never forms the softmax itself, so it never takes the log of 0.

    Args:
        Z: logits, shape (K, m).

    Returns:
        Shape (K, m); finite wherever Z is finite.
    """
    shifted = Z - Z.max(axis=0, keepdims=True)  # (5): z_k - max z
    with np.errstate(under="ignore"):
        log_sum = np.log(np.exp(shifted).sum(axis=0, keepdims=True))  # (5)
    return shifted - log_sum  # (5)
# --8<-- [end:log_softmax]


# --8<-- [start:compute_loss]
def compute_loss(Y: np.ndarray, Z2: np.ndarray) -> float:
    """Mean cross-entropy of softmax(Z2) against Y: (6) of the Softmax page.

    Takes the logits, not the probabilities (the write-up's version took
    the probabilities and could take the log of 0).

    Args:
        Y: one-hot targets, shape (K, m).
        Z2: logits, shape (K, m).

    Returns:
        The loss as a Python float.
    """
    m = Y.shape[1]
    return -float(np.sum(Y * log_softmax(Z2))) / m  # (6)
# --8<-- [end:compute_loss]


# --8<-- [start:binary_cross_entropy]
def binary_cross_entropy(y: np.ndarray, y_hat: np.ndarray) -> np.ndarray:
    """Binary cross-entropy, element-wise: equation (11) of the Softmax page.

    Args:
        y: targets in [0, 1], any shape.
        y_hat: predicted probabilities in (0, 1), same shape.

    Returns:
        Element-wise loss, same shape.
    """
    return -y * np.log(y_hat) - (1 - y) * np.log(1 - y_hat)  # (11)


def binary_cross_entropy_derivative(y: np.ndarray,
                                    y_hat: np.ndarray) -> np.ndarray:
    """Its derivative by y_hat, equation (12) of the Softmax page.

    Args:
        y: targets, any shape.
        y_hat: predicted probabilities in (0, 1), same shape.

    Returns:
        Element-wise derivative, same shape.
    """
    return (y_hat - y) / (y_hat * (1 - y_hat))  # (12)
# --8<-- [end:binary_cross_entropy]
