"""Wrong: sqrt(2)/n, the square root taken of the 2 only."""


def he_std(fan_in):
    return 2**0.5 / fan_in
