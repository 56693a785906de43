"""Wrong: forgets the 1/m."""

from nnscratch import sigmoid


def mse_gradient(Y, Z2):
    A2 = sigmoid(Z2)
    return (A2 - Y) * A2 * (1 - A2)
