"""Wrong: right values, but dy is multiplied in place and returned."""


def tanh_backward(x, y, dy):
    dy *= 1 - y**2
    return dy
