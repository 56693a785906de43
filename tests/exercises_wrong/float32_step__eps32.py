"""Wrong: float32's epsilon itself."""

import numpy as np


def float32_step():
    return float(np.finfo(np.float32).eps)
