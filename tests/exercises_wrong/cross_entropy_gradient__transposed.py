"""Wrong: returns the transpose, one row per example."""

from nnscratch import softmax


def loss_gradient(Y, Z2):
    return ((softmax(Z2) - Y) / Y.shape[1]).T
