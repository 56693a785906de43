"""Exercise weight-decay-fork (Automatic differentiation page of the nnscratch site).

W is used twice: by the logits Z = W @ X and by the penalty (lam / 2) * ||W||^2.
The function below computes the gradient of

    L = mean cross-entropy(Y, softmax(W @ X)) + (lam / 2) * sum(W ** 2)

but it is wrong: find the mistake and repair it. The checker compares dW with
central differences of L.

Grade it with:

    nnscratch check weight-decay-fork weight_decay_fork.py
"""

import numpy as np


def weight_decay_gradient(
    W: np.ndarray, X: np.ndarray, Y: np.ndarray, lam: float
) -> np.ndarray:
    """dL/dW of the mean cross-entropy of softmax(W @ X) plus (lam / 2) ||W||^2.

    W: (K, n); X: (n, m), one column per example; Y: one-hot (K, m); lam: the
    weight-decay factor, a float. Returns dW, shape (K, n). Do not modify the
    arguments.
    """
    m = X.shape[1]
    Z = W @ X  # first use of W
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    A = E / E.sum(axis=0, keepdims=True)  # softmax(Z), stable
    dZ = (A - Y) / m
    dW = dZ @ X.T  # the path through the logits
    dW = lam * W  # the path through the penalty, the second use of W
    return dW
