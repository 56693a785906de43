"""Wrong: the sigmoid's slope y(1 - y) kept from the Backpropagation page."""


def tanh_backward(x, y, dy):
    return dy * y * (1 - y)
