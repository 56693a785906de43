"""Wrong: 1/sqrt(n), the scale for a layer that passes all of its input on."""


def he_std(fan_in):
    return (1 / fan_in) ** 0.5
