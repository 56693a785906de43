"""Wrong: sigma'(Z2) written as Z2(1 - Z2)."""

from nnscratch import sigmoid


def mse_gradient(Y, Z2):
    return (sigmoid(Z2) - Y) * Z2 * (1 - Z2) / Y.shape[1]
