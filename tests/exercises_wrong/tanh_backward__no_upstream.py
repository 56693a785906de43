"""Wrong: the local slope alone, without the gradient arriving from above."""


def tanh_backward(x, y, dy):
    return 1 - y**2
