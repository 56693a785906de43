"""Wrong: returns the variance 2/n instead of the standard deviation."""


def he_std(fan_in):
    return 2 / fan_in
