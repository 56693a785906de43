"""Loss functions.

`compute_loss` is the loss the network is trained with: categorical
cross-entropy of a softmax output, computed from the logits. The binary
cross-entropy pair documents the derivation the write-up printed (a sigmoid
output with two classes); the network never uses it.
"""

import numpy as np


# --8<-- [start:log_softmax]
def log_softmax(Z):
    r"""Column-wise log of the softmax, without forming the softmax.

    $$\log \hat y_k = z_k - \max_j z_j - \log \sum_i e^{z_i - \max_j z_j}$$

    Args:
        Z: logits, shape (K, m).

    Returns:
        Shape (K, m); finite wherever Z is finite.
    """
    shifted = Z - Z.max(axis=0, keepdims=True)
    with np.errstate(under="ignore"):
        log_sum = np.log(np.exp(shifted).sum(axis=0, keepdims=True))
    return shifted - log_sum
# --8<-- [end:log_softmax]


# --8<-- [start:compute_loss]
def compute_loss(Y, Z2):
    r"""Mean categorical cross-entropy of softmax(Z2) against Y.

    $$L = -\frac{1}{m} \sum_{j=1}^{m} \sum_{k=1}^{K} Y_{kj} \log \operatorname{softmax}(Z_2)_{kj}$$

    Unlike the write-up's `compute_loss(Y, Y_hat)`, this takes the logits,
    so a probability that underflows to 0 can never produce `log(0)`.

    Args:
        Y: one-hot targets, shape (K, m).
        Z2: logits, shape (K, m).

    Returns:
        The loss as a Python float.
    """
    m = Y.shape[1]
    return -float(np.sum(Y * log_softmax(Z2))) / m
# --8<-- [end:compute_loss]


# --8<-- [start:binary_cross_entropy]
def binary_cross_entropy(y, y_hat):
    r"""Binary cross-entropy of one prediction, element-wise.

    $$\ell(y, \hat y) = -y \log \hat y - (1 - y) \log(1 - \hat y)$$

    Args:
        y: targets in [0, 1], any shape.
        y_hat: predicted probabilities in (0, 1), same shape.

    Returns:
        Element-wise loss, same shape.
    """
    return -y * np.log(y_hat) - (1 - y) * np.log(1 - y_hat)


def binary_cross_entropy_derivative(y, y_hat):
    r"""Derivative of `binary_cross_entropy` with respect to `y_hat`.

    $$\frac{\partial \ell}{\partial \hat y} = -\frac{y}{\hat y} + \frac{1 - y}{1 - \hat y}
    = \frac{\hat y - y}{\hat y (1 - \hat y)}$$

    Args:
        y: targets, any shape.
        y_hat: predicted probabilities in (0, 1), same shape.

    Returns:
        Element-wise derivative, same shape.
    """
    return (y_hat - y) / (y_hat * (1 - y_hat))
# --8<-- [end:binary_cross_entropy]
