"""Wrong: the starter's bug, the penalty's part assigned over the logits' part."""

import numpy as np


def weight_decay_gradient(W, X, Y, lam):
    m = X.shape[1]
    Z = W @ X
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    A = E / E.sum(axis=0, keepdims=True)
    dW = (A - Y) / m @ X.T
    dW = lam * W
    return dW
