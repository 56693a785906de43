"""Wrong: the float64 step 1e-6; in float32 rounding swamps the difference."""


def float32_step():
    return 1e-6
