"""Wrong: sigma'(z) computed as z(1 - z), the formula applied to z instead of
sigma(z)."""


def sigmoid_derivative(z):
    return z * (1 - z)
