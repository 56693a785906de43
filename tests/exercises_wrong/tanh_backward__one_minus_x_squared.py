"""Wrong: the slope written with the input, 1 - x**2, instead of 1 - tanh(x)**2."""


def tanh_backward(x, y, dy):
    return dy * (1 - x**2)
